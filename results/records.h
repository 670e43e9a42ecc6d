// The rows of the results store as plain C++ types: a run, an item of the run's manifest, a
// registered solver, one attempt, one training-curve point, and the per-(solver, dataset) aggregate
// that reports start from.
//
// AttemptRecord is the one record type for attempts. It is written by the runner, read back by
// reports, and described field by field (llama-bench style) by AttemptRecord::fields() and values(),
// so that the SQLite, CSV, JSON and markdown printers share one list of names and types.
// Unknown numbers are -1 in C++ (the core convention) and NULL in SQL, so SQL aggregates skip them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/core/example.h"
#include "harness/core/grid.h"
#include "harness/core/llm_records.h"
#include "harness/core/prediction.h"
#include "harness/core/solver.h"
#include "harness/core/task.h"

namespace trmbench {

using RunId = int64_t;

// Run status values stored in runs.status.
inline constexpr std::string_view kRunRunning = "running";
inline constexpr std::string_view kRunCompleted = "completed";
inline constexpr std::string_view kRunInterrupted = "interrupted";
inline constexpr std::string_view kRunFailed = "failed";

// Everything needed to reproduce a run and to tell whether two databases hold shards of one run.
struct RunInfo {
    RunId id = 0;                      // set by the store
    std::string status;                // kRun*; set by the store
    int64_t created_at_ms = 0;         // set by the store when 0
    int64_t finished_at_ms = -1;       // -1 while running
    int resume_count = 0;              // times the run was resumed after an interruption
    std::string git_sha;               // defaults to trmbench::git_sha() when empty
    std::string harness_version;       // defaults to trmbench::harness_version()
    std::string host;                  // defaults to host_name()
    std::string cpu;                   // defaults to cpu_model()
    std::string gpu;                   // "" when none
    std::string suite_name;
    std::string config_json;           // fully resolved suite config, no secrets
    std::string config_hash;           // sha256 of the canonical config: identifies the run across shards
    std::map<std::string, std::string> dataset_hashes;          // dataset name -> sha256_tree
    std::map<std::string, std::string> prompt_template_hashes;  // template name -> PromptTemplate::hash()
    std::map<std::string, uint64_t> seeds;                      // e.g. {"subset": 0, "sampling": 1}
    std::string price_table_date;      // date of the price table used for cost_usd
    int shard_index = 0;               // this shard; -1 for a partial merge of shards
    int shard_count = 1;
    std::string merged_from_json;      // set by `trmbench merge`: the inputs it was built from
};

// One entry of a run's manifest, inserted before any attempt: the denominator is the dataset.
struct ItemRecord {
    std::string task_family;           // "sudoku" | "maze" | "arc"
    std::string dataset;               // dataset name, e.g. "sudoku/rated/puzzles6_forum_hardest_1106"
    std::string example_id;            // Example::id, unique within the dataset
    std::string group;                 // ARC task id; others: the example id
    int index = 0;                     // ARC test-pair index
    int64_t position = 0;              // order in the manifest
    double difficulty = -1;            // -1 unknown
    std::string stratum;               // subset stratum (e.g. rating bucket), "" when not stratified
    std::optional<Grid> target;        // nullopt when the answer is unknown

    bool operator==(const ItemRecord &) const = default;
};

ItemRecord item_from_example(const Example & ex, const std::string & dataset, int64_t position,
                             const std::string & stratum = "");

// Per-ACT-step result of a local recursive model.
struct StepResult {
    Grid answer;          // decoded prediction after the step (empty when undecodable)
    float q_halt = 0;
    float q_continue = 0;
    bool correct = false;  // headline measure of this step's answer

    bool operator==(const StepResult &) const = default;
};

// A value of one field, as printers and the SQL layer see it: NULL, integer, real or text.
using FieldValue = std::variant<std::monostate, int64_t, double, std::string>;

enum class FieldType { integer, real, text, boolean, json, timestamp_ms };
std::string_view field_type_name(FieldType t);  // "int", "real", "text", "bool", "json", "timestamp_ms"

// Plain text of a value for CSV/markdown printers: "" for NULL, decimal integers, the shortest
// round-trip form of reals, text as is.
std::string field_value_text(const FieldValue & v);

struct FieldInfo {
    std::string_view name;         // also the SQL column name (key fields are stored as ids)
    FieldType type;
    std::string_view description;  // one line, for --help style listings and CSV headers docs
};

struct AttemptRecord {
    // Key: unique per (run, solver, dataset, example_id, attempt).
    RunId run_id = 0;
    std::string solver;
    std::string task_family;
    std::string dataset;
    std::string example_id;
    int attempt = 0;

    Outcome outcome = Outcome::ok;
    std::optional<Grid> answer;          // present iff a grid was produced
    std::vector<Measure> measures;       // every scoring measure, headline first
    std::string raw_text;
    std::string reasoning_text;
    std::string error;
    std::vector<StepResult> steps;       // local models: one per ACT step
    Usage usage;                         // tokens, cost_usd and the provider's raw usage JSON
    Compute compute;                     // wall/device ms, ACT steps, FLOPs (+ estimated flag)
    int http_status = 0;
    std::string request_id;
    int retries = 0;
    double rate_limit_wait_ms = 0;
    int64_t created_at_ms = 0;           // set by the store when 0

    // Headline measure; false when there is none.
    bool correct() const { return !measures.empty() && measures.front().value; }

    // The printer-facing description: names and types of every field, in a fixed order.
    static std::span<const FieldInfo> fields();
    // Values in the order of fields(). -1 numbers and absent optionals are NULL (monostate).
    std::vector<FieldValue> values() const;
    // Inverse of values(). Throws InputError naming the field when a value has the wrong type or
    // a JSON field does not parse.
    static AttemptRecord from_values(const std::vector<FieldValue> & values);

    bool operator==(const AttemptRecord & other) const;
};

// Builds the record for a scored prediction. `step_correct[i]` is the headline measure of step i's
// answer (empty when the solver reports no steps).
AttemptRecord make_attempt_record(RunId run, const std::string & solver, const std::string & dataset,
                                  const Example & ex, const Prediction & p, const Score & score,
                                  const std::vector<bool> & step_correct = {});

// Identifies an attempt within one (run, solver).
struct AttemptKey {
    std::string dataset;
    std::string example_id;
    int attempt = 0;
    auto operator<=>(const AttemptKey &) const = default;
};

// One point of a training curve.
struct TrainMetric {
    RunId run_id = 0;
    std::string series;      // model or experiment name, "" for a single series
    int64_t step = 0;
    double wall_time_s = 0;  // since training start
    std::string name;        // "loss", "lm_loss", "q_halt_accuracy", "exact_accuracy", ...
    double value = 0;
    bool operator==(const TrainMetric &) const = default;
};

// An api_calls row as read back.
struct ApiCallRow {
    RunId run_id = 0;
    int64_t id = 0;
    ApiCallRecord call;
    bool response_truncated = false;
};

// Per (solver, dataset) totals of one run. Denominators come from the manifest (items), never from
// the attempts that happen to be stored.
struct Aggregate {
    RunId run_id = 0;
    std::string solver;
    std::string task_family;
    std::string dataset;
    int64_t n_items = 0;              // items of the dataset in the run's manifest
    int64_t n_items_attempted = 0;    // items with at least one stored attempt
    int64_t n_items_correct = 0;      // items with at least one headline-correct attempt (pass@k)
    int64_t n_attempts = 0;
    int64_t n_attempts_correct = 0;
    std::map<std::string, int64_t, std::less<>> outcomes;       // outcome name -> attempts
    std::map<std::string, int64_t, std::less<>> measures_true;  // measure name -> attempts where it is true
    // Sums over the attempts where the value is known; n_*_known says over how many.
    int64_t input_tokens = 0, cached_input_tokens = 0, output_tokens = 0, reasoning_tokens = 0, total_tokens = 0;
    int64_t n_tokens_known = 0;       // attempts with input_tokens known
    int64_t n_reasoning_known = 0;    // attempts with reasoning_tokens known (providers differ)
    double cost_usd = 0;
    int64_t n_cost_known = 0;
    double wall_ms = 0;
    int64_t n_wall_known = 0;
    double device_ms = 0;
    int64_t n_device_known = 0;
    double flops = 0;
    int64_t n_flops_known = 0;
    bool flops_estimated = false;     // any attempt's FLOPs was an estimate
    double act_steps_sum = 0;
    int64_t n_act_steps_known = 0;
    int64_t retries = 0;
    double rate_limit_wait_ms = 0;

    // Headline accuracy over the manifest (pass@k over the stored attempts): missing items count
    // as wrong. 0 for an empty manifest.
    double accuracy() const { return n_items > 0 ? static_cast<double>(n_items_correct) / static_cast<double>(n_items) : 0; }
};

}  // namespace trmbench
