// stats: the few statistics a report computes itself.
//
//   wilson_interval   95% Wilson score interval for a proportion (better than the normal
//                     approximation near 0% and 100%, where these benchmarks often are)
//   pareto_frontier   the non-dominated points of (cost, accuracy): lower cost and higher
//                     accuracy are better
//   difficulty bands  the Sudoku rating and Maze path-length bands used for stratified tables
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace trmbench {

struct Interval {
    double low = -1, high = -1;  // fractions in [0, 1]; -1 when undefined (n = 0)
    bool known() const { return low >= 0; }
};

inline constexpr double kZ95 = 1.959963984540054;  // two-sided 95% normal quantile

// Wilson score interval for `successes` out of `n` trials. Successes may be fractional (ARC's
// per-task fraction summed over tasks); they are clamped to [0, n]. Undefined for n <= 0.
Interval wilson_interval(double successes, double n, double z = kZ95);

struct CostPoint {
    double cost = 0;      // x: must be > 0 and finite to take part
    double accuracy = 0;  // y
};

// Indices of the non-dominated points, ordered by increasing cost (and so increasing accuracy).
// A point is dominated when another costs no more and is at least as accurate, and is strictly
// better in one of the two. Of exact duplicates the first is kept. Points with cost <= 0 or not
// finite are ignored.
std::vector<size_t> pareto_frontier(const std::vector<CostPoint> & points);

// A named band of difficulty values [lo, hi] (inclusive; hi < 0: no upper bound).
struct DifficultyBand {
    std::string label;
    double lo = 0, hi = -1;
};

// Sudoku-Extreme ratings: 0, 1-9, 10-29, 30-59, 60+.
const std::vector<DifficultyBand> & sudoku_rating_bands();
// Maze shortest-path lengths (Maze-Hard keeps > 110; median ~114, p90 ~121): <=110, 111-114,
// 115-119, 120-129, 130+.
const std::vector<DifficultyBand> & maze_path_bands();
// The bands of a task family; empty when the family has none (ARC).
const std::vector<DifficultyBand> & difficulty_bands(const std::string & family);
// Label of the band containing `difficulty`, "unknown" when it is negative or in no band.
std::string band_label(const std::vector<DifficultyBand> & bands, double difficulty);

}  // namespace trmbench
