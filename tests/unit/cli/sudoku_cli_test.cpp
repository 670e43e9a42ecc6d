// `trmbench data generate|list|stats|show` on a tiny generated Sudoku file, driven through the built
// executable: exit codes, byte-identical output across thread counts, and error messages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using trmbench::test::run_command;
using trmbench::test::TempDir;
using trmbench::test::trmbench_exe;

namespace {

std::string slurp(const fs::path & p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string quoted(const fs::path & p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("cli: sudoku generate, list, stats and show", "[cli][sudoku]") {
    TempDir dir;
    const std::string exe = quoted(trmbench_exe());
    const std::string data = " --data-dir " + quoted(dir.path());
    fs::path gen = dir / "sudoku" / "gen" / "tiny.csv";
    std::string out;

    REQUIRE(run_command(exe + " -q --threads 2 data generate sudoku --n 6 --seed 42 --out " + quoted(gen), out) == 0);
    std::string bytes = slurp(gen);
    CHECK(bytes.starts_with("source,question,answer,rating\n"));
    CHECK(std::count(bytes.begin(), bytes.end(), '\n') == 7);

    fs::path gen1 = dir / "one.csv";
    REQUIRE(run_command(exe + " -q --threads 1 data generate sudoku --n 6 --seed 42 --out " + quoted(gen1), out) == 0);
    CHECK(slurp(gen1) == bytes);
    fs::path other = dir / "other.csv";
    REQUIRE(run_command(exe + " -q data generate sudoku --n 6 --seed 43 --out " + quoted(other), out) == 0);
    CHECK(slurp(other) != bytes);

    REQUIRE(run_command(exe + data + " data list", out) == 0);
    CHECK_THAT(out, Catch::Contains("sudoku/gen/tiny"));

    REQUIRE(run_command(exe + data + " data stats sudoku/gen/tiny", out) == 0);
    CHECK_THAT(out, Catch::Contains("examples:  6"));
    CHECK_THAT(out, Catch::Contains("sources:   trmbench-gen 6"));
    CHECK_THAT(out, Catch::Contains("clue counts:"));
    CHECK_THAT(out, Catch::Contains("difficulty (rating)"));

    REQUIRE(run_command(exe + data + " data show sudoku/gen/tiny:2", out) == 0);
    CHECK_THAT(out, Catch::Contains("sudoku/gen/tiny:2"));
    CHECK_THAT(out, Catch::Contains("source=trmbench-gen"));
    CHECK_THAT(out, Catch::Contains("------+-------+------"));
    CHECK_THAT(out, Catch::Contains("solution:"));
    // The third data row's answer, shown with box separators.
    std::istringstream rows(bytes);
    std::string line;
    for (int i = 0; i < 4; ++i) std::getline(rows, line);
    std::string answer = line.substr(line.find(',', line.find(',') + 1) + 1, 81);
    std::string first_row = std::string() + answer[0] + ' ' + answer[1] + ' ' + answer[2] + " | " + answer[3];
    CHECK_THAT(out, Catch::Contains(first_row));

    // A file path with --task works too.
    REQUIRE(run_command(exe + " data stats " + quoted(gen1) + " --task sudoku", out) == 0);
    CHECK_THAT(out, Catch::Contains("examples:  6"));
}

TEST_CASE("cli: sudoku errors map to exit codes with file and line", "[cli][sudoku]") {
    TempDir dir;
    const std::string exe = quoted(trmbench_exe());
    std::string out;

    CHECK(run_command(exe + " data generate sudoku --n 3 --min-rating 5 --max-rating 2 --out " + quoted(dir / "x.csv"),
                      out) == 2);
    CHECK_THAT(out, Catch::Contains("is empty"));

    fs::path bad = dir / "bad.csv";
    trmbench::test::write_text(bad, "source,question,answer,rating\ns,123,456,1\n");
    CHECK(run_command(exe + " data stats " + quoted(bad) + " --task sudoku", out) == 3);
    CHECK_THAT(out, Catch::Contains(bad.string() + ":2: question: has 3 characters, expected 81"));
}
