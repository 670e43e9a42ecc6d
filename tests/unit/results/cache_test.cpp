// Response cache and batch-job store: round trips, replacement, durability across a crash right
// after put() (fork + _exit in a child, read in the parent), and batch polling state.
#include <catch2/catch.hpp>

#include <thread>

#include "results/cache.h"
#include "results/store.h"
#include "tests/support/test_support.h"
#include "tests/unit/results/fixtures.h"

using namespace trmbench;

TEST_CASE("response cache stores exact bytes and replaces by key", "[results]") {
    test::TempDir dir;
    SqliteResponseCache cache(dir / "c.db");
    CHECK_FALSE(cache.get("k").has_value());
    static const char kBody[] = "{\"x\":\"\xff\xfe binary \0 inside\"}";
    std::string body(kBody, sizeof kBody - 1);  // keeps the NUL inside
    REQUIRE(body.size() == 26);
    cache.put("k", "openai", "gpt-x", {200, body, R"({"x-request-id":"r1"})"});
    auto got = cache.get("k");
    REQUIRE(got.has_value());
    CHECK(got->http_status == 200);
    CHECK(got->body == body);
    CHECK(got->headers_json == R"({"x-request-id":"r1"})");
    cache.put("k", "openai", "gpt-x", {200, "second", "{}"});
    CHECK(cache.get("k")->body == "second");
    CHECK(cache.size() == 1);
}

TEST_CASE("a cached response survives a crash right after put()", "[results]") {
    test::TempDir dir;
    auto path = dir / "results.db";
    auto child = test::run_child([&](std::string &) {
        ResultsStore store(path);  // the cache shares the results file
        store.response_cache().put("key-1", "anthropic", "claude-x", {200, "paid answer", "{}"});
        ::_exit(0);  // no destructor, no close, no checkpoint
        return 0;
    });
    REQUIRE(child.exit_code == 0);
    CHECK(test::integrity(path) == "ok");
    SqliteResponseCache cache(path);
    auto got = cache.get("key-1");
    REQUIRE(got.has_value());
    CHECK(got->body == "paid answer");

    // The same through a standalone cache file, with several puts from threads before the crash.
    auto child2 = test::run_child([&](std::string &) {
        SqliteResponseCache c(dir / "cache.db");
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 25; ++i)
                    c.put("k" + std::to_string(t * 25 + i), "openai", "m", {200, std::to_string(i), "{}"});
            });
        for (auto & th : threads) th.join();
        ::_exit(0);
        return 0;
    });
    REQUIRE(child2.exit_code == 0);
    SqliteResponseCache c2(dir / "cache.db");
    CHECK(c2.size() == 100);
    CHECK(c2.get("k99")->body == "24");
}

TEST_CASE("batch jobs: save, update, list open ones, mark collected, survive reopening", "[results]") {
    test::TempDir dir;
    auto path = dir / "b.db";
    {
        SqliteBatchJobStore store(path);
        BatchJobRecord a{"batch_a", "openai", "gpt", "validating", "file-in", "", R"(["c1","c2"])", 1000, 1000};
        BatchJobRecord b{"batch_b", "anthropic", "claude", "in_progress", "", "", R"(["c3"])", 500, 500};
        BatchJobRecord c{"batch_c", "openai", "gpt", "in_progress", "file-in2", "", R"(["c4"])", 900, 900};
        store.save_batch(a);
        store.save_batch(b);
        store.save_batch(c);
        a.status = "completed";
        a.output_file_id = "file-out";
        a.updated_at_ms = 2000;
        store.save_batch(a);
        auto open = store.open_batches("gpt");
        REQUIRE(open.size() == 2);
        CHECK(open[0].batch_id == "batch_c");  // oldest first
        CHECK(open[1].status == "completed");
        CHECK(open[1].output_file_id == "file-out");
        CHECK(open[1].custom_ids_json == R"(["c1","c2"])");
        CHECK(open[1].created_at_ms == 1000);
        CHECK(open[1].updated_at_ms == 2000);
        store.mark_batch_collected("batch_a");
        CHECK_THROWS_WITH(store.mark_batch_collected("nope"), Catch::Contains("nope"));
    }
    SqliteBatchJobStore store(path);
    auto open = store.open_batches("gpt");
    REQUIRE(open.size() == 1);
    CHECK(open[0].batch_id == "batch_c");
    CHECK(store.open_batches("claude").size() == 1);
    // Saving a collected batch again (a late status poll) does not reopen it.
    auto a = store.batch("batch_a");
    REQUIRE(a.has_value());
    a->status = "ended";
    store.save_batch(*a);
    CHECK(store.open_batches("gpt").size() == 1);
    CHECK(store.batch("batch_a")->status == "ended");
}
