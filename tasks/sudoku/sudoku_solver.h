// Exact Sudoku solver with a difficulty rating in the spirit of tdoku's guess count.
//
// The board is kept as nine 81-bit bitboards (where each digit may still go) plus the set of unfilled
// cells. Propagation applies naked singles, hidden singles and locked candidates (pointing and
// claiming) to a fixed point. The search is DPLL-style binary branching: pick the unfilled cell with
// the fewest candidates (lowest index on ties), try its lowest candidate digit, and on failure
// eliminate that digit and propagate again. Every such branching decision is one *guess*.
//
// The rating of a puzzle is the number of guesses until the first solution (limit 1), the same
// convention as Sudoku-Extreme's `rating` column (tdoku's DPLL solver, limit 1). The two solvers
// propagate and branch differently, so the numbers are correlated but not equal (the correlation on
// the rated collections is measured by tests/unit/tasks/sudoku_solver_test.cpp, "[.slow]").
//
// The search keeps its state on the stack (a 168-byte copy per guess, recursion depth at most 81):
// no allocation. Rows and boxes sit inside one machine word (see the band layout in the .cpp).
#pragma once

#include <cstdint>

#include "harness/core/rng.h"
#include "tasks/sudoku/sudoku_board.h"

namespace trmbench::sudoku {

struct SolveResult {
    int solutions = 0;    // solutions found, at most the limit
    Cells first{};        // the first solution found (all zero when none)
    int64_t guesses = 0;  // branching decisions made before the search stopped
    // Guesses made when the first solution was reached: the rating. The search order does not depend
    // on the limit, so this is the same for every limit; -1 when there is no solution.
    int64_t rating = -1;
};

// Searches until `limit` solutions are found or the space is exhausted (limit >= 1).
// With limit 1, `guesses` is the rating. A board with conflicting givens or values > 9 has 0 solutions.
SolveResult solve(const Cells & puzzle, int limit = 1);

// Number of solutions, counted up to `limit` (2 answers "is it unique?").
int count_solutions(const Cells & puzzle, int limit);

// Guesses until the first solution (limit 1); -1 when the puzzle has no solution.
int64_t rate(const Cells & puzzle);

// A random complete grid drawn with `rng` (seeded randomized backtracking): the same search on an
// empty board, with the branching cell drawn among the fewest-candidate cells and the digit among
// its candidates. Deterministic for a given rng state.
Cells random_solution(Rng & rng);

}  // namespace trmbench::sudoku
