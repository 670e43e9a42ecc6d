// Tests of tasks/arc/arc_vote: majority vote, the mean-sigmoid(q_halt) tie-break, first-appearance
// order for full ties, shape-sensitive grouping, and top-k truncation.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "tasks/arc/arc_vote.h"
#include "tests/unit/tasks/arc_test_helpers.h"

using namespace trmbench;
using trmbench::test::G;

namespace {
double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }
}  // namespace

TEST_CASE("vote: most frequent grid first, counts and mean q reported", "[arc][vote]") {
    const Grid a = G({{1}}), b = G({{2}}), c = G({{3}});
    std::vector<ArcVoteInput> preds = {{c, 0}, {b, 1}, {a, 0}, {a, 2}, {b, -1}, {a, 4}};
    auto ranked = vote_arc(preds, 0);
    REQUIRE(ranked.size() == 3);
    CHECK(ranked[0].grid == a);
    CHECK(ranked[0].count == 3);
    CHECK(ranked[0].mean_q == Approx((sig(0) + sig(2) + sig(4)) / 3));
    CHECK(ranked[1].grid == b);
    CHECK(ranked[1].count == 2);
    CHECK(ranked[2].grid == c);

    auto top2 = vote_arc(preds, 2);
    REQUIRE(top2.size() == 2);
    CHECK(top2[1].grid == b);
}

TEST_CASE("vote: equal counts are ranked by mean sigmoid(q_halt), not by the mean logit", "[arc][vote]") {
    const Grid a = G({{1, 1}}), b = G({{2, 2}});
    // a: logits -1 and 5 -> mean sigmoid 0.631 (mean logit 2 would give 0.881)
    // b: logits 1 and 1  -> mean sigmoid 0.731
    std::vector<ArcVoteInput> preds = {{a, -1}, {a, 5}, {b, 1}, {b, 1}};
    auto ranked = vote_arc(preds, 2);
    REQUIRE(ranked.size() == 2);
    CHECK(ranked[0].grid == b);
    CHECK(ranked[0].mean_q == Approx(sig(1)));
    CHECK(ranked[1].grid == a);
    CHECK(ranked[1].mean_q == Approx((sig(-1) + sig(5)) / 2));
}

TEST_CASE("vote: full ties keep the order of first appearance", "[arc][vote]") {
    const Grid a = G({{4}}), b = G({{5}}), c = G({{6}});
    std::vector<ArcVoteInput> preds = {{b, 0.5}, {c, 0.5}, {a, 0.5}, {a, 0.5}, {c, 0.5}, {b, 0.5}};
    auto ranked = vote_arc(preds, 0);
    REQUIRE(ranked.size() == 3);
    CHECK(ranked[0].grid == b);
    CHECK(ranked[1].grid == c);
    CHECK(ranked[2].grid == a);
}

TEST_CASE("vote: grids with the same cells but another shape are different candidates", "[arc][vote]") {
    const Grid wide = G({{1, 2, 3, 4}}), square = G({{1, 2}, {3, 4}});
    std::vector<ArcVoteInput> preds = {{wide, 0}, {square, 0}, {square, 0}};
    auto ranked = vote_arc(preds, 0);
    REQUIRE(ranked.size() == 2);
    CHECK(ranked[0].grid == square);
    CHECK(ranked[0].count == 2);
    CHECK(ranked[1].count == 1);
}

TEST_CASE("vote: empty crops vote unless skipped; no input, no candidates; NaN is safe", "[arc][vote]") {
    const Grid a = G({{1}});
    std::vector<ArcVoteInput> preds = {{Grid(), 0}, {Grid(), 0}, {a, 0}};
    CHECK(vote_arc(preds, 1)[0].grid.empty());
    auto skipped = vote_arc(preds, 0, /*skip_empty=*/true);
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0].grid == a);
    CHECK(vote_arc({}, 2).empty());

    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<ArcVoteInput> with_nan = {{G({{7}}), nan}, {G({{8}}), -3}};
    auto ranked = vote_arc(with_nan, 0);
    REQUIRE(ranked.size() == 2);
    CHECK(ranked[0].grid == G({{8}}));  // a NaN confidence ranks below any real one
}
