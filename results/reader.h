// ResultsReader: the reading side of the results database, used by reports.
//
// Opens its own read-only connection (WAL: it never blocks a running writer and sees a consistent
// snapshot per call), so a report can be made while a run is still going, and from a database in
// a read-only directory. Everything a report needs comes from here: runs, solvers, the manifest
// (items), attempts joined with their items, per-(solver, dataset) aggregates, API calls and
// training curves. Built for ~1M attempt rows: attempts are streamed to a callback, and the
// aggregate is one pass over a covering index without JSON parsing of answers.
// Not thread-safe: one reader per thread.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/solver.h"
#include "results/records.h"

namespace trmbench {

namespace sql {
class Database;
}

struct AttemptQuery {
    AttemptQuery(RunId run_ = 0, std::string solver_ = "", std::string dataset_ = "", bool with_text_ = true,
                 bool with_steps_ = true, bool with_targets_ = true)
        : run(run_), solver(std::move(solver_)), dataset(std::move(dataset_)), with_text(with_text_),
          with_steps(with_steps_), with_targets(with_targets_) {}
    RunId run = 0;            // 0: every run
    std::string solver;       // "": every solver
    std::string dataset;      // "": every dataset
    bool with_text = true;    // false: raw_text, reasoning_text and usage_json come back empty (faster)
    bool with_steps = true;   // false: no per-step data
    bool with_targets = true; // false: ItemRecord::target is not parsed
};

class ResultsReader {
public:
    explicit ResultsReader(const std::filesystem::path & path, int busy_timeout_ms = 30000);
    ~ResultsReader();
    ResultsReader(const ResultsReader &) = delete;
    ResultsReader & operator=(const ResultsReader &) = delete;

    const std::filesystem::path & path() const { return path_; }

    std::vector<RunInfo> runs();
    std::optional<RunInfo> run(RunId id);
    std::vector<SolverInfo> solvers(RunId run);
    std::vector<ItemRecord> items(RunId run);  // manifest order
    int64_t count_items(RunId run);
    int64_t count_attempts(RunId run);

    // Calls fn(attempt, item) for every matching attempt, ordered by solver, manifest position and
    // attempt index, inside one read transaction (a consistent snapshot).
    void for_each_attempt(const AttemptQuery & q,
                          const std::function<void(const AttemptRecord &, const ItemRecord &)> & fn);
    std::vector<AttemptRecord> attempts(const AttemptQuery & q);
    // Attempts replaced by a later record of the same key (e.g. retried failures): their cost counts.
    std::vector<AttemptRecord> superseded_attempts(RunId run);

    // One row per (solver, dataset) with at least one attempt, ordered by solver registration then
    // dataset. Denominators (n_items) come from the manifest.
    std::vector<Aggregate> aggregate(RunId run);

    std::vector<ApiCallRow> api_calls(RunId run);
    // Every series of the run, ordered by series, name and step.
    std::vector<TrainMetric> train_metrics(RunId run);

    // "ok" or the problems found by PRAGMA integrity_check / foreign_key_check.
    std::string integrity_check();

private:
    std::filesystem::path path_;
    std::unique_ptr<sql::Database> db_;
};

}  // namespace trmbench
