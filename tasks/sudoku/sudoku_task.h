// The Sudoku-Extreme task family as the harness sees it (Task interface, harness/core/task.h).
//
// Datasets: every *.csv (Sudoku-Extreme layout) and every tdoku puzzle list (*.txt, or a file without
// extension whose first puzzle line is 81 puzzle characters, as in sudoku/tdoku-raw/) under
// <data_dir>/sudoku/, recursively, named by the path relative to the data directory without
// extension ("sudoku/rated/puzzles6_forum_hardest_1106"). The split is "train"/"test" when the file
// name is train/test (or starts with "train_", "test_", "train-", "test-"), else "".
// Scoring: "exact" (all 81 cells equal the target, givens included, as the reference's
// exact_accuracy) and "valid" (a complete valid grid that keeps every given).
#pragma once

#include <filesystem>
#include <memory>

#include "harness/core/task.h"

namespace trmbench {

std::unique_ptr<Task> make_sudoku_task();

namespace sudoku {
// Whether a file without a known extension is a tdoku-style puzzle list: its first line that is not a
// '#' comment or blank starts with 81 puzzle characters. Reads at most the first 64 KiB.
bool looks_like_puzzle_list(const std::filesystem::path & path);
}  // namespace sudoku

}  // namespace trmbench
