// Dihedral transforms (see maze_augment.h). Each transform is written as "output cell (i, j) reads
// input cell (source row, source column)", which makes numpy's conventions easy to check.
#include "tasks/maze/maze_augment.h"

#include <array>
#include <stdexcept>
#include <string>

namespace trmbench::maze {

Grid dihedral(const Grid & g, int id) {
    if (id < 0 || id >= kNumDihedral) throw std::out_of_range("dihedral transform id " + std::to_string(id));
    const int R = g.rows, C = g.cols;
    const bool swaps = id == 1 || id == 3 || id == 6 || id == 7;
    Grid out(swaps ? C : R, swaps ? R : C);
    for (int i = 0; i < out.rows; ++i)
        for (int j = 0; j < out.cols; ++j) {
            int r = i, c = j;
            switch (id) {
                case 0: break;
                case 1: r = j, c = C - 1 - i; break;          // np.rot90(a)
                case 2: r = R - 1 - i, c = C - 1 - j; break;  // np.rot90(a, 2)
                case 3: r = R - 1 - j, c = i; break;          // np.rot90(a, 3)
                case 4: c = C - 1 - j; break;                 // np.fliplr(a)
                case 5: r = R - 1 - i; break;                 // np.flipud(a)
                case 6: r = j, c = i; break;                  // a.T
                case 7: r = R - 1 - j, c = C - 1 - i; break;  // np.fliplr(np.rot90(a))
            }
            out.at(i, j) = g.at(r, c);
        }
    return out;
}

int dihedral_inverse(int id) {
    static constexpr std::array<int, kNumDihedral> kInverse = {0, 3, 2, 1, 4, 5, 6, 7};
    if (id < 0 || id >= kNumDihedral) throw std::out_of_range("dihedral transform id " + std::to_string(id));
    return kInverse[id];
}

}  // namespace trmbench::maze
