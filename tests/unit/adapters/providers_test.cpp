// Pure request builders against golden JSON, and reply parsers over recorded bodies.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "adapters/provider.h"
#include "adapters/retry.h"
#include "harness/core/rng.h"
#include "tests/unit/adapters/adapter_test_support.h"

using namespace trmbench;
using trmbench::test::http_data;
using json = nlohmann::json;

namespace {

const std::string kPrompt = "Solve: [[0,1],[1,0]]";

ModelEntry entry(const std::string & api, const std::string & model) {
    ModelEntry e;
    e.name = "t";
    e.provider = "p";
    e.api = api;
    e.model = model;
    e.base_url = "https://api.example.com/v1/";
    return e;
}

// The builder's output is canonical (sorted keys, no whitespace) and equals the golden file.
void check_golden(const std::string & built, const std::string & golden_file) {
    json golden = json::parse(http_data(golden_file));
    CHECK(json::parse(built) == golden);
    CHECK(built == golden.dump());
}

std::string header(const HttpRequest & r, const std::string & name) { return std::string(header_value(r.headers, name)); }

}  // namespace

TEST_CASE("openai-chat: request body and headers", "[adapters][providers]") {
    ModelEntry e = entry("openai-chat", "o3-mini-2025-01-31");
    e.reasoning_effort = "high";
    e.max_output_tokens = 100000;
    e.seed = 1234;
    e.store = false;
    e.extra_body_json = R"({"metadata":{"suite":"arc"}})";
    const Provider & p = provider_for_api("openai-chat");
    std::string body = p.build_body(e, kPrompt, 1);  // attempt 1: seed + 1
    check_golden(body, "openai-chat/request_golden.json");
    HttpRequest r = p.build_request(e, body, "sk-test-KEY");
    CHECK(r.method == "POST");
    CHECK(r.url == "https://api.example.com/v1/chat/completions");
    CHECK(header(r, "authorization") == "Bearer sk-test-KEY");
    CHECK(header(r, "content-type") == "application/json");
    CHECK(r.total_timeout_ms == 1'800'000);
    // Local servers: no key, no auth header.
    CHECK(header(p.build_request(e, body, ""), "authorization").empty());

    ModelEntry ds = entry("openai-chat", "deepseek-reasoner");
    ds.max_output_tokens = 8192;
    ds.max_tokens_field = "max_tokens";
    ds.temperature = 0.6;
    check_golden(p.build_body(ds, kPrompt, 0), "openai-chat/request_compat_golden.json");
}

TEST_CASE("openai-chat: reasoning tokens inside completion tokens", "[adapters][providers]") {
    const Provider & p = provider_for_api("openai-chat");
    ProviderReply r = p.parse_reply(http_data("openai-chat/happy_reasoning.json"));
    REQUIRE_FALSE(r.malformed);
    CHECK(r.finish == FinishKind::stop);
    CHECK(r.text == "The grid is [[1,2],[3,4]].");
    CHECK(r.tokens.input == 96);
    CHECK(r.tokens.cached_input == 32);
    CHECK(r.tokens.reasoning == 5056);
    CHECK(r.tokens.output == 5210 - 5056);
    CHECK(r.tokens.total == 5306);
    CHECK(r.response_id == "chatcmpl-abc123");
    CHECK(r.model_returned == "o4-mini-2025-04-16");
    CHECK(json::parse(r.usage_json)["completion_tokens"] == 5210);
}

TEST_CASE("openai-chat: length, refusal, content filter", "[adapters][providers]") {
    const Provider & p = provider_for_api("openai-chat");
    ProviderReply r = p.parse_reply(http_data("openai-chat/length_empty.json"));
    CHECK(r.finish == FinishKind::length);
    CHECK(r.text.empty());
    CHECK(r.tokens.reasoning == 4096);
    CHECK(r.tokens.output == 0);
    r = p.parse_reply(http_data("openai-chat/refusal.json"));
    CHECK(r.finish == FinishKind::refusal);
    CHECK(r.error == "I can't help with that.");
    CHECK(r.tokens.reasoning == -1);  // not reported: unknown, not 0
    CHECK(r.tokens.output == 9);
    r = p.parse_reply(http_data("openai-chat/content_filter.json"));
    CHECK(r.finish == FinishKind::content_filter);
}

TEST_CASE("openai-compatible: both reasoning field names and <think> blocks", "[adapters][providers]") {
    const Provider & p = provider_for_api("openai-chat");
    ProviderReply r = p.parse_reply(http_data("openai-chat/deepseek_reasoner.json"));
    CHECK(r.reasoning == "Let me check row 1...");
    CHECK(r.text == "<answer>[[5,6],[7,8]]</answer>");
    CHECK(r.tokens.cached_input == 64);  // DeepSeek's prompt_cache_hit_tokens
    CHECK(r.tokens.reasoning == 5800);
    CHECK(r.tokens.output == 300);

    r = p.parse_reply(http_data("openai-chat/vllm_reasoning.json"));
    CHECK(r.reasoning == "Each cell is doubled.");
    CHECK(r.text == "[[2,4],[6,8]]");
    CHECK(r.tokens.reasoning == -1);
    CHECK(r.tokens.output == 300);  // no split given: the whole completion

    r = p.parse_reply(http_data("openai-chat/ollama_reasoning.json"));
    CHECK(r.reasoning == "All cells become 9.");
    CHECK(r.text == "[[9,9],[9,9]]");

    r = p.parse_reply(http_data("openai-chat/llama_server_think.json"));
    CHECK(r.reasoning == "The rows swap.");
    CHECK(r.text == "[[3,4],[1,2]]");
    CHECK_FALSE(r.think_unterminated);

    r = p.parse_reply(http_data("openai-chat/think_unterminated.json"));
    CHECK(r.think_unterminated);
    CHECK(r.text.empty());
    CHECK(r.finish == FinishKind::length);
    CHECK(r.reasoning.starts_with("Try the first row"));
}

TEST_CASE("openai-chat: DeepSeek keep-alive blank lines and malformed bodies", "[adapters][providers]") {
    const Provider & p = provider_for_api("openai-chat");
    ProviderReply r = p.parse_reply("\n\n\n  \n" + http_data("openai-chat/deepseek_reasoner.json"));
    REQUIRE_FALSE(r.malformed);
    CHECK(r.text == "<answer>[[5,6],[7,8]]</answer>");
    r = p.parse_reply(": keep-alive\n\n" + http_data("openai-chat/vllm_reasoning.json"));
    CHECK_FALSE(r.malformed);

    r = p.parse_reply(http_data("openai-chat/malformed_truncated.json"));
    CHECK(r.malformed);
    CHECK(r.malformed_reason.find("not JSON") != std::string::npos);
    r = p.parse_reply(http_data("proxy/html_502.html"));
    CHECK(r.malformed);
    r = p.parse_reply("");
    CHECK(r.malformed);
    r = p.parse_reply(R"({"choices":[]})");
    CHECK(r.malformed);
    r = p.parse_reply(R"({"error":{"message":"upstream failed"}})");
    CHECK(r.malformed);
    CHECK(r.malformed_reason.find("upstream failed") != std::string::npos);
    // Wrong types everywhere: no throw, sensible defaults.
    r = p.parse_reply(R"({"choices":[{"message":{"content":7},"finish_reason":3}],"usage":{"prompt_tokens":"x"}})");
    CHECK_FALSE(r.malformed);
    CHECK(r.text.empty());
    CHECK(r.tokens.input == -1);
    // Absurd counts are refused (so sums and costs cannot overflow), not trusted.
    r = p.parse_reply(R"({"choices":[{"message":{"content":"x"},"finish_reason":"stop"}],)"
                      R"("usage":{"prompt_tokens":1e300,"completion_tokens":18446744073709551615,"total_tokens":-5}})");
    CHECK(r.tokens.input == -1);
    CHECK(r.tokens.output == -1);
    CHECK(r.tokens.total == -1);
}

TEST_CASE("openai-responses: background request and polling requests", "[adapters][providers]") {
    ModelEntry e = entry("openai-responses", "gpt-5.5");
    e.reasoning_effort = "high";
    e.max_output_tokens = 128000;
    e.background = true;
    e.extra_body_json = R"({"reasoning":{"summary":"auto"}})";  // merge patch: nested objects merge
    const Provider & p = provider_for_api("openai-responses");
    std::string body = p.build_body(e, kPrompt, 0);
    check_golden(body, "openai-responses/request_golden.json");
    CHECK(p.build_request(e, body, "k").url == "https://api.example.com/v1/responses");
    auto poll = p.poll_request(e, "resp_bg1", "sk-test-KEY");
    REQUIRE(poll);
    CHECK(poll->method == "GET");
    CHECK(poll->url == "https://api.example.com/v1/responses/resp_bg1");
    CHECK(header(*poll, "authorization") == "Bearer sk-test-KEY");
    auto cancel = p.cancel_request(e, "resp_bg1", "k");
    REQUIRE(cancel);
    CHECK(cancel->url == "https://api.example.com/v1/responses/resp_bg1/cancel");
    CHECK(cancel->method == "POST");
}

TEST_CASE("openai-responses: statuses and usage", "[adapters][providers]") {
    const Provider & p = provider_for_api("openai-responses");
    ProviderReply r = p.parse_reply(http_data("openai-responses/completed.json"));
    CHECK(r.finish == FinishKind::stop);
    CHECK(r.text == "[[1,0],[0,1]]");
    CHECK(r.reasoning == "Each object is recoloured by size...");
    CHECK(r.tokens.input == 2811);
    CHECK(r.tokens.cached_input == 1024);
    CHECK(r.tokens.reasoning == 15200);
    CHECK(r.tokens.output == 120);
    CHECK(r.tokens.total == 18131);

    r = p.parse_reply(http_data("openai-responses/incomplete_reasoning_only.json"));
    CHECK(r.finish == FinishKind::length);
    CHECK(r.finish_raw == "incomplete: max_output_tokens");
    CHECK(r.text.empty());
    CHECK(r.tokens.reasoning == 4096);

    r = p.parse_reply(http_data("openai-responses/queued.json"));
    CHECK(r.finish == FinishKind::pending);
    CHECK(r.response_id == "resp_bg1");
    CHECK(r.tokens.input == -1);
    CHECK(p.parse_reply(http_data("openai-responses/in_progress.json")).finish == FinishKind::pending);

    r = p.parse_reply(http_data("openai-responses/failed.json"));
    CHECK(r.finish == FinishKind::failed);
    CHECK(r.error.find("failed to generate") != std::string::npos);
    CHECK(p.parse_reply(R"({"id":"x"})").malformed);
}

TEST_CASE("anthropic: request with extended or adaptive thinking", "[adapters][providers]") {
    const Provider & p = provider_for_api("anthropic-messages");
    ModelEntry e = entry("anthropic-messages", "claude-3-7-sonnet-20250219");
    e.max_output_tokens = 16384;
    e.thinking_budget = 8192;
    std::string body = p.build_body(e, kPrompt, 3);  // no seed in the Messages API: attempt changes nothing
    check_golden(body, "anthropic/request_golden.json");
    HttpRequest r = p.build_request(e, body, "sk-ant-test-KEY");
    CHECK(r.url == "https://api.example.com/v1/messages");
    CHECK(header(r, "x-api-key") == "sk-ant-test-KEY");
    CHECK(header(r, "anthropic-version") == "2023-06-01");
    CHECK(header(r, "authorization").empty());

    ModelEntry a = entry("anthropic-messages", "claude-opus-5-5");
    a.max_output_tokens = 128000;
    a.reasoning_effort = "high";
    check_golden(p.build_body(a, kPrompt, 0), "anthropic/request_adaptive_golden.json");

    e.thinking_budget = 512;
    CHECK(p.check_entry(e).find("thinking_budget") != std::string::npos);
    e.thinking_budget = 20000;
    CHECK(p.check_entry(e).find("below max_output_tokens") != std::string::npos);
    e.thinking_budget = 8192;
    e.temperature = 0.5;
    CHECK(p.check_entry(e).find("temperature") != std::string::npos);
    e.temperature.reset();
    e.max_output_tokens = -1;
    CHECK(p.check_entry(e).find("max_output_tokens") != std::string::npos);
}

TEST_CASE("anthropic: thinking blocks, cache tokens, thinking_tokens", "[adapters][providers]") {
    const Provider & p = provider_for_api("anthropic-messages");
    ProviderReply r = p.parse_reply(http_data("anthropic/thinking.json"));
    CHECK(r.finish == FinishKind::stop);
    CHECK(r.text == "\\boxed{[[1,0],[0,1]]}");
    CHECK(r.reasoning == "The transformation mirrors each row...");
    CHECK(r.tokens.input == 2811 + 400 + 100);  // input_tokens excludes cache reads and writes
    CHECK(r.tokens.cached_input == 400);
    CHECK(r.tokens.cache_write == 100);
    CHECK(r.tokens.reasoning == 8950);
    CHECK(r.tokens.output == 9120 - 8950);
    CHECK(r.tokens.total == 3311 + 9120);

    r = p.parse_reply(http_data("anthropic/thinking_no_details.json"));
    CHECK(r.text == "[[2,2],[2,2]]");  // text blocks concatenated
    CHECK(r.reasoning == "Row sums are constant.\n\n[redacted thinking]");
    CHECK(r.tokens.reasoning == -1);  // older API: thinking count unknown, not 0
    CHECK(r.tokens.output == 3000);

    r = p.parse_reply(http_data("anthropic/max_tokens_no_text.json"));
    CHECK(r.finish == FinishKind::length);
    CHECK(r.text.empty());
    r = p.parse_reply(http_data("anthropic/refusal.json"));
    CHECK(r.finish == FinishKind::refusal);
    CHECK(p.parse_reply(http_data("anthropic/error_overloaded.json")).malformed);
}

TEST_CASE("gemini: key in a header, never in the URL", "[adapters][providers]") {
    const Provider & p = provider_for_api("gemini");
    ModelEntry e = entry("gemini", "gemini-2.5-pro");
    e.base_url = "https://generativelanguage.googleapis.com/v1beta";
    e.max_output_tokens = 65536;
    e.thinking_budget = 32768;
    e.seed = 7;
    std::string body = p.build_body(e, kPrompt, 1);
    check_golden(body, "gemini/request_golden.json");
    HttpRequest r = p.build_request(e, body, "AIza-test-KEY");
    CHECK(r.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent");
    CHECK(r.url.find("key") == std::string::npos);
    CHECK(header(r, "x-goog-api-key") == "AIza-test-KEY");

    ModelEntry g3 = e;
    g3.thinking_budget = -1;
    g3.reasoning_effort = "high";
    json b = json::parse(p.build_body(g3, kPrompt, 0));
    CHECK(b["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "HIGH");
}

TEST_CASE("gemini: thoughts outside candidates, MAX_TOKENS, safety, blocked prompts", "[adapters][providers]") {
    const Provider & p = provider_for_api("gemini");
    ProviderReply r = p.parse_reply(http_data("gemini/thoughts.json"));
    CHECK(r.finish == FinishKind::stop);
    CHECK(r.text == "<answer>[[7,7],[7,7]]</answer>");
    CHECK(r.reasoning == "**Finding the rule** The colours rotate.");
    CHECK(r.tokens.input == 1012);
    CHECK(r.tokens.cached_input == 512);
    CHECK(r.tokens.output == 930);
    CHECK(r.tokens.reasoning == 7410);
    CHECK(r.tokens.total == 9352);
    CHECK(r.response_id == "abc123");

    r = p.parse_reply(http_data("gemini/max_tokens.json"));
    CHECK(r.finish == FinishKind::length);
    CHECK(r.tokens.output == 0);  // omitted count means zero
    CHECK(r.tokens.reasoning == 8192);

    r = p.parse_reply(http_data("gemini/safety.json"));
    CHECK(r.finish == FinishKind::content_filter);
    r = p.parse_reply(http_data("gemini/prompt_blocked.json"));
    CHECK(r.finish == FinishKind::content_filter);
    CHECK(r.error == "prompt blocked: PROHIBITED_CONTENT");
    CHECK(p.parse_reply(R"({"usageMetadata":{}})").malformed);
}

TEST_CASE("registry lists every provider; unknown apis are usage errors", "[adapters][providers]") {
    auto apis = known_apis();
    CHECK(apis == std::vector<std::string>{"openai-chat", "openai-responses", "anthropic-messages", "gemini"});
    for (const auto & a : apis) CHECK(provider_for_api(a).api() == a);
    CHECK_THROWS_WITH(provider_for_api("cohere"), Catch::Contains("unknown api 'cohere'"));
    CHECK(find_provider("cohere") == nullptr);
}

TEST_CASE("parsers and classifiers never throw on mutated bodies", "[adapters][providers]") {
    const std::vector<std::string> files = {
        "openai-chat/happy_reasoning.json", "openai-chat/deepseek_reasoner.json", "openai-responses/completed.json",
        "anthropic/thinking.json", "gemini/thoughts.json", "gemini/error_retry_info.json",
        "anthropic/error_overloaded.json", "openai-chat/error_insufficient_quota.json"};
    Rng rng(2026);
    int parsed = 0;
    for (int round = 0; round < 400; ++round) {
        std::string body = http_data(files[rng.below(files.size())]);
        int edits = 1 + static_cast<int>(rng.below(8));
        for (int k = 0; k < edits && !body.empty(); ++k) {
            size_t at = rng.below(body.size());
            switch (rng.below(4)) {
                case 0: body[at] = static_cast<char>(rng.below(256)); break;
                case 1: body.erase(at, 1 + rng.below(20)); break;
                case 2: body.insert(at, std::string(1 + rng.below(4), "{}[]\":,0-e9"[rng.below(11)])); break;
                default: body.resize(at); break;
            }
        }
        for (const auto & api : known_apis()) {
            ProviderReply r;
            REQUIRE_NOTHROW(r = provider_for_api(api).parse_reply(body));
            parsed += !r.malformed;
        }
        HttpResponse resp;
        resp.status = 400 + static_cast<int>(rng.below(200));
        resp.body = body;
        resp.headers = {{"retry-after", body.substr(0, std::min<size_t>(body.size(), 12))}};
        REQUIRE_NOTHROW(classify_failure(resp, 0));
    }
    CHECK(parsed > 0);  // some mutations still parse: the loop exercised the full parsers
}
