// The committed small CPU checkpoints (models/checkpoints/*-cpu-small) really solve puzzles of their
// band: each is run with `trmbench models solve` on freshly generated puzzles it never saw (another
// seed than its training data) and must reach well above zero exact accuracy, in line with its model
// card. The maze run also checks that every scorer measure is reported (exact <= optimal <= valid).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

int run_trmbench(const std::string & args, std::string & out) {
    return test::run_command(test::trmbench_exe().string() + " --threads 2 " + args, out);
}

fs::path checkpoint(const std::string & name) { return test::source_dir() / "models/checkpoints" / name; }

// Generates `n` puzzles with `gen_args`, solves them with the checkpoint, returns the JSON report.
nlohmann::json solve_generated(const std::string & name, const std::string & family, const std::string & gen_args, int n) {
    test::TempDir tmp;
    std::string out;
    const fs::path csv = tmp / "held-out.csv";
    REQUIRE(run_trmbench("--quiet data generate " + family + " --n " + std::to_string(n) + " " + gen_args + " --out " + csv.string(), out) == 0);
    const fs::path dir = checkpoint(name);
    REQUIRE(run_trmbench("models solve " + csv.string() + " --config " + (dir / "config.json").string() + " --checkpoint " +
                             (dir / "model.safetensors").string() + " --json",
                         out) == 0);
    INFO(out);
    return nlohmann::json::parse(out);
}

}  // namespace

TEST_CASE("the committed TRM-MLP Sudoku CPU checkpoint solves held-out puzzles of its band", "[cli][models][checkpoints]") {
    // Band of the model card: generated puzzles (rating 0-2) with at most 16 blanks; seed 9 is not the training seed 1.
    auto j = solve_generated("trm-mlp-sudoku-cpu-small", "sudoku", "--seed 9 --max-rating 2 --max-blanks 16", 100);
    CHECK(j["examples"] == 100);
    CHECK(j["accuracy"].get<double>() >= 0.85);  // the card: 99%+ on 500 held-out puzzles
    CHECK(j["measures"]["exact"]["correct"].get<int>() == static_cast<int>(j["accuracy"].get<double>() * 100 + 0.5));
}

TEST_CASE("the committed TRM-Att maze CPU checkpoint finds paths in held-out 6x6 mazes", "[cli][models][checkpoints]") {
    // Band of the model card: 6x6 mazes with a shortest path > 4 moves; seed 9 is not the training seed 13.
    // Unfiltered mazes: most have several shortest paths, so "optimal" is the fair measure there.
    auto j = solve_generated("trm-att-maze-cpu-small", "maze", "--seed 9 --size 6 --min-path 4", 200);
    CHECK(j["examples"] == 200);
    const auto & m = j["measures"];
    const int exact = m["exact"]["correct"], valid = m["valid"]["correct"], optimal = m["optimal"]["correct"];
    CHECK(m["valid"]["of"] == 200);
    CHECK(exact <= optimal);  // the label is one optimal path; other optimal paths are valid and optimal, not exact
    CHECK(optimal <= valid);
    // The card: 55/200 optimal and 38/200 exact on these 200 mazes (130/500 and 95/500 on 500); the
    // copy-the-input floor is 0, the previous checkpoint had 71/500 optimal.
    CHECK(optimal >= 40);
    CHECK(exact >= 25);
}

TEST_CASE("the committed TRM-Att maze CPU checkpoint solves held-out unique-path 6x6 mazes", "[cli][models][checkpoints]") {
    // The training band: mazes with exactly one shortest path, where the label is the only optimal answer.
    auto j = solve_generated("trm-att-maze-cpu-small", "maze", "--seed 9 --size 6 --min-path 4 --unique-path", 200);
    CHECK(j["examples"] == 200);
    const auto & m = j["measures"];
    const int exact = m["exact"]["correct"], valid = m["valid"]["correct"], optimal = m["optimal"]["correct"];
    CHECK(exact == optimal);  // one shortest path: optimal means the label
    CHECK(optimal <= valid);
    CHECK(exact >= 55);  // the card: 77/200 on these mazes (227/500 on 500)
}
