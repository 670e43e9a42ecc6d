// Easier Sudoku bands (see sudoku_band.h).
#include "tasks/sudoku/sudoku_band.h"

#include <utility>
#include <vector>

#include "harness/core/rng.h"

namespace trmbench::sudoku {

void reveal_down_to(Cells & puzzle, const Cells & answer, int max_blanks, uint64_t seed) {
    std::vector<int> blanks;
    for (int i = 0; i < kCells; ++i)
        if (puzzle[static_cast<size_t>(i)] == 0) blanks.push_back(i);
    const int count = static_cast<int>(blanks.size());
    if (max_blanks < 0 || count <= max_blanks) return;
    Rng rng(seed);
    for (int i = 0; i < max_blanks; ++i) {
        const int j = i + static_cast<int>(rng.below(static_cast<uint64_t>(count - i)));
        std::swap(blanks[static_cast<size_t>(i)], blanks[static_cast<size_t>(j)]);
    }
    for (int i = max_blanks; i < count; ++i) {
        const auto cell = static_cast<size_t>(blanks[static_cast<size_t>(i)]);
        puzzle[cell] = answer[cell];
    }
}

}  // namespace trmbench::sudoku
