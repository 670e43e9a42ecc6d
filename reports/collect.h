// collect: fills the report model (report_model.h) from the results database. Per run: the
// manifest, then in parallel one streaming pass per solver over its attempts
// (ResultsReader::for_each_attempt without texts or step answers; no attempt is kept in memory,
// per item only a few bits) and one narrow pass over attempt 0's per-step correctness for the
// ACT-step curves. Each pass has its own read-only connection (its own snapshot: a report made
// while a run is still writing may see a few more rows in a later pass) and its own cells, so the
// report is the same for any number of threads.
//
// Rules, in one place:
//   * The denominator of every accuracy is the run's manifest (items table) for the dataset. An
//     item without a stored attempt is wrong, and counted as a missing item.
//   * pass@k: k = the highest stored attempt index + 1 of the (solver, dataset), at most 32; for
//     ARC at most 2 (the ARC Prize format has two attempts). Attempt slots below k without a record
//     are missing attempts.
//   * ARC is scored by tasks/arc (arc_scoring.h) from a submission built out of the stored answers
//     and the manifest's targets, in all three conventions at pass@1 and pass@2; the headline is
//     the ARC Prize per-task fraction, with a Wilson interval over tasks.
//   * Per-puzzle compute: the mean over the attempts where it is known, times attempts per
//     attempted puzzle; "partial" when unknown for some attempts, "estimated" when any attempt's
//     FLOPs were estimated.
//   * ACT-step curves from attempt 0's per-step correctness; an item whose model halted before
//     step s keeps its last answer; FLOPs up to step s = the attempt's FLOPs x min(s, n)/n.
//   * Difficulty strata: the item's subset stratum when set, else the family's bands
//     (stats.h), else "unknown".
//   * Only (solver, dataset) pairs with at least one stored attempt appear: a solver that cannot do
//     a task family has no rows for it, while one that was stopped has "skipped" rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/report_model.h"

namespace trmbench {

class ResultsReader;

struct CollectOptions {
    std::string db_label;       // how the report names the database (default: its path)
    bool quiet = true;          // no progress line
    int threads = 0;            // reader threads (one pass per solver + one for ACT steps); <= 0: all cores
};

// Reads the given runs (ids must exist; throws UsageError naming a missing id) into a ReportData.
ReportData collect_report(ResultsReader & reader, const std::vector<int64_t> & runs, const CollectOptions & opts);

// sha256 over "dataset\texample_id\n" of every item in manifest order (the item-subset identity).
std::string item_subset_hash(const std::vector<std::pair<std::string, std::string>> & dataset_and_example_ids);

}  // namespace trmbench
