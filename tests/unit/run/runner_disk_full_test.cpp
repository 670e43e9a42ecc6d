// A disk that fills up in the middle of a run: the run stops with an error naming the database and
// the reason, every row committed before the failure stays (and equals an uninterrupted run's), the
// file passes PRAGMA integrity_check, and once there is space again a resume completes the run to
// exactly what an uninterrupted run stores. The full disk is simulated with the results tests'
// fault-injecting SQLite VFS (tests/unit/results/fixtures.h).
#include <catch2/catch.hpp>

#include <memory>

#include "harness/core/error.h"
#include "tests/unit/results/fixtures.h"
#include "tests/unit/run/run_test_support.h"

using namespace trmbench;
using namespace trmbench::test;
namespace fs = std::filesystem;

namespace {

// Forwards predictions to the run's sink and fills the disk after the k-th one.
class FillingSink final : public PredictionSink {
public:
    FillingSink(PredictionSink & inner, int & count, int k) : inner_(inner), count_(count), k_(k) {}
    void put(Prediction && p) override {
        inner_.put(std::move(p));
        if (++count_ == k_) set_disk_full(true);
    }
    bool stop_requested() const override { return inner_.stop_requested(); }

private:
    PredictionSink & inner_;
    int & count_;
    int k_;
};

// A solver that behaves like `inner` but fills the disk after `k` predictions.
class DiskFillingSolver final : public Solver {
public:
    DiskFillingSolver(std::unique_ptr<Solver> inner, int k) : inner_(std::move(inner)), k_(k) {}
    SolverInfo info() const override { return inner_->info(); }
    bool supports(const Task & task) const override { return inner_->supports(task); }
    size_t preferred_batch_size() const override { return 4; }
    void solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) override {
        FillingSink filling(sink, count_, k_);
        inner_->solve(task, items, filling);
    }

private:
    std::unique_ptr<Solver> inner_;
    int k_;
    int count_ = 0;
};

// Makes sure the flag is cleared even when a check fails.
struct DiskSpaceBack {
    ~DiskSpaceBack() { set_disk_full(false); }
};

}  // namespace

TEST_CASE("a disk that fills up mid-run: clear error, no committed row lost, resume completes", "[run][runner]") {
    TempDir dir;
    std::string suite = baseline_suite(24, 6);
    fs::path whole_db = dir / "whole.sqlite";
    Plan whole_plan = plan_for(suite, dir.path());
    RunSummary whole = run_plan(whole_plan, quiet_options(whole_db));
    REQUIRE(whole.status == "completed");
    auto expected = read_attempts(whole_db, whole.run_id);

    fs::path db = dir / "full.sqlite";
    {
        DiskSpaceBack restore;
        Plan plan = plan_for(suite, dir.path());
        REQUIRE(plan.solvers.front().name == "sudoku-exact");
        plan.solvers.front().solver = std::make_unique<DiskFillingSolver>(std::move(plan.solvers.front().solver), 10);
        RunOptions o = quiet_options(db);
        o.store_vfs = faulty_vfs_name();
        CHECK_THROWS_WITH(run_plan(plan, o), Catch::Contains(db.string()) && Catch::Contains("full"));
    }

    // What was committed before the disk filled is intact and correct.
    int64_t stored = count_rows(db, "attempts");
    CHECK(stored <= 10);
    CHECK(integrity(db) == "ok");
    CHECK(count_rows(db, "items") == 30);  // the manifest went in before any attempt
    auto partial = read_attempts(db, 1);
    CHECK(static_cast<int64_t>(partial.size()) == stored);
    for (const auto & [key, value] : partial) {
        auto it = expected.find(key);
        REQUIRE(it != expected.end());
        CHECK(it->second == value);
    }

    // With space again, a resume makes exactly the missing attempts.
    Plan again = plan_for(suite, dir.path());
    RunOptions o = quiet_options(db);
    o.resume = ResumeMode::automatic;
    RunSummary resumed = run_plan(again, o);
    CHECK(resumed.resumed);
    CHECK(resumed.status == "completed");
    CHECK(resumed.recorded == static_cast<int64_t>(expected.size()) - stored);
    CHECK(read_attempts(db, resumed.run_id) == expected);
    CHECK(integrity(db) == "ok");
}
