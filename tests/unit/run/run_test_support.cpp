// Helpers for the runner tests (see run_test_support.h).
#include "tests/unit/run/run_test_support.h"

#include "harness/core/grid.h"
#include "harness/run/suite.h"

namespace fs = std::filesystem;

namespace trmbench::test {

fs::path shared_cache_dir() {
    static TempDir dir;
    return dir.path();
}

Plan plan_for(const std::string & suite_json, const fs::path & dir, Shard shard, fs::path data_dir) {
    Suite s = parse_suite(suite_json, (dir / "suite.json").string(), dir);
    PlanOptions o;
    o.data_dir = data_dir.empty() ? dir / "data" : data_dir;
    o.cache_dir = shared_cache_dir();
    o.quiet = true;
    o.threads = 2;
    o.shard = shard;
    return make_plan(std::move(s), o);
}

RunOptions quiet_options(const fs::path & db) {
    RunOptions o;
    o.db = db;
    o.quiet = true;
    o.handle_signals = false;
    o.command = "trmbench run test";
    o.busy_timeout_ms = 300;
    return o;
}

std::map<AttemptKey4, AttemptValue> read_attempts(const fs::path & db, int64_t run) {
    ResultsReader reader(db);
    std::map<AttemptKey4, AttemptValue> out;
    for (const AttemptRecord & a : reader.attempts(AttemptQuery(run))) {
        AttemptValue v;
        v.outcome = std::string(outcome_name(a.outcome));
        v.answer = a.answer ? to_digit_rows(*a.answer) : "";
        v.correct = a.correct();
        out.emplace(AttemptKey4{a.solver, a.dataset, a.example_id, a.attempt}, v);
    }
    return out;
}

std::string baseline_suite(int sudoku_n, int maze_n, int attempts) {
    return R"({
      "name": "baselines",
      "attempts": )" + std::to_string(attempts) + R"(,
      "tasks": [
        { "name": "sudoku", "family": "sudoku", "generate": { "n": )" + std::to_string(sudoku_n) + R"(, "seed": 5 },
          "subset": { "strata": [0, 1, 3] } },
        { "name": "maze", "family": "maze", "generate": { "n": )" + std::to_string(maze_n) + R"(, "seed": 5, "options": { "size": 10 } } }
      ],
      "solvers": [
        { "kind": "baseline", "name": "sudoku-exact" },
        { "kind": "baseline", "name": "maze-bfs" },
        { "kind": "baseline", "name": "identity" },
        { "kind": "baseline", "name": "random" }
      ]
    })";
}

}  // namespace trmbench::test
