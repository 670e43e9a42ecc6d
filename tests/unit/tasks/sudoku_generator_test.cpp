// Sudoku generator: unique and minimal puzzles, honest ratings, byte-identical output for a seed
// whatever the thread count, rating bands, and a clear error for an unreachable band.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "tasks/registry.h"
#include "tasks/sudoku/sudoku_generator.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tasks/sudoku/sudoku_solver.h"
#include "tests/support/test_support.h"

using namespace trmbench;
using namespace trmbench::sudoku;

namespace {

GenerateOptions options(int64_t n, uint64_t seed, int threads) {
    GenerateOptions o;
    o.n = n;
    o.seed = seed;
    o.threads = threads;
    o.quiet = true;
    return o;
}

}  // namespace

TEST_CASE("sudoku generator: unique, minimal, honestly rated puzzles", "[sudoku][generator]") {
    auto puzzles = generate_puzzles(options(24, 11, 2));
    REQUIRE(puzzles.size() == 24);
    for (size_t i = 0; i < puzzles.size(); ++i) {
        const auto & p = puzzles[i];
        CHECK(p.candidate == i);  // no band: every candidate is accepted, in order
        CHECK(is_complete_valid(p.answer));
        CHECK(keeps_givens(p.question, p.answer));
        SolveResult r = solve(p.question, 2);
        CHECK(r.solutions == 1);
        CHECK(r.first == p.answer);
        CHECK(p.rating == rate(p.question));
        CHECK(count_givens(p.question) < 40);
    }
    // Minimal: removing any clue of the first puzzle makes the solution ambiguous.
    const Cells & q = puzzles[0].question;
    for (int c = 0; c < kCells; ++c) {
        if (q[c] == 0) continue;
        Cells fewer = q;
        fewer[c] = 0;
        CHECK(count_solutions(fewer, 2) == 2);
    }
}

TEST_CASE("sudoku generator: same seed, same bytes, any thread count", "[sudoku][generator]") {
    std::string one = to_csv(generate_puzzles(options(30, 5, 1)));
    std::string three = to_csv(generate_puzzles(options(30, 5, 3)));
    std::string again = to_csv(generate_puzzles(options(30, 5, 2)));
    CHECK(one == three);
    CHECK(one == again);
    CHECK(one != to_csv(generate_puzzles(options(30, 6, 1))));
    // A longer request with the same seed starts with the same puzzles.
    std::string longer = to_csv(generate_puzzles(options(40, 5, 2)));
    CHECK(longer.substr(0, one.size()) == one);
}

TEST_CASE("sudoku generator: rating band respected, in candidate order", "[sudoku][generator]") {
    GenerateOptions o = options(12, 3, 2);
    o.min_rating = 2;
    o.max_rating = 3;
    auto puzzles = generate_puzzles(o);
    REQUIRE(puzzles.size() == 12);
    for (size_t i = 0; i < puzzles.size(); ++i) {
        CHECK(puzzles[i].rating >= 2);
        CHECK(puzzles[i].rating <= 3);
        CHECK(rate(puzzles[i].question) == puzzles[i].rating);
        if (i) CHECK(puzzles[i].candidate > puzzles[i - 1].candidate);
        // Same candidate, same puzzle: acceptance only filters.
        CHECK(generate_candidate(3, puzzles[i].candidate).question == puzzles[i].question);
    }
    // Rejected candidates in between were outside the band.
    for (uint64_t k = 0; k < puzzles.back().candidate; ++k) {
        bool accepted = std::any_of(puzzles.begin(), puzzles.end(), [&](const auto & p) { return p.candidate == k; });
        int64_t r = generate_candidate(3, k).rating;
        CHECK(accepted == (r >= 2 && r <= 3));
    }
    GenerateOptions easy = options(10, 3, 2);
    easy.max_rating = 0;
    for (const auto & p : generate_puzzles(easy)) CHECK(p.rating == 0);
}

TEST_CASE("sudoku generator: bad options and unreachable bands", "[sudoku][generator]") {
    GenerateOptions o = options(0, 1, 1);
    CHECK_THROWS_AS(generate_puzzles(o), UsageError);
    o = options(5, 1, 1);
    o.min_rating = 4;
    o.max_rating = 2;
    CHECK_THROWS_WITH(generate_puzzles(o), Catch::Contains("is empty"));

    o = options(5, 1, 2);
    o.min_rating = 1000;
    GenerateLimits small;
    small.batch = 32;
    small.min_candidates = 64;
    small.candidates_per_puzzle = 10;
    try {
        generate_puzzles(o, small);
        FAIL("expected a UsageError");
    } catch (const UsageError & e) {
        std::string msg = e.what();
        CHECK_THAT(msg, Catch::Contains("[1000, any] is out of reach"));
        CHECK_THAT(msg, Catch::Contains("64 candidates gave 0 of the 5 puzzles"));
        CHECK_THAT(msg, Catch::Contains("max rating seen"));
        CHECK_THAT(msg, Catch::Contains("far too rare"));
    }
}

TEST_CASE("sudoku generator: the task writes a loadable Sudoku-Extreme CSV", "[sudoku][generator]") {
    test::TempDir dir;
    auto path = dir / "sub" / "gen.csv";
    task_by_family("sudoku").generate(options(7, 9, 2), path);
    std::string text = read_file(path);
    CHECK(text.starts_with("source,question,answer,rating\n"));
    CHECK(text == to_csv(generate_puzzles(options(7, 9, 1))));
    auto ex = load_csv(path);
    REQUIRE(ex.size() == 7);
    for (const auto & e : ex) {
        CHECK(e.meta.at("source") == "trmbench-gen");
        CHECK(e.difficulty == static_cast<double>(rate(*to_cells(e.input))));
    }
}

TEST_CASE("sudoku generator: --max-blanks reveals answers down to an easier band", "[sudoku][generator]") {
    GenerateOptions o = options(20, 3, 2);
    auto minimal = generate_puzzles(o);
    o.max_blanks = 12;
    auto easy = generate_puzzles(o);
    REQUIRE(easy.size() == 20);
    for (size_t i = 0; i < easy.size(); ++i) {
        const auto & p = easy[i];
        CHECK(kCells - count_givens(p.question) == 12);  // minimal puzzles have > 40 blanks
        CHECK(p.answer == minimal[i].answer);
        CHECK(keeps_givens(minimal[i].question, p.question));  // only reveals: every original given kept
        CHECK(keeps_givens(p.question, p.answer));
        CHECK(count_solutions(p.question, 2) == 1);
        CHECK(p.rating == rate(p.question));
    }
    // Same bytes for any thread count; another band or seed changes which blanks stay.
    o.threads = 1;
    CHECK(to_csv(easy) == to_csv(generate_puzzles(o)));
    o.max_blanks = 13;
    CHECK(to_csv(easy) != to_csv(generate_puzzles(o)));
    // Out of range and maze-only options are refused with the option's name.
    o.max_blanks = 82;
    CHECK_THROWS_WITH(generate_puzzles(o), Catch::Contains("--max-blanks"));
    o.max_blanks = 12;
    o.size = 10;
    CHECK_THROWS_WITH(generate_puzzles(o), Catch::Contains("--size/--min-path/--unique-path apply to mazes"));
    o.size = GenerateOptions{}.size;
    o.unique_path = true;
    CHECK_THROWS_WITH(generate_puzzles(o), Catch::Contains("--unique-path apply to mazes"));
}
