// Plans: datasets generated and found, skips with reasons, solver/task assignment, the config
// hash, and the dry-run text.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include <set>

#include "harness/core/sha256.h"
#include "tasks/registry.h"
#include "tests/unit/run/run_test_support.h"

using namespace trmbench;
using namespace trmbench::test;
namespace fs = std::filesystem;

TEST_CASE("a generated set is materialised once, keyed by its parameters", "[run][plan]") {
    TempDir cache;
    GenerateSpec spec;
    spec.n = 12;
    spec.seed = 4;
    const Task & sudoku = task_by_family("sudoku");
    auto [name, path] = materialise_generated(sudoku, spec, cache.path(), 1, true);
    CHECK(name == "generated/sudoku/n12-seed4");
    REQUIRE(fs::is_regular_file(path));
    CHECK(path.string().find(std::string(sudoku.version())) != std::string::npos);
    auto mtime = fs::last_write_time(path);
    std::string sha = sha256_file(path);
    auto again = materialise_generated(sudoku, spec, cache.path(), 1, true);
    CHECK(again.second == path);
    CHECK(fs::last_write_time(path) == mtime);  // reused, not regenerated
    CHECK(sudoku.load(path).size() == 12);

    spec.options = {{"max_rating", 0}};
    auto other = materialise_generated(sudoku, spec, cache.path(), 1, true);
    CHECK(other.first == "generated/sudoku/n12-seed4-max_rating0");
    CHECK(other.second != path);

    // Same parameters in another cache: the same bytes.
    TempDir cache2;
    spec.options.clear();
    CHECK(sha256_file(materialise_generated(sudoku, spec, cache2.path(), 2, true).second) == sha);
}

TEST_CASE("a plan resolves tasks, strata and solvers", "[run][plan]") {
    TempDir dir;
    Plan plan = plan_for(baseline_suite(24, 6), dir.path());
    REQUIRE(plan.tasks.size() == 2);
    const PlannedTask & s = plan.tasks[0];
    CHECK(s.dataset == "generated/sudoku/n24-seed5");
    CHECK(s.generated);
    CHECK(s.examples.size() == 24);
    CHECK(s.dataset_examples == 24);
    CHECK(s.dataset_sha256 == sha256_tree(s.path));
    CHECK_FALSE(s.subset.counts.empty());
    CHECK(s.subset.strata.size() == 24);
    CHECK(plan.tasks[1].dataset == "generated/maze/n6-seed5-size10");

    // sudoku-exact only on sudoku, maze-bfs only on maze, identity and random on both.
    std::map<std::string, std::vector<std::string>> on;
    for (const auto & p : plan.solvers)
        for (size_t k : p.tasks) on[p.name].push_back(plan.tasks[k].entry.name);
    CHECK(on["sudoku-exact"] == std::vector<std::string>{"sudoku"});
    CHECK(on["maze-bfs"] == std::vector<std::string>{"maze"});
    CHECK(on["identity"] == std::vector<std::string>{"sudoku", "maze"});
    CHECK(plan.skipped.empty());
    CHECK(plan.dataset_hashes.at(s.dataset) == s.dataset_sha256);
    CHECK(plan.seeds.at("suite") == 0);
    CHECK(plan.seeds.at("generate:sudoku") == 5);
    CHECK_FALSE(plan.prompt_template_hashes.empty());
}

TEST_CASE("missing optional entries are skipped with the reason", "[run][plan]") {
    TempDir dir;
    Plan plan = plan_for(R"({
      "tasks": [
        { "name": "s", "family": "sudoku", "generate": { "n": 5, "seed": 1 } },
        { "name": "arc1", "family": "arc", "dataset": "arc-agi-1/evaluation", "optional": true }
      ],
      "solvers": [
        { "kind": "baseline", "name": "identity" },
        { "kind": "baseline", "name": "maze-bfs" },
        { "kind": "local", "name": "trm-mlp-sudoku", "checkpoint": "ckpt/trm.safetensors", "optional": true },
        { "kind": "llm", "name": "*" }
      ]
    })", dir.path());
    CHECK(plan.tasks.size() == 1);
    std::map<std::string, std::string> why;
    for (const auto & k : plan.skipped) why[k.what] = k.reason;
    REQUIRE(why.count("arc1 (arc-agi-1/evaluation)"));
    CHECK(why["arc1 (arc-agi-1/evaluation)"].find("trmbench data fetch arc-agi-1") != std::string::npos);
    REQUIRE(why.count("trm-mlp-sudoku"));
    CHECK(why["trm-mlp-sudoku"].find((dir.path() / "ckpt/trm.safetensors").string()) != std::string::npos);
    REQUIRE(why.count("maze-bfs"));  // no maze task in this run
    CHECK(why["maze-bfs"].find("none of the tasks") != std::string::npos);
    CHECK(plan.solvers.size() == 1);

    std::string text = format_plan(plan);
    CHECK(text.find("skipped arc1 (arc-agi-1/evaluation): not in data dir") != std::string::npos);
    CHECK(text.find("skipped trm-mlp-sudoku: no checkpoint at") != std::string::npos);
}

TEST_CASE("datasets in the data dir are found; unknown ones list the known", "[run][plan]") {
    TempDir dir;
    fs::path data = dir / "data";
    // A tiny Sudoku-Extreme CSV placed in the data dir.
    GenerateSpec spec;
    spec.n = 8;
    spec.seed = 2;
    auto gen = materialise_generated(task_by_family("sudoku"), spec, shared_cache_dir(), 1, true);
    fs::create_directories(data / "sudoku" / "mine");
    fs::copy_file(gen.second, data / "sudoku" / "mine" / "test.csv");

    Plan plan = plan_for(R"({"tasks": [{"family": "sudoku", "dataset": "sudoku/mine/test", "split": "test"}],
                             "solvers": [{"kind": "baseline", "name": "sudoku-exact"}]})", dir.path());
    REQUIRE(plan.tasks.size() == 1);
    CHECK(plan.tasks[0].entry.name == "sudoku/mine/test");
    CHECK(plan.tasks[0].examples.size() == 8);

    try {
        plan_for(R"({"tasks": [{"family": "sudoku", "dataset": "sudoku/nope"}], "solvers": [{"kind": "baseline", "name": "sudoku-exact"}]})",
                 dir.path());
        FAIL("no error for an unknown dataset");
    } catch (const UsageError & e) {
        std::string m = e.what();
        CHECK(m.find("tasks[0].dataset: no sudoku dataset 'sudoku/nope'") != std::string::npos);
        CHECK(m.find("known: sudoku/mine/test") != std::string::npos);
    }
    CHECK_THROWS_AS(plan_for(R"({"tasks": [{"family": "sudoku", "dataset": "sudoku/mine/test", "split": "train"}],
                                 "solvers": [{"kind": "baseline", "name": "sudoku-exact"}]})", dir.path()),
                    UsageError);
}

TEST_CASE("a missing required checkpoint, an unknown preset and an impossible task assignment are errors", "[run][plan]") {
    TempDir dir;
    CHECK_THROWS_WITH(plan_for(R"({"tasks": [{"family": "sudoku", "generate": {"n": 5, "seed": 1}}],
                                   "solvers": [{"kind": "local", "name": "trm-mlp-sudoku", "checkpoint": "missing.safetensors"}]})", dir.path()),
                      Catch::Contains("solvers[0].checkpoint: no file at " + (dir.path() / "missing.safetensors").string()));
    CHECK_THROWS_WITH(plan_for(R"({"tasks": [{"family": "sudoku", "generate": {"n": 5, "seed": 1}}],
                                   "solvers": [{"kind": "local", "name": "trm-tiny", "checkpoint": "c.safetensors", "optional": true}]})", dir.path()),
                      Catch::Contains("solvers[0].name: unknown model preset 'trm-tiny' (known: ") && Catch::Contains("trm-mlp-sudoku"));
    try {
        plan_for(R"({"tasks": [{"name": "m", "family": "maze", "generate": {"n": 2, "seed": 1, "options": {"size": 10}}}],
                     "solvers": [{"kind": "baseline", "name": "sudoku-exact", "tasks": ["m"]}]})", dir.path());
        FAIL("no error");
    } catch (const UsageError & e) {
        CHECK(std::string(e.what()).find("solver 'sudoku-exact' cannot do task 'm'") != std::string::npos);
    }
}

TEST_CASE("the config hash identifies the experiment, not the limits", "[run][plan]") {
    TempDir dir;
    std::string base = baseline_suite(24, 6);
    std::string h = plan_for(base, dir.path()).config_hash;
    CHECK(plan_for(base, dir.path()).config_hash == h);
    std::string capped = base;
    capped.insert(capped.rfind('}'), R"(, "limits": {"spend_usd": 3, "time_budget_s": 60})");
    CHECK(plan_for(capped, dir.path()).config_hash == h);
    std::string pass2 = baseline_suite(24, 6, 2);
    CHECK(plan_for(pass2, dir.path()).config_hash != h);
    CHECK(plan_for(baseline_suite(23, 6), dir.path()).config_hash != h);
    // Shards of one run share the hash (merge matches on it).
    CHECK(plan_for(base, dir.path(), Shard{1, 3}).config_hash == h);
}

TEST_CASE("shards split the work items, not the manifest", "[run][plan]") {
    TempDir dir;
    Plan whole = plan_for(baseline_suite(24, 6), dir.path());
    size_t total = 0;
    std::set<std::pair<std::string, int>> seen;
    for (int i = 0; i < 3; ++i) {
        Plan part = plan_for(baseline_suite(24, 6), dir.path(), Shard{i, 3});
        CHECK(part.tasks[0].examples.size() == 24);  // full manifest in every shard
        const PlannedSolver & s = part.solvers[0];  // sudoku-exact
        for (const WorkItem & w : part.work_items(s, 0)) {
            CHECK(seen.insert({w.example->id, w.attempt}).second);
            ++total;
        }
    }
    CHECK(total == whole.work_items(whole.solvers[0], 0).size());
}

TEST_CASE("the dry-run text shows items, attempts and the skipped", "[run][plan]") {
    TempDir dir;
    Plan plan = plan_for(baseline_suite(24, 6, 2), dir.path());
    std::string text = format_plan(plan);
    CHECK(text.find("suite baselines") != std::string::npos);
    CHECK(text.find("config sha256 " + plan.config_hash) != std::string::npos);
    CHECK(text.find("generated/sudoku/n24-seed5  24 of 24") != std::string::npos);
    CHECK(text.find("strata: ") != std::string::npos);
    CHECK(text.find("sudoku-exact") != std::string::npos);
    CHECK(text.find("24 items x 2 =     48 attempts") != std::string::npos);
    // 4 solvers: sudoku-exact 24x2 = 48, maze-bfs 6x2 = 12, identity and random (24+6)x2 = 60 each.
    CHECK(text.find("total 180 attempts") != std::string::npos);
    CHECK(text.find("skipped") == std::string::npos);
}
