// The run loop end to end on generated data with the baselines: manifest up front, every attempt
// stored and scored, resume after an interruption equal to an uninterrupted run, re-run behaviour,
// time budget, and shards that merge into the whole run.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>

#include "harness/core/error.h"
#include "harness/run/interrupt.h"
#include "results/merge.h"
#include "tests/unit/run/run_test_support.h"

using namespace trmbench;
using namespace trmbench::test;
namespace fs = std::filesystem;

namespace {

// Attempts the suite asks for: sudoku-exact 24, maze-bfs 6, identity 30, random 30 (x attempts).
constexpr int64_t kSudoku = 24, kMaze = 6, kAttempts = kSudoku + kMaze + 2 * (kSudoku + kMaze);

std::string read_stream(std::FILE * f) {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    return out;
}

const Aggregate * find_agg(const std::vector<Aggregate> & aggs, const std::string & solver, const std::string & dataset) {
    for (const auto & a : aggs)
        if (a.solver == solver && a.dataset == dataset) return &a;
    return nullptr;
}

}  // namespace

TEST_CASE("a baseline run stores the manifest up front and scores every attempt", "[run][runner]") {
    TempDir dir;
    Plan plan = plan_for(baseline_suite(kSudoku, kMaze), dir.path());
    fs::path db = dir / "r.sqlite";
    RunSummary s = run_plan(plan, quiet_options(db));
    CHECK(s.status == "completed");
    CHECK(s.exit_code == 0);
    CHECK(s.recorded == kAttempts);
    CHECK(s.not_made == 0);
    CHECK_FALSE(s.resumed);

    ResultsReader reader(db);
    CHECK(reader.integrity_check() == "ok");
    CHECK(reader.count_items(s.run_id) == kSudoku + kMaze);  // denominator = the datasets
    CHECK(reader.count_attempts(s.run_id) == kAttempts);
    auto items = reader.items(s.run_id);
    REQUIRE(items.size() == static_cast<size_t>(kSudoku + kMaze));
    CHECK(items.front().dataset == "generated/sudoku/n24-seed5");
    CHECK_FALSE(items.front().stratum.empty());  // the suite stratifies the Sudoku set
    CHECK(items.back().stratum.empty());
    for (size_t i = 0; i < items.size(); ++i) CHECK(items[i].position == static_cast<int64_t>(i));

    auto aggs = reader.aggregate(s.run_id);
    const Aggregate * exact = find_agg(aggs, "sudoku-exact", "generated/sudoku/n24-seed5");
    const Aggregate * bfs = find_agg(aggs, "maze-bfs", "generated/maze/n6-seed5-size10");
    const Aggregate * id = find_agg(aggs, "identity", "generated/sudoku/n24-seed5");
    REQUIRE(exact);
    REQUIRE(bfs);
    REQUIRE(id);
    CHECK(exact->n_items == kSudoku);
    CHECK(exact->n_items_correct == kSudoku);  // the classical solvers are the 100% reference
    CHECK(bfs->n_items_correct == kMaze);
    CHECK(id->n_items_attempted == kSudoku);
    CHECK(id->n_items_correct == 0);
    CHECK_FALSE(find_agg(aggs, "sudoku-exact", "generated/maze/n6-seed5-size10"));

    auto run = reader.run(s.run_id);
    REQUIRE(run);
    CHECK(run->status == "completed");
    CHECK(run->config_hash == plan.config_hash);
    CHECK(run->suite_name == "baselines");
    CHECK(run->dataset_hashes == plan.dataset_hashes);
    CHECK(run->seeds.at("generate:sudoku") == 5);
    CHECK(run->config_json.find(plan.tasks[0].subset.ids_sha256) != std::string::npos);  // subset hash with the run
    CHECK(run->shard_count == 1);
    auto solvers = reader.solvers(s.run_id);
    CHECK(solvers.size() == 4);

    REQUIRE(s.rows.size() == 6);
    CHECK(s.rows[0].solver == "sudoku-exact");
    CHECK(s.rows[0].items_correct == kSudoku);
    std::string text = format_summary(s, db);
    CHECK(text.find("sudoku-exact") != std::string::npos);
    CHECK(text.find("100.0%") != std::string::npos);
    CHECK(text.find("completed") != std::string::npos);
    CHECK(text.find("resume with") == std::string::npos);
}

TEST_CASE("an interrupted run resumes to what an uninterrupted run stores", "[run][runner]") {
    TempDir dir;
    std::string suite = baseline_suite(kSudoku, kMaze, 2);
    fs::path whole_db = dir / "whole.sqlite";
    Plan whole_plan = plan_for(suite, dir.path());
    RunSummary whole = run_plan(whole_plan, quiet_options(whole_db));
    REQUIRE(whole.status == "completed");
    auto expected = read_attempts(whole_db, whole.run_id);
    REQUIRE(expected.size() == static_cast<size_t>(2 * kAttempts));

    for (int64_t k : {1, 7, 47, 119}) {
        DYNAMIC_SECTION("stopped after " << k << " attempts") {
            fs::path db = dir / ("part" + std::to_string(k) + ".sqlite");
            Plan p1 = plan_for(suite, dir.path());
            RunOptions o = quiet_options(db);
            o.stop_after_attempts = k;
            RunSummary first = run_plan(p1, o);
            CHECK(first.status == "interrupted");
            CHECK(first.recorded == k);
            CHECK(first.not_made == 2 * kAttempts - k);
            CHECK(first.stop_reason.find("stopped after") != std::string::npos);
            CHECK(first.resume_command == "trmbench run test --resume " + std::to_string(first.run_id));
            CHECK(read_attempts(db, first.run_id).size() == static_cast<size_t>(k));

            Plan p2 = plan_for(suite, dir.path());
            RunOptions o2 = quiet_options(db);
            o2.resume = ResumeMode::automatic;
            RunSummary second = run_plan(p2, o2);
            CHECK(second.resumed);
            CHECK(second.run_id == first.run_id);
            CHECK(second.status == "completed");
            CHECK(second.pending_at_start == 2 * kAttempts - k);
            CHECK(second.recorded == 2 * kAttempts - k);  // nothing stored is made again
            CHECK(read_attempts(db, second.run_id) == expected);
            ResultsReader reader(db);
            CHECK(reader.run(first.run_id)->resume_count == 1);
            CHECK(reader.superseded_attempts(first.run_id).empty());
            CHECK(reader.runs().size() == 1);
        }
    }
}

TEST_CASE("a plain re-run offers the unfinished run instead of resuming silently", "[run][runner]") {
    TempDir dir;
    std::string suite = baseline_suite(kSudoku, kMaze);
    fs::path db = dir / "r.sqlite";
    RunOptions o = quiet_options(db);
    o.stop_after_attempts = 5;
    Plan p1 = plan_for(suite, dir.path());
    RunSummary first = run_plan(p1, o);
    REQUIRE(first.status == "interrupted");

    SECTION("without a terminal: a hint, and a new run") {
        std::FILE * out = std::tmpfile();
        RunOptions o2 = quiet_options(db);
        o2.quiet = false;
        o2.out = out;
        Plan p2 = plan_for(suite, dir.path());
        RunSummary second = run_plan(p2, o2);
        std::string text = read_stream(out);
        std::fclose(out);
        CHECK(second.run_id != first.run_id);
        CHECK_FALSE(second.resumed);
        CHECK(text.find("run " + std::to_string(first.run_id) + " (interrupted, 5 attempts stored") != std::string::npos);
        CHECK(text.find("trmbench run test --resume " + std::to_string(first.run_id)) != std::string::npos);
    }
    SECTION("on a terminal: asked, and resumed when confirmed") {
        std::string asked;
        RunOptions o2 = quiet_options(db);
        o2.confirm = [&](const std::string & q) {
            asked = q;
            return true;
        };
        Plan p2 = plan_for(suite, dir.path());
        RunSummary second = run_plan(p2, o2);
        CHECK(asked.find("resume run " + std::to_string(first.run_id)) != std::string::npos);
        CHECK(second.run_id == first.run_id);
        CHECK(second.recorded == kAttempts - 5);
    }
    SECTION("--new never resumes") {
        RunOptions o2 = quiet_options(db);
        o2.resume = ResumeMode::never;
        o2.confirm = [](const std::string &) { return true; };
        Plan p2 = plan_for(suite, dir.path());
        CHECK(run_plan(p2, o2).run_id != first.run_id);
    }
}

TEST_CASE("resume (--resume) refuses a run of another configuration or an unknown id", "[run][runner]") {
    TempDir dir;
    fs::path db = dir / "r.sqlite";
    Plan p1 = plan_for(baseline_suite(kSudoku, kMaze), dir.path());
    RunSummary first = run_plan(p1, quiet_options(db));
    RunOptions o = quiet_options(db);
    o.resume = ResumeMode::run_id;
    o.resume_id = first.run_id;
    Plan other = plan_for(baseline_suite(kSudoku - 1, kMaze), dir.path());
    CHECK_THROWS_WITH(run_plan(other, o), Catch::Contains("different configuration"));
    o.resume_id = 99;
    Plan same = plan_for(baseline_suite(kSudoku, kMaze), dir.path());
    CHECK_THROWS_WITH(run_plan(same, o), Catch::Contains("--resume 99: no such run"));
    Plan shard = plan_for(baseline_suite(kSudoku, kMaze), dir.path(), Shard{0, 2});
    o.resume_id = first.run_id;
    CHECK_THROWS_WITH(run_plan(shard, o), Catch::Contains("that run is shard 0/1, not 0/2"));
    CHECK(ResultsReader(db).count_attempts(first.run_id) == kAttempts);  // nothing lost
}

TEST_CASE("the time budget stops dispatching and leaves a resumable run", "[run][runner]") {
    TempDir dir;
    fs::path db = dir / "r.sqlite";
    std::string suite = baseline_suite(kSudoku, kMaze);
    std::string tight = suite;
    tight.insert(tight.rfind('}'), R"(, "limits": {"time_budget_s": 0.000001})");
    Plan p1 = plan_for(tight, dir.path());
    RunSummary first = run_plan(p1, quiet_options(db));
    CHECK(first.status == "interrupted");
    CHECK(first.stop_reason == "time budget used up");
    CHECK(first.exit_code == 0);
    CHECK(first.recorded < kAttempts);

    RunOptions o = quiet_options(db);
    o.resume = ResumeMode::automatic;
    Plan p2 = plan_for(suite, dir.path());  // the budget is not part of the run's identity
    RunSummary second = run_plan(p2, o);
    CHECK(second.run_id == first.run_id);
    CHECK(second.status == "completed");
    CHECK(first.recorded + second.recorded == kAttempts);
}

TEST_CASE("shards cover the run and merge into the whole", "[run][runner]") {
    TempDir dir;
    std::string suite = baseline_suite(kSudoku, kMaze);
    fs::path whole_db = dir / "whole.sqlite";
    Plan wp = plan_for(suite, dir.path());
    RunSummary whole = run_plan(wp, quiet_options(whole_db));
    auto expected = read_attempts(whole_db, whole.run_id);

    std::map<AttemptKey4, AttemptValue> combined;
    MergeOptions m;
    for (int i = 0; i < 3; ++i) {
        fs::path db = dir / ("shard" + std::to_string(i) + ".sqlite");
        Plan p = plan_for(suite, dir.path(), Shard{i, 3});
        RunSummary s = run_plan(p, quiet_options(db));
        CHECK(s.status == "completed");
        ResultsReader reader(db);
        CHECK(reader.count_items(s.run_id) == kSudoku + kMaze);  // full manifest in each shard
        CHECK(reader.run(s.run_id)->shard_index == i);
        for (auto & [k, v] : read_attempts(db, s.run_id)) CHECK(combined.emplace(k, v).second);  // disjoint
        m.inputs.push_back(db);
    }
    CHECK(combined == expected);  // covering, and the same answers

    m.output = dir / "merged.sqlite";
    m.quiet = true;
    merge_databases(m);
    ResultsReader merged(m.output);
    auto runs = merged.runs();
    REQUIRE(runs.size() == 1);
    CHECK(read_attempts(m.output, runs[0].id) == expected);
}

namespace {

// Answers like identity; after `k` answers it raises the stop flag exactly as a Ctrl-C would, or
// throws (a solver failing mid-run).
class ScriptedSolver final : public Solver {
public:
    ScriptedSolver(int k, bool do_throw) : k_(k), throw_(do_throw) {}
    SolverInfo info() const override {
        SolverInfo i;
        i.name = "scripted";
        i.kind = "baseline";
        i.provider = "test";
        i.model_id = "scripted";
        return i;
    }
    bool supports(const Task &) const override { return true; }
    size_t preferred_batch_size() const override { return 4; }
    void solve(const Task &, std::span<const WorkItem> items, PredictionSink & sink) override {
        for (const WorkItem & w : items) {
            Prediction p;
            p.example_id = w.example->id;
            p.attempt = w.attempt;
            if (sink.stop_requested()) {
                p.outcome = Outcome::skipped;
                sink.put(std::move(p));
                continue;
            }
            if (throw_ && answered_ == k_) throw UsageError("scripted solver failure");
            p.answer = w.example->input;
            sink.put(std::move(p));
            if (++answered_ == k_ && !throw_) request_interrupt(SIGINT);
        }
    }

private:
    int k_;
    bool throw_;
    int answered_ = 0;
};

void add_scripted(Plan & plan, int k, bool do_throw) {
    PlannedSolver s;
    s.entry.name = "scripted";
    s.entry.where = "test";
    s.name = "scripted";
    s.solver = std::make_unique<ScriptedSolver>(k, do_throw);
    s.info = s.solver->info();
    s.tasks = {0};
    s.attempts = {1};
    plan.solvers.insert(plan.solvers.begin(), std::move(s));
}

}  // namespace

TEST_CASE("Ctrl-C stops dispatching, keeps what was answered, and exits 130", "[run][runner]") {
    TempDir dir;
    fs::path db = dir / "r.sqlite";
    Plan p1 = plan_for(baseline_suite(kSudoku, kMaze), dir.path());
    add_scripted(p1, 6, false);
    RunOptions o = quiet_options(db);
    o.handle_signals = true;
    RunSummary first = run_plan(p1, o);
    CHECK(first.exit_code == kExitInterrupted);
    CHECK(first.status == "interrupted");
    CHECK(first.stop_reason == "interrupted (Ctrl-C)");
    CHECK(first.recorded == 6);  // later solvers (same CPU lane) were never started
    CHECK(ResultsReader(db).count_attempts(first.run_id) == 6);

    Plan p2 = plan_for(baseline_suite(kSudoku, kMaze), dir.path());
    add_scripted(p2, 1000, false);
    o.resume = ResumeMode::automatic;
    RunSummary second = run_plan(p2, o);
    CHECK(second.exit_code == 0);
    CHECK(second.status == "completed");
    CHECK(second.run_id == first.run_id);
    CHECK(second.recorded == kAttempts + kSudoku - 6);
}

TEST_CASE("a solver that throws fails the run with context and keeps the stored rows", "[run][runner]") {
    TempDir dir;
    fs::path db = dir / "r.sqlite";
    Plan plan = plan_for(baseline_suite(kSudoku, kMaze), dir.path());
    add_scripted(plan, 3, true);
    CHECK_THROWS_WITH(run_plan(plan, quiet_options(db)),
                      Catch::Contains("run 1 in " + db.string()) && Catch::Contains("scripted solver failure"));
    ResultsReader reader(db);
    CHECK(reader.run(1)->status == "failed");
    CHECK(reader.count_attempts(1) == 3);
    CHECK(reader.count_items(1) == kSudoku + kMaze);
}
