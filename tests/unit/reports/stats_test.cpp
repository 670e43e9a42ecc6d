// Wilson intervals against hand-computed values, the Pareto frontier on hand-built point sets, and
// the difficulty bands used for stratified tables.
#include <catch2/catch.hpp>

#include "reports/stats.h"

using trmbench::band_label;
using trmbench::CostPoint;
using trmbench::Interval;
using trmbench::pareto_frontier;
using trmbench::wilson_interval;

// Values computed by hand from p' = (p + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·sqrt(p(1-p)/n + z²/4n²),
// z = 1.95996; they match the usual published tables (e.g. 5/10 -> 23.7%..76.3%).
TEST_CASE("Wilson interval at 0/10, 10/10, 5/10, 87/100", "[reports][stats]") {
    Interval a = wilson_interval(0, 10);
    CHECK(a.low == 0.0);
    CHECK(a.high == Approx(0.27753).epsilon(1e-4));
    Interval b = wilson_interval(10, 10);
    CHECK(b.low == Approx(0.72247).epsilon(1e-4));
    CHECK(b.high == 1.0);
    Interval c = wilson_interval(5, 10);
    CHECK(c.low == Approx(0.23659).epsilon(1e-4));
    CHECK(c.high == Approx(0.76341).epsilon(1e-4));
    Interval d = wilson_interval(87, 100);
    CHECK(d.low == Approx(0.79020).epsilon(1e-4));
    CHECK(d.high == Approx(0.92243).epsilon(1e-4));
}

TEST_CASE("Wilson interval edge cases", "[reports][stats]") {
    CHECK_FALSE(wilson_interval(0, 0).known());
    CHECK_FALSE(wilson_interval(1, -3).known());
    // One success in one trial: the lower bound is well below 1.
    Interval one = wilson_interval(1, 1);
    CHECK(one.low == Approx(0.20655).epsilon(1e-4));
    CHECK(one.high == 1.0);
    // Fractional successes (ARC per-task fractions summed) work and stay inside [0, 1].
    Interval frac = wilson_interval(13.5, 20);
    CHECK(frac.low == Approx(0.45669).epsilon(1e-4));
    CHECK(frac.high == Approx(0.83691).epsilon(1e-4));
    // Out-of-range successes are clamped rather than producing NaN.
    Interval over = wilson_interval(12, 10);
    CHECK(over.high == 1.0);
    CHECK(over.low == Approx(0.72247).epsilon(1e-4));
    // The interval always contains the point estimate and narrows with n.
    Interval small = wilson_interval(3, 10), big = wilson_interval(300, 1000);
    CHECK(small.low < 0.3);
    CHECK(small.high > 0.3);
    CHECK(big.high - big.low < small.high - small.low);
}

TEST_CASE("Pareto frontier on hand-built points", "[reports][stats]") {
    // index: cost, accuracy
    std::vector<CostPoint> pts = {
        {10, 0.50},  // 0 frontier
        {20, 0.40},  // 1 dominated by 0
        {5, 0.20},   // 2 frontier (cheapest)
        {40, 0.90},  // 3 frontier
        {40, 0.85},  // 4 dominated by 3 (same cost, less accurate)
        {80, 0.90},  // 5 dominated by 3 (same accuracy, dearer)
        {0, 1.00},   // 6 ignored: cost unknown
        {-1, 1.00},  // 7 ignored
        {15, 0.70},  // 8 frontier
    };
    std::vector<size_t> f = pareto_frontier(pts);
    CHECK(f == std::vector<size_t>{2, 0, 8, 3});
}

TEST_CASE("Pareto frontier: duplicates, single point, empty", "[reports][stats]") {
    CHECK(pareto_frontier({}).empty());
    CHECK(pareto_frontier({{1, 0.5}}) == std::vector<size_t>{0});
    CHECK(pareto_frontier({{3, 0.5}, {3, 0.5}}) == std::vector<size_t>{0});
    // Equal accuracy everywhere: only the cheapest survives.
    CHECK(pareto_frontier({{9, 0.1}, {2, 0.1}, {5, 0.1}}) == std::vector<size_t>{1});
    // Strictly better in both: a single winner.
    CHECK(pareto_frontier({{9, 0.1}, {1, 0.9}, {5, 0.5}}) == std::vector<size_t>{1});
}

TEST_CASE("Sudoku rating and maze path-length bands", "[reports][stats]") {
    const auto & sudoku = trmbench::sudoku_rating_bands();
    CHECK(band_label(sudoku, 0) == "0");
    CHECK(band_label(sudoku, 1) == "1-9");
    CHECK(band_label(sudoku, 9) == "1-9");
    CHECK(band_label(sudoku, 10) == "10-29");
    CHECK(band_label(sudoku, 59) == "30-59");
    CHECK(band_label(sudoku, 60) == "60+");
    CHECK(band_label(sudoku, 203) == "60+");
    CHECK(band_label(sudoku, -1) == "unknown");
    const auto & maze = trmbench::maze_path_bands();
    CHECK(band_label(maze, 40) == "<=110");
    CHECK(band_label(maze, 110) == "<=110");
    CHECK(band_label(maze, 111) == "111-114");
    CHECK(band_label(maze, 119) == "115-119");
    CHECK(band_label(maze, 121) == "120-129");
    CHECK(band_label(maze, 136) == "130+");
    CHECK(trmbench::difficulty_bands("arc").empty());
    CHECK(&trmbench::difficulty_bands("sudoku") == &sudoku);
}
