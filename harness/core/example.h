// Example: one puzzle instance as the harness sees it, independent of who solves it.
//
// For Sudoku and Maze an example is one board. For ARC an example is one *test input* of a task:
// `demos` holds the task's train pairs, `group` the task id and `index` the test-pair index, so that
// per-task aggregation (ARC Prize convention) can regroup the examples.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/grid.h"

namespace trmbench {

struct Example {
    std::string id;       // stable and unique within a dataset, e.g. "hardest_1106/17", "00576224/0"
    std::string family;   // "sudoku" | "maze" | "arc"
    std::string group;    // ARC: task id; others: same as id
    int index = 0;        // ARC: test-pair index within the task; others: 0
    Grid input;
    Grid target;          // empty when the answer is unknown
    std::vector<std::pair<Grid, Grid>> demos;  // ARC demonstration pairs (input, output)
    double difficulty = -1;                    // sudoku rating, maze shortest-path length; -1 unknown
    std::map<std::string, std::string> meta;   // e.g. "source" column of the Sudoku-Extreme CSV
};

}  // namespace trmbench
