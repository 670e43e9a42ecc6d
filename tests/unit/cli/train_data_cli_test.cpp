// `trmbench train data build|info` through the built executable: default sources and the default
// cache directory, reuse, the parameter-mismatch error and --force, the ARC-AGI-1 preset, info
// --verify on a damaged dataset, and usage errors (exit codes 2/3).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using trmbench::test::run_command;
using trmbench::test::TempDir;
using trmbench::test::trmbench_exe;

namespace {

std::string quoted(const fs::path & p) { return "'" + p.string() + "'"; }

// The first `rows` data rows of a CSV, with its header.
std::string head_csv(const fs::path & csv, int skip, int rows) {
    std::ifstream in(csv);
    std::string line, out;
    std::getline(in, line);
    out = line + "\n";
    for (int i = 0; i < skip + rows && std::getline(in, line); ++i)
        if (i >= skip) out += line + "\n";
    return out;
}

}  // namespace

TEST_CASE("cli: train data build sudoku from the data directory's train/test pair into the cache", "[cli][traindata]") {
    TempDir dir;
    const fs::path src = trmbench::test::shared_dir() / "data/sudoku/rated/puzzles6_forum_hardest_1106.csv";
    trmbench::test::write_text(dir / "data/sudoku/extreme/train.csv", head_csv(src, 0, 30));
    trmbench::test::write_text(dir / "data/sudoku/extreme/test.csv", head_csv(src, 30, 12));
    const std::string env = "TRMBENCH_CACHE=" + quoted(dir / "cache") + " ";
    const std::string exe = env + quoted(trmbench_exe()) + " -q --data-dir " + quoted(dir / "data");
    std::string out;

    REQUIRE(run_command(exe + " train data build sudoku --n 8 --aug 4 --seed 5", out) == 0);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("built sudoku dataset in " + (dir / "cache/train-data/sudoku-").string()));
    CHECK_THAT(out, Catch::Contains("train  8 groups, 40 puzzles, 40 examples"));
    CHECK_THAT(out, Catch::Contains("test   12 groups, 12 puzzles, 12 examples"));
    CHECK_THAT(out, Catch::Contains("input test: sudoku/extreme/test"));

    REQUIRE(run_command(exe + " train data build sudoku --n 8 --aug 4 --seed 5", out) == 0);
    CHECK_THAT(out, Catch::Contains("dataset already built (same key)"));
    fs::path built;
    for (auto & e : fs::directory_iterator(dir / "cache/train-data")) built = e.path();
    REQUIRE(run_command(exe + " train data info " + quoted(built) + " --verify", out) == 0);
    CHECK_THAT(out, Catch::Contains("total_groups 8, total_puzzles 40"));
    CHECK_THAT(out, Catch::Contains("verified: 13 files"));
    REQUIRE(run_command(exe + " train data info " + quoted(built) + " --json", out) == 0);
    CHECK_THAT(out, Catch::Contains("\"format\": \"trmbench-puzzle-dataset\""));

    // Another seed goes to another default directory; into the same --out it is an error.
    REQUIRE(run_command(exe + " train data build sudoku --n 8 --aug 4 --seed 6", out) == 0);
    int dirs = 0;
    for ([[maybe_unused]] auto & e : fs::directory_iterator(dir / "cache/train-data")) ++dirs;
    CHECK(dirs == 2);
    const std::string out_dir = " --out " + quoted(dir / "mine");
    REQUIRE(run_command(exe + " train data build sudoku --n 8 --aug 4 --seed 5" + out_dir, out) == 0);
    CHECK(run_command(exe + " train data build sudoku --n 8 --aug 4 --seed 6" + out_dir, out) == 3);
    CHECK_THAT(out, Catch::Contains("dataset cache with other parameters"));
    CHECK_THAT(out, Catch::Contains("seed: cache has 5, requested 6"));
    REQUIRE(run_command(exe + " train data build sudoku --n 8 --aug 4 --seed 6 --force" + out_dir, out) == 0);
    CHECK_THAT(out, Catch::Contains("\"seed\":6"));

    // A damaged file: info --verify names it and exits 3.
    {
        std::fstream f(dir / "mine/test/all__labels.npy", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(200);
        f.put('\x05');
    }
    CHECK(run_command(exe + " train data info " + quoted(dir / "mine") + " --verify", out) == 3);
    CHECK_THAT(out, Catch::Contains("test/all__labels.npy: SHA-256 differs"));
    CHECK(run_command(exe + " train data info " + quoted(dir / "data"), out) == 3);
    CHECK_THAT(out, Catch::Contains("not a trmbench dataset directory"));
}

TEST_CASE("cli: train data build arc1 (2 variants) and custom arc subsets", "[cli][traindata]") {
    TempDir dir;
    const fs::path data = trmbench::test::shared_dir() / "data";
    const std::string exe = quoted(trmbench_exe()) + " -q --threads 2 --data-dir " + quoted(data);
    std::string out;
    REQUIRE(run_command(exe + " train data build arc1 --aug 2 --out " + quoted(dir / "arc1"), out) == 0);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("train  960 groups, 2,880 puzzles, 11,964 examples"));
    CHECK_THAT(out, Catch::Contains("test   400 groups, 1,200 puzzles, 1,257 examples"));
    CHECK_THAT(out, Catch::Contains("puzzle identifiers 2,881"));
    CHECK(fs::is_regular_file(dir / "arc1/test_puzzles.json"));

    trmbench::test::write_text(dir / "a/x.json", R"({"train":[{"input":[[1,2]],"output":[[2,1]]}],"test":[{"input":[[3,0]],"output":[[0,3]]}]})");
    trmbench::test::write_text(dir / "b/y.json", R"({"train":[{"input":[[1]],"output":[[2]]},{"input":[[4]],"output":[[5]]}],"test":[{"input":[[6]],"output":[[7]]}]})");
    REQUIRE(run_command(exe + " train data build arc --subset a=" + quoted(dir / "a") + " --subset b=" + quoted(dir / "b") +
                            " --test-subset b --aug 3 --out " + quoted(dir / "custom"),
                        out) == 0);
    CHECK_THAT(out, Catch::Contains("train  2 groups, 8 puzzles, 16 examples"));  // x: 2 pairs x 4; y: 2 demos x 4
    CHECK_THAT(out, Catch::Contains("test   1 groups, 4 puzzles, 4 examples"));
}

TEST_CASE("cli: train data usage errors", "[cli][traindata]") {
    TempDir dir;
    const std::string exe = quoted(trmbench_exe()) + " -q --data-dir " + quoted(trmbench::test::shared_dir() / "data");
    std::string out;
    CHECK(run_command(exe + " train data build sudoku --out " + quoted(dir / "x"), out) == 2);  // no train/test pair
    CHECK_THAT(out, Catch::Contains("--source"));
    CHECK(run_command(exe + " train data build chess", out) == 2);
    CHECK(run_command(exe + " train data build arc1 --n 5", out) == 2);
    CHECK(run_command(exe + " train data build arc --subset training", out) == 2);
    CHECK(run_command(exe + " train data build sudoku --source nope/none", out) == 2);
    CHECK_THAT(out, Catch::Contains("no sudoku dataset or path 'nope/none'"));
    CHECK(run_command(exe + " train data build sudoku --source sudoku/rated/puzzles6_forum_hardest_1106 --n 400 --out " +
                          quoted(dir / "x"),
                      out) == 2);
    CHECK_THAT(out, Catch::Contains("has 375 sudoku puzzles"));
    CHECK(run_command(exe + " train data build sudoku --source sudoku/rated/puzzles6_forum_hardest_1106 --dihedral", out) == 2);
    CHECK(run_command(exe + " train data", out) == 2);
    CHECK_FALSE(fs::exists(dir / "x"));
}
