// Small helpers shared by the ARC tests: literal grids and random grids.
#pragma once

#include <initializer_list>

#include "harness/core/grid.h"
#include "harness/core/rng.h"

namespace trmbench::test {

// G({{1, 2}, {3, 4}}): a grid from rows of values (rows must be equally long).
inline Grid G(std::initializer_list<std::initializer_list<int>> rows) {
    Grid g(static_cast<int>(rows.size()), rows.size() ? static_cast<int>(rows.begin()->size()) : 0);
    int r = 0;
    for (const auto & row : rows) {
        int c = 0;
        for (int v : row) g.at(r, c++) = static_cast<uint8_t>(v);
        ++r;
    }
    return g;
}

// A grid of the given shape with colours drawn uniformly from 0..max_colour.
inline Grid random_grid(Rng & rng, int rows, int cols, int max_colour = 9) {
    Grid g(rows, cols);
    for (auto & v : g.cells) v = static_cast<uint8_t>(rng.uniform(0, max_colour));
    return g;
}

}  // namespace trmbench::test
