// Google Benchmark for the training-data paths: the train sampler with collate at the paper batch
// size on ARC-like (900 tokens, ~4 examples per puzzle) and Sudoku-like (81 tokens, 1 example)
// splits — it runs once per optimizer step, so it must stay far below a GPU step (tens of ms) —
// the test sampler, opening/validating a split, and small end-to-end builds (Sudoku, ARC) whose
// rates extrapolate to the full builds.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "harness/core/rng.h"
#include "models/data/batch_sampler.h"
#include "models/data/train_data.h"

namespace {

using namespace trmbench;
namespace fs = std::filesystem;

// groups x variants puzzles of `examples` examples each, random tokens.
PuzzleSplit synthetic_split(int groups, int variants, int examples, int seq_len, int vocab) {
    PuzzleDatasetMetadata m;
    m.seq_len = seq_len;
    m.vocab_size = vocab;
    std::vector<int32_t> pidx{0}, gidx{0}, ids;
    for (int g = 0; g < groups; ++g) {
        for (int v = 0; v < variants; ++v) {
            pidx.push_back(pidx.back() + examples);
            ids.push_back(static_cast<int32_t>(ids.size()) + 1);
        }
        gidx.push_back(static_cast<int32_t>(ids.size()));
    }
    Rng rng(1);
    std::vector<uint8_t> in(static_cast<size_t>(pidx.back()) * static_cast<size_t>(seq_len)), lab(in.size());
    for (auto & t : in) t = static_cast<uint8_t>(rng.below(static_cast<uint64_t>(vocab)));
    for (auto & t : lab) t = static_cast<uint8_t>(rng.below(static_cast<uint64_t>(vocab)));
    m.num_puzzle_identifiers = static_cast<int64_t>(ids.size()) + 1;
    m.total_groups = groups;
    m.total_puzzles = static_cast<int64_t>(ids.size());
    m.mean_puzzle_examples = examples;
    return PuzzleSplit::from_memory(m, std::move(in), std::move(lab), ids, pidx, gidx);
}

void run_sampler(benchmark::State & state, const PuzzleSplit & split) {
    SamplerOptions o;
    o.global_batch_size = 768;
    o.epochs_per_iter = 1000000;
    TrainSampler sampler(split, o);
    sampler.start_iteration(1);
    Batch b;
    for (auto _ : state) {
        if (!sampler.next(b)) sampler.start_iteration(2);
        benchmark::DoNotOptimize(b.labels.data());
    }
    state.SetItemsProcessed(state.iterations() * 768);
    state.counters["batches/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_TrainSamplerArcLike(benchmark::State & state) {
    static const PuzzleSplit split = synthetic_split(960, 10, 4, 900, 12);  // 2 x 35 MB of tokens
    run_sampler(state, split);
}
BENCHMARK(BM_TrainSamplerArcLike)->Unit(benchmark::kMicrosecond);

void BM_TrainSamplerSudokuLike(benchmark::State & state) {
    static const PuzzleSplit split = synthetic_split(1000, 101, 1, 81, 11);
    run_sampler(state, split);
}
BENCHMARK(BM_TrainSamplerSudokuLike)->Unit(benchmark::kMicrosecond);

void BM_TestSamplerArcLike(benchmark::State & state) {
    static const PuzzleSplit split = synthetic_split(100, 50, 1, 900, 12);
    SamplerOptions o;
    o.global_batch_size = 768;
    TestSampler sampler(split, o);
    Batch b;
    for (auto _ : state) {
        if (!sampler.next(b)) sampler.reset();
        benchmark::DoNotOptimize(b.inputs.data());
    }
    state.SetItemsProcessed(state.iterations() * 768);
}
BENCHMARK(BM_TestSamplerArcLike)->Unit(benchmark::kMicrosecond);

struct TempDir {
    fs::path path;
    TempDir() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("trmbench-bench-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

const fs::path kShared = TRMBENCH_SHARED_DIR;

// End to end: 50 Sudoku puzzles x 200 shuffles (10,050 puzzles) including file writes and fsync.
void BM_BuildSudoku50x200(benchmark::State & state) {
    SudokuDataOptions o;
    o.train = InputDataset{"puzzles6", kShared / "data/sudoku/rated/puzzles6_forum_hardest_1106.csv"};
    o.n = 50;
    o.num_aug = 200;
    o.test_n = 10;
    BuildSettings s;
    s.quiet = true;
    s.threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        TempDir tmp;
        benchmark::DoNotOptimize(build_train_data(o, tmp.path / "ds", s).manifest.train.puzzles);
    }
    state.SetItemsProcessed(state.iterations() * 50 * 201);
}
BENCHMARK(BM_BuildSudoku50x200)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// End to end: the 400 ARC-AGI-1 evaluation tasks as the only subset, 20 variants each.
void BM_BuildArcEval20(benchmark::State & state) {
    ArcDataOptions o;
    o.subsets.push_back({"evaluation", InputDataset{"arc-agi-1/evaluation", kShared / "data/arc-agi-1/evaluation"}});
    o.test_subset = "evaluation";
    o.num_aug = 20;
    BuildSettings s;
    s.quiet = true;
    s.threads = static_cast<int>(state.range(0));
    int64_t puzzles = 0;
    for (auto _ : state) {
        TempDir tmp;
        puzzles = build_train_data(o, tmp.path / "ds", s).manifest.train.puzzles;
    }
    state.SetItemsProcessed(state.iterations() * puzzles);
}
BENCHMARK(BM_BuildArcEval20)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Opening and validating a split (token range scan, CSR checks) of a small ARC build.
void BM_OpenArcSplit(benchmark::State & state) {
    static TempDir tmp;
    static const fs::path dir = [] {
        ArcDataOptions o;
        o.subsets.push_back({"evaluation", InputDataset{"arc-agi-1/evaluation", kShared / "data/arc-agi-1/evaluation"}});
        o.test_subset = "evaluation";
        o.num_aug = 20;
        BuildSettings s;
        s.quiet = true;
        return build_train_data(o, tmp.path / "ds", s).dir;
    }();
    int64_t bytes = 0;
    for (auto _ : state) {
        PuzzleSplit split = PuzzleSplit::open(dir / "train");
        bytes = static_cast<int64_t>(split.inputs().data().size() * 2);
        benchmark::DoNotOptimize(split.num_examples());
    }
    state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_OpenArcSplit)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
