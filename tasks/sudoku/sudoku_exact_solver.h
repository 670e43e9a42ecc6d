// The classical baseline: solves each Sudoku exactly with the harness's own DPLL solver
// (sudoku_solver.h), so every report has a "what an exact algorithm costs" row next to TRM/HRM and
// the LLMs. name "sudoku-exact", kind "baseline", provider "classical", 0 parameters.
//
// One Prediction per work item: the first solution found (the unique one on valid datasets) with
// Outcome::ok and compute.wall_ms; Outcome::error with a reason when the input is not a 9x9 board
// or has no solution; Outcome::skipped once the sink asks to stop.
#pragma once

#include <memory>

#include "harness/core/solver.h"

namespace trmbench {

std::unique_ptr<Solver> make_sudoku_exact_solver();

}  // namespace trmbench
