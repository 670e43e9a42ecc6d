// The 8 dihedral transforms of a grid, numbered as in the reference code (dataset/common.py):
//   0 identity, 1 rot90, 2 rot180, 3 rot270 (numpy rot90: counter-clockwise), 4 fliplr, 5 flipud,
//   6 transpose, 7 fliplr(rot90) (the anti-transpose). Inverses: [0, 3, 2, 1, 4, 5, 6, 7].
// TRM's Maze-Hard recipe describes them as training augmentations (build_maze_dataset.py --aug).
// A transformed label is still a shortest path of the transformed maze, but not always the one the
// canonical tie-break (maze::canonical_solution) would pick there.
#pragma once

#include "harness/core/grid.h"

namespace trmbench::maze {

inline constexpr int kNumDihedral = 8;

// Transform `id` (0..7) of g; rectangular grids swap rows and columns for ids 1, 3, 6, 7.
// Throws std::out_of_range for an id outside 0..7 (a programming error).
Grid dihedral(const Grid & g, int id);
// The id that undoes `id`.
int dihedral_inverse(int id);

}  // namespace trmbench::maze
