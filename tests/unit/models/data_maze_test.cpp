// The Maze builder on small generated mazes (10x10): structure without augmentation (the reference
// default), the 8 dihedral puzzles per group with --dihedral (each a transform of the original,
// labels still valid paths), sequence length from the data, and thread-count independence.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "models/data/train_data.h"
#include "tasks/maze/maze_augment.h"
#include "tasks/maze/maze_core.h"
#include "tasks/registry.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/data_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

fs::path generate_mazes(const fs::path & out, int n, uint64_t seed) {
    GenerateOptions g;
    g.n = n;
    g.seed = seed;
    g.size = 10;
    g.min_path = 10;
    g.threads = 1;
    g.quiet = true;
    task_by_family("maze").generate(g, out);
    return out;
}

BuildSettings quiet(int threads = 1) {
    BuildSettings s;
    s.quiet = true;
    s.threads = threads;
    return s;
}

Grid grid_of(const PuzzleSplit & s, int64_t example, bool label) {
    std::vector<int32_t> t(static_cast<size_t>(s.seq_len()));
    if (label) s.copy_label(example, t);
    else s.copy_input(example, t);
    Grid g(10, 10);
    for (size_t i = 0; i < t.size(); ++i) {
        REQUIRE(t[i] >= 1);
        REQUIRE(t[i] <= 5);
        g.cells[i] = static_cast<uint8_t>(t[i] - 1);  // "# SGo" index + 1
    }
    return g;
}

}  // namespace

TEST_CASE("maze build: one puzzle per group by default, 8 dihedral puzzles with the flag", "[models][data][maze]") {
    test::TempDir tmp;
    MazeDataOptions o;
    o.train = InputDataset{"train", generate_mazes(tmp / "train.csv", 12, 1)};
    o.test = InputDataset{"test", generate_mazes(tmp / "test.csv", 4, 2)};

    auto plain = open_train_data(build_train_data(o, tmp / "plain", quiet()).dir);
    const auto & m = plain.train.metadata();
    CHECK(m.seq_len == 100);  // from the data: 10x10 (Maze-Hard: 900)
    CHECK(m.vocab_size == 6);
    CHECK(m.num_puzzle_identifiers == 1);
    CHECK(plain.train.num_groups() == 12);
    CHECK(plain.train.num_puzzles() == 12);
    REQUIRE(plain.test);
    CHECK(plain.test->num_examples() == 4);
    CHECK(plain.manifest.stamp.label == "maze");

    o.dihedral = true;
    auto aug = open_train_data(build_train_data(o, tmp / "aug", quiet(2)).dir);
    CHECK(aug.manifest.stamp.label == "maze-dihedral");
    CHECK(aug.train.num_groups() == 12);
    CHECK(aug.train.num_puzzles() == 96);
    CHECK(aug.train.num_examples() == 96);
    CHECK(aug.test->num_examples() == 4);  // the test split is never augmented
    for (int64_t g = 0; g < 12; ++g) {
        const Grid q0 = grid_of(aug.train, 8 * g, false), a0 = grid_of(aug.train, 8 * g, true);
        CHECK(q0 == grid_of(plain.train, g, false));  // puzzle 0 is the untouched maze
        for (int k = 0; k < 8; ++k) {
            const Grid q = grid_of(aug.train, 8 * g + k, false), a = grid_of(aug.train, 8 * g + k, true);
            CHECK(q == maze::dihedral(q0, k));
            CHECK(a == maze::dihedral(a0, k));
            CHECK(maze::check_path(q, a).valid);  // a transformed label is still a shortest path
        }
    }
    for (int32_t id : aug.train.puzzle_identifiers()) CHECK(id == 0);

    auto again = build_train_data(o, tmp / "aug1", quiet(1));
    CHECK(test::dir_fingerprint(again.dir) == test::dir_fingerprint(aug.dir));
}

TEST_CASE("maze build: subsample and held-out test; mixed sizes are an input error", "[models][data][maze]") {
    test::TempDir tmp;
    MazeDataOptions o;
    o.train = InputDataset{"train", generate_mazes(tmp / "train.csv", 10, 3)};
    o.n = 6;
    auto d = open_train_data(build_train_data(o, tmp / "ds", quiet()).dir);
    CHECK(d.train.num_groups() == 6);
    CHECK(d.test->num_examples() == 4);

    // A 12x12 maze in the test file: one dataset has one sequence length.
    GenerateOptions g;
    g.n = 2;
    g.size = 12;
    g.min_path = 12;
    g.quiet = true;
    task_by_family("maze").generate(g, tmp / "big.csv");
    o.n = 0;
    o.test = InputDataset{"big", tmp / "big.csv"};
    CHECK_THROWS_AS(build_train_data(o, tmp / "mixed", quiet()), InputError);
    CHECK_FALSE(fs::exists(tmp / "mixed"));
}
