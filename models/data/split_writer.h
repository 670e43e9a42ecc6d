// Writing a dataset: one split at a time in the reference layout (SplitWriter), inside a temporary
// directory that becomes the dataset directory by one rename (StagingDir).
//
// A builder announces the split's example count up front (the .npy headers come first), then adds
// puzzles group by group in their final order; finish() writes the index arrays and dataset.json
// and checks that the announced counts were met. Token rows are uint8 (every vocabulary here has
// at most 12 tokens), index arrays int32, as the reference writes them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/data/dataset_stamp.h"
#include "models/data/npy.h"
#include "models/data/puzzle_split.h"

namespace trmbench {

class SplitWriter {
public:
    // Creates `root/split` and the token files for `examples` rows of `seq_len` tokens.
    SplitWriter(const std::filesystem::path & root, const std::string & split, int seq_len, int64_t examples);

    // One puzzle: `rows` examples (inputs and labels, rows * seq_len tokens each) and its identifier.
    void add_puzzle(std::span<const uint8_t> inputs, std::span<const uint8_t> labels, int32_t identifier);
    // Closes the current group (it must hold at least one puzzle).
    void end_group();
    // Writes the index arrays and dataset.json. `meta` supplies pad/ignore/blank ids, vocab_size and
    // num_puzzle_identifiers; the counts and seq_len are filled in here. Returns the files written
    // (paths relative to root).
    std::vector<StampFile> finish(PuzzleDatasetMetadata meta);

    SplitCounts counts() const;

private:
    std::filesystem::path root_;
    std::string split_;
    int seq_len_;
    int64_t expected_examples_;
    std::unique_ptr<NpyWriter> inputs_;
    std::unique_ptr<NpyWriter> labels_;
    std::vector<int32_t> identifiers_;
    std::vector<int32_t> puzzle_indices_{0};
    std::vector<int32_t> group_indices_{0};
    int64_t examples_ = 0;
};

// A temporary directory beside `target` ("<parent>/.<name>.tmp-<random>"), removed unless committed.
// commit() renames it to `target`; when `target` exists it must be replaceable (`replace`), and the
// old directory is moved aside first and removed after the rename, so a reader never sees a
// half-written dataset.
class StagingDir {
public:
    explicit StagingDir(const std::filesystem::path & target);
    ~StagingDir();
    StagingDir(const StagingDir &) = delete;
    StagingDir & operator=(const StagingDir &) = delete;

    const std::filesystem::path & path() const { return tmp_; }
    void commit(bool replace);

private:
    std::filesystem::path target_;
    std::filesystem::path tmp_;
    bool committed_ = false;
};

// Writes a small text file inside a staging directory and returns its manifest entry.
StampFile write_text_file(const std::filesystem::path & root, const std::string & relative, const std::string & content);

}  // namespace trmbench
