// Baselines: the reference points every report has next to TRM/HRM and the LLMs.
//
//   sudoku-exact  exact DPLL solver (tasks/sudoku): 100% at tiny compute
//   maze-bfs      BFS shortest path (tasks/maze): 100% at tiny compute
//   identity      answer = the input grid (ARC: solves the few tasks whose output equals the input)
//   blank         answer = a grid of the input's shape filled with 0 (Sudoku blank, maze wall, ARC black)
//   random        answer = a grid of the input's shape, each cell drawn uniformly from the values seen
//                 in the input and the demonstration outputs; seeded per (seed, example, attempt), so
//                 pass@k draws k different grids and a rerun draws the same ones
//
// identity, blank and random are not task-specific: they support every family. All have 0
// parameters, kind "baseline", and report wall time per attempt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/solver.h"

namespace trmbench {

// Every baseline name, in a fixed order.
std::vector<std::string> baseline_names();
bool is_baseline_name(std::string_view name);
// The baseline of this name; throws UsageError listing the known names. `seed` seeds "random".
std::unique_ptr<Solver> make_baseline(std::string_view name, uint64_t seed = 0);

std::unique_ptr<Solver> make_identity_solver();
std::unique_ptr<Solver> make_blank_solver();
std::unique_ptr<Solver> make_random_solver(uint64_t seed);

}  // namespace trmbench
