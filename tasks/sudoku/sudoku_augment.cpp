// Sudoku transforms (see sudoku_augment.h).
#include "tasks/sudoku/sudoku_augment.h"

#include <cmath>
#include <vector>

#include "tasks/sudoku/sudoku_solver.h"

namespace trmbench::sudoku {
namespace {

// Three groups of three (bands or stacks) in random order, each group's members in random order.
std::array<uint8_t, 9> random_banded_perm(Rng & rng) {
    std::vector<uint8_t> groups{0, 1, 2};
    rng.shuffle(groups);
    std::array<uint8_t, 9> perm{};
    int k = 0;
    for (uint8_t g : groups) {
        std::vector<uint8_t> inner{0, 1, 2};
        rng.shuffle(inner);
        for (uint8_t i : inner) perm[k++] = static_cast<uint8_t>(g * 3 + i);
    }
    return perm;
}

template <size_t N>
std::array<uint8_t, N> invert(const std::array<uint8_t, N> & p) {
    std::array<uint8_t, N> inv{};
    for (size_t i = 0; i < N; ++i) inv[p[i]] = static_cast<uint8_t>(i);
    return inv;
}

bool is_banded_perm(const std::array<uint8_t, 9> & p) {
    std::array<bool, 9> seen{};
    for (int i = 0; i < 9; ++i) {
        if (p[i] > 8 || seen[p[i]]) return false;
        seen[p[i]] = true;
        // Positions of one group map into one group.
        if (p[i] / 3 != p[i / 3 * 3] / 3) return false;
    }
    return true;
}

}  // namespace

Transform Transform::random(Rng & rng) {
    Transform t;
    std::vector<uint8_t> digits{1, 2, 3, 4, 5, 6, 7, 8, 9};
    rng.shuffle(digits);
    for (int v = 1; v <= 9; ++v) t.digit_map[v] = digits[v - 1];
    t.transpose = rng.bernoulli(0.5);
    t.row_perm = random_banded_perm(rng);
    t.col_perm = random_banded_perm(rng);
    return t;
}

Cells Transform::apply(const Cells & cells) const {
    Cells out{};
    for (int i = 0; i < 9; ++i) {
        for (int j = 0; j < 9; ++j) {
            int r = row_perm[i], c = col_perm[j];
            uint8_t v = transpose ? cells[c * 9 + r] : cells[r * 9 + c];
            out[i * 9 + j] = v <= 9 ? digit_map[v] : v;
        }
    }
    return out;
}

Grid Transform::apply(const Grid & g) const {
    auto cells = to_cells(g);
    return cells ? to_grid(apply(*cells)) : g;
}

Example Transform::apply(const Example & ex) const {
    Example out = ex;
    out.input = apply(ex.input);
    if (!ex.target.empty()) out.target = apply(ex.target);
    return out;
}

Transform Transform::inverse() const {
    // Forward: out[i][j] = map[t[row_perm[i]][col_perm[j]]], t = old or old^T.
    // Without transpose: old[r][c] = unmap[out[rinv[r]][cinv[c]]].
    // With transpose:    old[r][c] = t[c][r] = unmap[out[rinv[c]][cinv[r]]], which is the forward form
    // with transpose, row_perm = cinv and col_perm = rinv.
    Transform inv;
    inv.digit_map = invert(digit_map);
    inv.transpose = transpose;
    auto rinv = invert(row_perm), cinv = invert(col_perm);
    inv.row_perm = transpose ? cinv : rinv;
    inv.col_perm = transpose ? rinv : cinv;
    return inv;
}

bool Transform::is_valid() const {
    if (digit_map[0] != 0) return false;
    std::array<bool, 10> seen{};
    for (int v = 1; v <= 9; ++v) {
        if (digit_map[v] < 1 || digit_map[v] > 9 || seen[digit_map[v]]) return false;
        seen[digit_map[v]] = true;
    }
    return is_banded_perm(row_perm) && is_banded_perm(col_perm);
}

double orientation_averaged_rating(const Cells & puzzle, int orientations, uint64_t seed) {
    int64_t first = rate(puzzle);
    if (first < 0) return -1;
    double sum = std::log1p(static_cast<double>(first));
    Rng rng(seed);
    int n = orientations < 1 ? 1 : orientations;
    for (int i = 1; i < n; ++i) sum += std::log1p(static_cast<double>(rate(Transform::random(rng).apply(puzzle))));
    return std::expm1(sum / n);
}

}  // namespace trmbench::sudoku
