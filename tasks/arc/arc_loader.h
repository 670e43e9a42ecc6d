// Loading ARC task files: one JSON file per task ({"train": [...], "test": [...]}) as in
// fchollet/ARC-AGI, arcprize/ARC-AGI-2 and ConceptARC, or the Kaggle combined layout
// (arc-agi_<set>_challenges.json + arc-agi_<set>_solutions.json).
//
// Every grid is checked: 1..30 rows of 1..30 integer colours 0..9, all rows of equal length; train
// and test lists are non-empty, each pair has an input, train pairs an output. Test outputs may be
// missing (hidden sets): the target is then an empty grid. An extra top-level "name" key (11
// ARC-AGI-1 files) and any other unknown key are ignored. A bad file is an InputError that names
// the file and the JSON path, e.g. "0a2355a6.json: test[0].output[3][7]: colour 12 outside 0..9".
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/example.h"
#include "harness/core/grid.h"
#include "tasks/arc/arc_augment.h"

namespace trmbench {

struct ArcPair {
    Grid input;
    Grid output;  // empty when the file has no output (hidden test pairs)
};

struct ArcTaskFile {
    std::string id;              // file stem, or the key in a Kaggle combined file
    std::filesystem::path path;  // the file it came from
    std::vector<ArcPair> train;
    std::vector<ArcPair> test;

    ArcTaskGrids grids() const;  // both splits as (input, output) pairs, for hashing and augmentation
};

// One task from JSON text; `source` names the file in error messages and is kept as `path`.
ArcTaskFile parse_arc_task_json(std::string_view text, const std::filesystem::path & source, std::string id);
ArcTaskFile load_arc_task_file(const std::filesystem::path & file);

// A Kaggle combined challenges file; the solutions file beside it (same name with "solutions"
// in place of "challenges") fills the test outputs when present. Tasks sorted by id.
std::vector<ArcTaskFile> load_arc_kaggle(const std::filesystem::path & challenges_file);
bool is_kaggle_challenges_file(const std::filesystem::path & p);

// A task file, a Kaggle challenges file, or a directory walked recursively (sorted by path, so the
// order does not depend on the filesystem). In a directory, *_challenges.json files are Kaggle
// sets and *_solutions.json files are skipped. Throws InputError for a bad file, for two tasks
// with the same id, and for a directory without task files.
std::vector<ArcTaskFile> load_arc_tasks(const std::filesystem::path & path);

// One Example per test input: group = task id, index = test-pair index, id = "<task>/<index>",
// demos = train pairs, target = test output. meta["file"] = the task file's path.
std::vector<Example> arc_examples(std::span<const ArcTaskFile> tasks);

// Counts over a set of examples (grouped by task), for `trmbench data stats` and the tests.
struct ArcStats {
    int tasks = 0;
    int train_pairs = 0;
    int test_inputs = 0;
    int test_outputs_missing = 0;
    std::vector<std::pair<int, int>> tasks_by_test_inputs;  // (number of test inputs, tasks), ascending
    int max_side = 0;                                       // over every grid of every pair
    double mean_test_output_cells = 0;
};
ArcStats arc_stats(std::span<const Example> examples);

}  // namespace trmbench
