// Sudoku loaders: the Sudoku-Extreme CSV layout, tdoku-style puzzle lists and files of solved grids.
//
// Every loader validates every row and throws InputError naming the file and the 1-based line (and the
// field or column where it helps): "data/x.csv:7: question: column 12: bad character 'x' (...)".
// All of them go through sudoku::parse_line (sudoku_board.h), so the cell rules are the same everywhere.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/example.h"
#include "tasks/sudoku/sudoku_board.h"

namespace trmbench::sudoku {

// The header every Sudoku-Extreme CSV starts with.
inline constexpr std::string_view kCsvHeader = "source,question,answer,rating";

// Sudoku-Extreme CSV: header `source,question,answer,rating`, then one puzzle a row. `question` uses
// '.' (or '0') for blanks, `answer` is the solved grid, `rating` a non-negative integer or empty
// (difficulty -1). CRLF line ends, a UTF-8 BOM, blank lines and a missing final newline are accepted.
// Each row is checked: 81 cells each, givens do not conflict, the answer is a valid complete grid and
// keeps every given. Uniqueness is not checked here (it costs a search per row; the rated collections
// and generated files are unique by construction, see tests).
// Example ids are the 0-based data-row index ("0", "1", ...); meta["source"] is the source column.
std::vector<Example> load_csv(const std::filesystem::path & path);
// Same, from text already in memory; `name` is used in error messages.
std::vector<Example> parse_csv(std::string_view text, const std::string & name);

// tdoku-style list: one 81-character puzzle a line ('.' or '0' blank), optionally followed by
// whitespace and ignored text; '#' comment lines and blank lines are skipped. The files carry no
// answers, so each puzzle is solved: puzzles with no solution or more than one are reported (file:line,
// up to 20 of them, plus the total) in one InputError. difficulty = this solver's rating (guesses,
// sudoku_solver.h) and meta["rating_by"] = "trmbench"; meta["source"] = the file name.
// Example ids are the 0-based puzzle index.
std::vector<Example> load_puzzle_list(const std::filesystem::path & path);
std::vector<Example> parse_puzzle_list(std::string_view text, const std::string & name);

// A file of solved grids (answer keys): one 81-digit grid a line, '#' comments and blank lines skipped.
// Each must be a valid complete grid.
std::vector<Cells> load_solutions(const std::filesystem::path & path);
std::vector<Cells> parse_solutions(std::string_view text, const std::string & name);

// Splits text into lines, dropping a trailing '\r' from each (CRLF files) and a UTF-8 BOM from the
// first; a final newline does not produce an extra empty line.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace trmbench::sudoku
