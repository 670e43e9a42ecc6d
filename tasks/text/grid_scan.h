// Internal to tasks/text: finding answer grids in one stretch of model text.
//
// answer_parser.cpp cuts a reply into regions (<answer> blocks, \boxed{}, fenced blocks, the rest)
// and asks scan_for_grids() for the grids inside each. The scanner reads three surface forms:
//   json   a list of rows: [[1,2],[3,4]] (also trailing commas, numpy's [[1 2] [3 4]], Python quotes,
//          and rows written as strings: ["12", "34"], ["#S o#", ...]);
//   latex  \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} (and pmatrix, array, ...);
//   rows   one grid row per line: Sudoku digit rows (spaces, |, -+- lines, box-drawing characters
//          allowed), ARC digit rows, maze rows of "# SGo" matched by exact width.
// Every candidate is checked against a GridSpec (shape and value range). Among valid candidates the
// one that ends last wins; among rejected ones the one with the most cells explains the failure.
//
// All scanning is iterative and linear in the input (no recursion, bounded look-ahead), so megabytes
// of garbage or 10^6 nested brackets cost milliseconds, and no input can make it throw except
// std::bad_alloc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/grid.h"

namespace trmbench::text {

enum class GridKind { sudoku, maze, arc };

// What a valid answer looks like. Sudoku: 9x9 of 1..9. Maze: rows x cols over "# SGo" (cell values
// are indices into that string). ARC: any 1..30 x 1..30 of 0..9 (rows, cols unused).
struct GridSpec {
    GridKind kind = GridKind::arc;
    int rows = 0;
    int cols = 0;
};

inline constexpr int kArcMaxSide = 30;
inline constexpr std::string_view kMazeChars = "# SGo";

struct FoundGrid {
    Grid grid;
    size_t end = 0;      // offset just past the candidate in the scanned text
    std::string format;  // "json" | "latex" | "digit_rows" | "maze_rows"
};

// A grid-like stretch that failed the spec, e.g. found = "a 9x8 grid", problem = "expected 9x9".
struct Rejection {
    std::string found;
    std::string problem;
    size_t weight = 0;  // cells read; the heaviest rejection is the one worth reporting
    size_t end = 0;
};

struct ScanResult {
    std::optional<FoundGrid> best;       // the valid grid that ends last (ties: json, latex, rows)
    std::optional<Rejection> rejection;  // the most grid-like rejected candidate
    bool unterminated = false;           // a JSON grid was still open at the end of the text
};

// Scans `text` for grids. `free_text` is true for text outside any answer delimiter: there an ARC
// digit-row grid needs at least two rows, so that a stray line like "3 4" is not taken as a grid.
ScanResult scan_for_grids(std::string_view text, const GridSpec & spec, bool free_text);

// LaTeX to plain rows: "\\" -> newline, "&" -> space, \begin{..}/\end{..} (and an array's column
// spec), other commands, braces and '$' dropped. Used for \boxed{} contents and matrix environments.
std::string latex_to_rows(std::string_view latex);

// The shape/value check behind every candidate: empty when `g` satisfies `spec`, else the problem.
std::string check_grid(const Grid & g, const GridSpec & spec);

// Text for messages: at most `max` bytes, non-printable and non-ASCII bytes as \xNN (reasons must be
// valid ASCII whatever the model sent).
std::string printable(std::string_view s, size_t max = 40);

}  // namespace trmbench::text
