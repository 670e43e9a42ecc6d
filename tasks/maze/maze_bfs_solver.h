// The classical Maze-Hard baseline: BFS with the canonical tie-break (maze::canonical_solution).
// Always optimal; exact whenever the dataset's label uses the same tie-break (every generated set
// does). Name "maze-bfs", kind "baseline", provider "classical", 0 parameters.
#pragma once

#include <memory>

#include "harness/core/solver.h"

namespace trmbench {

std::unique_ptr<Solver> make_maze_bfs_solver();

}  // namespace trmbench
