// Sudoku boards: the 81-cell array the solver and generator work on, the one line parser that every
// Sudoku loader uses, validity checks and terminal rendering.
//
// A board is row-major, 0 = blank, 1..9 = digits. The line parser accepts the two text forms found in
// Sudoku-Extreme and tdoku files: a puzzle (digits, '.' or '0' for a blank) and a solved grid
// (81 digits 1-9 forming a valid complete grid). It reports errors with a 1-based position so loaders
// can prefix "file:line:".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/grid.h"

namespace trmbench::sudoku {

inline constexpr int kCells = 81;
using Cells = std::array<uint8_t, kCells>;

enum class LineKind {
    puzzle,    // '1'-'9' given, '.' or '0' blank; givens must not repeat in a row, column or box
    solution,  // '1'-'9' only, and the 81 digits must form a valid complete grid
};

// Parses exactly 81 characters (the caller strips line endings and other fields). Returns the cells,
// or nullopt with *error set, e.g. "has 80 characters, expected 81",
// "position 17: bad character 'x' (expected 1-9, '.' or '0')",
// "givens conflict: digit 5 repeats in row 5: r5c1 and r5c4". Positions are 1-based.
std::optional<Cells> parse_line(std::string_view text, LineKind kind, std::string * error);

// The first repeated digit in a row, column or box, described with 1-based row/column
// ("digit 5 repeats in box 4: r5c1 and r6c2"), or "" when none. Blanks are ignored.
std::string find_conflict(const Cells & cells);
// Every cell 1..9 and no repeats.
bool is_complete_valid(const Cells & cells);
// Every non-blank cell of `puzzle` has the same value in `grid`.
bool keeps_givens(const Cells & puzzle, const Cells & grid);
int count_givens(const Cells & cells);

// "53..7...." style: '.' for blank.
std::string to_line(const Cells & cells);

// Grid <-> Cells. to_cells returns nullopt unless the grid is 9x9 with values 0..9.
std::optional<Cells> to_cells(const Grid & g);
Grid to_grid(const Cells & cells);

// 9x9 with box separators and '.' for blanks:
//   5 3 . | . 7 . | . . .
//   ------+-------+------
// A grid that is not 9x9 (or has values > 9) is printed as plain digit rows.
std::string pretty(const Grid & g);

}  // namespace trmbench::sudoku
