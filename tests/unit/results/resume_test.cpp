// Resume: finding an unfinished run, idempotent manifest and solver inserts, done/pending
// attempts under both policies, superseded attempts keeping their cost, and a real crash (a child
// process that exits without closing the store) followed by a resume in the parent.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "results/reader.h"
#include "results/store.h"
#include "tests/support/test_support.h"
#include "tests/unit/results/fixtures.h"

using namespace trmbench;

TEST_CASE("find_resumable_run finds the latest unfinished run of the same config and shard", "[results]") {
    test::TempDir dir;
    ResultsStore store(dir / "r.db");
    CHECK_FALSE(store.find_resumable_run("h1").has_value());
    RunId done = store.begin_run(test::sample_run("h1"));
    store.end_run(done, kRunCompleted);
    CHECK_FALSE(store.find_resumable_run("h1").has_value());
    RunId a = store.begin_run(test::sample_run("h1"));
    store.end_run(a, kRunInterrupted);
    RunId other_shard = store.begin_run(test::sample_run("h1", 1, 2));
    RunId other_cfg = store.begin_run(test::sample_run("h2"));
    auto found = store.find_resumable_run("h1");
    REQUIRE(found.has_value());
    CHECK(found->id == a);
    CHECK(found->status == kRunInterrupted);
    CHECK(found->finished_at_ms > 0);
    CHECK(store.find_resumable_run("h1", 1, 2)->id == other_shard);
    CHECK(store.find_resumable_run("h2")->id == other_cfg);
    store.resume_run(a);
    auto resumed = store.run(a);
    CHECK(resumed->status == kRunRunning);
    CHECK(resumed->resume_count == 1);
    CHECK(resumed->finished_at_ms == -1);
    // The reproducibility fields come back as written.
    CHECK(resumed->seeds.at("sampling") == 18446744073709551615ull);
    CHECK(resumed->dataset_hashes.at("maze/test") == "d2");
    CHECK(resumed->prompt_template_hashes.at("sudoku-boxed") == "p1");
    CHECK(resumed->price_table_date == "2025-01-15");
    CHECK_THROWS_AS(store.resume_run(9999), Error);
    CHECK_THROWS_AS(store.begin_run(test::sample_run("h3", 2, 2)), UsageError);
}

TEST_CASE("re-inserting the manifest and solvers of a resumed run is harmless; changes are refused", "[results]") {
    test::TempDir dir;
    ResultsStore store(dir / "i.db");
    RunId run = store.begin_run(test::sample_run());
    auto items = test::sample_items(10);
    store.insert_items(run, items);
    store.insert_items(run, items);
    store.register_solver(run, test::sample_solver("s"));
    store.register_solver(run, test::sample_solver("s"));
    store.flush();
    CHECK(test::count_rows(dir / "i.db", "items") == 10);
    CHECK(test::count_rows(dir / "i.db", "solvers") == 1);

    auto changed = items;
    changed[3].target = Grid(2, 2, 7);
    CHECK_THROWS_WITH(store.insert_items(run, changed), Catch::Contains("ex3") && Catch::Contains("different"));
    // The refused call inserted nothing (one transaction), even the new items before the bad one.
    auto more = test::sample_items(12);
    more[11].target = Grid(1, 1, 1);
    more[11].example_id = "ex5";  // clashes with ex5 of the manifest
    CHECK_THROWS_AS(store.insert_items(run, more), InputError);
    CHECK(test::count_rows(dir / "i.db", "items") == 10);

    auto s = test::sample_solver("s");
    s.checkpoint_sha256 = std::string(64, 'b');
    CHECK_THROWS_WITH(store.register_solver(run, s), Catch::Contains("checkpoint_sha256"));
}

TEST_CASE("done and pending attempts follow the resume policy", "[results]") {
    test::TempDir dir;
    ResultsStore store(dir / "d.db");
    RunId run = store.begin_run(test::sample_run());
    auto items = test::sample_items(4);
    store.insert_items(run, items);
    store.register_solver(run, test::sample_solver("s"));
    store.register_solver(run, test::sample_solver("t"));
    auto rec = [&](const std::string & solver, int item, int attempt, Outcome o) {
        AttemptRecord r = test::sample_attempt(run, solver, items[static_cast<size_t>(item)], attempt, 1);
        r.outcome = o;
        store.record_attempt(r);
    };
    rec("s", 0, 0, Outcome::ok);
    rec("s", 0, 1, Outcome::truncated);
    rec("s", 1, 0, Outcome::rate_limited);
    rec("s", 2, 0, Outcome::skipped);
    rec("s", 3, 1, Outcome::refused);
    rec("t", 1, 0, Outcome::ok);

    auto done = store.done_attempts(run, "s");
    REQUIRE(done.size() == 3);
    CHECK(done[0] == AttemptKey{"sudoku/test", "ex0", 0});
    CHECK(done[1] == AttemptKey{"sudoku/test", "ex0", 1});
    CHECK(done[2] == AttemptKey{"sudoku/test", "ex3", 1});
    CHECK(store.done_attempts(run, "s", {false}).size() == 4);  // rate_limited counts as done

    auto pending = store.pending_attempts(run, "s", 2);
    std::vector<std::string> keys;
    for (const auto & k : pending) keys.push_back(k.example_id + "/" + std::to_string(k.attempt));
    CHECK(keys == std::vector<std::string>{"ex1/0", "ex1/1", "ex2/0", "ex2/1", "ex3/0"});
    CHECK(store.pending_attempts(run, "t", 1).size() == 3);
    CHECK(store.pending_attempts(run, "s", 2, {}, "maze/test").empty());
    CHECK(store.pending_attempts(run, "nobody", 1).size() == 4);
}

TEST_CASE("re-recording an attempt replaces it and keeps the old row, with its cost, as superseded", "[results]") {
    test::TempDir dir;
    auto path = dir / "s.db";
    RunId run = 0;
    auto items = test::sample_items(1);
    {
        ResultsStore store(path);
        run = store.begin_run(test::sample_run());
        store.insert_items(run, items);
        store.register_solver(run, test::sample_solver("s"));
        AttemptRecord first = test::sample_attempt(run, "s", items[0], 0, 2);
        first.outcome = Outcome::timeout;
        first.usage.cost_usd = 0.75;
        store.record_attempt(first);
        AttemptRecord second = test::sample_attempt(run, "s", items[0], 0, 4);
        second.usage.cost_usd = 0.5;
        store.record_attempt(second);
    }
    ResultsReader reader(path);
    auto now = reader.attempts({run});
    REQUIRE(now.size() == 1);
    CHECK(now[0].usage.cost_usd == 0.5);
    CHECK(now[0].outcome == Outcome::ok);
    auto old = reader.superseded_attempts(run);
    REQUIRE(old.size() == 1);
    CHECK(old[0].outcome == Outcome::timeout);
    CHECK(old[0].usage.cost_usd == 0.75);
    CHECK(old[0].example_id == "ex0");
    CHECK_THAT(old[0].raw_text, Catch::Contains("#2"));
    CHECK_THAT(now[0].raw_text, Catch::Contains("#4"));
    CHECK(test::count_rows(path, "attempt_details") == 1);  // the old details went with the old row
}

TEST_CASE("after a crash mid-run the run is found and only the missing attempts are pending", "[results]") {
    test::TempDir dir;
    auto path = dir / "crash.db";
    auto items = test::sample_items(20);
    // The child records 12 attempts, waits for their commit, and dies without closing anything.
    auto child = test::run_child([&](std::string &) {
        ResultsStore store(path);
        RunId run = store.begin_run(test::sample_run("crash-hash"));
        store.insert_items(run, items);
        store.register_solver(run, test::sample_solver("s"));
        for (int i = 0; i < 12; ++i) store.record_attempt(test::sample_attempt(run, "s", items[static_cast<size_t>(i)], 0, i));
        store.flush();
        ::_exit(7);
        return 0;
    });
    REQUIRE(child.exit_code == 7);
    CHECK(test::integrity(path) == "ok");
    ResultsStore store(path);
    auto run = store.find_resumable_run("crash-hash");
    REQUIRE(run.has_value());
    CHECK(run->status == kRunRunning);
    store.resume_run(run->id);
    auto pending = store.pending_attempts(run->id, "s", 1);
    REQUIRE(pending.size() == 8);
    CHECK(pending.front().example_id == "ex12");
    for (const auto & k : pending) {
        int i = std::stoi(k.example_id.substr(2));
        store.record_attempt(test::sample_attempt(run->id, "s", items[static_cast<size_t>(i)], 0, i));
    }
    store.end_run(run->id, kRunCompleted);
    CHECK(store.pending_attempts(run->id, "s", 1).empty());
    store.close();
    ResultsReader reader(path);
    CHECK(reader.count_attempts(run->id) == 20);
    CHECK(reader.run(run->id)->resume_count == 1);
    CHECK(reader.run(run->id)->status == kRunCompleted);
}
