// Cost arithmetic (checked by hand), FLOPs, token estimates, <think> splitting, redaction, limits.
#include <catch2/catch.hpp>

#include <cmath>

#include "adapters/limits.h"
#include "adapters/text_util.h"
#include "adapters/usage.h"

using namespace trmbench;

TEST_CASE("cost: cached input, cache writes and reasoning at their own prices", "[adapters][usage]") {
    Pricing p;
    p.date = "2026-11-28";
    p.input = 2.0;
    p.cached_input = 0.5;
    p.cache_write = 2.5;
    p.output = 8.0;
    p.reasoning = 12.0;
    TokenCounts t;
    t.input = 1'000'000;      // of which 200k cached and 100k written
    t.cached_input = 200'000;
    t.cache_write = 100'000;
    t.output = 50'000;
    t.reasoning = 250'000;
    // 700k x 2 + 200k x 0.5 + 100k x 2.5 + 50k x 8 + 250k x 12 = 1.4 + 0.1 + 0.25 + 0.4 + 3.0 = 5.15 dollars
    CHECK(cost_usd(t, p) == Approx(5.15));
    p.batch_discount = 0.5;
    CHECK(cost_usd(t, p, true) == Approx(2.575));

    // Defaults: cached and cache-write at the input price, reasoning at the output price.
    Pricing q;
    q.input = 1.0;
    q.output = 4.0;
    TokenCounts u;
    u.input = 3000;
    u.cached_input = 1000;
    u.output = 500;
    u.reasoning = 1500;
    // 3000 x 1 + 2000 x 4 = 11000 per 1M -> 0.011
    CHECK(cost_usd(u, q) == Approx(0.011));

    // Reasoning unknown (-1): output holds the whole completion, priced as output.
    u.reasoning = -1;
    u.output = 2000;
    CHECK(cost_usd(u, q) == Approx(0.011));

    // Unknown counts or prices: unknown cost, never a guess.
    TokenCounts none;
    CHECK(cost_usd(none, q) == -1);
    Pricing unknown;
    CHECK(cost_usd(u, unknown) == -1);
}

TEST_CASE("estimated FLOPs only with public active params", "[adapters][usage]") {
    TokenCounts t;
    t.input = 100;
    t.output = 20;
    t.reasoning = 80;
    CHECK(estimate_flops(37'000'000'000, t) == Approx(2.0 * 37e9 * 200));
    CHECK(estimate_flops(-1, t) == -1);
    TokenCounts none;
    CHECK(estimate_flops(1000, none) == -1);

    Pricing p;
    p.input = 1;
    p.output = 2;
    Usage u = to_usage(t, p, R"({"x":1})");
    CHECK(u.input_tokens == 100);
    CHECK(u.reasoning_tokens == 80);
    CHECK(u.total_tokens == 200);
    CHECK(u.cost_usd == Approx((100 * 1 + 100 * 2) / 1e6));
    CHECK(u.raw_json == R"({"x":1})");
}

TEST_CASE("token estimate heuristic", "[adapters][usage]") {
    CHECK(estimate_tokens("") == 0);
    CHECK(estimate_tokens("abcd") == 1);
    CHECK(estimate_tokens("abcde") == 2);
    CHECK(estimate_tokens("123456789") == 3);
    CHECK(estimate_tokens("[[0, 1], [1, 0]]") == 13);  // 4 digits + 9 brackets and commas
    CHECK(estimate_tokens("a\nb") == 3);
    // A Sudoku prompt line: 9 digits = 3 tokens, newline 1.
    CHECK(estimate_tokens("530070000\n") == 4);
}

TEST_CASE("split_think follows strip_think semantics", "[adapters][usage]") {
    auto s = split_think("<think>\nreason\n</think>\n\nanswer");
    CHECK(s.answer == "answer");
    CHECK(s.reasoning == "reason");
    CHECK_FALSE(s.unterminated);

    s = split_think("no tags at all");
    CHECK(s.answer == "no tags at all");
    CHECK(s.reasoning.empty());

    s = split_think("<think>one</think>mid<think>two</think> final ");
    CHECK(s.answer == "final");
    CHECK(s.reasoning.find("one") != std::string::npos);
    CHECK(s.reasoning.find("two") != std::string::npos);
    CHECK(s.reasoning.find("<think>") == std::string::npos);

    s = split_think("<think>never closed");
    CHECK(s.answer.empty());
    CHECK(s.reasoning == "never closed");
    CHECK(s.unterminated);

    s = split_think("opening tag was in the prompt</think>[[1]]");
    CHECK(s.answer == "[[1]]");
    CHECK(s.reasoning == "opening tag was in the prompt");

    s = split_think("<think>a</think>partial <think>cut");
    CHECK(s.answer == "partial");
    CHECK(s.unterminated);
}

TEST_CASE("redactor and keep-alive prefixes", "[adapters][usage]") {
    Redactor r;
    r.add_secret("sk-test-SECRET123");
    r.add_secret("abc");  // too short to be a key: ignored
    CHECK(r.apply("Bearer sk-test-SECRET123 and sk-test-SECRET123!") == "Bearer [REDACTED] and [REDACTED]!");
    CHECK(r.apply("abc") == "abc");
    CHECK(skip_keepalive_prefix("\n\n  \n{\"a\":1}") == "{\"a\":1}");
    CHECK(skip_keepalive_prefix(": keep-alive\n\n{}") == "{}");
    CHECK(skip_keepalive_prefix("{}") == "{}");
    CHECK(skip_keepalive_prefix("\n\n").empty());
}

TEST_CASE("token bucket: refill, debt, oversized requests", "[adapters][limits]") {
    TokenBucket b(60, 10);  // 1 per second, capacity 10
    CHECK(b.available_at(10, 0) == 0);
    b.take(10, 0);
    CHECK(b.available_at(1, 0) == Approx(1000));
    CHECK(b.available_at(5, 2000) == Approx(5000));
    b.take(5, 5000);
    CHECK(b.level(5000) == Approx(0));
    b.adjust(-3, 5000);  // actual usage higher than estimated: debt
    CHECK(b.available_at(1, 5000) == Approx(9000));
    // A request larger than the capacity waits for a full bucket, not forever.
    CHECK(b.available_at(100, 5000) == Approx(5000 + 13000));
    TokenBucket unlimited(0, 10);
    CHECK(unlimited.unlimited());
    CHECK(unlimited.available_at(1e9, 42) == 42);
}

TEST_CASE("rate limiter: in-flight cap, buckets, pause, token correction", "[adapters][limits]") {
    LimitSettings s;
    s.rpm = 60;
    s.tpm = 6000;
    s.max_in_flight = 2;
    s.burst_s = 10;  // 10 requests, 1000 tokens of burst
    RateLimiter lim(s);
    CHECK(lim.try_acquire(0, 400).granted);
    CHECK(lim.try_acquire(0, 400).granted);
    auto g = lim.try_acquire(0, 100);
    CHECK_FALSE(g.granted);
    CHECK(std::isinf(g.retry_at_ms));  // in-flight cap: wait for a completion
    CHECK_FALSE(g.by_rate);
    lim.release(10, 400, 100, false);  // used 300 fewer tokens than estimated
    g = lim.try_acquire(10, 450);
    CHECK(g.granted);  // 1000 - 800 + 300 + refill >= 450
    lim.release(20, 400, -1, false);
    g = lim.try_acquire(20, 1000);
    CHECK_FALSE(g.granted);
    CHECK(g.by_rate);
    CHECK(g.retry_at_ms > 20);
    lim.release(30, 450, 450, false);
    lim.pause_until(5000);
    g = lim.try_acquire(100, 1);
    CHECK_FALSE(g.granted);
    CHECK(g.retry_at_ms == 5000);
    CHECK(lim.in_flight() == 0);
    lim.undo_acquire(0, 0);
    CHECK(lim.in_flight() == 0);
}

TEST_CASE("adaptive concurrency: multiplicative decrease, additive increase", "[adapters][limits]") {
    AdaptiveConcurrency a(2, 20, 40, 15'000);
    CHECK(a.limit() == 20);
    a.on_rate_limited(1000);
    CHECK(a.limit() == 16);
    a.on_rate_limited(2000);  // same episode (cooldown)
    CHECK(a.limit() == 16);
    for (int i = 0; i < 16; ++i) a.on_success(5000);  // in cooldown: no growth
    CHECK(a.limit() == 16);
    for (int i = 0; i < 16; ++i) a.on_success(20'000);
    CHECK(a.limit() == 17);
    for (int i = 0; i < 5000; ++i) a.on_success(30'000);
    CHECK(a.limit() == 40);
    for (int i = 0; i < 30; ++i) a.on_rate_limited(100'000.0 + 20'000.0 * i);
    CHECK(a.limit() == 2);
}
