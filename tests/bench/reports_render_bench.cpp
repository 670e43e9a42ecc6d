// Report speed: the whole `trmbench report` (collect, figures, markdown, CSV, JSON, ARC
// submissions) over a results database of 1M attempt rows. Target: under 10 s.
//
// The database is built once through the results store (ResultsStore::record_attempt, which
// commits in batches on its writer thread) and kept in the temp directory
// (trmbench-bench-report-<rows>-v<schema>.db), so reruns skip the build (~1-2 min). Its shape is a
// large paper-reproduction run: Sudoku and Maze items, four solvers, one attempt per item:
//   trm-att, hrm   local models with 16 ACT steps each (per-step answers and correctness)
//   gpt-5-high     an LLM with tokens, dollars, estimated FLOPs and some failures
//   dlx            a classical baseline (no FLOPs)
// plus a small ARC dataset with two attempts for the LLM. CPU time is the whole process (the
// report reads with one thread per solver). TRMBENCH_BENCH_ROWS changes the row count
// (ctest runs it with 20,000 rows as a smoke test).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "reports/collect.h"
#include "reports/report.h"
#include "results/reader.h"
#include "results/schema.h"
#include "results/store.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

constexpr int kSolvers = 4;
constexpr int kArcTasks = 100;  // 2 attempts x 1 solver: 200 rows, ARC scoring in the path

int64_t bench_rows() {
    const char * env = std::getenv("TRMBENCH_BENCH_ROWS");
    long long n = env && *env ? std::atoll(env) : 1000000;
    return n >= 1000 ? n : 1000;
}

ItemRecord make_item(const std::string & family, const std::string & dataset, int64_t i, int64_t position) {
    ItemRecord it;
    it.task_family = family;
    it.dataset = dataset;
    it.example_id = std::to_string(i);
    it.group = family == "arc" ? "task" + std::to_string(i) : it.example_id;
    it.position = position;
    it.difficulty = family == "sudoku" ? static_cast<double>(i % 120) : family == "maze" ? static_cast<double>(105 + i % 30) : -1;
    it.target = family == "maze" ? Grid(30, 30, static_cast<uint8_t>(1 + i % 4)) : Grid(9, 9, static_cast<uint8_t>(1 + i % 9));
    return it;
}

AttemptRecord make_attempt(RunId run, const std::string & solver, const ItemRecord & it, int attempt, int64_t i) {
    AttemptRecord r;
    r.run_id = run;
    r.solver = solver;
    r.task_family = it.task_family;
    r.dataset = it.dataset;
    r.example_id = it.example_id;
    r.attempt = attempt;
    r.created_at_ms = 1767261600000;
    bool right = (i * 7 + attempt + static_cast<int64_t>(solver.size())) % 10 < (solver == "dlx" ? 10 : solver == "gpt-5-high" ? 1 : 8);
    Grid answer = *it.target;
    if (!right) answer.cells[0] = static_cast<uint8_t>(answer.cells[0] % 9 + 1);
    r.answer = answer;
    r.measures = {{"exact", right}};
    if (it.task_family == "maze") r.measures.push_back({"valid", right || i % 3 == 0}), r.measures.push_back({"optimal", right});
    if (solver == "trm-att" || solver == "hrm") {
        // The answer settles after a few steps, as TRM's does; the first right step varies.
        int first = 1 + static_cast<int>(i % 12);
        for (int s = 1; s <= 16; ++s) {
            bool ok = right && s >= first;
            Grid g = *it.target;
            if (!ok) g.cells[0] = static_cast<uint8_t>(g.cells[0] % 9 + 1);
            r.steps.push_back({g, -3.f + 0.4f * static_cast<float>(s), 0.f, ok});
        }
        r.compute.act_steps = 16;
        r.compute.flops = solver == "hrm" ? 6.4e10 : 1.6e10;
        r.compute.wall_ms = 0.8;
    } else if (solver == "gpt-5-high") {
        r.outcome = i % 50 == 0 ? Outcome::truncated : i % 97 == 0 ? Outcome::http_error : Outcome::ok;
        if (r.outcome != Outcome::ok) r.answer.reset(), r.measures = {{"exact", false}};
        r.raw_text = "...\\boxed{...}";
        r.usage.input_tokens = 812;
        r.usage.output_tokens = 95;
        r.usage.reasoning_tokens = 2048;
        r.usage.total_tokens = 2955;
        r.usage.cost_usd = 0.0123;
        r.compute.flops = 2.955e14;
        r.compute.flops_estimated = true;
        r.compute.wall_ms = 15000;
    } else {
        r.compute.wall_ms = 0.2;
    }
    return r;
}

fs::path fixture() {
    int64_t rows = bench_rows();
    fs::path path = fs::temp_directory_path() /
                     ("trmbench-bench-report-" + std::to_string(rows) + "-v" + std::to_string(results::kSchemaVersion) + ".db");
    if (fs::exists(path)) {
        try {
            ResultsReader r(path);
            auto runs = r.runs();
            if (runs.size() == 1 && runs[0].status == kRunCompleted && r.count_attempts(runs[0].id) == rows) return path;
        } catch (const std::exception &) {
        }
        fs::remove(path);
    }
    fs::path tmp = path.string() + ".building";
    fs::remove(tmp);
    {
        ResultsStore store(tmp);
        RunInfo info;
        info.suite_name = "bench";
        info.config_hash = "bench";
        RunId run = store.begin_run(info);
        int64_t per_solver = (rows - 2 * kArcTasks) / kSolvers;
        int64_t n_maze = per_solver / 5, n_sudoku = per_solver - n_maze;
        std::vector<ItemRecord> items;
        for (int64_t i = 0; i < n_sudoku; ++i) items.push_back(make_item("sudoku", "sudoku/bench", i, static_cast<int64_t>(items.size())));
        for (int64_t i = 0; i < n_maze; ++i) items.push_back(make_item("maze", "maze/bench", i, static_cast<int64_t>(items.size())));
        std::vector<ItemRecord> arc;
        for (int64_t i = 0; i < kArcTasks; ++i) arc.push_back(make_item("arc", "arc-agi-1/evaluation", i, static_cast<int64_t>(items.size() + arc.size())));
        store.insert_items(run, items);
        store.insert_items(run, arc);
        for (const char * name : {"trm-att", "hrm", "gpt-5-high", "dlx"}) {
            SolverInfo s;
            s.name = name;
            s.kind = std::string(name) == "gpt-5-high" ? "llm" : std::string(name) == "dlx" ? "baseline" : "local";
            s.n_params = std::string(name) == "trm-att" ? 6828034 : std::string(name) == "hrm" ? 27275266 : -1;
            store.register_solver(run, s);
            for (size_t i = 0; i < items.size(); ++i) store.record_attempt(make_attempt(run, name, items[i], 0, static_cast<int64_t>(i)));
        }
        int64_t extra = rows - kSolvers * per_solver - 2 * kArcTasks;  // rounding: top up with Sudoku attempt 1 of the LLM
        for (int64_t i = 0; i < extra; ++i) store.record_attempt(make_attempt(run, "gpt-5-high", items[static_cast<size_t>(i)], 1, i));
        for (size_t i = 0; i < arc.size(); ++i)
            for (int a = 0; a < 2; ++a) store.record_attempt(make_attempt(run, "gpt-5-high", arc[i], a, static_cast<int64_t>(i)));
        store.end_run(run, kRunCompleted);
    }
    fs::rename(tmp, path);
    return path;
}

// The whole command: collect + figures + report.md + CSV + JSON + submissions.
void BM_ReportFull(benchmark::State & state) {
    fs::path db = fixture();
    fs::path out = fs::temp_directory_path() / ("trmbench-bench-report-out-" + std::to_string(::getpid()));
    int64_t rows = 0;
    {
        ResultsReader r(db);
        rows = r.count_attempts(r.runs().at(0).id);
    }
    for (auto _ : state) {
        ReportOptions o;
        o.db = db;
        o.out_dir = out;
        o.formats = {"md", "csv", "json"};
        auto res = write_report(o);
        benchmark::DoNotOptimize(res);
    }
    fs::remove_all(out);
    state.SetItemsProcessed(state.iterations() * rows);
    state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_ReportFull)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// Only the database pass (collect_report), to see where the time goes.
void BM_Collect(benchmark::State & state) {
    fs::path db = fixture();
    ResultsReader reader(db);
    int64_t run = reader.runs().at(0).id;
    for (auto _ : state) {
        ReportData d = collect_report(reader, {run}, {});
        benchmark::DoNotOptimize(d);
    }
    state.SetItemsProcessed(state.iterations() * reader.count_attempts(run));
}
BENCHMARK(BM_Collect)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
