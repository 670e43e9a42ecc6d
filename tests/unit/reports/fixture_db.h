// The report fixture: a small results database built through the results API (ResultsStore), the
// same way the runner writes one. Header-only so that test_reports and test_cli both use it.
//
// Run 1 "golden-suite" (completed), three datasets in manifest order:
//   sudoku/rated/puzzles6_forum_hardest_1106  10 items, ratings 0 3 8 12 25 33 47 61 90 150
//   maze/hard-30x30/test                       6 items, path lengths 108 111 113 116 122 131
//   arc-agi-1/evaluation                       tasks t1 (1 test), t2 (2 tests), t3, t4: 5 items
// Solvers in registration order:
//   trm-att       local, 6,828,034 params, 16 ACT steps with per-step correctness (item s0 halts
//                 after 4 steps), exact FLOPs. Sudoku: first right at steps 1 2 3 4 6 8 10 14 and
//                 never for s8, s9 (8/10). Maze: 4/6 exact, valid 5, optimal 5. ARC: 2 attempts,
//                 t4 missing: pass@1 ARC Prize 25% strict 25% per-output 20%; pass@2 37.5% 25% 40%.
//   gpt-5-high    llm, params unknown, tokens and dollars, estimated FLOPs. Sudoku: 1/10 with
//                 truncated, parse_error, http_error (after a superseded timeout that cost $0.005),
//                 rate_limited (no usage: cost partial) and two missing items. Maze 0/6 (one valid
//                 path). ARC: pass@1 25% / 25% / 40%, pass@2 50% / 50% / 60%; refused, timeout,
//                 skipped outcomes.
//   dlx-baseline  baseline, params and FLOPs unknown, Sudoku only, 10/10.
// Training curves of run 1 (train_metrics), series "trm-att", steps 0, 500, ..., 20000 (41 points),
// 2.5 s per 500 steps: loss 2.5 -> 0.05 (geometric, one +inf at step 1000 that the report leaves
// out), exact_accuracy 0 -> 0.8 (linear), q_halt_accuracy 0.5 -> 0.9, mean_steps 16 -> 6,
// throughput 1200 examples/s; series "trm-mlp" with loss only, 2.0 -> 0.1 over 0..10000.
// Run 2 (with_second_run): "golden-suite" again on the Sudoku items only, trm-att 9/10, for the
// comparison of runs.
//
// Fixed times and identities (no wall clock), so that the report made from it is byte-for-byte
// stable: end_run() stamps runs.finished_at_ms with the wall clock, so build() pins it afterwards
// with one UPDATE (kFinishedAtMs; run 2 a day later).
#pragma once

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "results/schema.h"
#include "results/sqlite.h"
#include "results/store.h"

namespace trmbench::test::fixture {

inline constexpr int64_t kCreatedAtMs = 1767261600000;   // 2026-01-01 10:00 UTC
inline constexpr int64_t kFinishedAtMs = 1767270600000;  // 2026-01-01 12:30 UTC
inline constexpr const char * kSudoku = "sudoku/rated/puzzles6_forum_hardest_1106";
inline constexpr const char * kMaze = "maze/hard-30x30/test";
inline constexpr const char * kArc = "arc-agi-1/evaluation";

inline RunInfo run_info() {
    RunInfo r;
    r.created_at_ms = kCreatedAtMs;
    r.git_sha = "abc1234";
    r.harness_version = "0.1.0";
    r.host = "fixture-host";
    r.cpu = "Fixture CPU @ 3.00GHz";
    r.gpu = "";
    r.suite_name = "golden-suite";
    r.config_json = R"({"command":"trmbench run --suite golden.json --db results.db","suite":"golden-suite","attempts":{"arc":2}})";
    r.config_hash = "cfg-golden-0001";
    r.dataset_hashes = {{kSudoku, std::string(64, '1')}, {kMaze, std::string(64, '2')}, {kArc, std::string(64, '3')}};
    r.prompt_template_hashes = {{"sudoku-boxed", std::string(64, 'a')}, {"arc-json", std::string(64, 'b')}};
    r.seeds = {{"subset", 7}, {"sampling", 1}};
    r.price_table_date = "2025-06-01";
    return r;
}

inline ItemRecord item(const char * family, const char * dataset, const std::string & id, const std::string & group, int index,
                       int64_t position, double difficulty, Grid target) {
    ItemRecord it;
    it.task_family = family;
    it.dataset = dataset;
    it.example_id = id;
    it.group = group;
    it.index = index;
    it.position = position;
    it.difficulty = difficulty;
    it.target = std::move(target);
    return it;
}

inline std::vector<ItemRecord> sudoku_items(int64_t first_position = 0) {
    const double ratings[10] = {0, 3, 8, 12, 25, 33, 47, 61, 90, 150};
    std::vector<ItemRecord> out;
    for (int i = 0; i < 10; ++i)
        out.push_back(item("sudoku", kSudoku, "s" + std::to_string(i), "s" + std::to_string(i), 0, first_position + i, ratings[i],
                           Grid(1, 1, static_cast<uint8_t>(i))));
    return out;
}

inline std::vector<ItemRecord> maze_items(int64_t first_position) {
    const double lengths[6] = {108, 111, 113, 116, 122, 131};
    std::vector<ItemRecord> out;
    for (int i = 0; i < 6; ++i)
        out.push_back(item("maze", kMaze, "m" + std::to_string(i), "m" + std::to_string(i), 0, first_position + i, lengths[i],
                           Grid(1, 1, static_cast<uint8_t>(10 + i))));
    return out;
}

// ARC targets: t1/0 [[1]], t2/0 [[2,2]], t2/1 [[3],[3]], t3/0 [[4]], t4/0 [[5]].
inline Grid arc_target(const std::string & task, int index) {
    if (task == "t2") return index == 0 ? Grid(1, 2, 2) : Grid(2, 1, 3);
    return Grid(1, 1, static_cast<uint8_t>(task == "t1" ? 1 : task == "t3" ? 4 : 5));
}

inline std::vector<ItemRecord> arc_items(int64_t first_position) {
    const std::pair<const char *, int> pairs[5] = {{"t1", 0}, {"t2", 0}, {"t2", 1}, {"t3", 0}, {"t4", 0}};
    std::vector<ItemRecord> out;
    for (int i = 0; i < 5; ++i) {
        auto [task, index] = pairs[i];
        out.push_back(item("arc", kArc, std::string(task) + "/" + std::to_string(index), task, index, first_position + i, -1,
                           arc_target(task, index)));
    }
    return out;
}

inline AttemptRecord attempt(RunId run, const std::string & solver, const ItemRecord & it, int index, Outcome outcome) {
    AttemptRecord a;
    a.run_id = run;
    a.solver = solver;
    a.task_family = it.task_family;
    a.dataset = it.dataset;
    a.example_id = it.example_id;
    a.attempt = index;
    a.outcome = outcome;
    a.created_at_ms = kCreatedAtMs + 1000;
    return a;
}

// An answer equal to the target when `right`, else a grid that differs from it.
inline Grid answer_for(const ItemRecord & it, bool right) {
    Grid g = it.target.value_or(Grid(1, 1, 0));
    if (!right) g.cells.front() = static_cast<uint8_t>((g.cells.front() + 1) % 10);
    return g;
}

// trm-att on Sudoku/Maze: 16 ACT steps (or `steps`), right from step `first_right` on (0 = never).
inline AttemptRecord trm_attempt(RunId run, const ItemRecord & it, int first_right, int steps, double flops_per_step,
                                 std::vector<Measure> extra = {}) {
    AttemptRecord a = attempt(run, "trm-att", it, 0, Outcome::ok);
    bool right = first_right > 0 && first_right <= steps;
    a.answer = answer_for(it, right);
    a.measures = {{"exact", right}};
    for (auto & m : extra) a.measures.push_back(m);
    for (int s = 1; s <= steps; ++s) {
        bool r = first_right > 0 && s >= first_right;
        a.steps.push_back({answer_for(it, r), -4.0f + static_cast<float>(s) * 0.5f, 0.0f, r});
    }
    a.compute.act_steps = steps;
    a.compute.flops = flops_per_step * steps;
    a.compute.wall_ms = 12.5;
    return a;
}

inline void set_llm_usage(AttemptRecord & a, int64_t in, int64_t out, int64_t reasoning, double cost) {
    a.usage.input_tokens = in;
    a.usage.output_tokens = out;
    a.usage.reasoning_tokens = reasoning;
    a.usage.total_tokens = in + out + reasoning;
    a.usage.cost_usd = cost;
    a.compute.flops = 2.0 * 5e10 * static_cast<double>(in + out + reasoning);  // 2 x active params x tokens
    a.compute.flops_estimated = true;
    a.compute.wall_ms = 20000;
    a.http_status = 200;
}

inline AttemptRecord gpt_attempt(RunId run, const ItemRecord & it, int index, Outcome outcome, bool right, double cost = 0.02) {
    AttemptRecord a = attempt(run, "gpt-5-high", it, index, outcome);
    if (outcome == Outcome::ok) a.answer = answer_for(it, right);
    a.measures = {{"exact", outcome == Outcome::ok && right}};
    bool billed = outcome == Outcome::ok || outcome == Outcome::truncated || outcome == Outcome::parse_error ||
                  outcome == Outcome::refused;
    if (billed) set_llm_usage(a, 800, 100, 2000, cost);
    if (outcome == Outcome::http_error) a.http_status = 500, a.error = "HTTP 500 from provider", a.retries = 3;
    if (outcome == Outcome::rate_limited) a.http_status = 429, a.error = "rate limited", a.retries = 5;
    if (outcome == Outcome::truncated) a.error = "stopped at max_tokens";
    if (outcome == Outcome::parse_error) a.error = "no grid in the answer";
    return a;
}

inline void add_run1_attempts(ResultsStore & store, RunId run, const std::vector<ItemRecord> & sudoku,
                              const std::vector<ItemRecord> & maze, const std::vector<ItemRecord> & arc) {
    // trm-att
    const int first_right[10] = {1, 2, 3, 4, 6, 8, 10, 14, 0, 0};
    for (int i = 0; i < 10; ++i) store.record_attempt(trm_attempt(run, sudoku[i], first_right[i], i == 0 ? 4 : 16, 1e9));
    const int maze_right[6] = {3, 5, 9, 12, 0, 0};
    const bool maze_valid[6] = {true, true, true, true, true, false};
    for (int i = 0; i < 6; ++i) {
        bool exact = maze_right[i] > 0;
        bool optimal = exact || i == 4;  // m4: another shortest path than the labelled one
        store.record_attempt(trm_attempt(run, maze[i], maze_right[i], 16, 1.25e9, {{"valid", maze_valid[i]}, {"optimal", optimal}}));
    }
    // ARC (items: t1/0, t2/0, t2/1, t3/0, t4/0): two attempts each, t4 missing.
    const bool arc_right[4][2] = {{true, false}, {false, true}, {false, false}, {false, false}};
    for (int i = 0; i < 4; ++i)
        for (int k = 0; k < 2; ++k) {
            AttemptRecord a = attempt(run, "trm-att", arc[i], k, Outcome::ok);
            a.answer = answer_for(arc[i], arc_right[i][k]);
            a.measures = {{"exact", arc_right[i][k]}};
            a.compute.flops = 4e12;
            a.compute.wall_ms = 900;
            store.record_attempt(a);
        }

    // gpt-5-high. Sudoku s4 is first stored as a timeout (billed $0.005), then replaced.
    AttemptRecord first = gpt_attempt(run, sudoku[4], 0, Outcome::timeout, false);
    first.usage.cost_usd = 0.005;
    store.record_attempt(first);
    store.flush();
    const Outcome sudoku_outcomes[8] = {Outcome::ok,         Outcome::ok,           Outcome::truncated, Outcome::parse_error,
                                        Outcome::http_error, Outcome::rate_limited, Outcome::ok,        Outcome::ok};
    for (int i = 0; i < 8; ++i) store.record_attempt(gpt_attempt(run, sudoku[i], 0, sudoku_outcomes[i], i == 0));
    for (int i = 0; i < 6; ++i) {
        AttemptRecord a = gpt_attempt(run, maze[i], 0, Outcome::ok, false, 0.05);
        a.measures = {{"exact", false}, {"valid", i == 1}, {"optimal", false}};
        store.record_attempt(a);
    }
    struct ArcTry {
        Outcome outcome;
        bool right;
    };
    const ArcTry arc_tries[5][2] = {{{Outcome::ok, false}, {Outcome::ok, true}},
                                    {{Outcome::ok, true}, {Outcome::ok, true}},
                                    {{Outcome::ok, true}, {Outcome::ok, false}},
                                    {{Outcome::refused, false}, {Outcome::timeout, false}},
                                    {{Outcome::ok, false}, {Outcome::skipped, false}}};
    for (int i = 0; i < 5; ++i)
        for (int k = 0; k < 2; ++k) store.record_attempt(gpt_attempt(run, arc[i], k, arc_tries[i][k].outcome, arc_tries[i][k].right, 0.1));

    // dlx-baseline: Sudoku only, always right, no FLOPs.
    for (int i = 0; i < 10; ++i) {
        AttemptRecord a = attempt(run, "dlx-baseline", sudoku[i], 0, Outcome::ok);
        a.answer = answer_for(sudoku[i], true);
        a.measures = {{"exact", true}};
        a.compute.wall_ms = 0.3;
        store.record_attempt(a);
    }
}

inline void add_run1_training(ResultsStore & store, RunId run) {
    for (int i = 0; i <= 40; ++i) {
        int64_t step = 500 * i;
        double t = i / 40.0, wall = 2.5 * i;
        double loss = i == 2 ? std::numeric_limits<double>::infinity() : 2.5 * std::pow(0.02, t);
        store.record_train_metric({run, "trm-att", step, wall, "loss", loss});
        store.record_train_metric({run, "trm-att", step, wall, "exact_accuracy", 0.8 * t});
        store.record_train_metric({run, "trm-att", step, wall, "q_halt_accuracy", 0.5 + 0.4 * t});
        store.record_train_metric({run, "trm-att", step, wall, "mean_steps", 16 - 10 * t});
        store.record_train_metric({run, "trm-att", step, wall, "throughput", 1200});
    }
    for (int i = 0; i <= 20; ++i)
        store.record_train_metric({run, "trm-mlp", 500 * i, 2.0 * i, "loss", 2.0 * std::pow(0.05, i / 20.0)});
}

inline SolverInfo solver(const char * name, const char * kind, const char * provider, const char * model, int64_t params) {
    SolverInfo s;
    s.name = name;
    s.kind = kind;
    s.provider = provider;
    s.model_id = model;
    s.n_params = params;
    s.device = std::string(kind) == "llm" ? "remote" : "cpu";
    s.dtype = std::string(kind) == "local" ? "float32" : "";
    if (std::string(kind) == "local") s.checkpoint_sha256 = std::string(64, 'c');
    s.config_json = std::string("{\"name\":\"") + name + "\"}";
    return s;
}

// Builds the fixture database at `path` (which must not exist). Returns the run ids.
inline std::vector<RunId> build(const std::filesystem::path & path, bool with_second_run = false) {
    std::vector<RunId> runs;
    ResultsStore store(path);
    RunId run = store.begin_run(run_info());
    auto sudoku = sudoku_items(0);
    auto maze = maze_items(10);
    auto arc = arc_items(16);
    std::vector<ItemRecord> all = sudoku;
    all.insert(all.end(), maze.begin(), maze.end());
    all.insert(all.end(), arc.begin(), arc.end());
    store.insert_items(run, all);
    store.register_solver(run, solver("trm-att", "local", "torch", "checkpoints/trm-att/step_65100", 6828034));
    store.register_solver(run, solver("gpt-5-high", "llm", "openai", "gpt-5-2025-08-07", -1));
    store.register_solver(run, solver("dlx-baseline", "baseline", "classical", "dlx", -1));
    add_run1_attempts(store, run, sudoku, maze, arc);
    add_run1_training(store, run);
    store.end_run(run, kRunCompleted);
    runs.push_back(run);
    if (with_second_run) {
        RunInfo info = run_info();
        info.config_hash = "cfg-golden-0002";
        info.created_at_ms = kCreatedAtMs + 86400000;
        RunId r2 = store.begin_run(info);
        store.insert_items(r2, sudoku);
        store.register_solver(r2, solver("trm-att", "local", "torch", "checkpoints/trm-att/step_65100", 6828034));
        const int first_right[10] = {1, 2, 3, 4, 5, 6, 8, 10, 12, 0};
        for (int i = 0; i < 10; ++i) store.record_attempt(trm_attempt(r2, sudoku[i], first_right[i], 16, 1e9));
        store.end_run(r2, kRunCompleted);
        runs.push_back(r2);
    }
    store.close();
    auto db = results::open_results_db(path, {});
    sql::Statement pin(*db, "UPDATE runs SET finished_at_ms = ? + (id - 1) * 86400000");
    pin.bind(1, kFinishedAtMs);
    pin.run();
    return runs;
}

}  // namespace trmbench::test::fixture
