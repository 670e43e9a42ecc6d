// Maze-Hard throughput on one thread: accepted 30x30 mazes per second from the fast sampler (target
// >= 50/s; with the wall-count envelope and with a fixed boost), layouts evaluated per second,
// plain-rejection attempts per second (for comparison), and the BFS solver (canonical shortest path)
// per maze.
//   build/bin/maze_bench --benchmark_filter=Generate --benchmark_min_time=10   (stable numbers)
#include <benchmark/benchmark.h>

#include <vector>

#include "tasks/maze/maze_core.h"
#include "tasks/maze/maze_generator.h"

namespace {

using namespace trmbench;

// Accepted mazes per second through generate_mazes (one thread, chunked proposals, CSV-ready mazes).
// The maze count per iteration is random (~7,800 layouts per maze, geometric): run for 10 s or more
// (--benchmark_min_time) for a few per cent of noise.
void generate30(benchmark::State & state, const MazeGenConfig & cfg) {
    uint64_t seed = 1;
    int64_t mazes = 0, layouts = 0;
    for (auto _ : state) {
        MazeGenStats stats;
        auto out = generate_mazes(cfg, state.range(0), seed++, 1, nullptr, &stats);
        mazes += static_cast<int64_t>(out.size());
        layouts += stats.layouts;
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(mazes);  // items_per_second = accepted mazes per second
    state.counters["layouts_per_maze"] = mazes ? static_cast<double>(layouts) / static_cast<double>(mazes) : 0;
}

// The default sampler: wall-count envelope (see maze_generator.h).
void BM_MazeGenerate30(benchmark::State & state) { generate30(state, make_maze_gen_config(30)); }
BENCHMARK(BM_MazeGenerate30)->Arg(20)->Unit(benchmark::kMillisecond);

// The fixed boost A = 8 for every wall count (an explicit boost in make_maze_gen_config), for comparison.
void BM_MazeGenerate30FixedBoost(benchmark::State & state) { generate30(state, make_maze_gen_config(30, -1, 8)); }
BENCHMARK(BM_MazeGenerate30FixedBoost)->Arg(20)->Unit(benchmark::kMillisecond);

// Layout proposals per second (draw + far-pair analysis), the sampler's unit of work; wall counts
// follow the envelope, so more layouts near the percolation threshold than plain rejection draws.
void BM_MazeProposal30(benchmark::State & state) {
    MazeSampler sampler(make_maze_gen_config(30));
    uint64_t index = 0;
    for (auto _ : state) benchmark::DoNotOptimize(sampler.propose(3, index++));
    state.SetItemsProcessed(static_cast<int64_t>(index));
}
BENCHMARK(BM_MazeProposal30);

// Plain rejection: one layout, one uniform pair, one BFS per attempt (~77,000 attempts per maze).
void BM_MazePlainAttempt30(benchmark::State & state) {
    MazeSampler sampler(make_maze_gen_config(30));
    uint64_t index = 0;
    for (auto _ : state) benchmark::DoNotOptimize(sampler.plain_attempt(3, index++));
    state.SetItemsProcessed(static_cast<int64_t>(index));
}
BENCHMARK(BM_MazePlainAttempt30);

// The BFS baseline's work per maze: canonical shortest path of a 30x30 Maze-Hard maze.
void BM_MazeBfsSolve30(benchmark::State & state) {
    static const std::vector<GeneratedMaze> mazes = generate_mazes(make_maze_gen_config(30), 32, 99, 1);
    size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(maze::canonical_solution(mazes[i++ % mazes.size()].question));
    state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_MazeBfsSolve30);

}  // namespace

BENCHMARK_MAIN();
