// Suite: what one `trmbench run` compares — which tasks (datasets or generated sets, with a
// deterministic subset), which solvers (classical baselines, local TRM/HRM checkpoints, catalogue
// LLMs), how many attempts, and the limits (spend cap, concurrency, time budget).
//
// A suite is a JSON file (schema in README.md, "Suites"); the built-in suites
// (harness/run/suites/*.json) are compiled into the binary, so an installed trmbench runs
// `trmbench run` with no file beside it. Parsing is pure: it checks structure, types, ranges and
// names that need no environment (task families, baseline names, cross references). Anything that
// depends on the machine (datasets in the data dir, catalogue entries, API keys, checkpoint files)
// is resolved later by the planner (plan.h).
//
// Errors: a malformed file is an InputError and an unknown name a UsageError; both name the file
// and the JSON field path, e.g. "my.json: tasks[2].subset.size: must be an integer >= 0, got -5".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/task.h"

namespace trmbench {

// `generate` block of a task: materialise a generated set (cached by its parameters).
struct GenerateSpec {
    int64_t n = 0;
    uint64_t seed = 0;
    // Family options that were given ("min_rating", "max_rating", "size", "min_path", "unique_path" as 1
    // when true), in key order.
    std::vector<std::pair<std::string, double>> options;
    GenerateOptions to_options() const;  // n, seed and options filled in; quiet/threads left default
};

// How a subset of a dataset is drawn (subset.h). size 0 keeps every item.
struct SubsetSpec {
    int64_t size = 0;
    uint64_t seed = 0;
    std::vector<double> strata;            // ascending difficulty edges; empty: not stratified
    std::string allocation = "proportional";  // "proportional" | "equal"
};

struct TaskEntry {
    std::string name;                      // unique label within the suite
    std::string family;                    // "sudoku" | "maze" | "arc"
    std::string dataset;                   // dataset name in the data dir; "" when generated
    std::optional<GenerateSpec> generate;
    std::string split;                     // required split of the dataset; "" = any
    std::optional<SubsetSpec> subset;
    int attempts = 0;                      // 0: the suite's default
    int augmentations = -1;                // local models' test-time augmentations; -1: family default
    bool optional = false;                 // missing dataset: skipped with the reason, not an error
    std::string where;                     // "file: tasks[2]" for messages
};

enum class SolverKind { baseline, local, llm };
std::string_view solver_kind_name(SolverKind k);

struct SolverEntry {
    SolverKind kind = SolverKind::baseline;
    std::string name;                      // baseline name, local model name, catalogue name or "*"
    std::string as;                        // name in the run ("" = name)
    std::vector<std::string> tasks;        // suite task names; empty = every task it supports
    int attempts = 0;                      // 0: the task's (else the suite's) attempts
    bool optional = false;                 // local: a missing checkpoint skips instead of failing
    // local models
    std::string preset;                    // model preset ("" = name)
    std::string checkpoint;                // path; relative to the suite's directory (built-in: cwd), then the data dir
    std::string device = "auto";           // "auto" | "cpu" | "cuda" | "cuda:N"
    std::string dtype = "float32";         // "float32" | "bfloat16" | "float16"
    int batch_size = 0;                    // 0: the solver's preference
    // LLMs
    std::string request_json;              // overrides merged into the catalogue entry (canonical JSON), "" none
    std::string where;

    std::string run_name() const { return as.empty() ? name : as; }
};

struct SuiteLimits {
    double spend_usd = -1;                 // cap over all LLM solvers; -1: no cap
    int concurrency = 0;                   // most requests in flight per LLM solver; 0: catalogue limits
    int parallel_solvers = 0;              // LLM solvers running at once; 0: all
    double time_budget_s = 0;              // stop dispatching after this; 0: none
};

struct Suite {
    std::string name;
    std::string description;
    std::string source;                    // file path, or "built-in:<name>"
    std::filesystem::path base_dir;        // relative paths in the suite resolve here (built-in: cwd)
    uint64_t seed = 0;
    int attempts = 1;
    std::string output;                    // results database ("" = results.db)
    std::vector<TaskEntry> tasks;
    std::vector<SolverEntry> solvers;
    SuiteLimits limits;

    // The suite as canonical JSON (defaults filled in, keys sorted), for the run's config.
    std::string canonical_json() const;
    const TaskEntry * find_task(std::string_view name) const;
};

// Parses suite JSON (comments allowed). `source` names the file in messages; `base_dir` is where
// relative paths resolve.
Suite parse_suite(std::string_view text, const std::string & source, const std::filesystem::path & base_dir);
// A built-in suite name ("default") or a path to a suite file.
Suite load_suite(const std::string & name_or_path);

std::vector<std::string> builtin_suite_names();
// The text of a built-in suite; nullopt when there is none of that name.
std::optional<std::string_view> builtin_suite_text(std::string_view name);

}  // namespace trmbench
