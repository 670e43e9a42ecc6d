// The dispatcher: concurrency and limits, spend cap, pre-flight estimate, response cache, stop
// requests, missing keys, errors from the sink, and no API key in any byte the adapters emit.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>

#include "adapters/ask.h"
#include "adapters/usage.h"
#include "harness/core/error.h"
#include "tests/unit/adapters/scenario_harness.h"

using namespace trmbench;
using namespace trmbench::test;
using json = nlohmann::json;

namespace {

Scripted ok_chat(int delay_ms = 0) {
    Scripted s = reply("openai-chat/vllm_reasoning.json");
    s.delay_ms = delay_ms;
    return s;
}

std::vector<WorkItem> items_for(const std::vector<Example> & ex, int attempts = 1) {
    std::vector<WorkItem> items;
    for (const auto & e : ex)
        for (int a = 0; a < attempts; ++a) items.push_back({&e, a});
    return items;
}

}  // namespace

TEST_CASE("dispatch: requests run concurrently up to the in-flight cap", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return ok_chat(60); });
    ModelEntry e = fake_entry("openai-chat", h.server);
    e.limits.max_in_flight = 4;
    auto preds = h.solve(e, 16);
    REQUIRE(preds.size() == 16);
    for (const auto & p : preds) CHECK(p.outcome == Outcome::ok);
    CHECK(h.server.count() == 16);
    CHECK(h.server.max_concurrent() <= 4);
    CHECK(h.server.max_concurrent() >= 2);
    // Every example got exactly one prediction.
    std::set<std::string> ids;
    for (const auto & p : preds) ids.insert(p.example_id);
    CHECK(ids.size() == 16);
}

TEST_CASE("dispatch: the provider-wide limit is shared by entries", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return ok_chat(40); });
    LimitSettings provider;
    provider.max_in_flight = 2;
    auto preds = h.solve(fake_entry("openai-chat", h.server), 8, provider);
    CHECK(preds.size() == 8);
    CHECK(h.server.max_concurrent() <= 2);
}

TEST_CASE("dispatch: requests/minute bucket spaces requests out", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return ok_chat(); });
    ModelEntry e = fake_entry("openai-chat", h.server);
    e.limits.rpm = 60;      // one per second
    e.limits.burst_s = 1;   // capacity 1
    auto preds = h.solve(e, 4);
    CHECK(preds.size() == 4);
    // Three requests had to wait about a second each for the bucket (virtual time).
    CHECK(h.clock.skipped_ms() >= 2500);
    double limited = 0;
    for (const auto & p : preds) limited += p.rate_limit_wait_ms;
    CHECK(limited >= 2500);
}

TEST_CASE("dispatch: spend cap stops dispatch, in-flight calls finish, the rest is skipped", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return ok_chat(150); });
    ModelEntry e = fake_entry("openai-chat", h.server);
    // Worst case per request: 100000 output tokens x $10/1M = $1 (+ a few input tokens).
    e.max_output_tokens = 100'000;
    e.pricing.reasoning = 10.0;
    e.limits.max_in_flight = 10;
    h.budget = std::make_shared<SpendBudget>(3.5);
    auto preds = h.solve(e, 10);
    REQUIRE(preds.size() == 10);
    int ok = 0, skipped = 0;
    for (const auto & p : preds) {
        if (p.outcome == Outcome::ok) ++ok;
        if (p.outcome == Outcome::skipped) {
            ++skipped;
            CHECK_THAT(p.error, Catch::Contains("spend cap $3.5000 reached"));
            CHECK(p.usage.cost_usd == 0);
        }
    }
    CHECK(ok == 3);
    CHECK(skipped == 7);
    CHECK(h.server.count() == 3);
    CHECK(h.calls.records().size() == 3);  // the in-flight calls were recorded
    // Actual spend: 3 x (80 input x $1 + 300 output x $10) / 1M.
    CHECK(h.budget->spent() == Approx(3 * (80 * 1.0 + 300 * 10.0) / 1e6));
    CHECK(h.budget->reserved() == Approx(0).margin(1e-12));
    CHECK(h.last_stats.skipped == 7);
}

TEST_CASE("dispatch: spend cap without an output bound cannot be honoured", "[adapters][dispatch]") {
    ScenarioHarness h;
    ModelEntry e = fake_entry("openai-chat", h.server);
    e.max_output_tokens = -1;
    h.budget = std::make_shared<SpendBudget>(100);
    auto preds = h.solve(e, 2);
    REQUIRE(preds.size() == 2);
    for (const auto & p : preds) CHECK(p.outcome == Outcome::skipped);
    CHECK(h.server.count() == 0);
}

TEST_CASE("dispatch: pre-flight estimate", "[adapters][dispatch]") {
    FakeServer server;
    ModelEntry e = fake_entry("openai-chat", server);
    e.max_output_tokens = 10'000;
    e.typical_output_tokens = 2'000;
    LimiterRegistry limiters;
    LlmClientOptions o;
    o.limiters = &limiters;
    LlmSolver solver(e, {}, o);
    FakeTask task;
    auto ex = fake_examples(3);
    auto items = items_for(ex, 2);
    Preflight pf = solver.preflight(task, items);
    int64_t input = 0;
    for (const auto & it : items) input += estimate_tokens(task.render_prompt(*it.example)) + 16;
    CHECK(pf.requests == 6);
    CHECK(pf.input_tokens == input);
    CHECK(pf.expected_output_tokens == 6 * 2000);
    CHECK(pf.worst_output_tokens == 6 * 10'000);
    // Output priced at max(output, reasoning) = $20/1M.
    CHECK(pf.expected_usd == Approx((input * 1.0 + 12'000 * 20.0) / 1e6));
    CHECK(pf.worst_usd == Approx((input * 1.0 + 60'000 * 20.0) / 1e6));
    CHECK_THAT(pf.to_text(), Catch::Contains("6 requests"));
    CHECK(server.count() == 0);
}

TEST_CASE("dispatch: a cached response is not requested again", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.use_cache = true;
    h.server.set_fallback([](const Received &) { return reply("openai-chat/happy_reasoning.json", {{"x-request-id", "req_c1"}}); });
    ModelEntry e = fake_entry("openai-chat", h.server);
    auto first = h.solve(e, 3);
    CHECK(h.server.count() == 3);
    CHECK(h.cache.size() == 3);
    auto second = h.solve(e, 3);
    CHECK(h.server.count() == 3);  // no new request
    REQUIRE(second.size() == 3);
    for (size_t i = 0; i < 3; ++i) {
        CHECK(second[i].outcome == Outcome::ok);
        CHECK(second[i].answer == first[i].answer);
        CHECK(second[i].usage.reasoning_tokens == 5056);
        CHECK(second[i].usage.cost_usd == Approx(first[i].usage.cost_usd));
        CHECK(second[i].request_id == "req_c1");
    }
    CHECK(h.last_stats.cache_hits == 3);
    CHECK(h.last_stats.requests_sent == 0);
    CHECK(h.calls.records().size() == 3);  // cache hits make no HTTP call and no record

    // The key covers provider, model, request body and attempt index.
    auto hits = h.cache.entries();
    std::string body = h.server.received()[0].body;
    CHECK(hits.count(LlmClient::cache_key(e, body, 0)) == 1);
    CHECK(LlmClient::cache_key(e, body, 1) != LlmClient::cache_key(e, body, 0));
    ModelEntry other = e;
    other.model = "other-model";
    CHECK(LlmClient::cache_key(other, body, 0) != LlmClient::cache_key(e, body, 0));
}

TEST_CASE("dispatch: attempts of the same example are separate requests and cache entries", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.use_cache = true;
    h.server.set_fallback([](const Received &) { return ok_chat(); });
    ModelEntry e = fake_entry("openai-chat", h.server);
    auto ex = fake_examples(1);
    auto items = items_for(ex, 2);
    LlmSolver solver(e, {}, h.options());
    VectorSink sink;
    solver.solve(h.task, items, sink);
    REQUIRE(sink.predictions.size() == 2);
    CHECK(h.server.count() == 2);
    CHECK(h.cache.size() == 2);
    std::set<int> attempts = {sink.predictions[0].attempt, sink.predictions[1].attempt};
    CHECK(attempts == std::set<int>{0, 1});
}

TEST_CASE("dispatch: errors are not cached", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.use_cache = true;
    h.server.set_fallback([](const Received &) { return error_reply(400, "openai-chat/error_bad_request.json"); });
    h.solve(fake_entry("openai-chat", h.server), 2);
    CHECK(h.cache.size() == 0);
}

TEST_CASE("dispatch: stop_requested skips what was not sent", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return ok_chat(20); });
    ModelEntry e = fake_entry("openai-chat", h.server);
    e.limits.max_in_flight = 1;
    VectorSink sink;
    sink.stop_after_ = 2;
    auto preds = h.solve(e, 6, {}, &sink);
    REQUIRE(preds.size() == 6);
    int ok = 0, skipped = 0;
    for (const auto & p : preds) {
        ok += p.outcome == Outcome::ok;
        if (p.outcome == Outcome::skipped) {
            ++skipped;
            CHECK(p.error == "stop requested");
        }
    }
    CHECK(ok == 2);
    CHECK(skipped == 4);
    CHECK(h.server.count() == 2);
}

TEST_CASE("dispatch: an exception from the sink waits for in-flight calls, then propagates", "[adapters][dispatch]") {
    struct ThrowingSink final : PredictionSink {
        int calls = 0;
        void put(Prediction &&) override {
            if (++calls == 1) throw IoError("results store: disk full");
        }
    };
    ScenarioHarness h;
    h.server.set_fallback([](const Received &) { return ok_chat(30); });
    ModelEntry e = fake_entry("openai-chat", h.server);
    e.limits.max_in_flight = 4;
    auto ex = fake_examples(8);
    auto items = items_for(ex);
    LlmSolver solver(e, {}, h.options());
    ThrowingSink sink;
    CHECK_THROWS_AS(solver.solve(h.task, items, sink), IoError);
    CHECK(sink.calls == 1);
    CHECK(h.server.count() <= 8);
}

TEST_CASE("dispatch: a missing key is a usage error naming the variable, nothing sent", "[adapters][dispatch]") {
    ScenarioHarness h;
    ::unsetenv("TRMBENCH_TEST_UNSET_KEY");
    ModelEntry e = fake_entry("openai-chat", h.server, "TRMBENCH_TEST_UNSET_KEY");
    try {
        LlmSolver solver(e, {}, h.options());
        FAIL("expected a UsageError");
    } catch (const UsageError & err) {
        CHECK_THAT(err.what(), Catch::Contains("TRMBENCH_TEST_UNSET_KEY"));
        CHECK(err.exit_code() == 2);
    }
    CHECK(h.server.count() == 0);
}

TEST_CASE("one-shot ask: JSON line with outcome, usage, cost, retries, request id", "[adapters][dispatch]") {
    ScenarioHarness h;
    h.server.push(error_reply(503, "gemini/error_unavailable.json"));
    h.server.push(reply("gemini/thoughts.json", {{"x-request-id", "req_ask"}}));
    ModelEntry e = fake_entry("gemini", h.server);
    LlmClient client(e, {}, h.options());
    LlmResult r = ask_once(client, "prompt", 0, "Say [[7,7],[7,7]]");
    double last = r.latency_ms;
    Prediction p = prediction_from_result(h.task, fake_examples(1)[0], std::move(r));
    json j = json::parse(prediction_json_line(e, p, last));
    CHECK(j["outcome"] == "ok");
    CHECK(j["answer"] == json::parse("[[7,7],[7,7]]"));
    CHECK(j["retries"] == 1);
    CHECK(j["request_id"] == "req_ask");
    CHECK(j["usage"]["reasoning_tokens"] == 7410);
    CHECK(j["usage"]["output_tokens"] == 930);
    CHECK(j["cost_usd"].get<double>() == Approx((500 * 1.0 + 512 * 0.1 + 930 * 10.0 + 7410 * 20.0) / 1e6));
    CHECK(j["price_date"] == "2026-11-28");
    CHECK(j["latency_ms"].get<double>() > 0);
    CHECK(j["flops_estimated"] == true);
}

// Every byte the adapters emit: predictions, call records, cache entries, log lines, error texts.
TEST_CASE("secrets: no API key in any record, cache entry, prediction, log or error", "[adapters][dispatch][secrets]") {
    const std::vector<std::pair<std::string, std::string>> keys = {
        {"openai-chat", "sk-test-SECRET123-openai-aaaa"},
        {"openai-responses", "sk-test-SECRET123-responses-bbbb"},
        {"anthropic-messages", "sk-ant-test-SECRET123-cccc"},
        {"gemini", "AIza-test-SECRET123-dddd"},
    };
    std::vector<std::string> emitted;
    for (size_t k = 0; k < keys.size(); ++k) {
        const std::string & api = keys[k].first;
        const std::string & key = keys[k].second;
        INFO(api);
        ScenarioHarness h;
        h.use_cache = true;
        std::string var = "TRMBENCH_TEST_KEY_" + std::to_string(k);
        test::ScopedEnv env(var, key);
        // A 401 whose body echoes the key (OpenAI does, partly masked), a 429 quoting it, an
        // HTML 502, a timeout, then success with the key echoed in the model's text.
        h.server.push(error_reply(500, "openai-chat/error_bad_request.json"));
        Scripted echo429;
        echo429.status = 429;
        echo429.body = R"({"error":{"message":"Rate limit for key )" + key + R"(","type":"requests"}})";
        echo429.headers = {{"retry-after", "1"}, {"x-request-id", "req-" + key}};
        h.server.push(echo429);
        Scripted html = error_reply(502, "proxy/html_502.html");
        html.content_type = "text/html";
        h.server.push(html);
        std::string ok_file = api == "gemini" ? "gemini/thoughts.json"
                              : api == "anthropic-messages" ? "anthropic/thinking.json"
                              : api == "openai-responses" ? "openai-responses/completed.json"
                                                          : "openai-chat/happy_reasoning.json";
        std::string ok_body = http_data(ok_file);
        // Put the key into the model's answer text too (a model echoing its prompt could).
        size_t pos = ok_body.find("[[");
        REQUIRE(pos != std::string::npos);
        ok_body.insert(pos, key + " ");
        Scripted ok;
        ok.body = ok_body;
        h.server.push(ok);
        Scripted unauthorized;
        unauthorized.status = 401;
        unauthorized.body = R"({"error":{"message":"Incorrect API key provided: )" + key + R"(.","type":"invalid_request_error","code":"invalid_api_key"}})";
        h.server.set_fallback([unauthorized](const Received &) { return unauthorized; });
        h.retry.max_attempts = 6;
        ModelEntry e = fake_entry(api, h.server, var);
        auto preds = h.solve(e, 2);  // the second example meets the 401
        REQUIRE(preds.size() == 2);
        // The key was really sent (so the scan below can fail).
        bool sent = false;
        for (const auto & r : h.server.received())
            for (const auto & [k, v] : r.headers) sent = sent || v.find(key) != std::string::npos;
        CHECK(sent);
        for (const auto & p : preds) {
            for (const std::string * s : {&p.example_id, &p.raw_text, &p.reasoning_text, &p.error, &p.request_id,
                                          &p.usage.raw_json})
                emitted.push_back(*s);
        }
        for (const auto & r : h.calls.records())
            for (const std::string * s : {&r.solver, &r.provider, &r.model_id, &r.example_id, &r.cache_key, &r.outcome,
                                          &r.error, &r.request_id, &r.request_json, &r.response_body})
                emitted.push_back(*s);
        for (const auto & [k, v] : h.cache.entries()) {
            emitted.push_back(k);
            emitted.push_back(v.body);
            emitted.push_back(v.headers_json);
        }
        for (const auto & line : h.log) emitted.push_back(line);
        ModelEntry missing = e;
        missing.api_key_env = "TRMBENCH_TEST_KEY_NOT_SET";
        try {
            LlmSolver s(missing, {}, h.options());
        } catch (const std::exception & err) {
            emitted.push_back(err.what());
        }
        LlmSolver solver(e, {}, h.options());
        emitted.push_back(solver.info().config_json);
        CHECK(h.calls.records().size() >= 5);
        CHECK_FALSE(h.log.empty());
        bool saw_401 = false;
        for (const auto & p : preds) saw_401 = saw_401 || p.http_status == 401;
        CHECK(saw_401);
        for (const auto & s : emitted) {
            for (const auto & kv : keys) {
                INFO(s);
                CHECK(s.find(kv.second) == std::string::npos);
            }
        }
        bool redacted = false;
        for (const auto & s : emitted) redacted = redacted || s.find("[REDACTED]") != std::string::npos;
        CHECK(redacted);
    }
}
