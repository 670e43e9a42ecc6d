// Reports end to end on the fixture database (fixture_db.h): the golden report.md, the numbers the
// report computes (pass@k over the manifest, Wilson intervals, missing items and attempts, ACT-step
// curves, strata, measures, ARC conventions, partial and estimated quantities, superseded costs),
// the CSV/JSON exports read back, the ARC submissions, figures, run comparison and errors.
//
// Golden file: tests/data/reports/golden/report.md. After an intended change of the report, run
//   TRMBENCH_UPDATE_GOLDEN=1 build/bin/test_reports "[golden]"
// and review the diff (git diff tests/data/reports/golden/) before committing it.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "reports/collect.h"
#include "reports/exports.h"
#include "reports/figures.h"
#include "reports/format.h"
#include "reports/report.h"
#include "results/reader.h"
#include "tasks/arc/arc_scoring.h"
#include "tests/support/test_support.h"
#include "tests/unit/reports/fixture_db.h"
#include "tests/unit/reports/xml_check.h"

using namespace trmbench;
namespace fs = std::filesystem;
namespace fixture = trmbench::test::fixture;
using trmbench::test::TempDir;

namespace {

struct Fixture {
    TempDir dir;
    fs::path db = dir / "results.db";
    std::vector<RunId> runs;
    explicit Fixture(bool second_run = false) { runs = fixture::build(db, second_run); }
    ReportData collect(std::vector<int64_t> ids = {1}) {
        ResultsReader reader(db);
        CollectOptions o;
        o.db_label = "results.db";
        return collect_report(reader, ids, o);
    }
};

const Cell & cell(const ReportData & d, const std::string & solver, const std::string & dataset, int64_t run = 1) {
    for (const auto & c : d.cells)
        if (c.solver == solver && c.dataset == dataset && c.run_id == run) return c;
    FAIL("no cell " << solver << " x " << dataset);
    throw std::logic_error("unreachable");
}

ReportOptions golden_options(const Fixture & f, const fs::path & out) {
    ReportOptions o;
    o.db = f.db;
    o.runs = {1};
    o.out_dir = out;
    o.formats = {"md", "csv", "json"};
    o.db_label = "results.db";
    o.generator = "trmbench (golden test)";
    o.command = "trmbench report --run 1 --db results.db --out report --format md,csv,json";
    return o;
}

// Minimal RFC 4180 reader: fields with quotes, doubled quotes, commas and newlines inside quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string & text) {
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') rows.back().back() += '"', ++i;
            else if (c == '"') quoted = false;
            else rows.back().back() += c;
        } else if (c == '"') quoted = true;
        else if (c == ',') rows.back().emplace_back();
        else if (c == '\n') rows.emplace_back(1);
        else rows.back().back() += c;
    }
    if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
    return rows;
}

std::string first_difference(const std::string & got, const std::string & want) {
    std::istringstream a(got), b(want);
    std::string la, lb;
    for (int line = 1;; ++line) {
        bool ea = !std::getline(a, la), eb = !std::getline(b, lb);
        if (ea && eb) return "";
        if (ea || eb || la != lb)
            return "line " + std::to_string(line) + ":\n  got:  " + (ea ? "<end>" : la) + "\n  want: " + (eb ? "<end>" : lb);
    }
}

}  // namespace

TEST_CASE("golden report.md from the fixture database", "[reports][golden]") {
    Fixture f;
    TempDir out;
    write_report(golden_options(f, out.path()));
    std::string md = read_file(out / "report.md");
    fs::path golden = test::source_dir() / "tests/data/reports/golden/report.md";
    if (auto update = env("TRMBENCH_UPDATE_GOLDEN"); update && *update == "1") {
        write_file_atomic(golden, md);
        WARN("rewrote " << golden << "; review the diff before committing");
    }
    REQUIRE(fs::exists(golden));
    std::string want = read_file(golden);
    INFO("regenerate with TRMBENCH_UPDATE_GOLDEN=1 build/bin/test_reports \"[golden]\" after an intended change");
    INFO(first_difference(md, want));
    CHECK(md == want);
}

TEST_CASE("the same database gives the same report", "[reports]") {
    Fixture f;
    TempDir a, b;
    write_report(golden_options(f, a.path()));
    write_report(golden_options(f, b.path()));
    for (const char * file : {"report.md", "summary.csv", "report.json", "figures/sudoku_rated_puzzles6_forum_hardest_1106_flops.svg"})
        CHECK(read_file(a / file) == read_file(b / file));
}

TEST_CASE("the report does not depend on the number of reader threads", "[reports]") {
    Fixture f(true);
    std::string last;
    for (int threads : {1, 2, 5}) {
        ResultsReader reader(f.db);
        CollectOptions o;
        o.threads = threads;
        ReportData d = collect_report(reader, {1, 2}, o);
        std::string text = summary_csv(d) + steps_csv(d) + strata_csv(d);
        if (!last.empty()) CHECK(text == last);
        last = text;
    }
}

TEST_CASE("accuracy is over the manifest, with Wilson intervals and missing items", "[reports]") {
    Fixture f;
    ReportData d = f.collect();
    REQUIRE(d.cells.size() == 7);  // trm-att x 3, gpt-5-high x 3, dlx-baseline x 1
    const Cell & trm = cell(d, "trm-att", fixture::kSudoku);
    CHECK(trm.n_items == 10);
    CHECK(trm.n_items_correct == 8);
    CHECK(trm.accuracy == Approx(0.8));
    CHECK(trm.metric == "exact, pass@1");
    CHECK(trm.ci.low == Approx(0.49016).epsilon(1e-4));  // Wilson 8/10
    CHECK(trm.ci.high == Approx(0.94332).epsilon(1e-4));
    const Cell & gpt = cell(d, "gpt-5-high", fixture::kSudoku);
    CHECK(gpt.n_items == 10);           // not the 8 answers received
    CHECK(gpt.n_items_attempted == 8);
    CHECK(gpt.n_items_correct == 1);
    CHECK(gpt.accuracy == Approx(0.1));
    CHECK(gpt.missing_attempts == 2);
    CHECK(gpt.outcome(Outcome::truncated) == 1);
    CHECK(gpt.outcome(Outcome::parse_error) == 1);
    CHECK(gpt.outcome(Outcome::http_error) == 1);
    CHECK(gpt.outcome(Outcome::rate_limited) == 1);
    CHECK(gpt.outcome(Outcome::timeout) == 0);  // superseded by the http_error record
    CHECK(gpt.api_errors() == 2);
    CHECK(gpt.retries == 8);
    const Cell & dlx = cell(d, "dlx-baseline", fixture::kSudoku);
    CHECK(dlx.accuracy == 1.0);
    CHECK(dlx.ci.high == 1.0);
    CHECK(dlx.ci.low == Approx(0.72247).epsilon(1e-4));
}

TEST_CASE("per-puzzle compute: unknown, partial, estimated, superseded cost", "[reports]") {
    Fixture f;
    ReportData d = f.collect();
    const Cell & trm = cell(d, "trm-att", fixture::kSudoku);
    // 9 attempts x 16e9 + 1 x 4e9 over 10 puzzles.
    CHECK(trm.flops.value == Approx(14.8e9));
    CHECK_FALSE(trm.flops.estimated);
    CHECK_FALSE(trm.flops.partial);
    CHECK_FALSE(trm.cost_usd.known());
    CHECK(trm.total_cost_usd < 0);
    CHECK(trm.act_steps_mean == Approx(14.8));
    const Cell & gpt = cell(d, "gpt-5-high", fixture::kSudoku);
    CHECK(gpt.flops.estimated);
    CHECK(gpt.flops.partial);  // http_error and rate_limited attempts have no usage
    CHECK(gpt.flops.value == Approx(2.0 * 5e10 * 2900));
    CHECK(gpt.cost_usd.value == Approx(0.02));  // mean of the 6 known x 8 attempts / 8 puzzles
    CHECK(gpt.cost_usd.partial);
    CHECK(gpt.input_tokens.value == Approx(800));
    CHECK(gpt.total_cost_usd == Approx(6 * 0.02 + 0.005));  // the replaced timeout cost money too
    const Cell & dlx = cell(d, "dlx-baseline", fixture::kSudoku);
    CHECK_FALSE(dlx.flops.known());
    CHECK(dlx.wall_ms.value == Approx(0.3));
    CHECK(fmt::quantity(gpt.flops, fmt::QuantityKind::flops) == "~2.90e14\xE2\x80\xA0");
    CHECK(fmt::quantity(dlx.flops, fmt::QuantityKind::flops) == "\xE2\x80\x93");
}

TEST_CASE("ACT-step curve: carried answers of early halts, FLOPs up to each step", "[reports]") {
    Fixture f;
    ReportData d = f.collect();
    const Cell & trm = cell(d, "trm-att", fixture::kSudoku);
    REQUIRE(trm.steps.size() == 16);
    // First right at steps 1 2 3 4 6 8 10 14 (s0 halted after 4 steps, right since step 1).
    const int64_t want[16] = {1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 7, 7, 8, 8, 8};
    for (int s = 0; s < 16; ++s) {
        INFO("step " << s + 1);
        CHECK(trm.steps[static_cast<size_t>(s)].correct == want[s]);
    }
    // FLOPs at step s: (9 x s + min(s, 4)) x 1e9 / 10.
    CHECK(trm.steps[0].flops_per_puzzle == Approx(1e9));
    CHECK(trm.steps[5].flops_per_puzzle == Approx((9 * 6 + 4) * 1e8));
    CHECK(trm.steps[15].flops_per_puzzle == Approx(trm.flops.value));
    CHECK(cell(d, "gpt-5-high", fixture::kSudoku).steps.empty());
    CHECK(cell(d, "trm-att", fixture::kArc).steps.empty());
}

TEST_CASE("difficulty strata: Sudoku rating bands and maze path-length bands", "[reports]") {
    Fixture f;
    ReportData d = f.collect();
    const DatasetEntry * sudoku = d.dataset(1, fixture::kSudoku);
    REQUIRE(sudoku);
    using P = std::pair<std::string, int64_t>;
    CHECK(sudoku->strata == std::vector<P>{{"0", 1}, {"1-9", 2}, {"10-29", 2}, {"30-59", 2}, {"60+", 3}});
    const Cell & trm = cell(d, "trm-att", fixture::kSudoku);
    std::vector<int64_t> correct;
    for (const auto & s : trm.strata) correct.push_back(s.correct);
    CHECK(correct == std::vector<int64_t>{1, 2, 2, 2, 1});  // s8 (90) and s9 (150) never right
    const Cell & gpt = cell(d, "gpt-5-high", fixture::kSudoku);
    CHECK(gpt.strata.front().correct == 1);
    CHECK(gpt.strata.back().correct == 0);
    const DatasetEntry * maze = d.dataset(1, fixture::kMaze);
    REQUIRE(maze);
    CHECK(maze->strata == std::vector<P>{{"<=110", 1}, {"111-114", 2}, {"115-119", 1}, {"120-129", 1}, {"130+", 1}});
    const DatasetEntry * arc = d.dataset(1, fixture::kArc);
    REQUIRE(arc);
    CHECK(arc->strata == std::vector<P>{{"unknown", 5}});
    CHECK(arc->n_tasks == 4);
}

TEST_CASE("maze measures side by side", "[reports]") {
    Fixture f;
    ReportData d = f.collect();
    const Cell & trm = cell(d, "trm-att", fixture::kMaze);
    REQUIRE(trm.measures.size() == 3);
    CHECK(trm.measures[0].name == "exact");
    CHECK(trm.measures[0].items_true == 4);
    CHECK(trm.measures[1].name == "valid");
    CHECK(trm.measures[1].items_true == 5);
    CHECK(trm.measures[2].name == "optimal");
    CHECK(trm.measures[2].items_true == 5);
    CHECK(cell(d, "gpt-5-high", fixture::kMaze).measures[1].items_true == 1);
}

TEST_CASE("ARC: all three conventions at pass@1 and pass@2 through the report", "[reports][arc]") {
    Fixture f;
    ReportData d = f.collect();
    const Cell & trm = cell(d, "trm-att", fixture::kArc);
    REQUIRE(trm.arc);
    CHECK(trm.k == 2);
    CHECK(trm.metric == "ARC Prize per-task, pass@2");
    CHECK(trm.arc->pass1.arc_prize == Approx(0.25));
    CHECK(trm.arc->pass1.strict == Approx(0.25));
    CHECK(trm.arc->pass1.per_output == Approx(0.20));
    CHECK(trm.arc->pass2.arc_prize == Approx(0.375));
    CHECK(trm.arc->pass2.strict == Approx(0.25));
    CHECK(trm.arc->pass2.per_output == Approx(0.40));
    CHECK(trm.arc->pass2.missing_tasks == 1);  // t4 has no attempt: counted 0, never dropped
    CHECK(trm.accuracy == Approx(0.375));
    CHECK(trm.denominator == 4);
    CHECK(trm.unit == "tasks");
    Interval w = wilson_interval(1.5, 4);
    CHECK(trm.ci.low == Approx(w.low));
    CHECK(trm.ci.high == Approx(w.high));
    const Cell & gpt = cell(d, "gpt-5-high", fixture::kArc);
    REQUIRE(gpt.arc);
    CHECK(gpt.arc->pass1.arc_prize == Approx(0.25));
    CHECK(gpt.arc->pass1.per_output == Approx(0.40));
    CHECK(gpt.arc->pass2.arc_prize == Approx(0.50));
    CHECK(gpt.arc->pass2.strict == Approx(0.50));
    CHECK(gpt.arc->pass2.per_output == Approx(0.60));
    CHECK(gpt.outcome(Outcome::refused) == 1);
    CHECK(gpt.outcome(Outcome::skipped) == 1);
}

TEST_CASE("ARC submissions re-score to the report's numbers", "[reports][arc]") {
    Fixture f;
    TempDir out;
    write_report(golden_options(f, out.path()));
    std::vector<ArcTaskTruth> truths = {{"t1", {fixture::arc_target("t1", 0)}},
                                        {"t2", {fixture::arc_target("t2", 0), fixture::arc_target("t2", 1)}},
                                        {"t3", {fixture::arc_target("t3", 0)}},
                                        {"t4", {fixture::arc_target("t4", 0)}}};
    ArcSubmission trm = load_arc_submission(out / "submissions/run1_trm-att_arc-agi-1_evaluation.json");
    CHECK(trm.warnings.empty());
    CHECK(trm.tasks.size() == 4);  // every task of the set, t4 with empty attempts
    ArcScore s2 = score_arc_submission(truths, trm, 2), s1 = score_arc_submission(truths, trm, 1);
    CHECK(s2.arc_prize == Approx(0.375));
    CHECK(s1.per_output == Approx(0.20));
    ArcSubmission gpt = load_arc_submission(out / "submissions/run1_gpt-5-high_arc-agi-1_evaluation.json");
    CHECK(score_arc_submission(truths, gpt, 2).per_output == Approx(0.60));
    std::string text = read_file(out / "submissions/run1_gpt-5-high_arc-agi-1_evaluation.json");
    CHECK_THAT(text, Catch::Contains("\"attempt_1\"") && Catch::Contains("\"attempt_2\""));
}

TEST_CASE("summary.csv reads back to the same records", "[reports][export]") {
    Fixture f;
    TempDir out;
    write_report(golden_options(f, out.path()));
    auto rows = parse_csv(read_file(out / "summary.csv"));
    REQUIRE(rows.size() == 1 + 7);
    const auto & fields = SummaryRecord::fields();
    REQUIRE(rows[0].size() == fields.size());
    for (size_t i = 0; i < fields.size(); ++i) CHECK(rows[0][i] == fields[i].name);
    auto col = [&](const std::string & name) {
        for (size_t i = 0; i < rows[0].size(); ++i)
            if (rows[0][i] == name) return i;
        FAIL("no column " << name);
        return size_t(0);
    };
    ReportData d = f.collect();
    for (size_t r = 1; r < rows.size(); ++r) {
        REQUIRE(rows[r].size() == fields.size());
        const Cell & c = d.cells[r - 1];
        CHECK(rows[r][col("solver")] == c.solver);
        CHECK(rows[r][col("dataset")] == c.dataset);
        CHECK(std::stod(rows[r][col("accuracy")]) == c.accuracy);  // %.17g: exact round trip
        CHECK(std::stoll(rows[r][col("n_items")]) == c.n_items);
    }
    // Unknowns are empty fields, not 0 or -1.
    size_t gpt_row = 4;  // trm x 3, then gpt-5-high on Sudoku
    CHECK(rows[gpt_row][col("solver")] == "gpt-5-high");
    CHECK(rows[gpt_row][col("n_params")].empty());
    CHECK(rows[gpt_row][col("flops_estimated")] == "1");
    CHECK(rows[gpt_row][col("outcome_truncated")] == "1");
    CHECK(rows[1][col("cost_usd_per_puzzle")].empty());
    auto steps = parse_csv(read_file(out / "steps.csv"));
    CHECK(steps.size() == 1 + 16 + 16);  // trm-att on Sudoku and Maze
    auto strata = parse_csv(read_file(out / "strata.csv"));
    CHECK(strata.size() > 1);
}

TEST_CASE("report.json reads back: rows, ARC scores, runs, published numbers", "[reports][export]") {
    Fixture f;
    TempDir out;
    write_report(golden_options(f, out.path()));
    auto doc = nlohmann::json::parse(read_file(out / "report.json"));
    REQUIRE(doc["rows"].size() == 7);
    CHECK(doc["fields"].size() == SummaryRecord::fields().size());
    const auto & gpt = doc["rows"][3];
    CHECK(gpt["solver"] == "gpt-5-high");
    CHECK(gpt["accuracy"].get<double>() == Approx(0.1));
    CHECK(gpt["n_params"].is_null());
    CHECK(gpt["flops_estimated"] == true);
    CHECK(gpt["n_items_missing"] == 2);
    REQUIRE(doc["arc"].size() == 2);
    CHECK(doc["arc"][0]["pass2"]["arc_prize"].get<double>() == Approx(0.375));
    CHECK(doc["arc"][0]["pass1"]["per_output"].get<double>() == Approx(0.2));
    CHECK(doc["runs"][0]["git_sha"] == "abc1234");
    CHECK(doc["runs"][0]["command"] == "trmbench run --suite golden.json --db results.db");
    CHECK(doc["runs"][0]["item_subset_hash"].get<std::string>().size() == 64);
    CHECK(doc["published"].size() == 34);
    CHECK(doc["steps"].size() == 32);
    CHECK(doc["submissions"].size() == 2);
}

TEST_CASE("figures of the fixture are well-formed and show curves and published markers", "[reports][plot]") {
    Fixture f;
    ReportData d = f.collect();
    auto figures = build_figures(d);
    REQUIRE(figures.size() == 9 + 5);  // 3 datasets x (FLOPs, dollars, params), 5 training metrics
    trmbench::test::XmlChecker xml;
    for (const auto & fig : figures) {
        auto r = plot::render(fig.figure);
        INFO(fig.file_name);
        CHECK(xml.check(r.svg) == "");
        CHECK(r.points_outside == 0);
    }
    const auto & flops = figures[0];
    CHECK(flops.kind == "flops");
    auto r = plot::render(flops.figure);
    CHECK_THAT(r.svg, Catch::Contains("TRM-MLP 5M"));          // published, Table 4
    CHECK_THAT(r.svg, Catch::Contains("FLOPs unknown"));       // dlx-baseline's strip
    CHECK_THAT(r.svg, Catch::Contains("step 1<"));             // the ACT-step curve
    CHECK_THAT(r.svg, Catch::Contains("trm-att ACT steps"));
    CHECK_THAT(r.svg, Catch::Contains("gpt-5-high (est.)"));   // estimated FLOPs are marked
    CHECK_THAT(r.svg, Catch::Contains("pareto-frontier"));
    CHECK_THAT(flops.caption, Catch::Contains("Table 4"));
    // ARC figures cite Table 5; the params figure places published numbers on the axis.
    CHECK_THAT(figures[6].caption, Catch::Contains("Table 5"));
    CHECK_THAT(plot::render(figures[8].figure).svg, Catch::Contains("TRM-Att 7M"));
}

TEST_CASE("training curves: read per series and metric, non-finite values left out", "[reports][train]") {
    Fixture f;
    ReportData d = f.collect();
    REQUIRE(d.train_curves.size() == 6);
    // Ordered by series, then metric name.
    std::vector<std::string> names;
    for (const auto & c : d.train_curves) names.push_back(c.series + "/" + c.name);
    CHECK(names == std::vector<std::string>{"trm-att/exact_accuracy", "trm-att/loss", "trm-att/mean_steps",
                                            "trm-att/q_halt_accuracy", "trm-att/throughput", "trm-mlp/loss"});
    const TrainCurve & loss = d.train_curves[1];
    CHECK(loss.points.size() == 40);
    CHECK(loss.dropped == 1);  // +inf at step 1000
    CHECK(loss.points[1].step == 500);
    CHECK(loss.points[2].step == 1500);
    CHECK(loss.points.back().step == 20000);
    CHECK(loss.points.back().wall_time_s == Approx(100));
    CHECK(loss.points.back().value == Approx(0.05));
    CHECK(d.train_curves[5].points.size() == 21);
    // Run 2 trained nothing.
    Fixture f2(true);
    CHECK(f2.collect({2}).train_curves.empty());
}

TEST_CASE("training figures: one per metric, log loss, accuracies in percent", "[reports][train][plot]") {
    Fixture f;
    ReportData d = f.collect();
    std::vector<FigureFile> train;
    for (auto & fig : build_figures(d))
        if (fig.kind == "train") train.push_back(fig);
    REQUIRE(train.size() == 5);
    std::vector<std::string> files;
    for (const auto & fig : train) files.push_back(fig.file_name);
    CHECK(files == std::vector<std::string>{"figures/run1_train_loss.svg", "figures/run1_train_exact_accuracy.svg",
                                            "figures/run1_train_q_halt_accuracy.svg", "figures/run1_train_mean_steps.svg",
                                            "figures/run1_train_throughput.svg"});
    const plot::Figure & loss = train[0].figure;
    CHECK(loss.y.scale == plot::Scale::log);  // 2.5 -> 0.05 spans 1.7 decades
    REQUIRE(loss.series.size() == 2);         // trm-att and trm-mlp
    CHECK(loss.series[0].name == "trm-att");
    CHECK(loss.series[0].points.size() == 40);
    CHECK(loss.legend.size() == 2);
    CHECK_THAT(train[0].caption, Catch::Contains("1 non-finite value (NaN or infinite) is left out"));
    const plot::Figure & acc = train[1].figure;
    REQUIRE(acc.series.size() == 1);
    CHECK(acc.y.ticks.back().value == 100);  // the percent axis
    CHECK(acc.series[0].points.back().y == Approx(80));
    CHECK(acc.series[0].points.back().x == 20000);
    CHECK(train[4].figure.y.scale == plot::Scale::linear);
    CHECK(train[4].figure.y.lo < 1200);
    CHECK(train[4].figure.y.hi > 1200);
    trmbench::test::XmlChecker xml;
    for (const auto & fig : train) {
        auto r = plot::render(fig.figure);
        INFO(fig.file_name);
        CHECK(xml.check(r.svg) == "");
        CHECK(r.points_outside == 0);
    }
}

TEST_CASE("long training curves are thinned in the figure, kept whole in the exports", "[reports][train]") {
    ReportData d;
    d.runs.push_back({});
    d.runs[0].id = 1;
    TrainCurve c{1, "", "loss", {}, 0};
    for (int64_t s = 0; s < 10001; ++s) c.points.push_back({s, 0.01 * static_cast<double>(s), 1.0 + 1.0 / static_cast<double>(s + 1)});
    d.train_curves.push_back(c);
    auto figs = build_figures(d);
    REQUIRE(figs.size() == 1);
    const auto & pts = figs[0].figure.series.at(0).points;
    CHECK(pts.size() <= 2001);
    CHECK(pts.size() >= 1000);
    CHECK(pts.front().x == 0);
    CHECK(pts.back().x == 10000);  // the last point is always drawn
    CHECK(figs[0].figure.series[0].name == "training");
    CHECK_THAT(figs[0].caption, Catch::Contains("of 10,001"));
    CHECK(figs[0].figure.y.scale == plot::Scale::linear);  // 2.0 -> 1.0001: not worth a log axis
    auto rows = parse_csv(train_csv(d));
    CHECK(rows.size() == 1 + 10001);
}

TEST_CASE("training curves in report.md, train.csv and report.json", "[reports][train][export]") {
    Fixture f;
    TempDir out;
    write_report(golden_options(f, out.path()));
    std::string md = read_file(out / "report.md");
    CHECK_THAT(md, Catch::Contains("## Training curves"));
    CHECK_THAT(md, Catch::Contains("| trm-att | loss | 40 (+1 non-finite) | 0\xE2\x80\x93" "20,000 |"));
    CHECK_THAT(md, Catch::Contains("](figures/run1_train_loss.svg)"));
    CHECK(fs::exists(out / "figures/run1_train_throughput.svg"));
    auto rows = parse_csv(read_file(out / "train.csv"));
    CHECK(rows.size() == 1 + 5 * 41 - 1 + 21);
    CHECK(rows[0] == std::vector<std::string>{"run_id", "series", "metric", "step", "wall_time_s", "value"});
    auto doc = nlohmann::json::parse(read_file(out / "report.json"));
    REQUIRE(doc["train_metrics"].size() == 6);
    CHECK(doc["train_metrics"][1]["metric"] == "loss");
    CHECK(doc["train_metrics"][1]["non_finite_dropped"] == 1);
    CHECK(doc["train_metrics"][1]["points"].size() == 40);
    CHECK(doc["train_metrics"][1]["points"][40 - 1][0] == 20000);
    // A run without training curves has neither the section nor train.csv.
    Fixture f2(true);
    TempDir out2;
    ReportOptions o = golden_options(f2, out2.path());
    o.runs = {2};
    write_report(o);
    CHECK_THAT(read_file(out2 / "report.md"), !Catch::Contains("## Training curves"));
    CHECK_FALSE(fs::exists(out2 / "train.csv"));
}

TEST_CASE("figures without any x value say so instead of drawing a frontier", "[reports][plot]") {
    Fixture f;
    ReportData d = f.collect();
    // Keep only dlx-baseline (no FLOPs, no cost) on Sudoku.
    std::erase_if(d.cells, [](const Cell & c) { return c.solver != "dlx-baseline"; });
    auto figs = build_figures(d);
    REQUIRE(figs.size() >= 2);
    CHECK(figs[0].kind == "flops");
    CHECK_THAT(figs[0].caption, !Catch::Contains("Pareto"));
    CHECK_THAT(figs[0].figure.x.label, Catch::Contains("no solver has FLOPs recorded"));
    CHECK(figs[1].kind == "dollars");
    CHECK_THAT(figs[1].caption, !Catch::Contains("Pareto"));
    CHECK_THAT(figs[1].figure.x.label, Catch::Contains("no solver has a cost recorded"));
    // With measured values the frontier is described (the fixture's own figures).
    CHECK_THAT(build_figures(f.collect())[0].caption, Catch::Contains("Pareto frontier"));
}

TEST_CASE("comparing runs adds a run column", "[reports]") {
    Fixture f(true);
    TempDir out;
    ReportOptions o = golden_options(f, out.path());
    o.runs = {1, 2};
    o.formats = {"md"};
    auto res = write_report(o);
    CHECK(res.runs == std::vector<int64_t>{1, 2});
    std::string md = read_file(out / "report.md");
    CHECK_THAT(md, Catch::Contains("# trmbench report: runs 1, 2 compared"));
    CHECK_THAT(md, Catch::Contains("| run | solver | dataset |"));
    CHECK_THAT(md, Catch::Contains("| 2 | trm-att | `sudoku/rated/puzzles6_forum_hardest_1106` | exact, pass@1 | 90.0% |"));
    CHECK_THAT(md, Catch::Contains("### Run 2"));
    ReportData d = f.collect({1, 2});
    CHECK(d.cells.size() == 8);
    CHECK(cell(d, "trm-att", fixture::kSudoku, 2).n_items_correct == 9);
    // Latest run by default.
    o.runs.clear();
    CHECK(write_report(o).runs == std::vector<int64_t>{2});
}

TEST_CASE("report errors are usage errors naming the problem", "[reports]") {
    Fixture f;
    TempDir out;
    ReportOptions o = golden_options(f, out.path());
    o.runs = {99};
    CHECK_THROWS_AS(write_report(o), UsageError);
    CHECK_THROWS_WITH(write_report(o), Catch::Contains("run 99") && Catch::Contains("runs: 1"));
    o.runs = {1};
    o.db = out / "missing.db";
    CHECK_THROWS_AS(write_report(o), UsageError);
    CHECK_THROWS_AS(parse_report_formats("md,pdf"), UsageError);
    CHECK(parse_report_formats("csv, JSON,md,csv") == std::vector<std::string>{"csv", "json", "md"});
    // A database with no runs.
    fs::path empty = out / "empty.db";
    { ResultsStore store(empty); }
    o.db = empty;
    CHECK_THROWS_WITH(write_report(o), Catch::Contains("no runs"));
}

TEST_CASE("item-subset hash is over dataset and example ids in manifest order", "[reports]") {
    std::string a = item_subset_hash({{"d", "x"}, {"d", "y"}});
    CHECK(a == sha256_hex("d\tx\nd\ty\n"));
    CHECK(a != item_subset_hash({{"d", "y"}, {"d", "x"}}));
}
