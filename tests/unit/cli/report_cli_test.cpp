// `trmbench report` end to end on the fixture database (tests/unit/reports/fixture_db.h): the files
// it writes for each format, run selection (--run, --latest, --runs), exit codes of bad command
// lines, and the ARC submissions it writes scored by `trmbench score arc` to the report's numbers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "harness/core/paths.h"
#include "tests/support/test_support.h"
#include "tests/unit/reports/fixture_db.h"

namespace fs = std::filesystem;
using trmbench::read_file;
using trmbench::test::TempDir;
using trmbench::test::write_text;

namespace {

std::string trmbench_cmd(const std::string & args, int & rc) {
    std::string out;
    rc = trmbench::test::run_command(trmbench::test::trmbench_exe().string() + " " + args, out);
    return out;
}

struct Db {
    TempDir dir;
    fs::path db = dir / "results.db";
    explicit Db(bool second_run = false) { trmbench::test::fixture::build(db, second_run); }
};

// The fixture's ARC tasks as files (targets as in fixture_db.h), for `trmbench score arc`.
void write_arc_tasks(const fs::path & dir) {
    auto task = [&](const std::string & id, const std::vector<std::string> & outputs) {
        std::string tests;
        for (const auto & o : outputs) tests += (tests.empty() ? "" : ",") + std::string("{\"input\": [[0]], \"output\": ") + o + "}";
        write_text(dir / (id + ".json"), "{\"train\": [{\"input\": [[0]], \"output\": [[0]]}], \"test\": [" + tests + "]}");
    };
    task("t1", {"[[1]]"});
    task("t2", {"[[2, 2]]", "[[3], [3]]"});
    task("t3", {"[[4]]"});
    task("t4", {"[[5]]"});
}

}  // namespace

TEST_CASE("report writes markdown, figures and ARC submissions by default", "[cli][reports]") {
    Db f;
    fs::path out = f.dir / "report";
    int rc = -1;
    std::string text = trmbench_cmd("-q report --db " + f.db.string() + " --out " + out.string(), rc);
    INFO(text);
    REQUIRE(rc == 0);
    CHECK(fs::exists(out / "report.md"));
    CHECK(fs::exists(out / "figures/sudoku_rated_puzzles6_forum_hardest_1106_flops.svg"));
    CHECK(fs::exists(out / "figures/arc-agi-1_evaluation_params.svg"));
    CHECK(fs::exists(out / "submissions/run1_trm-att_arc-agi-1_evaluation.json"));
    CHECK(fs::exists(out / "figures/run1_train_loss.svg"));  // the fixture's training curves
    CHECK_FALSE(fs::exists(out / "summary.csv"));
    CHECK_THAT(text, Catch::Contains((out / "report.md").string()));
    std::string md = read_file(out / "report.md");
    CHECK_THAT(md, Catch::StartsWith("# trmbench report: run 1 (golden-suite)"));
    // The report's own command line is in the reproducibility block.
    CHECK_THAT(md, Catch::Contains("This report: `trmbench report --db " + f.db.string() + " --out " + out.string() + "`"));
}

TEST_CASE("report --format csv,json writes the exports only", "[cli][reports]") {
    Db f;
    fs::path out = f.dir / "exports";
    int rc = -1;
    std::string text = trmbench_cmd("-q report --run 1 --db " + f.db.string() + " --out " + out.string() + " --format csv,json", rc);
    INFO(text);
    REQUIRE(rc == 0);
    CHECK(fs::exists(out / "summary.csv"));
    CHECK(fs::exists(out / "steps.csv"));
    CHECK(fs::exists(out / "strata.csv"));
    CHECK(fs::exists(out / "train.csv"));
    CHECK(fs::exists(out / "report.json"));
    CHECK_FALSE(fs::exists(out / "report.md"));
    auto doc = nlohmann::json::parse(read_file(out / "report.json"));
    CHECK(doc["rows"].size() == 7);
}

TEST_CASE("report --runs compares runs; the latest run is the default", "[cli][reports]") {
    Db f(true);
    int rc = -1;
    std::string text = trmbench_cmd("-q report --runs 1,2 --db " + f.db.string() + " --out " + (f.dir / "cmp").string(), rc);
    INFO(text);
    REQUIRE(rc == 0);
    CHECK_THAT(read_file(f.dir / "cmp/report.md"), Catch::StartsWith("# trmbench report: runs 1, 2 compared"));
    text = trmbench_cmd("-q report --latest --db " + f.db.string() + " --out " + (f.dir / "latest").string(), rc);
    REQUIRE(rc == 0);
    CHECK_THAT(read_file(f.dir / "latest/report.md"), Catch::StartsWith("# trmbench report: run 2 "));
}

TEST_CASE("report: bad command lines are usage errors (exit 2)", "[cli][reports]") {
    Db f;
    std::string db = " --db " + f.db.string() + " --out " + (f.dir / "x").string();
    int rc = -1;
    std::string text = trmbench_cmd("report --run 99" + db, rc);
    CHECK(rc == 2);
    CHECK_THAT(text, Catch::Contains("run 99") && Catch::Contains("runs: 1"));
    trmbench_cmd("report --run 1 --latest" + db, rc);
    CHECK(rc == 2);
    trmbench_cmd("report --runs 1,x" + db, rc);
    CHECK(rc == 2);
    text = trmbench_cmd("report --format pdf" + db, rc);
    CHECK(rc == 2);
    CHECK_THAT(text, Catch::Contains("md, csv or json"));
    text = trmbench_cmd("report --db " + (f.dir / "nope.db").string() + " --out " + (f.dir / "y").string(), rc);
    CHECK(rc == 2);
    CHECK_THAT(text, Catch::Contains("nope.db"));
    trmbench_cmd("report --db " + f.db.string(), rc);  // --out is required
    CHECK(rc == 2);
}

TEST_CASE("report: an unreadable database is an I/O error (exit 4)", "[cli][reports]") {
    TempDir dir;
    write_text(dir / "garbage.db", "this is not an SQLite database, just text that is long enough to be read as a header");
    int rc = -1;
    std::string text = trmbench_cmd("report --db " + (dir / "garbage.db").string() + " --out " + (dir / "r").string(), rc);
    INFO(text);
    CHECK(rc == 4);
    CHECK_THAT(text, Catch::Contains("garbage.db"));
}

TEST_CASE("the report's ARC submissions score the same in trmbench score arc", "[cli][reports][arc]") {
    Db f;
    fs::path out = f.dir / "report";
    int rc = -1;
    std::string text = trmbench_cmd("-q report --db " + f.db.string() + " --out " + out.string() + " --format md,json", rc);
    REQUIRE(rc == 0);
    write_arc_tasks(f.dir / "tasks");
    auto report = nlohmann::json::parse(read_file(out / "report.json"));
    for (const char * solver : {"trm-att", "gpt-5-high"}) {
        fs::path sub = out / (std::string("submissions/run1_") + solver + "_arc-agi-1_evaluation.json");
        text = trmbench_cmd("score arc --tasks " + (f.dir / "tasks").string() + " --submission " + sub.string() + " --json", rc);
        INFO(solver << "\n" << text);
        REQUIRE(rc == 0);
        auto scored = nlohmann::json::parse(text);
        CHECK(scored["tasks"] == 4);
        CHECK(scored["test_outputs"] == 5);
        CHECK(scored["warnings"].empty());
        const nlohmann::json * row = nullptr;
        for (const auto & r : report["rows"])
            if (r["solver"] == solver && r["task_family"] == "arc") row = &r;
        REQUIRE(row);
        const auto & s = scored["scores"];
        CHECK(s["arc-prize"]["pass@1"].get<double>() == Approx((*row)["arc_prize_pass1"].get<double>()));
        CHECK(s["arc-prize"]["pass@2"].get<double>() == Approx((*row)["arc_prize_pass2"].get<double>()));
        CHECK(s["strict"]["pass@1"].get<double>() == Approx((*row)["arc_strict_pass1"].get<double>()));
        CHECK(s["strict"]["pass@2"].get<double>() == Approx((*row)["arc_strict_pass2"].get<double>()));
        CHECK(s["per-output"]["pass@1"].get<double>() == Approx((*row)["arc_per_output_pass1"].get<double>()));
        CHECK(s["per-output"]["pass@2"].get<double>() == Approx((*row)["arc_per_output_pass2"].get<double>()));
    }
    // The values themselves (hand-computed in fixture_db.h).
    text = trmbench_cmd("score arc --tasks " + (f.dir / "tasks").string() + " --submission " +
                            (out / "submissions/run1_trm-att_arc-agi-1_evaluation.json").string() + " --json",
                        rc);
    auto trm = nlohmann::json::parse(text);
    CHECK(trm["scores"]["arc-prize"]["pass@2"].get<double>() == Approx(0.375));
    CHECK(trm["scores"]["per-output"]["pass@1"].get<double>() == Approx(0.2));
}
