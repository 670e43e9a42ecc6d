// The Sudoku training-set builder: structure and metadata of a small build, the content of the
// augmented puzzles, seeded subsampling with a held-out or separate test split, the rating filter,
// and byte-identical output for any thread count.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "harness/core/error.h"
#include "models/data/train_data.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/data_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

SudokuDataOptions small_options(int64_t n, int aug, uint64_t seed) {
    SudokuDataOptions o;
    o.train = InputDataset{"puzzles6", test::small_sudoku_csv()};
    o.n = n;
    o.num_aug = aug;
    o.seed = seed;
    return o;
}

BuildSettings quiet(int threads = 1) {
    BuildSettings s;
    s.quiet = true;
    s.threads = threads;
    return s;
}

// Tokens of one example as cells (token - 1).
sudoku::Cells cells_of(const PuzzleSplit & s, int64_t example, bool label) {
    std::vector<int32_t> t(81);
    if (label) s.copy_label(example, t);
    else s.copy_input(example, t);
    sudoku::Cells c{};
    for (int i = 0; i < 81; ++i) {
        REQUIRE(t[i] >= 1);
        REQUIRE(t[i] <= 10);
        c[static_cast<size_t>(i)] = static_cast<uint8_t>(t[i] - 1);
    }
    return c;
}

// Source rows by puzzle text, with their ratings.
std::map<std::string, double> source_rows(const fs::path & csv) {
    std::map<std::string, double> out;
    for (const auto & e : sudoku::load_csv(csv)) out[sudoku::to_line(*sudoku::to_cells(e.input))] = e.difficulty;
    return out;
}

std::string digits_sorted_counts(const sudoku::Cells & c) {
    std::vector<int> counts(10, 0);
    for (auto v : c) ++counts[v];
    std::sort(counts.begin() + 1, counts.end());  // relabelling permutes the digit counts
    std::string s;
    for (int v : counts) s += std::to_string(v) + ",";
    return s;
}

}  // namespace

TEST_CASE("sudoku build: 10 puzzles x 5 augmentations = 10 groups of 6 puzzles", "[models][data][sudoku]") {
    test::TempDir tmp;
    auto o = small_options(10, 5, 7);
    o.test_n = 20;
    BuildResult r = build_train_data(o, tmp / "ds", quiet());
    CHECK_FALSE(r.reused);
    TrainData d = open_train_data(r.dir, &r.manifest.stamp);

    const auto & m = d.train.metadata();
    CHECK(m.seq_len == 81);
    CHECK(m.vocab_size == 11);
    CHECK(m.pad_id == 0);
    CHECK(m.ignore_label_id == 0);
    CHECK(m.blank_identifier_id == 0);
    CHECK(m.num_puzzle_identifiers == 1);
    CHECK(m.total_groups == 10);
    CHECK(m.total_puzzles == 60);
    CHECK(m.mean_puzzle_examples == 1.0);
    CHECK(m.sets == std::vector<std::string>{"all"});
    CHECK(d.train.num_examples() == 60);
    for (int g = 0; g <= 10; ++g) CHECK(d.train.group_indices()[static_cast<size_t>(g)] == 6 * g);
    for (int p = 0; p <= 60; ++p) CHECK(d.train.puzzle_indices()[static_cast<size_t>(p)] == p);
    for (int32_t id : d.train.puzzle_identifiers()) CHECK(id == 0);
    CHECK(d.identifiers == std::vector<std::string>{"<blank>"});

    REQUIRE(d.test);
    CHECK(d.test->num_groups() == 20);
    CHECK(d.test->num_puzzles() == 20);
    CHECK(d.test->num_examples() == 20);
    CHECK(d.manifest.train.groups == 10);
    CHECK(d.manifest.test.examples == 20);

    const auto rows = source_rows(test::small_sudoku_csv());
    std::set<std::string> train_originals;
    for (int g = 0; g < 10; ++g) {
        const sudoku::Cells orig = cells_of(d.train, 6 * g, false), orig_sol = cells_of(d.train, 6 * g, true);
        INFO("group " << g);
        REQUIRE(rows.count(sudoku::to_line(orig)) == 1);  // puzzle 0 is the untouched source row
        train_originals.insert(sudoku::to_line(orig));
        std::set<std::string> variants;
        for (int k = 0; k < 6; ++k) {
            const sudoku::Cells q = cells_of(d.train, 6 * g + k, false), a = cells_of(d.train, 6 * g + k, true);
            CHECK(sudoku::is_complete_valid(a));  // labels: a full valid grid (all 81 cells scored)
            CHECK(sudoku::keeps_givens(q, a));
            CHECK(sudoku::count_givens(q) == sudoku::count_givens(orig));
            CHECK(digits_sorted_counts(q) == digits_sorted_counts(orig));
            CHECK(digits_sorted_counts(a) == digits_sorted_counts(orig_sol));
            variants.insert(sudoku::to_line(q));
        }
        CHECK(variants.size() == 6);  // the shuffles differ from the original and from each other
    }
    for (int64_t e = 0; e < d.test->num_examples(); ++e) {
        const std::string q = sudoku::to_line(cells_of(*d.test, e, false));
        CHECK(rows.count(q) == 1);
        CHECK(train_originals.count(q) == 0);  // held-out rows never overlap the training rows
    }
}

TEST_CASE("sudoku build: same seed same bytes for any thread count; another seed differs", "[models][data][sudoku]") {
    test::TempDir tmp;
    auto o = small_options(12, 8, 3);
    auto one = build_train_data(o, tmp / "t1", quiet(1));
    auto four = build_train_data(o, tmp / "t4", quiet(4));
    CHECK(test::dir_fingerprint(one.dir) == test::dir_fingerprint(four.dir));
    CHECK(one.manifest.stamp.key() == four.manifest.stamp.key());

    auto o2 = small_options(12, 8, 4);
    auto other = build_train_data(o2, tmp / "s4", quiet(2));
    CHECK(other.manifest.stamp.key() != one.manifest.stamp.key());
    auto a = test::dir_fingerprint(one.dir), b = test::dir_fingerprint(other.dir);
    CHECK(a.at("train/all__inputs.npy") != b.at("train/all__inputs.npy"));
    CHECK(a.at("test/all__inputs.npy") != b.at("test/all__inputs.npy"));
    CHECK(a.at("train/all__group_indices.npy") == b.at("train/all__group_indices.npy"));  // same structure
}

TEST_CASE("sudoku build: a puzzle's variants depend on its source row, not on N", "[models][data][sudoku]") {
    test::TempDir tmp;
    auto small = open_train_data(build_train_data(small_options(5, 3, 11), tmp / "a", quiet()).dir);
    auto large = open_train_data(build_train_data(small_options(374, 3, 11), tmp / "b", quiet()).dir);
    std::map<std::string, std::vector<std::string>> by_original;
    for (int64_t g = 0; g < large.train.num_groups(); ++g) {
        std::vector<std::string> v;
        for (int k = 0; k < 4; ++k) v.push_back(sudoku::to_line(cells_of(large.train, 4 * g + k, false)));
        by_original[v[0]] = v;
    }
    int shared = 0;
    for (int64_t g = 0; g < small.train.num_groups(); ++g) {
        const std::string orig = sudoku::to_line(cells_of(small.train, 4 * g, false));
        auto it = by_original.find(orig);
        if (it == by_original.end()) continue;
        ++shared;
        for (int k = 1; k < 4; ++k) CHECK(sudoku::to_line(cells_of(small.train, 4 * g + k, false)) == it->second[static_cast<size_t>(k)]);
    }
    CHECK(shared >= 4);  // 374 of 375 rows in the large build: at most one of the 5 is missing
}

TEST_CASE("sudoku build: min_difficulty filters both splits; a separate test source", "[models][data][sudoku]") {
    test::TempDir tmp;
    auto o = small_options(15, 2, 5);
    o.min_difficulty = 30;
    o.test = InputDataset{"top1465", test::shared_dir() / "data/sudoku/rated/puzzles3_magictour_top1465.csv"};
    o.test_n = 5;
    auto d = open_train_data(build_train_data(o, tmp / "f", quiet()).dir);
    const auto rows = source_rows(test::small_sudoku_csv());
    for (int64_t g = 0; g < d.train.num_groups(); ++g)
        CHECK(rows.at(sudoku::to_line(cells_of(d.train, 3 * g, false))) >= 30);
    const auto test_rows = source_rows(test::shared_dir() / "data/sudoku/rated/puzzles3_magictour_top1465.csv");
    REQUIRE(d.test);
    CHECK(d.test->num_examples() == 5);
    for (int64_t e = 0; e < 5; ++e) CHECK(test_rows.at(sudoku::to_line(cells_of(*d.test, e, false))) >= 30);
    CHECK(d.manifest.stamp.inputs.size() == 2);
}

TEST_CASE("sudoku build: impossible sizes are usage errors and leave nothing behind", "[models][data][sudoku]") {
    test::TempDir tmp;
    CHECK_THROWS_AS(build_train_data(small_options(376, 1, 0), tmp / "x", quiet()), UsageError);  // 375 rows
    CHECK_THROWS_AS(build_train_data(small_options(375, 1, 0), tmp / "x", quiet()), UsageError);  // none left to test
    auto o = small_options(0, 1, 0);
    CHECK_THROWS_AS(build_train_data(o, tmp / "x", quiet()), UsageError);  // all, held-out: no test rows
    o.n = 10;
    o.test_n = 1000;
    CHECK_THROWS_AS(build_train_data(o, tmp / "x", quiet()), UsageError);
    o.num_aug = -1;
    CHECK_THROWS_AS(build_train_data(o, tmp / "x", quiet()), UsageError);
    CHECK(fs::is_empty(tmp.path()));  // no dataset, no staging directory
}

TEST_CASE("sudoku build: max_blanks keeps a seeded subset of blanks, solutions unchanged", "[models][data][sudoku]") {
    test::TempDir tmp;
    auto full_o = small_options(12, 2, 4);
    auto easy_o = full_o;
    easy_o.max_blanks = 20;
    auto full = open_train_data(build_train_data(full_o, tmp / "full", quiet()).dir);
    auto easy = open_train_data(build_train_data(easy_o, tmp / "easy", quiet(3)).dir);
    CHECK(easy.manifest.stamp.key() != full.manifest.stamp.key());
    REQUIRE(easy.train.num_examples() == full.train.num_examples());
    REQUIRE(easy.test->num_examples() == full.test->num_examples());
    auto check_split = [](const PuzzleSplit & e, const PuzzleSplit & f) {
        for (int64_t i = 0; i < e.num_examples(); ++i) {
            const auto ein = cells_of(e, i, false), fin = cells_of(f, i, false), elab = cells_of(e, i, true);
            CHECK(elab == cells_of(f, i, true));
            int blanks = 0, full_blanks = 0;
            for (size_t c = 0; c < 81; ++c) {
                blanks += ein[c] == 0;
                full_blanks += fin[c] == 0;
                // A given of the original stays; a filled blank takes the solution's digit.
                if (fin[c] != 0) CHECK(ein[c] == fin[c]);
                if (ein[c] != 0) CHECK(ein[c] == elab[c]);
            }
            CHECK(blanks == std::min(full_blanks, 20));
        }
    };
    check_split(easy.train, full.train);
    check_split(*easy.test, *full.test);
    // Reproducible for any thread count.
    auto again = build_train_data(easy_o, tmp / "again", quiet(1)).dir;
    CHECK(test::dir_fingerprint(again) == test::dir_fingerprint(easy.dir));
    easy_o.max_blanks = 82;
    CHECK_THROWS_AS(build_train_data(easy_o, tmp / "bad", quiet()), UsageError);
}
