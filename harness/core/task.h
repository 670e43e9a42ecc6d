// Task and Scorer: a puzzle family (Sudoku, Maze, ARC) as data the harness can run.
//
// A Task knows how to find and load its datasets, how to score an answer, how to present an example
// to a text model (prompt template + answer parser), and how the reference models tokenise it.
// It holds no state that changes during a run, so one instance is shared by every solver and thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/example.h"
#include "harness/core/grid.h"

namespace trmbench {

// One named boolean measure of an answer, e.g. {"exact", true}, {"valid", true}, {"optimal", false}.
struct Measure {
    std::string name;
    bool value = false;
};

struct Score {
    std::vector<Measure> measures;  // measures[0] is the headline measure ("exact")
    bool correct() const { return !measures.empty() && measures.front().value; }
    // Value of a named measure; false when absent.
    bool get(std::string_view name) const;
};

class Scorer {
public:
    virtual ~Scorer() = default;
    // Names of the measures score() returns, headline first.
    virtual std::vector<std::string> measure_names() const = 0;
    // Scores one attempt. A missing answer scores false on every measure. Never throws on bad answers.
    virtual Score score(const Example & ex, const std::optional<Grid> & answer) const = 0;
};

// A versioned prompt template. The hash goes into the results store with every run.
struct PromptTemplate {
    std::string name;     // e.g. "sudoku-boxed"
    std::string version;  // bumped on any change of text
    std::string text;     // the template itself, with {placeholders}
    std::string hash() const;  // sha256 of name, version and text
};

// Result of pulling an answer grid out of free model text.
struct ParsedAnswer {
    std::optional<Grid> grid;
    std::string method;  // which rule matched: "boxed", "fenced", "json", "digit_rows", ...
    std::string reason;  // when grid is empty: why nothing parsed
};

// How the reference models see a task: sequence length and vocabulary (PAD = 0 everywhere).
// Some families come in several board sizes: an N x N board is N*N tokens for every side N in
// [square_side_min, square_side_max] (mazes), and a model trained on one side reads only that one.
struct TokenLayout {
    int seq_len = 0;           // the family's standard board (Maze-Hard 30x30: 900)
    int vocab_size = 0;
    int square_side_min = 0;   // 0: seq_len is the only length
    int square_side_max = 0;

    // Whether a model of this sequence length and vocabulary reads boards of this family.
    bool accepts(int64_t model_seq_len, int64_t model_vocab_size) const {
        if (model_vocab_size != vocab_size) return false;
        if (model_seq_len == seq_len) return true;
        for (int64_t n = square_side_min; n > 0 && n <= square_side_max; ++n)
            if (n * n == model_seq_len) return true;
        return false;
    }
};

// Options for `trmbench data generate`. Families read the fields that apply to them.
struct GenerateOptions {
    int64_t n = 1000;          // puzzles to write
    uint64_t seed = 0;         // same seed, same options -> byte-identical file
    double min_rating = -1;    // sudoku: keep puzzles rated at least this (-1: any)
    double max_rating = -1;    // sudoku: keep puzzles rated at most this (-1: any)
    int max_blanks = -1;       // sudoku: reveal answer digits until at most this many blanks remain (-1: keep all)
    int size = 30;             // maze: side length (the Maze-Hard rules scale with it)
    int min_path = -1;         // maze: shortest path must be longer than this (-1: the family default)
    bool unique_path = false;  // maze: keep only mazes with exactly one shortest path (an unambiguous label)
    int threads = 0;           // worker threads, <= 0: all usable cores (output never depends on it)
    bool quiet = false;        // no progress output
};

struct DatasetInfo {
    std::string name;             // relative to the data directory, e.g. "sudoku/rated/puzzles6_forum_hardest_1106"
    std::filesystem::path path;   // file or directory to pass to Task::load
    std::string split;            // "train" | "test" | "training" | "evaluation" | ""
};

class Task {
public:
    virtual ~Task() = default;

    virtual std::string_view family() const = 0;   // "sudoku" | "maze" | "arc"
    virtual std::string_view version() const = 0;  // bumped when loading, scoring or encoding changes

    // Datasets of this family under a data directory (layout in README, "Data directory").
    virtual std::vector<DatasetInfo> find_datasets(const std::filesystem::path & data_dir) const = 0;
    // Loads and validates a dataset file or directory. Throws InputError naming file and line.
    virtual std::vector<Example> load(const std::filesystem::path & path) const = 0;

    virtual const Scorer & scorer() const = 0;

    // Text models.
    virtual const PromptTemplate & prompt_template() const = 0;
    virtual std::string render_prompt(const Example & ex) const = 0;
    virtual ParsedAnswer parse_answer(std::string_view text, const Example & ex) const = 0;

    // Reference tokenisation for TRM/HRM (evaluation layout: no augmentation, no translation).
    virtual TokenLayout token_layout() const = 0;
    virtual std::vector<int32_t> encode(const Grid & g) const = 0;
    // Inverse of encode for a predicted token sequence; empty when it is not a valid grid.
    virtual std::optional<Grid> decode(std::span<const int32_t> tokens, const Example & ex) const = 0;

    // Terminal rendering of a board of this family.
    virtual std::string pretty(const Grid & g) const = 0;

    // Writes a generated dataset in this family's file layout. Default: throws UsageError
    // (ARC cannot be generated).
    virtual void generate(const GenerateOptions & opts, const std::filesystem::path & out) const;
    // Family-specific lines for `trmbench data stats` (e.g. maze wall fraction); default none.
    virtual std::vector<std::string> extra_stats(std::span<const Example> examples) const { return {}; }
};

}  // namespace trmbench
