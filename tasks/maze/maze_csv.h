// Loader for the Maze-Hard CSV layout (HF sapientinc/maze-30x30-hard-1k, and `data generate maze`).
//
// Rows are `source,question,answer,rating`: question and answer are N*N-character strings over "# SGo"
// (900 for 30x30, side = sqrt(length)), rating an integer. The header line is optional and detected
// (its column names may differ: "q", "a", "puzzle", "solution", "difficulty" ... are recognised);
// without one, the columns are taken in that order. Fields may be quoted ("..." with "" escapes).
//
// Validation, each failure an InputError "FILE:LINE: FIELD: problem":
//   - question: a square length, only "# SG" characters, exactly one S and one G, the same side on
//     every row;
//   - answer (may be empty: unknown): the question's length, and equal to the question except for 'o'
//     written on open cells;
//   - rating (may be empty or absent): an integer.
// Examples: id = 0-based data row ("0", "1", ...), difficulty = BFS shortest path in moves (-1 when G
// is unreachable). The rating is kept as meta["rating"] and never rejected for disagreeing with the
// BFS length: HF's rating semantics (moves or cells?) are unconfirmed (datasets.md §5), so both are
// recorded and `data stats` reports how they relate.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/example.h"

namespace trmbench {

// Reads and validates a Maze-Hard CSV file. Throws IoError when it cannot be read.
std::vector<Example> load_maze_csv(const std::filesystem::path & path);

// The same from text; `file_label` names the file in error messages.
std::vector<Example> parse_maze_csv(std::string_view text, const std::string & file_label);

}  // namespace trmbench
