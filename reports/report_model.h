// The report data model: everything a report shows, computed once from the results database and
// then printed by every printer (markdown, CSV, JSON, SVG figures, ARC submissions).
//
//   ReportData
//     runs[]       one per run in the report: identity and reproducibility facts
//     solvers[]    one per (run, solver): what the solver is (kind, params, model id, ...)
//     cells[]      one per (run, solver, dataset): accuracy with its interval, outcomes, compute,
//                  per-measure and per-stratum counts, the per-ACT-step curve and ARC conventions
//     datasets[]   one per (run, dataset): items, tasks, strata sizes
//     train_curves[] one per (run, series, metric) the trainer stored (train_metrics table)
//
// Denominators are always the run's item set (the manifest), never the attempts that came back:
// a missing attempt is a wrong answer and is counted as missing. Unknown numbers are -1 (printed
// "–"), estimates are flagged (printed "~"), and numbers known for only part of the attempts are
// flagged partial (printed with "†").
//
// SummaryRecord is the one record type of the exports (llama-bench style): summary_fields() lists
// its fields with names, types and descriptions, and the markdown summary table, the CSV and the
// JSON rows are all printed from it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/core/prediction.h"
#include "harness/core/solver.h"
#include "reports/stats.h"
#include "tasks/arc/arc_scoring.h"

namespace trmbench {

inline constexpr int kOutcomeCount = static_cast<int>(Outcome::skipped) + 1;

// A per-puzzle amount: a mean over the attempts where it is known, times attempts per puzzle.
struct Quantity {
    double value = -1;         // < 0: unknown
    bool estimated = false;    // e.g. LLM FLOPs from 2 x active params x tokens
    bool partial = false;      // known for only some attempts (the mean of those is used)
    bool known() const { return value >= 0; }
};

// Sums of one per-attempt amount while reading, turned into a per-puzzle Quantity at the end.
struct QuantitySum {
    double sum = 0;
    int64_t known = 0;         // attempts where the amount is known
    bool estimated = false;
    void add(double v, bool is_estimate = false) {
        if (v < 0) return;
        sum += v;
        ++known;
        estimated |= is_estimate;
    }
    // Per puzzle: (sum / known) x (attempts / puzzles attempted); unknown when nothing is known.
    Quantity per_puzzle(int64_t attempts, int64_t puzzles_attempted) const;
};

struct RunEntry {
    int64_t id = 0;
    std::string status;               // completed, interrupted, running, failed
    int64_t created_at_ms = 0;
    int64_t finished_at_ms = -1;
    int resume_count = 0;
    std::string git_sha, harness_version, host, cpu, gpu;
    std::string suite_name, config_json, config_hash;
    std::map<std::string, std::string> dataset_hashes;
    std::map<std::string, std::string> prompt_template_hashes;
    std::map<std::string, uint64_t> seeds;
    std::string price_table_date;
    int shard_index = 0, shard_count = 1;
    std::string merged_from_json;
    // Derived from the manifest.
    int64_t n_items = 0;
    std::string item_subset_hash;     // sha256 over "dataset\texample_id\n" lines in manifest order
    std::string command;              // the run's command line when the config records one, else ""
};

struct ReportSolver {
    int64_t run_id = 0;
    SolverInfo info;
};

struct DatasetEntry {
    int64_t run_id = 0;
    std::string task_family;
    std::string dataset;
    int64_t n_items = 0;
    int64_t n_tasks = 0;              // ARC: distinct task ids; others: n_items
    std::vector<std::pair<std::string, int64_t>> strata;  // label -> items, in display order
};

struct MeasureCount {
    std::string name;
    int64_t items_true = 0;           // items where the measure is true at some attempt < k
};

struct ReportStratum {
    std::string label;
    int64_t items = 0;
    int64_t correct = 0;              // pass@k
};

// Accuracy after ACT step s (1-based) of attempt 0, with the FLOPs spent up to that step.
struct StepPoint {
    int step = 0;
    int64_t correct = 0;              // items whose step-s answer is right (halted items keep their last)
    double flops_per_puzzle = -1;     // mean over attempts with known FLOPs of flops x min(s, S)/S
};

struct ArcConventionScores {
    ArcScore pass1;
    ArcScore pass2;
};

struct Cell {
    int64_t run_id = 0;
    std::string solver;
    std::string task_family;
    std::string dataset;

    int k = 1;                        // attempts that count (pass@k); ARC: at most 2
    std::string metric;               // what `accuracy` is, e.g. "exact, pass@1", "ARC Prize, pass@2"
    double accuracy = 0;              // fraction in [0, 1]
    Interval ci;                      // 95% Wilson
    double denominator = 0;           // n of the interval: items, or tasks for ARC
    std::string unit = "puzzles";     // "puzzles" | "tasks"

    int64_t n_items = 0;              // manifest items of the dataset
    int64_t n_items_attempted = 0;    // with at least one stored attempt
    int64_t n_items_correct = 0;      // pass@k over items (headline measure)
    int64_t n_items_correct_pass1 = 0;
    int64_t n_attempts = 0;
    int64_t missing_attempts = 0;     // n_items x k - stored attempts with index < k
    std::array<int64_t, kOutcomeCount> outcomes{};
    int64_t retries = 0;

    Quantity flops, wall_ms, device_ms, input_tokens, output_tokens, reasoning_tokens, cost_usd;
    double total_cost_usd = -1;       // every stored attempt plus superseded ones (retries); -1 unknown
    double act_steps_mean = -1;

    std::vector<MeasureCount> measures;   // headline first
    std::vector<ReportStratum> strata;     // in the dataset's display order
    std::vector<StepPoint> steps;         // empty unless per-step data was recorded
    std::optional<ArcConventionScores> arc;

    int64_t outcome(Outcome o) const { return outcomes[static_cast<size_t>(o)]; }
    // rate_limited + quota_exhausted + http_error
    int64_t api_errors() const;
};

// An ARC Prize submission for one (run, solver, dataset), written next to the report.
struct SubmissionEntry {
    int64_t run_id = 0;
    std::string solver;
    std::string dataset;
    std::string file_name;            // relative to the report directory
    ArcSubmission submission;
};

// One training curve: a metric of one training series (model or experiment) of a run, over
// optimiser steps, as the trainer stored it in the train_metrics table.
struct TrainPoint {
    int64_t step = 0;
    double wall_time_s = 0;   // since training start
    double value = 0;
};
struct TrainCurve {
    int64_t run_id = 0;
    std::string series;              // "" for a run with a single series
    std::string name;                // "loss", "exact_accuracy", "q_halt_accuracy", "mean_steps", ...
    std::vector<TrainPoint> points;  // ascending step; non-finite values are dropped
    int64_t dropped = 0;             // points with a non-finite value (shown in the report)
};

struct ReportData {
    std::string db_label;             // how the database is named in the report
    std::vector<RunEntry> runs;
    std::vector<ReportSolver> solvers;
    std::vector<DatasetEntry> datasets;
    std::vector<Cell> cells;
    std::vector<SubmissionEntry> submissions;
    std::vector<TrainCurve> train_curves;  // runs in report order, then series, metric name

    const ReportSolver * solver(int64_t run, std::string_view name) const;
    const RunEntry * run(int64_t id) const;
    const DatasetEntry * dataset(int64_t run, std::string_view name) const;
    bool multi_run() const { return runs.size() > 1; }
};

// ---- The export record ----------------------------------------------------------------------

using ReportValue = std::variant<std::monostate, int64_t, double, std::string>;  // monostate: unknown

enum class ReportFieldType { integer, real, text, boolean };

struct ReportField {
    std::string_view name;
    ReportFieldType type;
    std::string_view description;
};

// One row of the summary: a Cell joined with its solver. The printers only use fields()/values().
struct SummaryRecord {
    const Cell * cell = nullptr;
    const ReportSolver * solver = nullptr;  // may be null when the solver row is missing

    static const std::vector<ReportField> & fields();
    std::vector<ReportValue> values() const;
};

std::vector<SummaryRecord> summary_records(const ReportData & data);

}  // namespace trmbench
