// Google Benchmark for the ARC paths that run once per augmented prediction at evaluation time
// (1000 variants x every test input): crop + de-augmentation of a 900-token canvas, and the vote
// over one test input's 1000 predictions; plus the encoding of one grid.
#include <benchmark/benchmark.h>

#include "harness/core/rng.h"
#include "tasks/arc/arc_canvas.h"
#include "tasks/arc/arc_vote.h"

namespace {

using namespace trmbench;

Grid random_grid(Rng & rng, int rows, int cols) {
    Grid g(rows, cols);
    for (auto & v : g.cells) v = static_cast<uint8_t>(rng.below(10));
    return g;
}

void BM_ArcEncode(benchmark::State & state) {
    Rng rng(1);
    const Grid g = random_grid(rng, 20, 20);
    for (auto _ : state) benchmark::DoNotOptimize(encode_arc_canvas(g));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ArcEncode);

void BM_ArcCropAndInvert(benchmark::State & state) {
    Rng rng(2);
    const ArcAugmentation aug = random_augmentation(rng);
    const auto tokens = encode_arc_canvas(apply_augmentation(random_grid(rng, 20, 20), aug));
    for (auto _ : state) benchmark::DoNotOptimize(decode_arc_prediction(tokens, aug));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ArcCropAndInvert);

// 1000 predictions of 20x20 grids spread over `distinct` candidates.
void BM_ArcVote1000(benchmark::State & state) {
    Rng rng(3);
    std::vector<Grid> pool;
    for (int i = 0; i < state.range(0); ++i) pool.push_back(random_grid(rng, 20, 20));
    std::vector<ArcVoteInput> preds;
    for (int i = 0; i < 1000; ++i) preds.push_back({pool[rng.below(pool.size())], rng.unit() * 4 - 2});
    for (auto _ : state) benchmark::DoNotOptimize(vote_arc(preds, 2));
    state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ArcVote1000)->Arg(1)->Arg(50)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
