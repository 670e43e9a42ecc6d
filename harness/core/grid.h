// Grid: the one answer/board type shared by every task, solver and scorer.
//
// A Grid is a small row-major matrix of cell values (0..255). What a value means is up to the task:
//   sudoku: 0 = blank, 1..9 = digits
//   maze:   index into "# SGo" (0 wall, 1 open, 2 start, 3 goal, 4 path)
//   arc:    colours 0..9
// Tokenisation for the models (value -> token id) lives with each task, not here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trmbench {

struct Grid {
    int rows = 0;
    int cols = 0;
    std::vector<uint8_t> cells;  // rows * cols, row-major

    Grid() = default;
    Grid(int r, int c, uint8_t fill = 0) : rows(r), cols(c), cells(static_cast<size_t>(r) * c, fill) {}

    bool empty() const { return cells.empty(); }
    size_t size() const { return cells.size(); }
    uint8_t at(int r, int c) const { return cells[static_cast<size_t>(r) * cols + c]; }
    uint8_t & at(int r, int c) { return cells[static_cast<size_t>(r) * cols + c]; }

    bool operator==(const Grid & other) const = default;
};

// Rows of digits, e.g. [[1,2],[3,4]] -> "12\n34" (values > 9 print as '?'); for logs and terminals.
std::string to_digit_rows(const Grid & g);
// Compact JSON list-of-lists, e.g. "[[1,2],[3,4]]". Written by hand so that core needs no json library.
std::string to_json_rows(const Grid & g);

}  // namespace trmbench
