// Training datasets for TRM/HRM: what to build, building it into the cache, and opening it.
//
// Three builders produce the reference's datasets (spec §3.2-3.4) in its on-disk layout
// (models/data/README.md), but seeded, so the same options give the same bytes on any machine and
// any thread count:
//   sudoku  N training puzzles (seeded subsample) x (1 + num_aug) validity-preserving shuffles,
//           one group per puzzle; test split without augmentation.
//   maze    N mazes (all by default) with or without the 8 dihedral transforms (the reference
//           default is without, spec §7.1); test split without augmentation.
//   arc     subsets in order, each shuffled; the test subset's demonstration pairs train and its
//           test pairs test; up to num_aug deduplicated dihedral x colour variants per task, each
//           its own puzzle identifier; translation augmentation in the train split.
//
// Typical use (the trainer):
//   auto opts = arc_preset("arc1", data_dir);          // or SudokuDataOptions{...}
//   auto built = build_train_data(opts, {}, settings);  // reuses the cache when the key matches
//   TrainData data = open_train_data(built.dir, &built.manifest.stamp);
//   TrainSampler sampler(data.train, {...});            // batch_sampler.h
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "models/data/dataset_stamp.h"
#include "models/data/puzzle_split.h"

namespace trmbench {

// An input dataset: a file or directory, and the name people know it by.
struct InputDataset {
    std::string name;             // e.g. "sudoku/rated/puzzles5_forum_hardest_1905_11+", or the path
    std::filesystem::path path;
};

struct SudokuDataOptions {
    InputDataset train;                 // any Sudoku dataset the task library loads (CSV, puzzle list)
    std::optional<InputDataset> test;   // none: the rows of `train` not drawn for training
    int64_t n = 1000;                 // training puzzles (groups); 0 = all
    int num_aug = 1000;               // shuffled variants per puzzle (the original is kept as well)
    std::optional<int64_t> min_difficulty;  // keep rows rated >= this (both splits), like the reference
    int64_t test_n = 0;               // test puzzles, seeded subsample; 0 = all
    uint64_t seed = 0;
    // > 0: an easier band for small models: every puzzle (both splits) keeps at most this many
    // blanks, a seeded choice per source row; the other blanks are filled from the solution, so the
    // solution stays unique. Not in the reference (trmbench's CPU presets).
    int max_blanks = 0;
};

struct MazeDataOptions {
    InputDataset train;
    std::optional<InputDataset> test;   // none: the rows of `train` not drawn for training
    int64_t n = 0;                    // training mazes; 0 = all (the reference default)
    bool dihedral = false;            // 8 dihedral puzzles per group (reference flag `aug`, default off)
    int64_t test_n = 0;               // 0 = all
    uint64_t seed = 0;
};

struct ArcSubset {
    std::string name;                 // "training", "evaluation", "concept", ...
    InputDataset source;                // a directory of task files (or a Kaggle challenges file)
};

struct ArcDataOptions {
    std::string label = "arc";        // "arc1", "arc2" for the presets
    std::vector<ArcSubset> subsets;   // processed in this order
    std::string test_subset;          // its test pairs form the test split
    int num_aug = 1000;               // variants per task besides the original
    uint64_t seed = 0;
};

using TrainDataOptions = std::variant<SudokuDataOptions, MazeDataOptions, ArcDataOptions>;

// The paper runs, from the data directory layout (README "Data directory"):
//   arc1 = arc-agi-1/training + arc-agi-1/evaluation + conceptarc/corpus, test subset evaluation
//   arc2 = arc-agi-2/training + arc-agi-2/evaluation + conceptarc/corpus, test subset evaluation2
// Subset names follow the reference (training, evaluation, concept / training2, evaluation2,
// concept). Throws UsageError for another name or a missing directory.
ArcDataOptions arc_preset(const std::string & preset, const std::filesystem::path & data_dir);

// The stamp (builder, version, canonical parameters, input hashes) the options would produce.
// Hashes every input (a few seconds for large CSVs). Throws UsageError for invalid options.
DatasetStamp make_stamp(const TrainDataOptions & options);

// `<cache_dir>/train-data/<label>-<first 12 hex digits of the key>`.
std::filesystem::path default_dataset_dir(const DatasetStamp & stamp, const std::filesystem::path & cache_dir);

struct BuildSettings {
    int threads = 0;     // <= 0: all usable cores; never changes the output
    bool quiet = false;  // no progress lines
    bool force = false;  // replace a dataset with another stamp in the output directory
};

struct BuildResult {
    std::filesystem::path dir;
    DatasetManifest manifest;
    bool reused = false;  // the directory already held this exact dataset
    double seconds = 0;
};

// Builds the dataset into `out_dir` (empty: default_dataset_dir under default_cache_dir()). When
// `out_dir` already holds a dataset with the same key and builder version it is reused; one with
// another key or version is an InputError ("dataset cache with other parameters" / "from another
// version") unless settings.force. The directory appears atomically (staging dir + rename).
BuildResult build_train_data(const TrainDataOptions & options, const std::filesystem::path & out_dir,
                             const BuildSettings & settings = {});

struct TrainData {
    std::filesystem::path dir;
    DatasetManifest manifest;
    PuzzleSplit train;
    std::optional<PuzzleSplit> test;       // absent when the test split is empty
    std::vector<std::string> identifiers;  // id -> name, [0] = "<blank>"
};

// Opens a built dataset: the manifest (format and builder version must be this trmbench's; when
// `expected` is given its key must match), then both splits with full validation, and checks the
// split counts and identifier count against the manifest. Throws InputError / IoError.
TrainData open_train_data(const std::filesystem::path & dir, const DatasetStamp * expected = nullptr);

// Loads identifiers.json (a JSON list of strings). Throws InputError.
std::vector<std::string> load_identifiers(const std::filesystem::path & file);

}  // namespace trmbench
