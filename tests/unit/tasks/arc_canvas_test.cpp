// Tests of tasks/arc/arc_canvas: the EOS layout on hand-checked cases (including grids touching the
// canvas edge), encode/crop round trips for every shape 1..30 x 1..30, the reference _crop rules,
// de-augmentation of predictions, and translation bounds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "tasks/arc/arc_canvas.h"
#include "tests/unit/tasks/arc_test_helpers.h"

using namespace trmbench;
using trmbench::test::G;
using trmbench::test::random_grid;

namespace {

int32_t tok(const std::vector<int32_t> & t, int r, int c) { return t[static_cast<size_t>(r * 30 + c)]; }
long count_of(const std::vector<int32_t> & t, int32_t v) { return std::count(t.begin(), t.end(), v); }

}  // namespace

TEST_CASE("encode: 2x3 grid at the origin, EOS row and column, corner PAD", "[arc][canvas]") {
    const auto t = encode_arc_canvas(G({{0, 1, 2}, {9, 8, 7}}));
    REQUIRE(t.size() == 900);
    CHECK(tok(t, 0, 0) == 2);
    CHECK(tok(t, 0, 1) == 3);
    CHECK(tok(t, 0, 2) == 4);
    CHECK(tok(t, 1, 0) == 11);
    CHECK(tok(t, 1, 2) == 9);
    CHECK(tok(t, 0, 3) == kArcEos);  // column right of the grid, rows 0..1
    CHECK(tok(t, 1, 3) == kArcEos);
    CHECK(tok(t, 2, 0) == kArcEos);  // row below, columns 0..2
    CHECK(tok(t, 2, 2) == kArcEos);
    CHECK(tok(t, 2, 3) == kArcPad);  // corner not set
    CHECK(count_of(t, kArcEos) == 5);
    CHECK(count_of(t, kArcPad) == 900 - 6 - 5);
}

TEST_CASE("encode: grids touching the canvas edge get no EOS beyond it", "[arc][canvas]") {
    Rng rng(1);
    SECTION("30x30: no EOS at all") {
        const auto t = encode_arc_canvas(random_grid(rng, 30, 30));
        CHECK(count_of(t, kArcEos) == 0);
        CHECK(count_of(t, kArcPad) == 0);
    }
    SECTION("2x30: EOS row only") {
        const auto t = encode_arc_canvas(random_grid(rng, 2, 30));
        CHECK(count_of(t, kArcEos) == 30);
        for (int c = 0; c < 30; ++c) CHECK(tok(t, 2, c) == kArcEos);
    }
    SECTION("30x4: EOS column only") {
        const auto t = encode_arc_canvas(random_grid(rng, 30, 4));
        CHECK(count_of(t, kArcEos) == 30);
        for (int r = 0; r < 30; ++r) CHECK(tok(t, r, 4) == kArcEos);
    }
    SECTION("3x4 at offset (27,26): bottom-right corner, no EOS") {
        const auto t = encode_arc_canvas(random_grid(rng, 3, 4), {27, 26});
        CHECK(count_of(t, kArcEos) == 0);
        CHECK(count_of(t, kArcPad) == 900 - 12);
        CHECK(tok(t, 27, 26) >= 2);
        CHECK(tok(t, 29, 29) >= 2);
    }
    SECTION("2x2 at offset (2,3): EOS row 4 cols 3..4, column 5 rows 2..3") {
        const auto t = encode_arc_canvas(G({{1, 1}, {1, 1}}), {2, 3});
        CHECK(tok(t, 2, 3) == 3);
        CHECK(tok(t, 4, 3) == kArcEos);
        CHECK(tok(t, 4, 4) == kArcEos);
        CHECK(tok(t, 2, 5) == kArcEos);
        CHECK(tok(t, 3, 5) == kArcEos);
        CHECK(tok(t, 4, 5) == kArcPad);
        CHECK(tok(t, 1, 3) == kArcPad);
        CHECK(tok(t, 2, 2) == kArcPad);
        CHECK(count_of(t, kArcEos) == 4);
    }
}

TEST_CASE("encode rejects grids that do not fit or are not colours", "[arc][canvas]") {
    CHECK_THROWS_AS(encode_arc_canvas(Grid()), std::invalid_argument);
    CHECK_THROWS_AS(encode_arc_canvas(Grid(31, 1)), std::invalid_argument);
    CHECK_THROWS_AS(encode_arc_canvas(Grid(3, 3), {28, 0}), std::invalid_argument);
    CHECK_THROWS_AS(encode_arc_canvas(Grid(3, 3), {0, -1}), std::invalid_argument);
    CHECK_THROWS_AS(encode_arc_canvas(G({{10}})), std::invalid_argument);
}

TEST_CASE("crop(encode(g)) == g for every shape 1..30 x 1..30", "[arc][canvas]") {
    Rng rng(2024);
    for (int h = 1; h <= 30; ++h)
        for (int w = 1; w <= 30; ++w) {
            const Grid g = random_grid(rng, h, w);
            const Grid back = crop_arc_canvas(encode_arc_canvas(g));
            if (back != g) FAIL("round trip failed for " << h << "x" << w);
        }
}

TEST_CASE("crop follows the reference _crop rules", "[arc][canvas]") {
    std::vector<int32_t> t(900, kArcPad);
    auto set = [&t](int r, int c, int32_t v) { t[static_cast<size_t>(r * 30 + c)] = v; };

    SECTION("wrong length or a non-colour top-left corner gives an empty grid") {
        CHECK(crop_arc_canvas(std::vector<int32_t>(899, 5)).empty());
        CHECK(crop_arc_canvas(t).empty());
        set(0, 0, kArcEos);
        set(0, 1, 5);
        CHECK(crop_arc_canvas(t).empty());
    }
    SECTION("no EOS at all: the whole canvas") {
        std::fill(t.begin(), t.end(), 7);
        Grid g = crop_arc_canvas(t);
        CHECK(g.rows == 30);
        CHECK(g.cols == 30);
        CHECK(g.at(29, 29) == 5);
    }
    SECTION("ragged prediction: the largest top-left rectangle wins") {
        for (int c = 0; c < 5; ++c) set(0, c, 2);          // row 0: 5 colours
        for (int r = 1; r < 10; ++r)
            for (int c = 0; c < 3; ++c) set(r, c, 4);      // rows 1..9: 3 colours
        Grid g = crop_arc_canvas(t);                       // areas 5, 6, ..., 30 -> 10x3
        CHECK(g.rows == 10);
        CHECK(g.cols == 3);
        CHECK(g.at(0, 0) == 0);
        CHECK(g.at(9, 2) == 2);
    }
    SECTION("equal areas keep the first (fewer rows)") {
        for (int c = 0; c < 4; ++c) set(0, c, 3);  // area 1x4 = 4
        for (int c = 0; c < 2; ++c) set(1, c, 3);  // area 2x2 = 4, not larger
        Grid g = crop_arc_canvas(t);
        CHECK(g.rows == 1);
        CHECK(g.cols == 4);
    }
    SECTION("the column limit only shrinks; tokens above 11 are not colours") {
        for (int c = 0; c < 2; ++c) set(0, c, 6);
        for (int c = 0; c < 8; ++c) set(1, c, 6);  // wider second row does not widen the crop
        set(2, 0, 6);
        set(2, 1, 12);
        Grid g = crop_arc_canvas(t);
        CHECK(g.rows == 2);
        CHECK(g.cols == 2);
    }
}

TEST_CASE("decode_arc_prediction crops and undoes the augmentation", "[arc][canvas]") {
    Rng rng(77);
    for (int trial = 0; trial < 100; ++trial) {
        const Grid g = random_grid(rng, static_cast<int>(rng.uniform(1, 30)), static_cast<int>(rng.uniform(1, 30)));
        const ArcAugmentation aug = random_augmentation(rng);
        const auto decoded = decode_arc_prediction(encode_arc_canvas(apply_augmentation(g, aug)), aug);
        REQUIRE(decoded);
        REQUIRE(*decoded == g);
    }
    CHECK_FALSE(decode_arc_prediction(std::vector<int32_t>(900, kArcPad)));
}

TEST_CASE("translation offsets stay inside the canvas and cover its range", "[arc][canvas]") {
    Rng rng(99);
    const Grid in = Grid(4, 7), out = Grid(9, 2);  // max h 9, max w 7
    std::set<int> rows, cols;
    for (int i = 0; i < 5000; ++i) {
        CanvasOffset o = random_translation(in, out, rng);
        REQUIRE(o.row >= 0);
        REQUIRE(o.row <= 30 - 9);
        REQUIRE(o.col >= 0);
        REQUIRE(o.col <= 30 - 7);
        rows.insert(o.row);
        cols.insert(o.col);
        REQUIRE_NOTHROW(encode_arc_canvas(in, o));
        REQUIRE_NOTHROW(encode_arc_canvas(out, o));
    }
    CHECK(rows.size() == 22);  // every value 0..21 drawn
    CHECK(cols.size() == 24);  // every value 0..23 drawn
    for (int i = 0; i < 20; ++i) CHECK(random_translation(Grid(30, 30), Grid(1, 1), rng) == CanvasOffset{0, 0});
}

TEST_CASE("translation_offsets keeps one random example at the origin", "[arc][canvas]") {
    std::vector<std::pair<Grid, Grid>> examples(5, {Grid(2, 2), Grid(3, 3)});
    std::set<size_t> fixed_positions;
    for (uint64_t seed = 0; seed < 200; ++seed) {
        Rng rng(seed);
        auto offsets = translation_offsets(examples, rng);
        REQUIRE(offsets.size() == 5);
        size_t at_origin = 0, first_origin = 5;
        for (size_t i = 0; i < offsets.size(); ++i)
            if (offsets[i] == CanvasOffset{0, 0}) ++at_origin, first_origin = std::min(first_origin, i);
        REQUIRE(at_origin >= 1);
        if (at_origin == 1) fixed_positions.insert(first_origin);
        Rng again(seed);
        REQUIRE(translation_offsets(examples, again) == offsets);  // deterministic
    }
    CHECK(fixed_positions.size() == 5);  // the kept example is chosen at random, not always the first

    Rng rng(1);
    for (const auto & o : translation_offsets(examples, rng, /*translate=*/false)) CHECK(o == CanvasOffset{0, 0});
}
