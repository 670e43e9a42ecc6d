// Sudoku solver and generator throughput.
//
//   build/bin/sudoku_bench                       # all benchmarks
//   build/bin/sudoku_bench --benchmark_filter=Solve
// Solve benchmarks walk the collection with a prime stride (an even spread over the file, whatever
// the run length) and report puzzles/s; "Collection" solves the whole file per iteration.
// Generator benchmarks report candidates/s (one random grid + minimal-puzzle reduction + rating).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/core/task.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_generator.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tasks/sudoku/sudoku_solver.h"

namespace fs = std::filesystem;
using namespace trmbench;
using namespace trmbench::sudoku;

namespace {

fs::path rated_dir() {
    const char * env = std::getenv("TRMBENCH_SHARED");
    fs::path shared = env && *env ? fs::path(env) : fs::path(TRMBENCH_SHARED_DIR);
    return shared / "data" / "sudoku" / "rated";
}

const std::vector<Cells> & puzzles(const std::string & name) {
    static std::map<std::string, std::vector<Cells>> cache;
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    std::vector<Cells> out;
    for (const auto & ex : load_csv(rated_dir() / (name + ".csv"))) out.push_back(*to_cells(ex.input));
    return cache[name] = std::move(out);
}

// One puzzle per iteration, limit 1 (solve) or 2 (solve and prove uniqueness).
void BM_Solve(benchmark::State & state, const std::string & name, int limit) {
    const auto & ps = puzzles(name);
    size_t i = 0;
    int64_t guesses = 0;
    for (auto _ : state) {
        SolveResult r = solve(ps[i], limit);
        benchmark::DoNotOptimize(r);
        guesses += r.guesses;
        i = (i + 7919) % ps.size();
    }
    state.counters["puzzles/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["guesses/puzzle"] =
        benchmark::Counter(static_cast<double>(guesses) / static_cast<double>(std::max<int64_t>(1, state.iterations())));
}

// Every puzzle of the file per iteration.
void BM_SolveCollection(benchmark::State & state, const std::string & name) {
    const auto & ps = puzzles(name);
    for (auto _ : state)
        for (const auto & p : ps) benchmark::DoNotOptimize(solve(p, 1));
    state.counters["puzzles/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * ps.size()), benchmark::Counter::kIsRate);
}

void BM_GenerateCandidate(benchmark::State & state) {
    uint64_t k = 0;
    for (auto _ : state) benchmark::DoNotOptimize(generate_candidate(1, k++));
    state.counters["candidates/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// The whole generator path (batches, acceptance, CSV) for 64 puzzles with a thread count.
void BM_GeneratePuzzles(benchmark::State & state) {
    GenerateOptions o;
    o.n = 64;
    o.threads = static_cast<int>(state.range(0));
    o.quiet = true;
    int64_t made = 0;
    for (auto _ : state) {
        o.seed = static_cast<uint64_t>(made);
        benchmark::DoNotOptimize(to_csv(generate_puzzles(o)));
        made += o.n;
    }
    state.counters["puzzles/s"] = benchmark::Counter(static_cast<double>(made), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(BM_Solve, hardest_1106, std::string("puzzles6_forum_hardest_1106"), 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Solve, hardest_1905_11plus, std::string("puzzles5_forum_hardest_1905_11+"), 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Solve, top1465, std::string("puzzles3_magictour_top1465"), 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Solve, clue17, std::string("puzzles2_17_clue"), 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Solve, unique_hardest_1106, std::string("puzzles6_forum_hardest_1106"), 2)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Solve, unique_hardest_1905_11plus, std::string("puzzles5_forum_hardest_1905_11+"), 2)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SolveCollection, hardest_1106, std::string("puzzles6_forum_hardest_1106"))->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GenerateCandidate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GeneratePuzzles)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
