// Internal interface between train_data.cpp and the three builders (build_grid.cpp for Sudoku and
// Maze, build_arc.cpp for ARC). Not for other modules: use train_data.h.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "models/data/dataset_stamp.h"

namespace trmbench {

struct SudokuDataOptions;
struct MazeDataOptions;
struct ArcDataOptions;
struct BuildSettings;

// Bump a builder's version whenever its output for the same options and inputs changes.
inline constexpr int kSudokuBuilderVersion = 1;
inline constexpr int kMazeBuilderVersion = 1;
inline constexpr int kArcBuilderVersion = 1;

// What a builder wrote into the staging directory.
struct BuiltContents {
    SplitCounts train;
    SplitCounts test;
    int64_t num_puzzle_identifiers = 0;
    std::vector<StampFile> files;
    std::vector<std::pair<std::string, std::string>> notes;
};

// Each validates its options (UsageError), fills the stamp's parameters, and writes the dataset.
DatasetStamp sudoku_stamp(const SudokuDataOptions & o);
DatasetStamp maze_stamp(const MazeDataOptions & o);
DatasetStamp arc_stamp(const ArcDataOptions & o);

BuiltContents build_sudoku(const SudokuDataOptions & o, const std::filesystem::path & root, const BuildSettings & s);
BuiltContents build_maze(const MazeDataOptions & o, const std::filesystem::path & root, const BuildSettings & s);
BuiltContents build_arc(const ArcDataOptions & o, const std::filesystem::path & root, const BuildSettings & s);

// Seed streams: every random decision draws from derive_seed(seed, stream) and, below that, from a
// per-item key, so that no result depends on the order or thread in which items are processed.
namespace seed_stream {
inline constexpr uint64_t kTrainSubsample = 1;
inline constexpr uint64_t kTestSubsample = 2;
inline constexpr uint64_t kSudokuShuffle = 3;
inline constexpr uint64_t kArcTaskOrder = 4;
inline constexpr uint64_t kArcVariants = 5;
inline constexpr uint64_t kArcTranslation = 6;
inline constexpr uint64_t kSudokuReveal = 7;
}  // namespace seed_stream

// 64 bits of SHA-256 of a name: a stable per-item key (task ids, subset names).
uint64_t name_key(const std::string & name);

}  // namespace trmbench
