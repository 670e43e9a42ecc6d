// Plan: a suite resolved against this machine — datasets found or generated, subsets drawn, solvers
// built — with everything left out listed with its reason. `trmbench run --dry-run` prints it;
// the runner (runner.h) executes it.
//
// Resolution rules:
//   tasks    a dataset is looked up by name among its family's datasets in the data dir; a missing
//            one is a UsageError listing the known names, or, for an "optional" task, a skip with
//            the command that fetches it. A `generate` block is materialised once into
//            <cache dir>/generated/<family>/<key>-<task version>.csv (key = n, seed and options, so
//            the same block always reuses the same file) and named "generated/<family>/<key>".
//   solvers  baselines always resolve; local models need their checkpoint file (relative paths:
//            the suite's directory, built-in suites the working directory, then the data dir) and a
//            local-model solver in this build; LLM entries need the catalogue entry and its API key
//            ("*" = every entry whose key is set; the others are listed as skipped). A solver runs
//            on the suite's tasks it supports, or on the ones its entry names (which it must support).
//   identity config_hash = sha256 of the canonical resolved config without limits, output path or
//            shard: suite seed and attempts, each task's dataset sha256 and subset ids sha256, each
//            solver's name and configuration. Runs with the same hash are the same experiment:
//            resume and `trmbench merge` match on it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/core/solver.h"
#include "harness/core/task.h"
#include "harness/run/shard.h"
#include "harness/run/subset.h"
#include "harness/run/suite.h"

namespace trmbench {

class LlmServices;  // llm_registry.h

struct PlanOptions {
    std::filesystem::path data_dir;
    std::filesystem::path cache_dir;         // generated sets go under <cache_dir>/generated
    std::vector<std::string> catalog_files;  // --catalog, in order
    Shard shard;
    std::vector<std::string> only_tasks;     // --task NAME (repeatable): restrict to these suite tasks
    std::vector<std::string> only_solvers;   // --solver NAME (repeatable): restrict to these solvers
    int threads = 0;                         // generation and local models; <= 0 all cores
    bool quiet = false;
};

struct PlannedTask {
    TaskEntry entry;
    const Task * task = nullptr;
    std::string dataset;                     // identity in the results store
    std::filesystem::path path;
    bool generated = false;
    std::string dataset_sha256;
    int64_t dataset_examples = 0;            // before the subset
    std::vector<Example> examples;           // the manifest (the subset, in dataset order)
    Subset subset;                           // strata per example, counts, ids_sha256
    int64_t shard_examples = 0;              // examples in this shard
};

// Estimated cost of a solver on some work items (dry run). -1 = unknown.
struct Estimate {
    int64_t requests = 0;
    int64_t input_tokens = -1;
    int64_t output_tokens = -1;              // expected (typical) output
    double usd = -1;                         // expected
    double worst_usd = -1;                   // if every request used its output bound
    double flops = -1;
    std::string note;
};

struct PlannedSolver {
    SolverEntry entry;
    std::string name;                        // name in the run
    SolverKind kind = SolverKind::baseline;
    std::unique_ptr<Solver> solver;
    SolverInfo info;
    std::vector<size_t> tasks;               // indices into Plan::tasks
    std::vector<int> attempts;               // pass@k per entry of `tasks`
    // Optional pre-flight estimate (LLM: tokens and dollars; local: FLOPs).
    std::function<Estimate(const Task &, std::span<const WorkItem>)> estimate;
    bool io_bound() const { return kind == SolverKind::llm; }
};

struct Skipped {
    std::string what;    // "claude-sonnet-4-5", "arc-agi-1/evaluation", "trm-mlp-sudoku"
    std::string reason;  // "set ANTHROPIC_API_KEY to include it"
};

struct Plan {
    Suite suite;
    PlanOptions options;
    std::vector<PlannedTask> tasks;
    std::vector<PlannedSolver> solvers;
    std::vector<Skipped> skipped;
    std::string config_json;                 // resolved config, stored with the run (no secrets)
    std::string config_hash;
    std::map<std::string, std::string> dataset_hashes;          // dataset -> sha256
    std::map<std::string, std::string> prompt_template_hashes;  // template name -> hash
    std::map<std::string, uint64_t> seeds;
    std::string price_table_date;            // catalogue price dates of the LLMs used ("" none)
    std::shared_ptr<LlmServices> llm;        // shared by the LLM solvers; null when there are none

    const PlannedTask * find_task(std::string_view name) const;
    // Work items (example, attempt) of solver s on its i-th task, restricted to the plan's shard.
    std::vector<WorkItem> work_items(const PlannedSolver & s, size_t i) const;
};

// Resolves a suite. Throws UsageError/InputError for problems that must stop the run.
Plan make_plan(Suite suite, PlanOptions options);

// The materialised file of a generate block: generates it when missing. Returns {dataset name, path}.
std::pair<std::string, std::filesystem::path> materialise_generated(const Task & task, const GenerateSpec & spec,
                                                                     const std::filesystem::path & cache_dir, int threads,
                                                                     bool quiet);

// The dry-run text: tasks, solvers (items x attempts, estimates), skipped entries with reasons.
std::string format_plan(const Plan & plan);

}  // namespace trmbench
