// Sudoku augmentation (the reference's shuffle_sudoku) and tokenisation: exact inverses, validity and
// uniqueness preserved, the composition order of the reference, and the token round trip.
#include <catch2/catch.hpp>

#include <set>

#include "harness/core/error.h"
#include "tasks/sudoku/sudoku_augment.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tasks/sudoku/sudoku_solver.h"
#include "tasks/sudoku/sudoku_tokens.h"
#include "tests/support/test_support.h"

using namespace trmbench;
using namespace trmbench::sudoku;

namespace {

const std::vector<Example> & hardest() {
    static const auto ex = load_csv(test::shared_dir() / "data" / "sudoku" / "rated" / "puzzles6_forum_hardest_1106.csv");
    return ex;
}

Cells cells_of(const Grid & g) { return *to_cells(g); }

uint8_t at(const Cells & c, int r, int col) { return c[r * 9 + col]; }

}  // namespace

TEST_CASE("sudoku transform: random transforms are valid and exactly invertible", "[sudoku][augment]") {
    Rng rng(2024);
    const auto & ex = hardest();
    for (int i = 0; i < 200; ++i) {
        Transform t = Transform::random(rng);
        REQUIRE(t.is_valid());
        Transform inv = t.inverse();
        REQUIRE(inv.is_valid());
        const Example & e = ex[static_cast<size_t>(i) % ex.size()];
        Cells q = cells_of(e.input), a = cells_of(e.target);
        Cells tq = t.apply(q), ta = t.apply(a);
        CHECK(inv.apply(tq) == q);
        CHECK(inv.apply(ta) == a);
        CHECK(t.apply(inv.apply(q)) == q);
        CHECK(inv.inverse() == t);
        // Validity, givens, clue count and the unique solution carry over.
        CHECK(is_complete_valid(ta));
        CHECK(keeps_givens(tq, ta));
        CHECK(count_givens(tq) == count_givens(q));
        if (i % 10 == 0) {
            SolveResult r = solve(tq, 2);
            CHECK(r.solutions == 1);
            CHECK(r.first == ta);
        }
    }
}

TEST_CASE("sudoku transform: composition order of the reference", "[sudoku][augment]") {
    Cells a = cells_of(hardest()[0].target);
    Transform t;
    t.transpose = true;
    t.row_perm = {3, 5, 4, 0, 2, 1, 8, 7, 6};
    t.col_perm = {6, 8, 7, 0, 1, 2, 5, 3, 4};
    t.digit_map = {0, 2, 3, 4, 5, 6, 7, 8, 9, 1};
    REQUIRE(t.is_valid());
    Cells out = t.apply(a);
    // new[i][j] = map[old^T[row_perm[i]][col_perm[j]]] = map[old[col_perm[j]][row_perm[i]]]
    for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) CHECK(at(out, i, j) == t.digit_map[at(a, t.col_perm[j], t.row_perm[i])]);

    t.transpose = false;
    out = t.apply(a);
    for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) CHECK(at(out, i, j) == t.digit_map[at(a, t.row_perm[i], t.col_perm[j])]);

    // Blanks stay blank under the digit map.
    Cells q = cells_of(hardest()[0].input);
    Cells tq = t.apply(q);
    for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) CHECK((at(tq, i, j) == 0) == (at(q, t.row_perm[i], t.col_perm[j]) == 0));
}

TEST_CASE("sudoku transform: structure and distribution of random draws", "[sudoku][augment]") {
    Rng rng(7);
    int transposed = 0;
    std::set<std::array<uint8_t, 9>> row_perms;
    std::set<std::array<uint8_t, 10>> digit_maps;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
        Transform t = Transform::random(rng);
        transposed += t.transpose;
        row_perms.insert(t.row_perm);
        digit_maps.insert(t.digit_map);
        CHECK(t.digit_map[0] == 0);
    }
    CHECK(transposed > n * 0.45);
    CHECK(transposed < n * 0.55);
    CHECK(row_perms.size() > 1000);  // 6^4 = 1296 band-preserving row permutations
    CHECK(row_perms.size() <= 1296);
    CHECK(digit_maps.size() > 3900);  // 9! = 362880 maps: almost no repeats

    Rng r1(99), r2(99);
    CHECK(Transform::random(r1) == Transform::random(r2));

    Transform bad;
    bad.row_perm = {0, 3, 2, 1, 4, 5, 6, 7, 8};  // mixes bands: not validity preserving
    CHECK_FALSE(bad.is_valid());
    bad = Transform{};
    bad.digit_map[0] = 1;
    CHECK_FALSE(bad.is_valid());
}

TEST_CASE("sudoku transform: examples and odd grids", "[sudoku][augment]") {
    Rng rng(3);
    Transform t = Transform::random(rng);
    const Example & e = hardest()[5];
    Example te = t.apply(e);
    CHECK(te.id == e.id);
    CHECK(te.input == t.apply(e.input));
    CHECK(te.target == t.apply(e.target));
    Grid small(4, 4, 1);
    CHECK(t.apply(small) == small);
}

TEST_CASE("sudoku tokens: reference layout and round trip", "[sudoku][tokens]") {
    const Example & e = hardest()[0];
    auto tokens = encode(e.input);
    REQUIRE(tokens.size() == 81);
    for (size_t i = 0; i < 81; ++i) CHECK(tokens[i] == e.input.cells[i] + 1);
    CHECK(std::count(tokens.begin(), tokens.end(), kBlankToken) == 81 - count_givens(cells_of(e.input)));
    auto back = decode(tokens);
    REQUIRE(back);
    CHECK(*back == e.input);

    auto answer_tokens = encode(e.target);
    CHECK(*std::min_element(answer_tokens.begin(), answer_tokens.end()) == 2);
    CHECK(*std::max_element(answer_tokens.begin(), answer_tokens.end()) == 10);
    CHECK(*decode(answer_tokens) == e.target);
}

TEST_CASE("sudoku tokens: decoding predictions", "[sudoku][tokens]") {
    auto tokens = encode(hardest()[0].target);
    SECTION("a blank token gives a 0 cell") {
        tokens[7] = kBlankToken;
        auto g = decode(tokens);
        REQUIRE(g);
        CHECK(g->cells[7] == 0);
        CHECK(g->rows == 9);
    }
    SECTION("PAD, out-of-vocabulary tokens and wrong lengths give nothing") {
        auto pad = tokens;
        pad[80] = kPadToken;
        CHECK_FALSE(decode(pad));
        auto big = tokens;
        big[3] = kVocabSize;
        CHECK_FALSE(decode(big));
        auto neg = tokens;
        neg[3] = -1;
        CHECK_FALSE(decode(neg));
        CHECK_FALSE(decode(std::span<const int32_t>(tokens.data(), 80)));
        std::vector<int32_t> longer = tokens;
        longer.push_back(2);
        CHECK_FALSE(decode(longer));
    }
    SECTION("encoding a grid that is not a Sudoku board is an input error") {
        CHECK_THROWS_AS(encode(Grid(4, 4)), InputError);
        Grid g(9, 9);
        g.cells[0] = 10;
        CHECK_THROWS_AS(encode(g), InputError);
    }
}
