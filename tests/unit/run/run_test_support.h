// Shared helpers for the runner tests: plans over generated data in a temporary directory, and
// reading a run's attempts back as comparable rows.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "harness/run/plan.h"
#include "harness/run/runner.h"
#include "results/reader.h"
#include "tests/support/test_support.h"

namespace trmbench::test {

// One cache of generated sets for the whole test program (generation is deterministic).
std::filesystem::path shared_cache_dir();

// A plan for suite JSON; relative paths resolve in `dir`, data dir dir/"data".
Plan plan_for(const std::string & suite_json, const std::filesystem::path & dir, Shard shard = {},
              std::filesystem::path data_dir = {});

RunOptions quiet_options(const std::filesystem::path & db);

// What an attempt produced, keyed by (solver, dataset, example, attempt): outcome, answer, correct.
using AttemptKey4 = std::tuple<std::string, std::string, std::string, int>;
struct AttemptValue {
    std::string outcome;
    std::string answer;  // digit rows, "" when none
    bool correct = false;
    bool operator==(const AttemptValue &) const = default;
};
std::map<AttemptKey4, AttemptValue> read_attempts(const std::filesystem::path & db, int64_t run);

// A small suite over generated Sudoku and Maze sets with the classical and trivial baselines.
std::string baseline_suite(int sudoku_n = 24, int maze_n = 6, int attempts = 1);

}  // namespace trmbench::test
