// The fault-scenario matrix of harness-anchors §2.8, end to end: a fake server speaking each provider's
// wire format, the real curl transport, the LLM solver. Each scenario checks outcome, retries, waits,
// usage, cost and request id.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

#include "adapters/usage.h"
#include "tests/unit/adapters/scenario_harness.h"

using namespace trmbench;
using namespace trmbench::test;
using json = nlohmann::json;

namespace {

// fake_entry prices: input 1, cached 0.1, output 10, reasoning 20 ($ per 1M); active params 1e9.
double fake_cost(int64_t input, int64_t cached, int64_t output, int64_t reasoning) {
    return ((input - cached) * 1.0 + cached * 0.1 + output * 10.0 + reasoning * 20.0) / 1e6;
}

std::string http_date_in(int seconds) {
    std::time_t t = std::time(nullptr) + seconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

std::string rfc3339_in(int seconds) {
    std::time_t t = std::time(nullptr) + seconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Grid grid(std::initializer_list<std::initializer_list<int>> rows) {
    Grid g(static_cast<int>(rows.size()), static_cast<int>(rows.begin()->size()));
    int r = 0;
    for (auto row : rows) {
        int c = 0;
        for (int v : row) g.at(r, c++) = static_cast<uint8_t>(v);
        ++r;
    }
    return g;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Happy path with reasoning, one per provider

TEST_CASE("scenario: happy path with reasoning, OpenAI chat", "[adapters][scenario]") {
    ScenarioHarness h;
    test::ScopedEnv key("TRMBENCH_TEST_OPENAI_KEY", "sk-test-openai-0001");
    h.server.push(reply("openai-chat/happy_reasoning.json", {{"x-request-id", "req_openai_1"}}));
    ModelEntry e = fake_entry("openai-chat", h.server, "TRMBENCH_TEST_OPENAI_KEY");
    e.reasoning_effort = "high";
    Prediction p = h.solve_one(e);
    CHECK(p.outcome == Outcome::ok);
    REQUIRE(p.answer);
    CHECK(*p.answer == grid({{1, 2}, {3, 4}}));
    CHECK(p.http_status == 200);
    CHECK(p.request_id == "req_openai_1");
    CHECK(p.retries == 0);
    CHECK(p.usage.input_tokens == 96);
    CHECK(p.usage.cached_input_tokens == 32);
    CHECK(p.usage.output_tokens == 154);
    CHECK(p.usage.reasoning_tokens == 5056);
    CHECK(p.usage.total_tokens == 5306);
    CHECK(p.usage.cost_usd == Approx(fake_cost(96, 32, 154, 5056)));
    CHECK(p.compute.flops == Approx(2.0 * 1e9 * (96 + 154 + 5056)));
    CHECK(p.compute.flops_estimated);
    auto got = h.server.received();
    REQUIRE(got.size() == 1);
    CHECK(got[0].method == "POST");
    CHECK(got[0].path == "/v1/chat/completions");
    CHECK(header_value(got[0].headers, "authorization") == "Bearer sk-test-openai-0001");
    json body = json::parse(got[0].body);
    CHECK(body["reasoning_effort"] == "high");
    CHECK(body["max_completion_tokens"] == 4096);
    CHECK(body["messages"][0]["content"] == h.task.render_prompt(h.examples[0]));
    auto records = h.calls.records();
    REQUIRE(records.size() == 1);
    CHECK(records[0].http_status == 200);
    CHECK(records[0].outcome == "ok");
    CHECK(records[0].request_id == "req_openai_1");
    CHECK(records[0].request_json == got[0].body);
    CHECK(records[0].retries == 0);
}

TEST_CASE("scenario: happy path with reasoning, OpenAI Responses", "[adapters][scenario]") {
    ScenarioHarness h;
    h.server.push(reply("openai-responses/completed.json", {{"x-request-id", "req_resp_1"}}));
    Prediction p = h.solve_one(fake_entry("openai-responses", h.server));
    CHECK(p.outcome == Outcome::ok);
    CHECK(*p.answer == grid({{1, 0}, {0, 1}}));
    CHECK(p.reasoning_text == "Each object is recoloured by size...");
    CHECK(p.usage.reasoning_tokens == 15200);
    CHECK(p.usage.output_tokens == 120);
    CHECK(p.usage.cost_usd == Approx(fake_cost(2811, 1024, 120, 15200)));
    CHECK(p.request_id == "req_resp_1");
    CHECK(h.server.received()[0].path == "/v1/responses");
}

TEST_CASE("scenario: happy path with reasoning, Anthropic", "[adapters][scenario]") {
    ScenarioHarness h;
    test::ScopedEnv key("TRMBENCH_TEST_ANTHROPIC_KEY", "sk-ant-test-0002");
    h.server.push(reply("anthropic/thinking.json", {{"request-id", "req_018EeWy"}}));
    ModelEntry e = fake_entry("anthropic-messages", h.server, "TRMBENCH_TEST_ANTHROPIC_KEY");
    e.thinking_budget = 2048;
    Prediction p = h.solve_one(e);
    CHECK(p.outcome == Outcome::ok);
    CHECK(*p.answer == grid({{1, 0}, {0, 1}}));
    CHECK(p.reasoning_text == "The transformation mirrors each row...");
    CHECK(p.usage.input_tokens == 3311);
    CHECK(p.usage.cached_input_tokens == 400);
    CHECK(p.usage.reasoning_tokens == 8950);
    CHECK(p.usage.output_tokens == 170);
    // Cache writes are priced at the input price here (fake_entry has no cache_write price).
    CHECK(p.usage.cost_usd == Approx(fake_cost(3311, 400, 170, 8950)));
    CHECK(p.request_id == "req_018EeWy");
    auto got = h.server.received();
    CHECK(got[0].path == "/v1/messages");
    CHECK(header_value(got[0].headers, "x-api-key") == "sk-ant-test-0002");
    CHECK(header_value(got[0].headers, "anthropic-version") == "2023-06-01");
    CHECK(json::parse(got[0].body)["thinking"]["budget_tokens"] == 2048);
}

TEST_CASE("scenario: happy path with reasoning, Gemini", "[adapters][scenario]") {
    ScenarioHarness h;
    test::ScopedEnv key("TRMBENCH_TEST_GEMINI_KEY", "AIza-test-0003");
    h.server.push(reply("gemini/thoughts.json"));
    Prediction p = h.solve_one(fake_entry("gemini", h.server, "TRMBENCH_TEST_GEMINI_KEY"));
    CHECK(p.outcome == Outcome::ok);
    CHECK(*p.answer == grid({{7, 7}, {7, 7}}));
    CHECK(p.usage.output_tokens == 930);
    CHECK(p.usage.reasoning_tokens == 7410);
    CHECK(p.usage.cost_usd == Approx(fake_cost(1012, 512, 930, 7410)));
    CHECK(p.request_id == "abc123");  // no request-id header: the responseId
    auto got = h.server.received();
    CHECK(got[0].path == "/v1/models/gemini-test:generateContent");
    CHECK(got[0].path.find("key") == std::string::npos);
    CHECK(header_value(got[0].headers, "x-goog-api-key") == "AIza-test-0003");
}

// ---------------------------------------------------------------------------------------------------
// 429 with every form of retry hint

TEST_CASE("scenario: 429 with each retry-after form is waited out and retried once", "[adapters][scenario]") {
    struct Case {
        std::string name, api, error_file;
        HttpHeaders headers;
        double min_wait_ms, max_wait_ms;
        std::string source;
    };
    std::vector<Case> cases = {
        {"retry-after-ms", "openai-chat", "openai-chat/error_rate_limit.json", {{"retry-after-ms", "1500"}}, 1500, 1500, "retry-after-ms"},
        {"retry-after seconds", "openai-chat", "openai-chat/error_rate_limit.json", {{"retry-after", "2"}}, 2000, 2000, "retry-after"},
        {"retry-after HTTP date", "openai-chat", "openai-chat/error_rate_limit.json", {{"retry-after", http_date_in(3)}}, 1000, 3100, "retry-after (HTTP date)"},
        {"x-ratelimit-reset duration", "openai-chat", "openai-chat/error_rate_limit.json",
         {{"x-ratelimit-reset-requests", "1s"}, {"x-ratelimit-reset-tokens", "2.5s"}}, 2500, 2500, "x-ratelimit-reset-tokens"},
        {"anthropic reset RFC 3339", "anthropic-messages", "anthropic/error_rate_limit.json",
         {{"anthropic-ratelimit-tokens-reset", rfc3339_in(3)}}, 1000, 3100, "anthropic-ratelimit-tokens-reset"},
        {"Gemini RetryInfo", "gemini", "gemini/error_retry_info.json", {}, 2000, 2000, "RetryInfo.retryDelay"},
    };
    for (const auto & c : cases) {
        SECTION(c.name) {
            ScenarioHarness h;
            h.server.push(error_reply(429, c.error_file, c.headers));
            std::string ok_file = c.api == "gemini" ? "gemini/thoughts.json"
                                  : c.api == "anthropic-messages" ? "anthropic/thinking.json"
                                                                  : "openai-chat/happy_reasoning.json";
            h.server.push(reply(ok_file));
            ModelEntry e = fake_entry(c.api, h.server);
            if (c.api == "anthropic-messages") e.thinking_budget = 2048;
            Prediction p = h.solve_one(e);
            CHECK(p.outcome == Outcome::ok);
            CHECK(p.retries == 1);
            CHECK(p.rate_limit_wait_ms >= c.min_wait_ms);
            CHECK(p.rate_limit_wait_ms <= c.max_wait_ms + 50);
            CHECK(h.clock.skipped_ms() >= c.min_wait_ms - 100);  // the wait really happened (virtually)
            CHECK(h.server.count() == 2);
            CHECK(h.last_stats.retries.rate_limited == 1);
            CHECK(h.last_stats.retries.overloaded == 0);
            auto rec = h.calls.records();
            REQUIRE(rec.size() == 2);
            CHECK(rec[0].http_status == 429);
            CHECK(rec[0].outcome == "rate_limited");
            CHECK_THAT(rec[0].error, Catch::StartsWith("retry 1 in ") && Catch::Contains("(" + c.source + ")"));
            CHECK(rec[1].http_status == 200);
            CHECK(rec[1].retries == 1);
            CHECK(rec[1].wait_ms >= c.min_wait_ms);
            CHECK(p.usage.cost_usd > 0);
        }
    }
}

TEST_CASE("scenario: rate limits that never end give up as rate_limited", "[adapters][scenario]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return error_reply(429, "openai-chat/error_rate_limit.json", {{"retry-after", "1"}}); });
    Prediction p = h.solve_one(fake_entry("openai-chat", h.server));
    CHECK(p.outcome == Outcome::rate_limited);
    CHECK(h.server.count() == 4);  // max_attempts
    CHECK(p.retries == 3);
    CHECK(p.rate_limit_wait_ms == Approx(3000));
    CHECK(p.http_status == 429);
    CHECK_THAT(p.error, Catch::Contains("gave up after 4 attempts"));
    CHECK(p.usage.cost_usd == 0);  // error statuses are not billed
}

// ---------------------------------------------------------------------------------------------------
// Quota and billing: fail fast

TEST_CASE("scenario: quota exhausted is never retried", "[adapters][scenario]") {
    struct Case {
        std::string name, api, file;
        int status;
    };
    std::vector<Case> cases = {
        {"OpenAI insufficient_quota", "openai-chat", "openai-chat/error_insufficient_quota.json", 429},
        {"DeepSeek 402", "openai-chat", "openai-chat/error_deepseek_402.json", 402},
        {"Anthropic billing_error", "anthropic-messages", "anthropic/error_billing.json", 400},
        {"Gemini per-day quota", "gemini", "gemini/error_per_day_quota.json", 429},
    };
    for (const auto & c : cases) {
        SECTION(c.name) {
            ScenarioHarness h;
            h.server.set_fallback([&](const Received &) { return error_reply(c.status, c.file, {{"retry-after", "1"}}); });
            ModelEntry e = fake_entry(c.api, h.server);
            if (c.api == "anthropic-messages") e.thinking_budget = 2048;
            Prediction p = h.solve_one(e);
            CHECK(p.outcome == Outcome::quota_exhausted);
            CHECK(p.retries == 0);
            CHECK(h.server.count() == 1);
            CHECK(h.clock.skipped_ms() == 0);
            CHECK(p.http_status == c.status);
            CHECK_THAT(p.error, Catch::Contains("not retryable (quota)"));
        }
    }
}

TEST_CASE("scenario: other 4xx fail fast with the provider's reason", "[adapters][scenario]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return error_reply(400, "openai-chat/error_bad_request.json"); });
    Prediction p = h.solve_one(fake_entry("openai-chat", h.server));
    CHECK(p.outcome == Outcome::http_error);
    CHECK(h.server.count() == 1);
    CHECK_THAT(p.error, Catch::Contains("max_completion_tokens"));
}

// ---------------------------------------------------------------------------------------------------
// Overloaded and server errors

TEST_CASE("scenario: overloaded 529/503 backs off and retries, counted apart from rate limits", "[adapters][scenario]") {
    struct Case {
        std::string name, api, error_file, ok_file;
        int status;
    };
    std::vector<Case> cases = {
        {"Anthropic 529", "anthropic-messages", "anthropic/error_overloaded.json", "anthropic/thinking.json", 529},
        {"OpenAI 503", "openai-chat", "openai-chat/error_rate_limit.json", "openai-chat/happy_reasoning.json", 503},
        {"Gemini 503 UNAVAILABLE", "gemini", "gemini/error_unavailable.json", "gemini/thoughts.json", 503},
    };
    for (const auto & c : cases) {
        SECTION(c.name) {
            ScenarioHarness h;
            h.server.push(error_reply(c.status, c.error_file));
            h.server.push(reply(c.ok_file));
            ModelEntry e = fake_entry(c.api, h.server);
            if (c.api == "anthropic-messages") e.thinking_budget = 2048;
            Prediction p = h.solve_one(e);
            CHECK(p.outcome == Outcome::ok);
            CHECK(p.retries == 1);
            CHECK(h.last_stats.retries.overloaded == 1);
            CHECK(h.last_stats.retries.rate_limited == 0);
            CHECK(p.rate_limit_wait_ms == 0);  // overload is not the user's rate limit
            auto rec = h.calls.records();
            REQUIRE(rec.size() == 2);
            CHECK(rec[0].outcome == "overloaded");
            CHECK_THAT(rec[0].error, Catch::Contains("(backoff)"));
            // First backoff: 1000 ms nominal, jitter takes off at most 25%.
            CHECK(rec[1].wait_ms >= 750);
            CHECK(rec[1].wait_ms <= 1000);
        }
    }
}

TEST_CASE("scenario: overload that persists ends as overloaded", "[adapters][scenario]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return error_reply(529, "anthropic/error_overloaded.json"); });
    ModelEntry e = fake_entry("anthropic-messages", h.server);
    Prediction p = h.solve_one(e);
    CHECK(p.outcome == Outcome::overloaded);
    CHECK(h.server.count() == 4);
    CHECK(p.request_id == "req_011CSHoEeqs5C35K2UUqR7Fy");  // from the error body
    // Backoffs 1 s, 2 s, 4 s nominal (minus up to 25% jitter).
    CHECK(h.clock.skipped_ms() >= 0.75 * 7000);
    CHECK(h.clock.skipped_ms() <= 7000 + 100);
}

TEST_CASE("scenario: 500 then 200 retries once", "[adapters][scenario]") {
    for (std::string api : {"openai-chat", "anthropic-messages", "gemini"}) {
        SECTION(api) {
            ScenarioHarness h;
            Scripted err;
            err.status = 500;
            err.body = api == "anthropic-messages" ? R"({"type":"error","error":{"type":"api_error","message":"Internal server error"}})"
                                                   : R"({"error":{"message":"internal error","type":"server_error"}})";
            h.server.push(err);
            h.server.push(reply(api == "gemini" ? "gemini/thoughts.json"
                                : api == "anthropic-messages" ? "anthropic/thinking.json"
                                                              : "openai-chat/happy_reasoning.json"));
            Prediction p = h.solve_one(fake_entry(api, h.server));
            CHECK(p.outcome == Outcome::ok);
            CHECK(p.retries == 1);
            CHECK(h.last_stats.retries.server_error == 1);
            CHECK(h.server.count() == 2);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Hangs, keep-alive lines, proxies, malformed bodies

TEST_CASE("scenario: a hang hits the client timeout, then the retry policy", "[adapters][scenario]") {
    ScenarioHarness h;
    Scripted hang = reply("openai-chat/happy_reasoning.json");
    hang.delay_ms = 3000;
    ModelEntry e = fake_entry("openai-chat", h.server);
    e.timeout_s = 0.3;
    SECTION("timeout then success") {
        h.server.push(hang);
        h.server.push(reply("openai-chat/happy_reasoning.json"));
        Prediction p = h.solve_one(e);
        CHECK(p.outcome == Outcome::ok);
        CHECK(p.retries == 1);
        CHECK(h.last_stats.retries.timeout == 1);
        auto rec = h.calls.records();
        REQUIRE(rec.size() == 2);
        CHECK(rec[0].http_status == 0);
        CHECK(rec[0].outcome == "timeout");
        CHECK(rec[0].latency_ms >= 250);
        CHECK(rec[0].latency_ms < 2500);
    }
    SECTION("timeouts are retried at most max_timeout_retries times") {
        h.server.push(hang);
        h.server.push(hang);
        h.server.push(reply("openai-chat/happy_reasoning.json"));
        Prediction p = h.solve_one(e);
        CHECK(p.outcome == Outcome::timeout);
        CHECK(h.server.count() == 2);
        CHECK(p.retries == 1);
        CHECK(p.usage.cost_usd == -1);  // the provider may have billed it: unknown, not 0
        CHECK_THAT(p.error, Catch::Contains("gave up after 2 timeouts"));
    }
}

TEST_CASE("scenario: DeepSeek keep-alive blank lines before the JSON body", "[adapters][scenario]") {
    ScenarioHarness h;
    Scripted s = reply("openai-chat/deepseek_reasoner.json");
    s.keepalive_lines = 5;
    s.keepalive_ms = 30;
    h.server.push(s);
    ModelEntry e = fake_entry("openai-chat", h.server);
    e.timeout_s = 5;
    Prediction p = h.solve_one(e);
    CHECK(p.outcome == Outcome::ok);
    CHECK(*p.answer == grid({{5, 6}, {7, 8}}));
    CHECK(p.reasoning_text == "Let me check row 1...");
    CHECK(p.usage.cached_input_tokens == 64);
    CHECK(p.usage.reasoning_tokens == 5800);
    CHECK(p.retries == 0);
}

TEST_CASE("scenario: HTML 502 from a proxy and malformed JSON are retried", "[adapters][scenario]") {
    ScenarioHarness h;
    SECTION("HTML 502") {
        Scripted html = error_reply(502, "proxy/html_502.html");
        html.content_type = "text/html";
        h.server.push(html);
        h.server.push(reply("openai-chat/happy_reasoning.json"));
        Prediction p = h.solve_one(fake_entry("openai-chat", h.server));
        CHECK(p.outcome == Outcome::ok);
        CHECK(p.retries == 1);
        auto rec = h.calls.records();
        CHECK_THAT(rec[0].error, Catch::Contains("HTTP 502: 502 Bad Gateway"));
    }
    SECTION("truncated JSON in a 200") {
        h.server.push(reply("openai-chat/malformed_truncated.json"));
        h.server.push(reply("openai-chat/happy_reasoning.json"));
        Prediction p = h.solve_one(fake_entry("openai-chat", h.server));
        CHECK(p.outcome == Outcome::ok);
        CHECK(h.last_stats.retries.malformed == 1);
        CHECK(h.calls.records()[0].outcome == "http_error");
    }
    SECTION("HTML in a 200 every time") {
        h.server.set_fallback([](const Received &) {
            Scripted s = reply("proxy/html_502.html");
            s.content_type = "text/html";
            return s;
        });
        Prediction p = h.solve_one(fake_entry("gemini", h.server));
        CHECK(p.outcome == Outcome::http_error);
        CHECK(h.server.count() == 4);
        CHECK_THAT(p.error, Catch::Contains("malformed 200 response"));
    }
}

// ---------------------------------------------------------------------------------------------------
// Truncation, refusals, parse errors

TEST_CASE("scenario: truncated reasoning is its own outcome, billed, no answer", "[adapters][scenario]") {
    struct Case {
        std::string api, file;
        int64_t reasoning;
    };
    std::vector<Case> cases = {{"openai-chat", "openai-chat/length_empty.json", 4096},
                               {"anthropic-messages", "anthropic/max_tokens_no_text.json", 16384},
                               {"gemini", "gemini/max_tokens.json", 8192},
                               {"openai-responses", "openai-responses/incomplete_reasoning_only.json", 4096},
                               {"openai-chat", "openai-chat/think_unterminated.json", -1}};
    for (const auto & c : cases) {
        SECTION(c.file) {
            ScenarioHarness h;
            h.server.push(reply(c.file));
            Prediction p = h.solve_one(fake_entry(c.api, h.server));
            CHECK(p.outcome == Outcome::truncated);
            CHECK_FALSE(p.answer);
            CHECK(p.retries == 0);
            CHECK(p.usage.reasoning_tokens == c.reasoning);
            CHECK(p.usage.cost_usd > 0);
            CHECK_THAT(p.error, Catch::Contains("stopped at the output limit"));
            CHECK(h.calls.records().back().outcome == "truncated");
        }
    }
}

TEST_CASE("scenario: refusals and safety blocks are refused", "[adapters][scenario]") {
    for (auto [api, file] : std::vector<std::pair<std::string, std::string>>{
             {"anthropic-messages", "anthropic/refusal.json"},
             {"openai-chat", "openai-chat/refusal.json"},
             {"openai-chat", "openai-chat/content_filter.json"},
             {"gemini", "gemini/safety.json"},
             {"gemini", "gemini/prompt_blocked.json"}}) {
        SECTION(file) {
            ScenarioHarness h;
            h.server.push(reply(file));
            Prediction p = h.solve_one(fake_entry(api, h.server));
            CHECK(p.outcome == Outcome::refused);
            CHECK_FALSE(p.answer);
            CHECK(h.server.count() == 1);
        }
    }
}

TEST_CASE("scenario: text without a grid is a parse_error with the reason", "[adapters][scenario]") {
    ScenarioHarness h;
    Scripted s;
    s.body = R"({"id":"c1","choices":[{"message":{"content":"I think the answer is blue."},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":7,"total_tokens":17}})";
    h.server.push(s);
    Prediction p = h.solve_one(fake_entry("openai-chat", h.server));
    CHECK(p.outcome == Outcome::parse_error);
    CHECK(p.raw_text == "I think the answer is blue.");
    CHECK_THAT(p.error, Catch::Contains("no [[...]] grid"));
    CHECK(p.usage.cost_usd == Approx(fake_cost(10, 0, 7, 0)));
}

// ---------------------------------------------------------------------------------------------------
// Reasoning field names and <think>

TEST_CASE("scenario: reasoning_content, reasoning and <think> are all captured", "[adapters][scenario]") {
    for (auto [file, reasoning] : std::vector<std::pair<std::string, std::string>>{
             {"openai-chat/deepseek_reasoner.json", "Let me check row 1..."},
             {"openai-chat/vllm_reasoning.json", "Each cell is doubled."},
             {"openai-chat/ollama_reasoning.json", "All cells become 9."},
             {"openai-chat/llama_server_think.json", "The rows swap."}}) {
        SECTION(file) {
            ScenarioHarness h;
            h.server.push(reply(file));
            Prediction p = h.solve_one(fake_entry("openai-chat", h.server));
            CHECK(p.outcome == Outcome::ok);
            CHECK(p.reasoning_text == reasoning);
            CHECK(p.raw_text.find("<think>") == std::string::npos);
            CHECK(p.answer);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Background jobs (Responses API)

TEST_CASE("scenario: background job is polled until complete", "[adapters][scenario]") {
    ScenarioHarness h;
    h.server.push(reply("openai-responses/queued.json"));
    h.server.push(reply("openai-responses/in_progress.json"));
    h.server.push(error_reply(429, "openai-chat/error_rate_limit.json", {{"retry-after", "1"}}));  // a poll is limited
    h.server.push(reply("openai-responses/background_completed.json", {{"x-request-id", "req_bg_final"}}));
    ModelEntry e = fake_entry("openai-responses", h.server);
    e.background = true;
    e.poll_interval_s = 10;
    e.timeout_s = 3600;
    Prediction p = h.solve_one(e);
    CHECK(p.outcome == Outcome::ok);
    CHECK(*p.answer == grid({{4, 3}, {2, 1}}));
    CHECK(p.reasoning_text == "Mirror the grid.");
    CHECK(p.usage.reasoning_tokens == 2900);
    CHECK(p.request_id == "req_bg_final");
    auto got = h.server.received();
    REQUIRE(got.size() == 4);
    CHECK(got[0].method == "POST");
    CHECK(json::parse(got[0].body)["background"] == true);
    for (size_t i = 1; i < 4; ++i) {
        CHECK(got[i].method == "GET");
        CHECK(got[i].path == "/v1/responses/resp_bg1");
    }
    CHECK(h.clock.skipped_ms() >= 2 * 10'000 + 1000 - 50);  // two poll intervals and the retry-after
    auto rec = h.calls.records();
    REQUIRE(rec.size() == 4);
    CHECK(rec[0].outcome == "pending");
    CHECK(rec[2].outcome == "rate_limited");
    CHECK(rec[3].outcome == "ok");
}

TEST_CASE("scenario: background job past its time limit is cancelled", "[adapters][scenario]") {
    ScenarioHarness h;
    h.server.push(reply("openai-responses/queued.json"));
    h.server.set_fallback([](const Received & r) {
        if (r.path.ends_with("/cancel")) {
            Scripted s = reply("openai-responses/in_progress.json");
            return s;
        }
        return reply("openai-responses/in_progress.json");
    });
    ModelEntry e = fake_entry("openai-responses", h.server);
    e.background = true;
    e.poll_interval_s = 10;
    e.timeout_s = 35;
    Prediction p = h.solve_one(e);
    CHECK(p.outcome == Outcome::timeout);
    CHECK_THAT(p.error, Catch::Contains("still running after"));
    auto got = h.server.received();
    REQUIRE(got.size() >= 4);
    CHECK(got.back().method == "POST");
    CHECK(got.back().path == "/v1/responses/resp_bg1/cancel");
    size_t polls = 0;
    for (const auto & r : got) polls += r.method == "GET";
    CHECK(polls == 3);  // at 10, 20, 30 s; the deadline (35 s) falls before the 4th
}

// ---------------------------------------------------------------------------------------------------
// Real time: a retry-after is honoured on the wall clock too

TEST_CASE("scenario: retry-after-ms is honoured in real time", "[adapters][scenario]") {
    FakeServer server;
    server.push(error_reply(429, "openai-chat/error_rate_limit.json", {{"retry-after-ms", "300"}}));
    server.push(reply("openai-chat/happy_reasoning.json"));
    MemoryCalls calls;
    LimiterRegistry limiters;
    LlmClientOptions o;
    o.transport = std::make_shared<CurlTransport>();
    o.calls = &calls;
    o.limiters = &limiters;
    LlmSolver solver(fake_entry("openai-chat", server), {}, o);
    FakeTask task;
    auto ex = fake_examples(1);
    std::vector<WorkItem> items = {{&ex[0], 0}};
    VectorSink sink;
    solver.solve(task, items, sink);
    REQUIRE(sink.predictions.size() == 1);
    CHECK(sink.predictions[0].outcome == Outcome::ok);
    auto got = server.received();
    REQUIRE(got.size() == 2);
    CHECK(got[1].at_ms - got[0].at_ms >= 295);
}

TEST_CASE("scenario: a retry-after beyond the retry budget gives up without freezing the account", "[adapters][scenario]") {
    ScenarioHarness h;
    h.retry.max_retry_wall_ms = 60'000;
    h.server.push(error_reply(429, "openai-chat/error_rate_limit.json", {{"retry-after", "86400"}}));
    ModelEntry e = fake_entry("openai-chat", h.server);
    Prediction p = h.solve_one(e);
    CHECK(p.outcome == Outcome::rate_limited);
    CHECK_THAT(p.error, Catch::Contains("would exceed the retry budget"));
    CHECK(h.server.count() == 1);
    // The same provider's next request is not held back by the day-long hint.
    h.server.push(reply("openai-chat/happy_reasoning.json"));
    p = h.solve_one(e);
    CHECK(p.outcome == Outcome::ok);
    CHECK(h.clock.skipped_ms() == 0);
}
