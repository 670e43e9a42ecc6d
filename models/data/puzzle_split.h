// One split (`train/` or `test/`) of a TRM/HRM puzzle dataset in the reference's on-disk layout
// (spec §3.1): `dataset.json` plus `<set>__{inputs,labels,puzzle_identifiers,puzzle_indices,
// group_indices}.npy`.
//
//   example = one (input, label) pair, a row of inputs/labels [N, seq_len];
//   puzzle  = one augmented variant; puzzle_indices (CSR, P+1) maps it to its examples, and
//             puzzle_identifiers[p] is its row in the model's puzzle-embedding table;
//   group   = one original puzzle; group_indices (CSR, G+1) maps it to its puzzles.
//
// open() memory-maps the token arrays (ARC-AGI-1 with 1,000 variants is several GB) and loads the
// index arrays, then validates everything a sampler relies on: shapes, CSR offsets starting at 0,
// strictly increasing (no empty puzzle or group) and ending at the row counts, identifiers inside
// [0, num_puzzle_identifiers), input and label tokens inside [0, vocab_size), and the metadata
// counts. Any violation is an InputError naming the file. Datasets written by the Python reference
// open too (their Sudoku train tokens are int64; all are read as int32).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/data/npy.h"

namespace trmbench {

// dataset.json, field for field as the reference's PuzzleDatasetMetadata.
struct PuzzleDatasetMetadata {
    int32_t pad_id = 0;
    std::optional<int32_t> ignore_label_id = 0;  // labels equal to it become -100 at collate time
    int32_t blank_identifier_id = 0;
    int32_t vocab_size = 0;
    int32_t seq_len = 0;
    int64_t num_puzzle_identifiers = 0;
    int64_t total_groups = 0;
    double mean_puzzle_examples = 0;
    int64_t total_puzzles = 0;
    std::vector<std::string> sets{"all"};

    bool operator==(const PuzzleDatasetMetadata &) const = default;
};

// The JSON the reference writes (keys in its order). Parsing accepts a missing total_puzzles (HRM's
// builders) and fills it from the index arrays later; `name` is used in error messages.
std::string metadata_to_json(const PuzzleDatasetMetadata & m);
PuzzleDatasetMetadata metadata_from_json(std::string_view text, const std::string & name, bool * has_total_puzzles = nullptr);

// The label value the loss ignores (the reference's IGNORE_LABEL_ID).
inline constexpr int32_t kIgnoreLabel = -100;

class PuzzleSplit {
public:
    // Opens `<dir>/dataset.json` and the arrays of its only set. Throws InputError / IoError.
    static PuzzleSplit open(const std::filesystem::path & dir);
    // An in-memory split (sampler tests); validated like open(). Tokens are uint8, row-major.
    static PuzzleSplit from_memory(PuzzleDatasetMetadata meta, std::vector<uint8_t> inputs, std::vector<uint8_t> labels,
                                   std::vector<int32_t> puzzle_identifiers, std::vector<int32_t> puzzle_indices,
                                   std::vector<int32_t> group_indices);

    const PuzzleDatasetMetadata & metadata() const { return meta_; }
    const std::filesystem::path & dir() const { return dir_; }
    int seq_len() const { return meta_.seq_len; }
    int64_t num_examples() const { return num_examples_; }
    int64_t num_puzzles() const { return static_cast<int64_t>(puzzle_identifiers_.size()); }
    int64_t num_groups() const { return static_cast<int64_t>(group_indices_.size()) - 1; }

    std::span<const int32_t> puzzle_identifiers() const { return puzzle_identifiers_; }
    std::span<const int32_t> puzzle_indices() const { return puzzle_indices_; }
    std::span<const int32_t> group_indices() const { return group_indices_; }
    // The puzzle an example belongs to (binary search in puzzle_indices).
    int64_t puzzle_of_example(int64_t example) const;

    // One example's tokens as int32 (out.size() == seq_len). `example` must be in range.
    void copy_input(int64_t example, std::span<int32_t> out) const;
    void copy_label(int64_t example, std::span<int32_t> out) const;
    const NpyArray & inputs() const { return inputs_; }
    const NpyArray & labels() const { return labels_; }

private:
    void validate(const std::string & where, bool has_total_puzzles);

    std::filesystem::path dir_;
    PuzzleDatasetMetadata meta_;
    NpyArray inputs_;
    NpyArray labels_;
    int64_t num_examples_ = 0;
    std::vector<int32_t> puzzle_identifiers_;
    std::vector<int32_t> puzzle_indices_;
    std::vector<int32_t> group_indices_;
};

}  // namespace trmbench
