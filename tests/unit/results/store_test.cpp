// ResultsStore: the writer thread under concurrent producers, prompt commits without flush(),
// API calls and training metrics, errors that surface on the caller's thread, and the report
// queries (aggregates with manifest denominators, filtered iteration).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "results/reader.h"
#include "results/store.h"
#include "tests/support/test_support.h"
#include "tests/unit/results/fixtures.h"

using namespace trmbench;

TEST_CASE("8 producer threads x 1000 attempts and api calls are all committed", "[results]") {
    test::TempDir dir;
    auto path = dir / "c.db";
    constexpr int kThreads = 8, kPerThread = 1000;
    auto items = test::sample_items(kThreads * kPerThread);
    RunId run = 0;
    {
        ResultsStore store(path);
        run = store.begin_run(test::sample_run());
        store.insert_items(run, items);
        for (int t = 0; t < kThreads; ++t) store.register_solver(run, test::sample_solver("s" + std::to_string(t % 2)));
        auto sink = store.api_call_sink(run);
        std::vector<std::thread> producers;
        for (int t = 0; t < kThreads; ++t) {
            producers.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    int n = t * kPerThread + i;
                    // Each thread writes its own item range, for solver s0 or s1 by thread parity.
                    store.record_attempt(test::sample_attempt(run, "s" + std::to_string(t % 2),
                                                              items[static_cast<size_t>(n)], 0, n));
                    ApiCallRecord c;
                    c.solver = "s" + std::to_string(t % 2);
                    c.example_id = items[static_cast<size_t>(n)].example_id;
                    c.http_status = 200;
                    sink->record_api_call(c);
                }
            });
        }
        for (auto & p : producers) p.join();
        store.flush();
        // Visible to a separate reader connection right after flush(), before close().
        ResultsReader reader(path);
        CHECK(reader.count_attempts(run) == kThreads * kPerThread);
        store.close();
    }
    CHECK(test::count_rows(path, "attempts") == kThreads * kPerThread);
    CHECK(test::count_rows(path, "api_calls") == kThreads * kPerThread);
    CHECK(test::integrity(path) == "ok");
    // Content check: every record is there with its own seed.
    ResultsReader reader(path);
    std::set<std::string> seen;
    reader.for_each_attempt({run, "", "", true, false, false}, [&](const AttemptRecord & a, const ItemRecord & it) {
        int n = std::stoi(a.example_id.substr(2));
        CHECK(a.request_id == "req_" + std::to_string(n));
        CHECK(it.example_id == a.example_id);
        seen.insert(a.example_id);
    });
    CHECK(seen.size() == static_cast<size_t>(kThreads * kPerThread));
}

TEST_CASE("a recorded attempt is committed promptly without flush()", "[results]") {
    test::TempDir dir;
    auto path = dir / "p.db";
    ResultsStore store(path);
    RunId run = store.begin_run(test::sample_run());
    auto items = test::sample_items(2);
    store.insert_items(run, items);
    store.register_solver(run, test::sample_solver("s"));
    store.record_attempt(test::sample_attempt(run, "s", items[0], 0, 1));
    ResultsReader reader(path);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (reader.count_attempts(run) == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(reader.count_attempts(run) == 1);
}

TEST_CASE("writer errors surface on the caller's thread, naming the database; stored rows stay", "[results]") {
    test::TempDir dir;
    auto path = dir / "e.db";
    auto items = test::sample_items(3);
    {
        ResultsStore store(path);
        RunId run = store.begin_run(test::sample_run());
        store.insert_items(run, items);
        store.register_solver(run, test::sample_solver("s"));
        store.record_attempt(test::sample_attempt(run, "s", items[0], 0, 1));
        store.flush();
        // An item that is not in the manifest: a runner bug, reported, never silently dropped.
        ItemRecord ghost = items[1];
        ghost.example_id = "ghost";
        store.record_attempt(test::sample_attempt(run, "s", ghost, 0, 2));
        CHECK_THROWS_WITH(store.flush(), Catch::Contains(path.string()) && Catch::Contains("ghost") &&
                                             Catch::Contains("not in run"));
        // Sticky: later records are refused too.
        CHECK_THROWS_WITH(store.record_attempt(test::sample_attempt(run, "s", items[2], 0, 3)),
                          Catch::Contains("ghost"));
        // Unknown solver, caught before enqueueing when the key is incomplete.
        AttemptRecord no_key;
        CHECK_THROWS_WITH(store.record_attempt(no_key), Catch::Contains("record_attempt"));
        CHECK_NOTHROW(store.close());  // already reported
    }
    CHECK(test::count_rows(path, "attempts") == 1);
    CHECK(test::integrity(path) == "ok");
}

TEST_CASE("an error nobody has seen is thrown by close()", "[results]") {
    test::TempDir dir;
    auto path = dir / "e2.db";
    ResultsStore store(path);
    RunId run = store.begin_run(test::sample_run());
    store.insert_items(run, test::sample_items(1));
    auto items = test::sample_items(1);
    store.record_attempt(test::sample_attempt(run, "unregistered-solver", items[0], 0, 1));
    CHECK_THROWS_WITH(store.close(), Catch::Contains("unregistered-solver") && Catch::Contains("register_solver"));
    CHECK_NOTHROW(store.close());  // idempotent
}

TEST_CASE("api calls keep redacted bodies up to the limit without splitting UTF-8", "[results]") {
    test::TempDir dir;
    auto path = dir / "a.db";
    StoreOptions o;
    o.api_body_limit = 10;
    RunId run = 0;
    {
        ResultsStore store(path, o);
        run = store.begin_run(test::sample_run());
        ApiCallRecord c;
        c.solver = "gpt";
        c.provider = "openai";
        c.model_id = "gpt-x";
        c.example_id = "ex0";
        c.attempt = 1;
        c.cache_key = std::string(64, 'f');
        c.started_at_ms = 1700000000123;
        c.latency_ms = 812.5;
        c.http_status = 429;
        c.retries = 3;
        c.wait_ms = 4000;
        c.outcome = "rate_limited";
        c.error = "Too Many Requests";
        c.request_id = "req_1";
        c.request_json = "{\"a\":1}";
        c.response_body = "ααααααα";  // 14 bytes; a cut at 10 bytes lands on a sequence boundary
        store.record_api_call(run, c);
        c.response_body = "short";
        store.record_api_call(run, c);
    }
    ResultsReader reader(path);
    auto calls = reader.api_calls(run);
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].call.response_body == "ααααα");
    CHECK(calls[0].response_truncated);
    CHECK(calls[1].call.response_body == "short");
    CHECK_FALSE(calls[1].response_truncated);
    const auto & c = calls[0].call;
    CHECK(c.solver == "gpt");
    CHECK(c.provider == "openai");
    CHECK(c.model_id == "gpt-x");
    CHECK(c.attempt == 1);
    CHECK(c.cache_key == std::string(64, 'f'));
    CHECK(c.started_at_ms == 1700000000123);
    CHECK(c.latency_ms == 812.5);
    CHECK(c.http_status == 429);
    CHECK(c.retries == 3);
    CHECK(c.wait_ms == 4000);
    CHECK(c.outcome == "rate_limited");
    CHECK(c.error == "Too Many Requests");
    CHECK(c.request_id == "req_1");
    CHECK(c.request_json == "{\"a\":1}");
}

TEST_CASE("training metrics are stored per run and series", "[results]") {
    test::TempDir dir;
    auto path = dir / "t.db";
    RunId run = 0;
    {
        ResultsStore store(path);
        run = store.begin_run(test::sample_run());
        for (int step = 0; step < 5; ++step) {
            store.record_train_metric({run, "trm", step, step * 1.5, "loss", 1.0 / (step + 1)});
            store.record_train_metric({run, "trm", step, step * 1.5, "exact_accuracy", step * 0.1});
        }
    }
    ResultsReader reader(path);
    auto m = reader.train_metrics(run);
    REQUIRE(m.size() == 10);
    CHECK(m[0].name == "exact_accuracy");
    CHECK(m[9].name == "loss");
    CHECK(m[9].step == 4);
    CHECK(m[9].value == 1.0 / 5);
    CHECK(m[9].wall_time_s == 6.0);
}

TEST_CASE("aggregates count the manifest as denominator, pass@k per item, and skip unknown costs", "[results]") {
    test::TempDir dir;
    auto path = dir / "g.db";
    auto sudoku = test::sample_items(4, "sudoku/test", "sudoku");
    auto maze = test::sample_items(3, "maze/test", "maze");
    RunId run = 0;
    {
        ResultsStore store(path);
        run = store.begin_run(test::sample_run());
        store.insert_items(run, sudoku);
        store.insert_items(run, maze);
        store.register_solver(run, test::sample_solver("a"));
        store.register_solver(run, test::sample_solver("b"));
        auto rec = [&](const std::string & solver, const ItemRecord & it, int attempt, bool exact, double cost,
                       Outcome o = Outcome::ok) {
            AttemptRecord r = test::sample_attempt(run, solver, it, attempt, 1);
            r.measures = {{"exact", exact}, {"valid", true}};
            r.usage.cost_usd = cost;
            r.usage.input_tokens = 100;
            r.outcome = o;
            store.record_attempt(r);
        };
        // Solver a on sudoku: item 0 right at attempt 1 only, item 1 wrong twice, items 2-3 never attempted.
        rec("a", sudoku[0], 0, false, 0.5);
        rec("a", sudoku[0], 1, true, -1);
        rec("a", sudoku[1], 0, false, 0.25, Outcome::parse_error);
        rec("a", sudoku[1], 1, false, 0.25);
        // Solver b on maze: one right.
        rec("b", maze[2], 0, true, 1.0);
    }
    ResultsReader reader(path);
    auto agg = reader.aggregate(run);
    REQUIRE(agg.size() == 2);
    const Aggregate & a = agg[0];
    CHECK(a.solver == "a");
    CHECK(a.dataset == "sudoku/test");
    CHECK(a.task_family == "sudoku");
    CHECK(a.n_items == 4);  // the manifest, not the 2 attempted items
    CHECK(a.n_items_attempted == 2);
    CHECK(a.n_items_correct == 1);
    CHECK(a.accuracy() == 0.25);
    CHECK(a.n_attempts == 4);
    CHECK(a.n_attempts_correct == 1);
    CHECK(a.outcomes.at("ok") == 3);
    CHECK(a.outcomes.at("parse_error") == 1);
    CHECK(a.measures_true.at("exact") == 1);
    CHECK(a.measures_true.at("valid") == 4);
    CHECK(a.cost_usd == Approx(1.0));
    CHECK(a.n_cost_known == 3);
    CHECK(a.input_tokens == 400);
    CHECK(a.n_tokens_known == 4);
    CHECK(a.n_wall_known == 4);
    CHECK(a.wall_ms == Approx(4 * 124.25));  // sample_attempt(seed 1): 123.25 + 1
    CHECK(a.n_device_known == 4);             // seed 1 is odd: 99.5 ms each
    CHECK(a.device_ms == Approx(4 * 99.5));
    const Aggregate & b = agg[1];
    CHECK(b.solver == "b");
    CHECK(b.dataset == "maze/test");
    CHECK(b.n_items == 3);
    CHECK(b.n_items_correct == 1);

    // Filtered iteration in (solver, manifest, attempt) order.
    std::vector<std::string> keys;
    reader.for_each_attempt({run, "a", "sudoku/test"}, [&](const AttemptRecord & r, const ItemRecord & it) {
        keys.push_back(r.example_id + "/" + std::to_string(r.attempt));
        CHECK(it.target == sudoku[static_cast<size_t>(std::stoi(it.example_id.substr(2)))].target);
    });
    CHECK(keys == std::vector<std::string>{"ex0/0", "ex0/1", "ex1/0", "ex1/1"});
    CHECK(reader.attempts({run, "b"}).size() == 1);
    CHECK(reader.attempts({run, "", "maze/test"}).size() == 1);
    CHECK(reader.attempts({run + 1}).empty());
    CHECK(reader.items(run).size() == 7);
    CHECK(reader.solvers(run).size() == 2);
}
