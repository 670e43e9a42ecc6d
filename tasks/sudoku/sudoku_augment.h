// Validity-preserving Sudoku transforms, exactly as the reference's `shuffle_sudoku`
// (dataset/build_sudoku_dataset.py in HRM and TRM; trm-hrm-spec.md §3.2):
//   1. transpose the board when `transpose` is set,
//   2. permute rows and columns: new[i][j] = old[row_perm[i]][col_perm[j]], where row_perm permutes
//      the three bands and the three rows inside each band, col_perm the stacks and their columns,
//   3. relabel digits: value v -> digit_map[v], with digit_map[0] = 0 (blanks stay blank).
// random() draws every part with trmbench::Rng (transpose with p = 0.5). The draw order differs from
// numpy's, so the same seed does not reproduce the reference's variants, only their distribution.
// A transform maps a valid puzzle to a valid puzzle, its unique solution to the unique solution of
// the result, and keeps the clue count.
#pragma once

#include <array>
#include <cstdint>

#include "harness/core/example.h"
#include "harness/core/grid.h"
#include "harness/core/rng.h"
#include "tasks/sudoku/sudoku_board.h"

namespace trmbench::sudoku {

struct Transform {
    std::array<uint8_t, 10> digit_map{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    bool transpose = false;
    std::array<uint8_t, 9> row_perm{0, 1, 2, 3, 4, 5, 6, 7, 8};
    std::array<uint8_t, 9> col_perm{0, 1, 2, 3, 4, 5, 6, 7, 8};

    static Transform identity() { return Transform{}; }
    static Transform random(Rng & rng);

    Cells apply(const Cells & cells) const;
    // Grids that are not 9x9 with values 0..9 are returned unchanged (nothing valid to transform).
    Grid apply(const Grid & g) const;
    // The same transform applied to input and target (demos are not used by Sudoku).
    Example apply(const Example & ex) const;
    // The exact inverse, in the same form: inverse().apply(apply(x)) == x for every board x.
    Transform inverse() const;
    // Structural checks: digit_map permutes 1..9 with 0 fixed, row/col perms keep bands/stacks.
    bool is_valid() const;

    bool operator==(const Transform &) const = default;
};

// A steadier difficulty estimate than the single-orientation rating: the guess count (sudoku_solver.h)
// depends heavily on orientation and digit labels (for tdoku too: re-rating a random transform of a
// puzzle from the hard collections keeps a Spearman correlation of only 0.1-0.25 with the original).
// This averages log(1 + guesses) over the puzzle itself and `orientations - 1` random transforms drawn
// from `seed`, and returns exp(mean) - 1, on the same scale as the rating. orientations >= 1;
// -1 when the puzzle has no solution.
double orientation_averaged_rating(const Cells & puzzle, int orientations, uint64_t seed);

}  // namespace trmbench::sudoku
