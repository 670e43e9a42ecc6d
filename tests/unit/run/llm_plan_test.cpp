// LLM solver entries in a plan, against a user catalogue file: which entries resolve (key set),
// which are skipped and why ("*" lists every entry whose key is missing with the variable to set),
// errors for a required entry without its key or an unknown name, variants ("as" + "request"), the
// suite's concurrency and the dry-run estimate of tokens, dollars and FLOPs. Nothing is sent.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "adapters/llm_solver.h"
#include "harness/core/error.h"
#include "harness/run/llm_registry.h"
#include "harness/run/suite.h"
#include "tests/unit/run/run_test_support.h"

using namespace trmbench;
using namespace trmbench::test;
namespace fs = std::filesystem;

namespace {

constexpr const char * kKeyVar = "TRMBENCH_TEST_PLAN_KEY_A";
constexpr const char * kMissingVar = "TRMBENCH_TEST_PLAN_KEY_MISSING";

// Sets an environment variable for one scope.
struct EnvVar {
    std::string name;
    EnvVar(const char * n, const char * value) : name(n) { ::setenv(n, value, 1); }
    ~EnvVar() { ::unsetenv(name.c_str()); }
};

std::string catalogue() {
    return std::string(R"({"schema_version": 1, "models": [
      {"name": "test-keyed", "provider": "testprov", "api": "openai-chat", "model": "m-keyed",
       "base_url": "http://127.0.0.1:9/v1", "api_key_env": ")") + kKeyVar + R"(",
       "active_params": 1000000000, "max_output_tokens": 2000, "typical_output_tokens": 500,
       "limits": {"max_in_flight": 16},
       "pricing": {"date": "2026-01-01", "input": 1.0, "output": 10.0}},
      {"name": "test-unkeyed", "provider": "testprov", "api": "openai-chat", "model": "m-unkeyed",
       "base_url": "http://127.0.0.1:9/v1", "api_key_env": ")" + kMissingVar + R"(",
       "max_output_tokens": 2000, "pricing": {"date": "2026-01-01", "input": 1.0, "output": 10.0}}
    ]})";
}

Plan llm_plan(const TempDir & dir, const std::string & solvers, const std::string & limits = R"({"spend_usd": 1})") {
    write_text(dir / "catalog.json", catalogue());
    std::string json = R"({"name": "llm-plan", "tasks": [
        {"name": "sudoku", "family": "sudoku", "generate": {"n": 6, "seed": 2}}],
      "solvers": )" + solvers + R"(, "limits": )" + limits + "}";
    Suite s = parse_suite(json, (dir / "suite.json").string(), dir.path());
    PlanOptions o;
    o.data_dir = dir / "data";
    o.cache_dir = shared_cache_dir();
    o.quiet = true;
    o.threads = 1;
    o.catalog_files = {(dir / "catalog.json").string()};
    return make_plan(std::move(s), o);
}

const Skipped * find_skip(const Plan & p, const std::string & what) {
    for (const auto & k : p.skipped)
        if (k.what == what) return &k;
    return nullptr;
}

}  // namespace

TEST_CASE("llm '*' takes every entry whose key is set and lists the others with the variable", "[run][plan][llm]") {
    TempDir dir;
    ::unsetenv(kMissingVar);
    EnvVar key(kKeyVar, "sk-plan-test");
    Plan p = llm_plan(dir, R"([{"kind": "llm", "name": "*"}])");
    REQUIRE(p.solvers.size() == 1);
    CHECK(p.solvers[0].name == "test-keyed");
    CHECK(p.solvers[0].kind == SolverKind::llm);
    CHECK(p.solvers[0].io_bound());
    REQUIRE(p.llm);
    CHECK(p.llm->spend_cap_usd() == 1.0);
    const Skipped * k = find_skip(p, "test-unkeyed");
    REQUIRE(k);
    CHECK(k->reason == std::string("set ") + kMissingVar + " to include it");
    CHECK(p.price_table_date.find("test-keyed=2026-01-01") != std::string::npos);
    // The key never reaches the stored configuration.
    CHECK(p.config_json.find("sk-plan-test") == std::string::npos);
    CHECK(format_plan(p).find("set " + std::string(kMissingVar)) != std::string::npos);
}

TEST_CASE("a named LLM without its key: an error naming the variable, or a skip when optional", "[run][plan][llm]") {
    TempDir dir;
    ::unsetenv(kMissingVar);
    CHECK_THROWS_AS(llm_plan(dir, R"([{"kind": "llm", "name": "test-unkeyed"}])"), UsageError);
    CHECK_THROWS_WITH(llm_plan(dir, R"([{"kind": "llm", "name": "test-unkeyed"}])"),
                      Catch::Contains(kMissingVar) && Catch::Contains("solvers[0]"));
    Plan p = llm_plan(dir, R"([{"kind": "baseline", "name": "sudoku-exact"}, {"kind": "llm", "name": "test-unkeyed", "optional": true}])");
    CHECK(p.solvers.size() == 1);
    REQUIRE(find_skip(p, "test-unkeyed"));
    CHECK_THROWS_WITH(llm_plan(dir, R"([{"kind": "llm", "name": "no-such-model"}])"),
                      Catch::Contains("solvers[0].name") && Catch::Contains("no-such-model"));
}

TEST_CASE("an LLM variant is its own solver with the request fields merged in", "[run][plan][llm]") {
    TempDir dir;
    EnvVar key(kKeyVar, "sk-plan-test");
    Plan p = llm_plan(dir, R"([{"kind": "llm", "name": "test-keyed"},
                              {"kind": "llm", "name": "test-keyed", "as": "test-keyed-hot", "request": {"temperature": 0.7}}])");
    REQUIRE(p.solvers.size() == 2);
    CHECK(p.solvers[1].name == "test-keyed-hot");
    CHECK(p.solvers[1].info.config_json.find("0.7") != std::string::npos);
    CHECK(p.solvers[0].info.config_json.find("0.7") == std::string::npos);  // the base entry is unchanged
    CHECK(p.solvers[0].info.config_json != p.solvers[1].info.config_json);
    // Two solvers of one name are refused.
    CHECK_THROWS_WITH(llm_plan(dir, R"([{"kind": "llm", "name": "test-keyed"}, {"kind": "llm", "name": "test-keyed"}])"),
                      Catch::Contains("solvers[1].name") && Catch::Contains("duplicate solver name"));
}

TEST_CASE("the dry-run estimate of an LLM: tokens, dollars and FLOPs from the catalogue entry", "[run][plan][llm]") {
    TempDir dir;
    EnvVar key(kKeyVar, "sk-plan-test");
    Plan p = llm_plan(dir, R"([{"kind": "llm", "name": "test-keyed"}])", R"({"spend_usd": 1, "concurrency": 4})");
    REQUIRE(p.solvers.size() == 1);
    const PlannedSolver & s = p.solvers[0];
    REQUIRE(s.estimate);
    std::vector<WorkItem> items = p.work_items(s, 0);
    REQUIRE(items.size() == 6);
    Estimate e = s.estimate(*p.tasks[0].task, items);
    CHECK(e.requests == 6);
    CHECK(e.input_tokens > 6 * 50);  // a Sudoku prompt is more than 50 tokens
    CHECK(e.output_tokens == 6 * 500);
    CHECK(e.usd == Approx((static_cast<double>(e.input_tokens) * 1.0 + 6 * 500 * 10.0) / 1e6));
    CHECK(e.worst_usd == Approx((static_cast<double>(e.input_tokens) * 1.0 + 6 * 2000 * 10.0) / 1e6));
    CHECK(e.flops == Approx(2.0 * 1e9 * static_cast<double>(e.input_tokens + e.output_tokens)));
    // The suite's concurrency tightens the entry's max_in_flight (16 -> 4) but is not part of the
    // run's identity: a resumed run may go faster or slower.
    auto * llm = dynamic_cast<LlmSolver *>(s.solver.get());
    REQUIRE(llm);
    CHECK(llm->entry().limits.max_in_flight == 4);
    CHECK(s.info.config_json.find("max_in_flight") == std::string::npos);
    Plan faster = llm_plan(dir, R"([{"kind": "llm", "name": "test-keyed"}])", R"({"spend_usd": 1, "concurrency": 8})");
    CHECK(faster.config_hash == p.config_hash);
    std::string text = format_plan(p);
    CHECK(text.find("tokens in") != std::string::npos);
    CHECK(text.find("FLOPs") != std::string::npos);
    CHECK(text.find("spend cap $1.00") != std::string::npos);
}
