// Sudoku solver: correctness on the rated collections (a deterministic sample by default, all ~100k
// puzzles with "[.slow]"), solution counting, the rating convention, random grids, and the Spearman
// correlation of this solver's rating (single orientation and orientation-averaged) with the tdoku
// ratings of the collections ("[.slow]", printed).
//
//   build/bin/test_tasks "[sudoku][.slow]"     # full collections + correlation report
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "harness/core/rng.h"
#include "tasks/sudoku/sudoku_augment.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tasks/sudoku/sudoku_solver.h"
#include "tests/support/test_support.h"

using namespace trmbench;
using namespace trmbench::sudoku;

namespace {

const char * const kCollections[] = {"puzzles2_17_clue", "puzzles3_magictour_top1465",
                                     "puzzles5_forum_hardest_1905_11+", "puzzles6_forum_hardest_1106"};

struct Rated {
    Cells question, answer;
    double rating;
};

const std::vector<Rated> & collection(const std::string & name) {
    static std::map<std::string, std::vector<Rated>> cache;
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    std::vector<Rated> rows;
    for (const auto & ex : load_csv(test::shared_dir() / "data" / "sudoku" / "rated" / (name + ".csv")))
        rows.push_back({*to_cells(ex.input), *to_cells(ex.target), ex.difficulty});
    return cache[name] = std::move(rows);
}

// Checks every `stride`-th puzzle: the first solution is the CSV answer and it is the only one.
void check_collection(const std::string & name, size_t stride) {
    const auto & rows = collection(name);
    REQUIRE(rows.size() > 300);
    size_t checked = 0, wrong = 0, not_unique = 0;
    for (size_t i = 0; i < rows.size(); i += stride) {
        SolveResult r = solve(rows[i].question, 2);
        wrong += !(r.solutions >= 1 && r.first == rows[i].answer);
        not_unique += r.solutions != 1;
        ++checked;
    }
    INFO(name << ": " << checked << " puzzles checked");
    CHECK(wrong == 0);
    CHECK(not_unique == 0);
}

// Average ranks (ties share the mean rank), then Pearson on the ranks.
std::vector<double> ranks(const std::vector<double> & v) {
    std::vector<size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < idx.size();) {
        size_t j = i;
        while (j < idx.size() && v[idx[j]] == v[idx[i]]) ++j;
        double mean_rank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
        for (size_t k = i; k < j; ++k) r[idx[k]] = mean_rank;
        i = j;
    }
    return r;
}

double spearman(const std::vector<double> & x, const std::vector<double> & y) {
    auto rx = ranks(x), ry = ranks(y);
    double n = static_cast<double>(x.size());
    double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / n, my = std::accumulate(ry.begin(), ry.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

// A puzzle with exactly two solutions: a solved grid with the four cells of an "unavoidable
// rectangle" (a b / b a in two rows of one band and two columns of different stacks) blanked.
bool two_solution_puzzle(const Cells & grid, Cells * puzzle) {
    for (int r1 = 0; r1 < 9; ++r1)
        for (int r2 = r1 + 1; r2 < r1 / 3 * 3 + 3; ++r2)
            for (int c1 = 0; c1 < 9; ++c1)
                for (int c2 = c1 + 1; c2 < 9; ++c2) {
                    if (c1 / 3 == c2 / 3) continue;
                    if (grid[r1 * 9 + c1] == grid[r2 * 9 + c2] && grid[r1 * 9 + c2] == grid[r2 * 9 + c1]) {
                        *puzzle = grid;
                        for (int c : {r1 * 9 + c1, r1 * 9 + c2, r2 * 9 + c1, r2 * 9 + c2}) (*puzzle)[c] = 0;
                        return true;
                    }
                }
    return false;
}

}  // namespace

TEST_CASE("sudoku solver: deterministic sample of every rated collection", "[sudoku][solver]") {
    check_collection("puzzles2_17_clue", 25);
    check_collection("puzzles3_magictour_top1465", 2);
    check_collection("puzzles5_forum_hardest_1905_11+", 25);
    check_collection("puzzles6_forum_hardest_1106", 1);
}

TEST_CASE("sudoku solver: every puzzle of every rated collection", "[sudoku][solver][.slow]") {
    for (const char * name : kCollections) check_collection(name, 1);
}

TEST_CASE("sudoku solver: counting solutions", "[sudoku][solver]") {
    Cells empty{};
    CHECK(count_solutions(empty, 1) == 1);
    CHECK(count_solutions(empty, 2) == 2);
    CHECK(count_solutions(empty, 50) == 50);

    const auto & rows = collection("puzzles6_forum_hardest_1106");
    CHECK(count_solutions(rows[0].answer, 5) == 1);  // a solved grid
    CHECK(count_solutions(rows[0].question, 5) == 1);

    int found = 0;
    for (size_t i = 0; i < 20 && found < 5; ++i) {
        Cells puzzle;
        if (!two_solution_puzzle(rows[i].answer, &puzzle)) continue;
        ++found;
        SolveResult r = solve(puzzle, 10);
        CHECK(r.solutions == 2);
        CHECK(is_complete_valid(r.first));
        CHECK(keeps_givens(puzzle, r.first));
        CHECK(count_solutions(puzzle, 2) == 2);
        CHECK(count_solutions(puzzle, 1) == 1);
    }
    CHECK(found > 0);

    // Conflicting givens, values out of range and a wrong (locally consistent) given have no solution.
    Cells conflict{};
    conflict[0] = conflict[1] = 4;
    CHECK(count_solutions(conflict, 2) == 0);
    CHECK(rate(conflict) == -1);
    Cells big{};
    big[5] = 12;
    CHECK(count_solutions(big, 2) == 0);
    Cells wrong = rows[0].question;
    for (int c = 0; c < kCells; ++c) {
        if (wrong[c] != 0) continue;
        Cells trial = wrong;
        trial[c] = static_cast<uint8_t>(rows[0].answer[c] % 9 + 1);  // a digit other than the solution's
        if (!find_conflict(trial).empty()) continue;
        CHECK(count_solutions(trial, 2) == 0);
        CHECK(solve(trial, 1).solutions == 0);
        break;
    }
}

TEST_CASE("sudoku solver: rating conventions", "[sudoku][solver]") {
    // A solved grid and a grid missing one cell need no guess.
    const auto & rows = collection("puzzles3_magictour_top1465");
    CHECK(rate(rows[0].answer) == 0);
    Cells one_blank = rows[0].answer;
    one_blank[40] = 0;
    CHECK(rate(one_blank) == 0);
    // The rating is the guess count at the first solution, the same for every limit; the hardest
    // puzzles need guesses, and searching on for a second solution costs more.
    int64_t total = 0;
    for (size_t i = 0; i < 100; ++i) {
        SolveResult r1 = solve(rows[i].question, 1), r2 = solve(rows[i].question, 2);
        CHECK(r1.rating == r1.guesses);
        CHECK(r2.rating == r1.rating);
        CHECK(r2.guesses >= r1.guesses);
        CHECK(rate(rows[i].question) == r1.rating);
        total += r1.rating;
    }
    CHECK(total > 100);
}

TEST_CASE("sudoku solver: random complete grids", "[sudoku][solver]") {
    std::vector<Cells> grids;
    for (uint64_t seed = 0; seed < 50; ++seed) {
        Rng rng(seed);
        Cells g = random_solution(rng);
        CHECK(is_complete_valid(g));
        Rng again(seed);
        CHECK(random_solution(again) == g);  // deterministic
        grids.push_back(g);
    }
    std::sort(grids.begin(), grids.end());
    CHECK(std::unique(grids.begin(), grids.end()) == grids.end());  // 50 seeds, 50 different grids
}

TEST_CASE("sudoku rating: Spearman correlation with the tdoku ratings", "[sudoku][solver][.slow]") {
    // Single orientation (the convention) on every puzzle; the orientation-averaged rating
    // (8 orientations) on every 10th puzzle of the two large collections and on all of the others.
    std::vector<double> all_mine, all_tdoku, all_avg, all_avg_tdoku;
    std::printf("Spearman correlation with the tdoku rating column (Sudoku-Extreme convention):\n");
    for (const char * name : kCollections) {
        const auto & rows = collection(name);
        size_t stride = rows.size() > 10000 ? 10 : 1;
        std::vector<double> mine, tdoku, avg, avg_tdoku;
        for (size_t i = 0; i < rows.size(); ++i) {
            mine.push_back(static_cast<double>(rate(rows[i].question)));
            tdoku.push_back(rows[i].rating);
            if (i % stride) continue;
            avg.push_back(orientation_averaged_rating(rows[i].question, 8, i));
            avg_tdoku.push_back(rows[i].rating);
        }
        double rho = spearman(mine, tdoku), rho_avg = spearman(avg, avg_tdoku);
        double mean_mine = std::accumulate(mine.begin(), mine.end(), 0.0) / static_cast<double>(mine.size());
        double mean_tdoku = std::accumulate(tdoku.begin(), tdoku.end(), 0.0) / static_cast<double>(tdoku.size());
        std::printf("  %-32s n %6zu rho %+.3f | averaged: n %5zu rho %+.3f | mean rating trmbench %6.2f tdoku %6.2f\n",
                    name, mine.size(), rho, avg.size(), rho_avg, mean_mine, mean_tdoku);
        all_mine.insert(all_mine.end(), mine.begin(), mine.end());
        all_tdoku.insert(all_tdoku.end(), tdoku.begin(), tdoku.end());
        all_avg.insert(all_avg.end(), avg.begin(), avg.end());
        all_avg_tdoku.insert(all_avg_tdoku.end(), avg_tdoku.begin(), avg_tdoku.end());
        if (std::string(name) == "puzzles2_17_clue") CHECK(rho > 0.85);
    }
    double pooled = spearman(all_mine, all_tdoku), pooled_avg = spearman(all_avg, all_avg_tdoku);
    std::printf("  %-32s n %6zu rho %+.3f | averaged: n %5zu rho %+.3f\n", "pooled", all_mine.size(), pooled,
                all_avg.size(), pooled_avg);
    CHECK(pooled > 0.8);
    CHECK(pooled_avg > 0.8);
}

TEST_CASE("sudoku rating: orientation-averaged rating", "[sudoku][solver]") {
    const auto & rows = collection("puzzles3_magictour_top1465");
    CHECK(orientation_averaged_rating(rows[0].answer, 8, 1) == Approx(0.0).margin(1e-12));
    for (size_t i = 0; i < 5; ++i) {
        CHECK(orientation_averaged_rating(rows[i].question, 1, 7) == Approx(static_cast<double>(rate(rows[i].question))));
        double a = orientation_averaged_rating(rows[i].question, 6, 7);
        CHECK(a == orientation_averaged_rating(rows[i].question, 6, 7));  // deterministic
        CHECK(a >= 0);
    }
    Cells conflict{};
    conflict[0] = conflict[1] = 4;
    CHECK(orientation_averaged_rating(conflict, 4, 1) == -1);
}

TEST_CASE("sudoku spearman helper", "[sudoku][solver]") {
    CHECK(spearman({1, 2, 3, 4}, {10, 20, 30, 40}) == Approx(1.0));
    CHECK(spearman({1, 2, 3, 4}, {4, 3, 2, 1}) == Approx(-1.0));
    CHECK(spearman({1, 1, 2, 2}, {5, 5, 9, 9}) == Approx(1.0));  // ties
    CHECK(spearman({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}) == Approx(0.8));
}
