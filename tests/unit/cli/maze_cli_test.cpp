// `trmbench data generate maze` and `trmbench data stats|show|list` on generated mazes, driven through
// the built executable: file layout, determinism across --threads, exit codes of bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

std::string slurp(const std::filesystem::path & p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string exe() { return test::trmbench_exe().string(); }

}  // namespace

TEST_CASE("trmbench data generate maze writes a deterministic Maze-Hard CSV", "[cli][maze]") {
    test::TempDir dir;
    std::string out;
    std::string gen = exe() + " --data-dir " + dir.path().string() + " data generate maze --n 8 --seed 5 --size 12 --min-path 34";
    REQUIRE(test::run_command(gen + " --out " + (dir / "maze/a.csv").string(), out) == 0);
    CHECK_THAT(out, Catch::Contains("8 mazes from"));
    CHECK_THAT(out, Catch::Contains("violations (A*r > 1) 0"));
    REQUIRE(test::run_command(exe() + " --threads 1 --quiet --data-dir " + dir.path().string() +
                                  " data generate maze --n 8 --seed 5 --size 12 --min-path 34 --out " +
                                  (dir / "maze/b.csv").string(),
                              out) == 0);
    CHECK(out.empty());  // --quiet: no progress, no summary
    std::string a = slurp(dir / "maze/a.csv");
    CHECK(a == slurp(dir / "maze/b.csv"));
    CHECK(a.rfind("source,question,answer,rating\n", 0) == 0);
    CHECK(std::count(a.begin(), a.end(), '\n') == 9);

    REQUIRE(test::run_command(exe() + " --data-dir " + dir.path().string() + " data list", out) == 0);
    CHECK_THAT(out, Catch::Contains("maze/a"));

    REQUIRE(test::run_command(exe() + " --data-dir " + dir.path().string() + " data stats maze/a", out) == 0);
    CHECK_THAT(out, Catch::Contains("examples:  8"));
    CHECK_THAT(out, Catch::Contains("difficulty (shortest path, moves)"));
    CHECK_THAT(out, Catch::Contains("wall fraction: mean"));
    CHECK_THAT(out, Catch::Contains("labels: 8, valid paths 8, optimal 8"));

    REQUIRE(test::run_command(exe() + " --data-dir " + dir.path().string() + " data show maze/a:2", out) == 0);
    CHECK_THAT(out, Catch::Contains("maze/a:2"));
    CHECK_THAT(out, Catch::Contains("solution:"));
}

TEST_CASE("trmbench data generate maze --unique-path drops mazes with several shortest paths", "[cli][maze]") {
    test::TempDir dir;
    std::string out;
    std::string gen = exe() + " --threads 1 data generate maze --n 40 --seed 5 --size 6 --min-path 4";
    REQUIRE(test::run_command(gen + " --out " + (dir / "all.csv").string(), out) == 0);
    CHECK_THAT(out, !Catch::Contains("several shortest paths"));
    REQUIRE(test::run_command(gen + " --unique-path --out " + (dir / "unique.csv").string(), out) == 0);
    CHECK_THAT(out, Catch::Contains("40 mazes from"));
    CHECK_THAT(out, Catch::Contains("with several shortest paths (--unique-path)"));
    // Most 6x6 mazes have several shortest paths, so the two files differ (test_tasks checks that one is
    // the other filtered).
    std::string all = slurp(dir / "all.csv"), unique = slurp(dir / "unique.csv");
    CHECK(std::count(unique.begin(), unique.end(), '\n') == 41);
    CHECK(unique != all);
    // Sudoku has no such option: a usage error that names it.
    CHECK(test::run_command(exe() + " data generate sudoku --n 2 --unique-path --out " + (dir / "s.csv").string(), out) == 2);
    CHECK_THAT(out, Catch::Contains("--unique-path apply to mazes"));
}

TEST_CASE("trmbench data generate/stats maze reject bad options and bad files", "[cli][maze]") {
    test::TempDir dir;
    std::string out;
    std::string base = exe() + " --data-dir " + dir.path().string() + " data ";
    CHECK(test::run_command(base + "generate maze --n 2 --size 3 --out " + (dir / "x.csv").string(), out) == 2);
    CHECK(test::run_command(base + "generate maze --n 2 --size 10 --min-path 80 --out " + (dir / "x.csv").string(), out) == 2);
    CHECK_THAT(out, Catch::Contains("--min-path 80 cannot be reached"));
    CHECK(test::run_command(base + "generate maze --n 2 --min-rating 3 --out " + (dir / "x.csv").string(), out) == 2);

    test::write_text(dir / "maze/bad.csv", "source,question,answer,rating\ns,S##X,,\n");
    CHECK(test::run_command(base + "stats maze/bad", out) == 3);
    CHECK_THAT(out, Catch::Contains("bad.csv:2: question: character 3"));
}
