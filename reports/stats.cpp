// stats: see stats.h.
#include "reports/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trmbench {

Interval wilson_interval(double successes, double n, double z) {
    if (!(n > 0) || !std::isfinite(n) || !std::isfinite(successes)) return {};
    double p = std::clamp(successes, 0.0, n) / n;
    double z2 = z * z;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2 * n)) / denom;
    double half = z / denom * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    // At p = 0 (or 1) the bound is exactly 0 (1); clamp away rounding.
    double lo = p == 0 ? 0 : std::max(0.0, centre - half);
    double hi = p == 1 ? 1 : std::min(1.0, centre + half);
    return {lo, hi};
}

std::vector<size_t> pareto_frontier(const std::vector<CostPoint> & points) {
    std::vector<size_t> order;
    for (size_t i = 0; i < points.size(); ++i)
        if (points[i].cost > 0 && std::isfinite(points[i].cost) && std::isfinite(points[i].accuracy)) order.push_back(i);
    // Cheapest first; at equal cost the most accurate first; then input order (stable).
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (points[a].cost != points[b].cost) return points[a].cost < points[b].cost;
        return points[a].accuracy > points[b].accuracy;
    });
    std::vector<size_t> frontier;
    for (size_t i : order) {
        // Non-dominated iff strictly more accurate than everything at most as expensive.
        if (frontier.empty() || points[i].accuracy > points[frontier.back()].accuracy) frontier.push_back(i);
    }
    return frontier;
}

const std::vector<DifficultyBand> & sudoku_rating_bands() {
    static const std::vector<DifficultyBand> bands = {
        {"0", 0, 0}, {"1-9", 1, 9}, {"10-29", 10, 29}, {"30-59", 30, 59}, {"60+", 60, -1}};
    return bands;
}

const std::vector<DifficultyBand> & maze_path_bands() {
    static const std::vector<DifficultyBand> bands = {
        {"<=110", 0, 110}, {"111-114", 111, 114}, {"115-119", 115, 119}, {"120-129", 120, 129}, {"130+", 130, -1}};
    return bands;
}

const std::vector<DifficultyBand> & difficulty_bands(const std::string & family) {
    static const std::vector<DifficultyBand> none;
    if (family == "sudoku") return sudoku_rating_bands();
    if (family == "maze") return maze_path_bands();
    return none;
}

std::string band_label(const std::vector<DifficultyBand> & bands, double difficulty) {
    if (!(difficulty >= 0)) return "unknown";
    for (const auto & b : bands) {
        // Ratings and lengths are integers; a fractional value belongs to the band it rounds into.
        double lo = b.lo - 0.5, hi = b.hi < 0 ? INFINITY : b.hi + 0.5;
        if (difficulty >= lo && difficulty < hi) return b.label;
    }
    return "unknown";
}

}  // namespace trmbench
