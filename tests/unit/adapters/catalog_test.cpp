// The model catalogue: the built-in file, user overrides, bad files, environment overrides, listing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>

#include "adapters/catalog.h"
#include "adapters/provider.h"
#include "harness/core/error.h"
#include "tests/support/test_support.h"
#include "tests/unit/adapters/adapter_test_support.h"

using namespace trmbench;
using json = nlohmann::json;

namespace {

// A minimal valid entry as JSON text, with one field replaced or added.
std::string entry_json(const std::string & name, const std::string & extra = "") {
    std::string e = R"({"name":")" + name +
                    R"(","provider":"local","api":"openai-chat","model":"m","base_url":"http://127.0.0.1:9/v1",)"
                    R"("api_key_env":"","pricing":{"date":"2026-11-28","input":0,"output":0})";
    if (!extra.empty()) e += "," + extra;
    return e + "}";
}

std::string file_with(const std::string & entries) { return R"({"models":[)" + entries + "]}"; }

std::string merge_error(const std::string & text) {
    Catalog c = Catalog::builtin();
    try {
        c.merge_text(text, "user.json");
    } catch (const InputError & e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("built-in catalogue: papers' models, flagships, local servers", "[adapters][catalog]") {
    Catalog c = Catalog::builtin();
    std::set<std::string> names;
    for (const auto & e : c.entries()) names.insert(e.name);
    for (const char * n : {"o3-mini-high", "deepseek-r1", "claude-3.7-sonnet-8k", "claude-3.7-sonnet-16k",
                           "gemini-2.5-pro-32k", "grok-4", "gpt-5.5-high", "claude-opus-5.5", "gemini-3.1-pro",
                           "deepseek-v4-pro-64k", "grok-4.5-high", "gemini-3.5-flash-high", "llama-server", "ollama", "vllm"})
        CHECK(names.count(n) == 1);
    for (const auto & e : c.entries()) {
        INFO(e.name);
        CHECK(find_provider(e.api) != nullptr);
        CHECK(e.pricing.known());
        CHECK(e.pricing.date.size() == 10);
        CHECK(e.max_output_tokens > 0);  // every entry bounds its output: spend caps need it
        CHECK(e.name != e.model);
        if (e.provider == "local") {
            CHECK(e.api_key_env.empty());
            CHECK(e.pricing.input == 0);
            CHECK(e.pricing.output == 0);
        } else {
            CHECK_FALSE(e.api_key_env.empty());
            CHECK(e.base_url.starts_with("https://"));
        }
        CHECK(json::parse(e.to_json())["name"] == e.name);
    }
    const ModelEntry * claude = c.find("claude-3.7-sonnet-16k");
    REQUIRE(claude);
    CHECK(claude->thinking_budget == 16384);
    CHECK(claude->thinking_budget < claude->max_output_tokens);
    const ModelEntry * gem = c.find("gemini-2.5-pro-32k");
    CHECK(gem->thinking_budget == 32768);
    const ModelEntry * r1 = c.find("deepseek-r1");
    CHECK(r1->active_params == 37'000'000'000);
    CHECK(r1->worst_output_tokens() == 40960);
    CHECK(c.provider_limits("anthropic").max_in_flight == 16);
    CHECK(c.provider_limits("anthropic").adaptive);
    CHECK(c.provider_limits("nobody").max_in_flight == 0);
}

TEST_CASE("user files add entries and override fields by merge", "[adapters][catalog]") {
    test::TempDir dir;
    test::write_text(dir / "mine.json",
                     R"({"models":[)" + entry_json("my-llama", R"("params":1000000,"active_params":1000000)") + R"(,
        {"name":"o3-mini-high","pricing":{"date":"2026-12-01","input":0.9}},
        {"name":"grok-4","note":null,"limits":{"rpm":30}}]})");
    Catalog c = Catalog::load({(dir / "mine.json").string()});
    const ModelEntry * mine = c.find("my-llama");
    REQUIRE(mine);
    CHECK(mine->source == (dir / "mine.json").string());
    CHECK(mine->active_params == 1'000'000);
    const ModelEntry * o3 = c.find("o3-mini-high");
    CHECK(o3->pricing.date == "2026-12-01");
    CHECK(o3->pricing.input == 0.9);
    CHECK(o3->pricing.output == 4.40);          // untouched fields stay
    CHECK(o3->reasoning_effort == "high");
    const ModelEntry * grok = c.find("grok-4");
    CHECK(grok->note.empty());                  // null deletes
    CHECK(grok->limits.rpm == 30);
    CHECK(Catalog::builtin().find("my-llama") == nullptr);
}

TEST_CASE("bad catalogue files name the file, entry and field", "[adapters][catalog]") {
    CHECK_THAT(merge_error("{not json"), Catch::Contains("user.json: not valid JSON"));
    CHECK_THAT(merge_error("[]"), Catch::Contains("expected a JSON object"));
    CHECK_THAT(merge_error(R"({"modles":[]})"), Catch::Contains("unknown top-level field 'modles'"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("max_output_token":5)"))),
               Catch::Contains("user.json: models[0] ('x'): field 'max_output_token': unknown field"));
    CHECK_THAT(merge_error(file_with(R"({"provider":"p"})")), Catch::Contains("field 'name': required"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("api":"cohere")"))), Catch::Contains("unknown api 'cohere'"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("temperature":"hot")"))),
               Catch::Contains("field 'temperature': expected a number, got string"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("temperature":5)"))), Catch::Contains("outside [0, 2]"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("max_output_tokens":1.5)"))),
               Catch::Contains("field 'max_output_tokens': expected an integer"));
    CHECK_THAT(merge_error(file_with(R"({"name":"x","provider":"p","api":"openai-chat","model":"m","base_url":"ftp://x","pricing":{"date":"2026-11-28","input":0,"output":0}})")),
               Catch::Contains("field 'base_url': must start with http"));
    CHECK_THAT(merge_error(file_with(R"({"name":"x","provider":"p","api":"openai-chat","model":"m","base_url":"http://x"})")),
               Catch::Contains("field 'pricing': required"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("pricing":{"date":"28.11.2026","input":1,"output":1})"))),
               Catch::Contains("field 'pricing.date': expected YYYY-MM-DD"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("pricing":{"date":"2026-11-28","input":1})"))),
               Catch::Contains("field 'pricing.output': required"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("extra_headers":{"Authorization":"Bearer sk-x"})"))),
               Catch::Contains("secrets must come from the environment"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("limits":{"adaptive":true})"))),
               Catch::Contains("needs limits.max_in_flight > 0"));
    CHECK_THAT(merge_error(file_with(entry_json("x") + "," + entry_json("x"))), Catch::Contains("duplicate name 'x'"));
    CHECK_THAT(merge_error(file_with(entry_json("bad name"))), Catch::Contains("field 'name'"));
    // An override that breaks an entry is reported against the user's file and the merged entry.
    CHECK_THAT(merge_error(file_with(R"({"name":"claude-3.7-sonnet-8k","thinking_budget":100000})")),
               Catch::Contains("user.json: models[0] ('claude-3.7-sonnet-8k') (merged into the entry from built-in"));
    CHECK_THAT(merge_error(file_with(entry_json("x", R"("background":true)"))),
               Catch::Contains("only the openai-responses api has background mode"));

    test::TempDir dir;
    Catalog c = Catalog::builtin();
    CHECK_THROWS_AS(c.merge_file(dir / "missing.json"), UsageError);
}

TEST_CASE("TRMBENCH_<NAME>_BASE_URL points any entry elsewhere", "[adapters][catalog]") {
    Catalog c = Catalog::builtin();
    ModelEntry e = c.resolve("claude-3.7-sonnet-8k");
    CHECK(e.base_url_env() == "TRMBENCH_CLAUDE_3_7_SONNET_8K_BASE_URL");
    CHECK(e.base_url == "https://api.anthropic.com/v1");
    {
        test::ScopedEnv env("TRMBENCH_CLAUDE_3_7_SONNET_8K_BASE_URL", "http://127.0.0.1:8089/v1");
        e = c.resolve("claude-3.7-sonnet-8k");
        CHECK(e.base_url == "http://127.0.0.1:8089/v1");
        CHECK(format_catalog_table(c).find("http://127.0.0.1:8089/v1 (from TRMBENCH_CLAUDE_3_7_SONNET_8K_BASE_URL)") !=
              std::string::npos);
    }
    {
        test::ScopedEnv env("TRMBENCH_GROK_4_BASE_URL", "not a url");
        CHECK_THROWS_AS(c.resolve("grok-4"), UsageError);
    }
    CHECK_THROWS_WITH(c.resolve("gpt-99"), Catch::Contains("unknown model 'gpt-99'"));
}

TEST_CASE("models list shows whether a key is set, never the key", "[adapters][catalog]") {
    Catalog c = Catalog::builtin();
    const std::string secret = "sk-test-SECRET123-catalog";
    test::ScopedEnv key("OPENAI_API_KEY", secret);
    test::ScopedEnv no_key("DEEPSEEK_API_KEY", "");
    std::string table = format_catalog_table(c);
    std::string lines = format_catalog_json(c);
    CHECK(table.find(secret) == std::string::npos);
    CHECK(lines.find(secret) == std::string::npos);
    CHECK(table.find("set (OPENAI_API_KEY)") != std::string::npos);
    CHECK(table.find("MISSING (DEEPSEEK_API_KEY)") != std::string::npos);
    CHECK(table.find("not needed") != std::string::npos);
    CHECK(table.find("o3-mini-2025-01-31") != std::string::npos);
    CHECK(table.find("671B") != std::string::npos);  // DeepSeek R1 params
    CHECK(table.find("2025-02-08") != std::string::npos);
    size_t rows = 0;
    for (char ch : table) rows += ch == '\n';
    CHECK(rows == c.entries().size() + 1);
    json first = json::parse(lines.substr(0, lines.find('\n')));
    CHECK(first["key_set"] == true);  // o3-mini-high, first entry, uses OPENAI_API_KEY
}
