// Results store speed: attempt rows per second through record_attempt() (the writer thread,
// batched transactions; target >= 50,000/s), and the report-side queries over a 1M-row database
// (aggregate per solver x dataset, and streaming every attempt with its item).
//
// The 1M-row database is built once through the store itself and kept in the temp directory
// (trmbench-bench-results-<rows>-v<schema>.db) so reruns skip the build. TRMBENCH_BENCH_ROWS
// changes the row count; ctest's smoke run (--benchmark_min_time=0.01) uses 20,000.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "results/reader.h"
#include "results/schema.h"
#include "results/store.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

constexpr int kSolvers = 4;

std::vector<ItemRecord> make_items(int n, const std::string & dataset) {
    std::vector<ItemRecord> items;
    items.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        ItemRecord it;
        it.task_family = "sudoku";
        it.dataset = dataset;
        it.example_id = "puzzle/" + std::to_string(i);
        it.group = it.example_id;
        it.position = i;
        it.difficulty = i % 100;
        it.target = Grid(9, 9, static_cast<uint8_t>(1 + i % 9));
        items.push_back(std::move(it));
    }
    return items;
}

// A typical LLM attempt on a 9x9 Sudoku (with_steps: a local model with 16 ACT steps instead).
AttemptRecord make_attempt(RunId run, const std::string & solver, const ItemRecord & it, int attempt, bool with_steps) {
    AttemptRecord r;
    r.run_id = run;
    r.solver = solver;
    r.task_family = it.task_family;
    r.dataset = it.dataset;
    r.example_id = it.example_id;
    r.attempt = attempt;
    r.answer = Grid(9, 9, static_cast<uint8_t>(1 + (it.position + attempt) % 9));
    bool exact = (it.position + attempt) % 3 == 0;
    r.measures = {{"exact", exact}, {"valid", exact || it.position % 2 == 0}};
    if (with_steps) {
        // The prediction changes over the first 6 steps, then settles (as TRM's usually does).
        for (int s = 0; s < 16; ++s)
            r.steps.push_back({Grid(9, 9, static_cast<uint8_t>(s < 6 ? s : 6)), -2.f + s * 0.25f, 1.f, s > 8 && exact});
        r.compute.act_steps = 16;
        r.compute.flops = 3.2e9;
    } else {
        r.raw_text = "Let me solve this puzzle step by step... \\boxed{" + std::string(81, '5') + "}";
        r.usage.input_tokens = 812;
        r.usage.output_tokens = 95;
        r.usage.reasoning_tokens = 2048;
        r.usage.total_tokens = 2955;
        r.usage.cost_usd = 0.0123;
        r.usage.raw_json = R"({"prompt_tokens":812,"completion_tokens":2143})";
        r.http_status = 200;
        r.request_id = "req_abcdef0123456789";
        r.compute.flops = 1.1e13;
        r.compute.flops_estimated = true;
    }
    r.compute.wall_ms = 1234.5;
    return r;
}

// CPU seconds of the whole process (all threads): on a loaded machine, rows per CPU second is a
// steadier estimate of the quiet-machine rate than wall time, since the writer is one thread.
double process_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Set by main(): ctest runs every benchmark with --benchmark_min_time=0.01 only to see that it
// runs; such a smoke run uses 20,000 rows instead of building a 1M-row (1.5 GB) fixture.
bool g_smoke = false;

int64_t bench_rows() {
    const char * env = std::getenv("TRMBENCH_BENCH_ROWS");
    long long n = env && *env ? std::atoll(env) : g_smoke ? 20000 : 1000000;
    return n >= kSolvers * 2 ? n : kSolvers * 2;
}

// record_attempt() throughput: each iteration queues `range(0)` attempts and waits for their commit.
void BM_RecordAttempts(benchmark::State & state) {
    int n = static_cast<int>(state.range(0));
    bool with_steps = state.range(1) != 0;
    fs::path path = fs::temp_directory_path() / ("trmbench-bench-insert-" + std::to_string(::getpid()) + ".db");
    fs::remove(path);
    {
        ResultsStore store(path);
        RunId run = store.begin_run(RunInfo{});
        auto items = make_items(n, "sudoku/bench");
        store.insert_items(run, items);
        SolverInfo s;
        s.name = "solver";
        store.register_solver(run, s);
        std::vector<AttemptRecord> records;
        records.reserve(static_cast<size_t>(n));
        for (const auto & it : items) records.push_back(make_attempt(run, "solver", it, 0, with_steps));
        int attempt = 0;
        double cpu = 0;
        for (auto _ : state) {
            state.PauseTiming();
            std::vector<AttemptRecord> batch = records;
            for (auto & r : batch) r.attempt = attempt;  // fresh keys every iteration
            ++attempt;
            state.ResumeTiming();
            double cpu0 = process_cpu_s();
            for (auto & r : batch) store.record_attempt(std::move(r));
            store.flush();
            cpu += process_cpu_s() - cpu0;
        }
        state.SetItemsProcessed(state.iterations() * n);
        state.counters["rows_per_cpu_s"] = static_cast<double>(state.iterations() * n) / cpu;
        store.close();
    }
    fs::remove(path);
    fs::remove(path.string() + "-wal");
    fs::remove(path.string() + "-shm");
}
BENCHMARK(BM_RecordAttempts)->Args({10000, 0})->Args({10000, 1})->Unit(benchmark::kMillisecond)->UseRealTime();

// The report fixture: kSolvers solvers x rows/kSolvers/2 items x 2 attempts, built once.
fs::path report_fixture() {
    int64_t rows = bench_rows();
    fs::path path = fs::temp_directory_path() / ("trmbench-bench-results-" + std::to_string(rows) + "-v" +
                                                 std::to_string(results::kSchemaVersion) + ".db");
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
        RunId run = store.begin_run(RunInfo{});
        int per_solver_items = static_cast<int>(rows / kSolvers / 2);
        auto a = make_items(per_solver_items / 2, "sudoku/extreme-a");
        auto b = make_items(per_solver_items - per_solver_items / 2, "sudoku/extreme-b");
        store.insert_items(run, a);
        store.insert_items(run, b);
        for (int s = 0; s < kSolvers; ++s) {
            SolverInfo info;
            info.name = "solver-" + std::to_string(s);
            store.register_solver(run, info);
            for (const auto * items : {&a, &b})
                for (const auto & it : *items)
                    for (int attempt = 0; attempt < 2; ++attempt)
                        store.record_attempt(make_attempt(run, info.name, it, attempt, s % 2 == 0));
        }
        store.end_run(run, kRunCompleted);
    }
    fs::rename(tmp, path);
    return path;
}

void BM_Aggregate(benchmark::State & state) {
    fs::path path = report_fixture();
    ResultsReader reader(path);
    RunId run = reader.runs().at(0).id;
    int64_t rows = reader.count_attempts(run);
    for (auto _ : state) {
        auto agg = reader.aggregate(run);
        benchmark::DoNotOptimize(agg);
    }
    state.SetItemsProcessed(state.iterations() * rows);
    state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_Aggregate)->Unit(benchmark::kMillisecond)->UseRealTime();

// Streaming every attempt with its item (no raw text), as a per-item report table would.
void BM_IterateAttempts(benchmark::State & state) {
    fs::path path = report_fixture();
    ResultsReader reader(path);
    RunId run = reader.runs().at(0).id;
    int64_t rows = reader.count_attempts(run);
    for (auto _ : state) {
        int64_t n = 0;
        reader.for_each_attempt({run, "", "", false, false, true},
                                [&](const AttemptRecord & a, const ItemRecord &) { n += a.correct(); });
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_IterateAttempts)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char ** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        const std::string flag = "--benchmark_min_time=";
        if (arg.rfind(flag, 0) == 0 && std::atof(arg.c_str() + flag.size()) < 0.1) g_smoke = true;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
