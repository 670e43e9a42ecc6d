// Number formatting shared by every printer, markdown escaping, the published TRM numbers and
// their mapping to datasets, and the summary record's field table.
#include <catch2/catch.hpp>

#include <set>

#include "reports/exports.h"
#include "reports/format.h"
#include "reports/published.h"
#include "reports/report_model.h"

using namespace trmbench;

TEST_CASE("percent, interval, counts", "[reports][format]") {
    CHECK(fmt::percent(0.874) == "87.4%");
    CHECK(fmt::percent(1) == "100.0%");
    CHECK(fmt::percent(0.375, 2) == "37.50%");
    CHECK(fmt::percent(-1) == fmt::kUnknown);
    CHECK(fmt::interval({0.79020, 0.92243}) == "79.0\xE2\x80\x93" "92.2");
    CHECK(fmt::interval({}) == fmt::kUnknown);
    CHECK(fmt::count(1234567) == "1,234,567");
}

TEST_CASE("parameter counts, FLOPs, durations, dollars, tokens", "[reports][format]") {
    CHECK(fmt::si_count(6828034) == "6.83M");
    CHECK(fmt::si_count(27275266) == "27.3M");
    CHECK(fmt::si_count(671e9) == "671B");
    CHECK(fmt::si_count(1.7e12) == "1.70T");
    CHECK(fmt::si_count(999999) == "1.00M");
    CHECK(fmt::si_count(950) == "950");
    CHECK(fmt::si_count(-1) == fmt::kUnknown);
    CHECK(fmt::flops(1.234e12) == "1.23e12");
    CHECK(fmt::duration_ms(0.3) == "0.300 ms");
    CHECK(fmt::duration_ms(12.5) == "12.5 ms");
    CHECK(fmt::duration_ms(1520) == "1.52 s");
    CHECK(fmt::duration_ms(95000) == "1.6 min");
    CHECK(fmt::duration_ms(7.2e6) == "2.0 h");
    CHECK(fmt::dollars(0.01234) == "$0.0123");
    CHECK(fmt::dollars(1.5) == "$1.50");
    CHECK(fmt::dollars(1234.4) == "$1,234");
    CHECK(fmt::dollars(0) == "$0");
    CHECK(fmt::tokens(1234.5) == "1,235");
    CHECK(fmt::tokens(0.4) == "0.4");
}

TEST_CASE("quantities carry their markers", "[reports][format]") {
    Quantity q;
    CHECK(fmt::quantity(q, fmt::QuantityKind::flops) == fmt::kUnknown);
    q.value = 1.2e12;
    q.estimated = true;
    CHECK(fmt::quantity(q, fmt::QuantityKind::flops) == "~1.20e12");
    q.partial = true;
    CHECK(fmt::quantity(q, fmt::QuantityKind::flops) == "~1.20e12\xE2\x80\xA0");
    // Per puzzle: the mean over known attempts times attempts per attempted puzzle.
    QuantitySum s;
    s.add(10);
    s.add(30);
    s.add(-1);  // unknown
    Quantity p = s.per_puzzle(/*attempts=*/4, /*puzzles=*/2);
    CHECK(p.value == Approx(40));
    CHECK(p.partial);
    CHECK_FALSE(QuantitySum{}.per_puzzle(3, 3).known());
}

TEST_CASE("markdown escaping", "[reports][format]") {
    CHECK(fmt::md_cell("a|b_c*d") == "a\\|b\\_c\\*d");
    CHECK(fmt::md_cell("line\nbreak") == "line break");
    CHECK(fmt::md_code("a|b") == "`a\\|b`");
    CHECK(fmt::md_code("x`y") == "``x`y``");
    CHECK(fmt::md_code("`x") == "`` `x ``");
    CHECK(fmt::slug("arc-agi-1/evaluation") == "arc-agi-1_evaluation");
    CHECK(fmt::slug("../x y") == "x_y");
    CHECK(fmt::slug("") == "unnamed");
    CHECK(fmt::utc_time(1767261600000) == "2026-01-01 10:00 UTC");
    CHECK(fmt::utc_time(0) == fmt::kUnknown);
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("published numbers: TRM Tables 4 and 5", "[reports][published]") {
    const auto & all = published_results();
    CHECK(all.size() == 34);
    auto find = [&](const std::string & method, PublishedBenchmark b) -> const PublishedResult * {
        for (const auto & r : all)
            if (r.method == method && r.benchmark == b) return &r;
        return nullptr;
    };
    REQUIRE(find("TRM-Att", PublishedBenchmark::maze_hard));
    CHECK(find("TRM-Att", PublishedBenchmark::maze_hard)->accuracy_pct == 85.3);
    CHECK(find("TRM-MLP", PublishedBenchmark::sudoku_extreme)->accuracy_pct == 87.4);
    CHECK(find("TRM-MLP", PublishedBenchmark::sudoku_extreme)->params == 5e6);
    CHECK(find("TRM-MLP", PublishedBenchmark::maze_hard)->params == 19e6);
    CHECK(find("HRM", PublishedBenchmark::arc_agi_1)->accuracy_pct == 40.3);
    CHECK(find("TRM-Att", PublishedBenchmark::arc_agi_2)->accuracy_pct == 7.8);
    CHECK(find("Bespoke (Grok-4)", PublishedBenchmark::arc_agi_2)->accuracy_pct == 29.4);
    CHECK(find("Claude 3.7 16K", PublishedBenchmark::arc_agi_1)->params < 0);
    CHECK(find("TRM-Att", PublishedBenchmark::arc_agi_1)->source == "TRM Table 5");
    PublishedBenchmark b;
    CHECK(published_benchmark_for("arc", "arc-agi-2/evaluation", b));
    CHECK(b == PublishedBenchmark::arc_agi_2);
    CHECK(published_benchmark_for("sudoku", "sudoku/anything", b));
    CHECK(b == PublishedBenchmark::sudoku_extreme);
    CHECK_FALSE(published_benchmark_for("arc", "conceptarc/corpus", b));
    CHECK(published_for(PublishedBenchmark::maze_hard).size() == 7);
}

TEST_CASE("summary fields: names unique, values aligned with fields", "[reports][export]") {
    const auto & f = SummaryRecord::fields();
    std::set<std::string_view> names;
    for (const auto & x : f) CHECK(names.insert(x.name).second);
    Cell c;
    c.run_id = 3;
    c.solver = "s";
    c.accuracy = 0.5;
    SummaryRecord r{&c, nullptr};
    auto v = r.values();
    REQUIRE(v.size() == f.size());
    CHECK(std::get<int64_t>(v[0]) == 3);
    CHECK(std::holds_alternative<std::monostate>(v[2]));  // solver_kind unknown without a solver row
}
