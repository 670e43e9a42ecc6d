// ARC scoring with pass@k in the three conventions of datasets.md §2, always over the *task set*
// (every task of the dataset), never over the answers that happen to be present:
//
//   arc-prize   per task, the fraction of its test inputs solved; mean over all tasks of the set
//               (ARC Prize arc-agi-benchmarking and TRM; the default). Missing tasks count 0.
//   strict      a task counts 1 only if all its test inputs are solved (ARC READMEs, HRM).
//   per-output  solved test outputs / all test outputs of the set (Kaggle metric text).
//
// A test input is solved at k when one of attempts 1..k equals its output exactly (whole grid,
// so a wrong shape is wrong). Also here: reading and writing the ARC Prize submission format
// {task_id: [{"attempt_1": grid, "attempt_2": grid}, ...]} — an attempt may be a grid, null, [],
// or an object {"answer": grid, "metadata": {...}} as arc-agi-benchmarking writes it. Malformed
// entries are wrong answers with a warning (task id and pair index), never an exception.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/example.h"
#include "harness/core/grid.h"
#include "harness/core/prediction.h"

namespace trmbench {

enum class ArcConvention { arc_prize, strict, per_output };
inline constexpr ArcConvention kArcConventions[] = {ArcConvention::arc_prize, ArcConvention::strict,
                                                    ArcConvention::per_output};
std::string_view arc_convention_name(ArcConvention c);   // "arc-prize" | "strict" | "per-output"
std::string_view arc_convention_title(ArcConvention c);  // for tables, e.g. "ARC Prize (per-task fraction)"
bool parse_arc_convention(std::string_view name, ArcConvention & out);

// The ground truth of one task of the set: its test outputs by pair index.
struct ArcTaskTruth {
    std::string id;
    std::vector<Grid> outputs;  // an empty grid (unknown answer) is never solved
};
// Groups ARC examples by task (first-appearance order) and places each target at its index.
// Throws std::invalid_argument when a task has a duplicate or missing pair index.
std::vector<ArcTaskTruth> arc_task_set(std::span<const Example> examples);

// One submission entry (one test input of one task).
struct ArcSubmissionPair {
    int declared_index = -1;                    // metadata.pair_index of the first attempt that has one
    std::vector<std::optional<Grid>> attempts;  // [i] = attempt_{i+1}; nullopt: null, [], absent or malformed
};

struct ArcSubmission {
    std::map<std::string, std::vector<ArcSubmissionPair>> tasks;  // entries in file order
    std::vector<std::string> warnings;                            // malformed entries, one line each
};

// An ARC Prize submission: a JSON object {task_id: [entry, ...]}, or a per-task list (the task id
// is then the file stem). Throws InputError naming `source` when the text is not JSON or neither
// shape; malformed entries become warnings.
ArcSubmission parse_arc_submission_json(std::string_view text, const std::filesystem::path & source);
// A submission file, or a directory of per-task files <task_id>.json (results.json is skipped), as
// arc-agi-benchmarking writes them.
ArcSubmission load_arc_submission(const std::filesystem::path & path);

struct ArcTaskScore {
    std::string id;
    int outputs = 0;         // test inputs of the task
    int solved = 0;          // solved at k
    bool submitted = false;  // the submission has an entry for this task
};

struct ArcScore {
    int k = 2;
    int tasks = 0;
    int test_outputs = 0;
    int solved_outputs = 0;
    int strict_tasks_solved = 0;
    int missing_tasks = 0;        // tasks of the set with no entry in the submission
    int missing_outputs = 0;      // test outputs with no entry (those of missing tasks included)
    int unanswered_attempts = 0;  // attempt slots 1..k without an answer, over entries present
    std::vector<std::string> unknown_tasks;  // submission tasks not in the set (ignored)
    std::vector<std::string> warnings;       // the submission's warnings, then scoring's
    std::vector<ArcTaskScore> per_task;      // in task-set order
    double arc_prize = 0;    // all three are fractions in [0, 1]
    double strict = 0;
    double per_output = 0;
    double value(ArcConvention c) const;
};

// Scores `sub` against the task set with attempts 1..k (k >= 1; throws std::invalid_argument
// otherwise). An entry maps to its metadata pair_index when that is a valid index, else to its
// position; a second entry for the same pair is ignored with a warning.
ArcScore score_arc_submission(std::span<const ArcTaskTruth> task_set, const ArcSubmission & sub, int k);

// --- Writing submissions (per solver, for reports) ---------------------------------------------
struct ArcPredictionEntry {
    std::string task_id;
    int pair_index = 0;
    std::vector<std::optional<Grid>> attempts;  // attempt_1, attempt_2, ...
};

// Collects entries into a submission. With a task set, every task and pair of the set is present
// (without attempts where no prediction came). Throws std::invalid_argument for a negative index.
ArcSubmission make_arc_submission(std::span<const ArcPredictionEntry> entries, std::span<const ArcTaskTruth> task_set = {});
// From the runner's predictions: Prediction::example_id "<task>/<index>" names the example,
// Prediction::attempt the slot. Predictions for unknown examples become warnings.
ArcSubmission arc_submission_from_predictions(std::span<const Example> examples, std::span<const Prediction> predictions);

struct ArcSubmissionWriteOptions {
    int attempts = 2;                  // slots written per entry: attempt_1..attempt_N
    bool placeholder_grid = false;     // write [[0]] instead of null for a missing attempt (Kaggle
                                       // requires a grid in every slot)
};
// {task_id: [{"attempt_1": grid|null, ...}, ...]}, task ids sorted, entries by pair index.
std::string arc_submission_json(const ArcSubmission & sub, const ArcSubmissionWriteOptions & opts = {});

}  // namespace trmbench
