// Training throughput (samples/s) of one full training call (ACT step, stable-max loss, backward,
// SignSGD + AdamATan2, EMA) for TRM-Att Sudoku at paper size: D=512, 8 heads, 2 layers, T=3 (H_cycles),
// n=6 (L_cycles), puzzle prefix 16, halt_max_steps 16; global batch 64 and 768, fp32 and bf16, on CPU.
//
//   build/bin/train_bench --benchmark_filter='batch:64'          # one configuration
//   TRMBENCH_BENCH_SMOKE=1 build/bin/train_bench                   # tiny model (ctest runs this)
//
// The reference comparison (the Python reference on Debian's python3-torch 1.13 with the spec §6
// shims, same config, batch and thread count) runs outside the repository; the ratio goes in the
// notes. Items per second = samples per second.
#include <benchmark/benchmark.h>

#include <ATen/CPUGeneratorImpl.h>

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "models/cpu_gemm.h"
#include "models/threads.h"
#include "models/train/trainer.h"

using namespace trmbench;

namespace {

bool smoke() { return std::getenv("TRMBENCH_BENCH_SMOKE") != nullptr; }

ModelConfig paper_trm_att_sudoku(int64_t batch, ForwardDType dtype) {
    ModelConfig c;
    c.family = ModelFamily::trm;
    c.batch_size = batch;
    c.seq_len = 81;
    c.vocab_size = 11;
    c.num_puzzle_identifiers = 1;
    c.puzzle_emb_ndim = 512;
    c.puzzle_emb_len = 16;
    c.H_cycles = 3;
    c.L_cycles = 6;
    c.L_layers = 2;
    c.hidden_size = 512;
    c.num_heads = 8;
    c.expansion = 4;
    c.halt_max_steps = 16;
    c.halt_exploration_prob = 0.1;
    c.forward_dtype = dtype;
    if (smoke()) {
        c.hidden_size = 64;
        c.num_heads = 2;
        c.puzzle_emb_ndim = 64;
        c.puzzle_emb_len = 2;
        c.H_cycles = 2;
        c.L_cycles = 2;
    }
    return c;
}

HostBatch sudoku_like_batch(int64_t batch, uint64_t seed) {
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    HostBatch b;
    b.rows = batch;
    b.seq_len = 81;
    at::Tensor inputs = at::randint(1, 11, {batch, 81}, gen, at::kInt);
    at::Tensor labels = at::randint(2, 11, {batch, 81}, gen, at::kInt);
    b.inputs.assign(inputs.data_ptr<int32_t>(), inputs.data_ptr<int32_t>() + inputs.numel());
    b.labels.assign(labels.data_ptr<int32_t>(), labels.data_ptr<int32_t>() + labels.numel());
    b.puzzle_identifiers.assign(static_cast<size_t>(batch), 0);
    b.global_effective = batch;
    return b;
}

// Peak resident memory of one paper-size training call grows ~linearly with the batch: 6.0 GB
// measured at batch 64 fp32 on one thread (the n+1 passes that carry gradients keep their
// activations), i.e. ~90 MB per sample, so batch 768 needs ~70 GB. Skip, with the reason, instead
// of being killed by the OOM killer halfway through the sweep.
bool skip_if_too_big(benchmark::State & state, int64_t batch) {
    const double need = 90e6 * static_cast<double>(batch);
    const double have = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
    if (smoke() || have <= 0 || need < 0.9 * have) return false;
    const std::string why = "needs ~" + std::to_string(static_cast<int>(need / 1e9)) + " GB of memory (~90 MB per sample), this machine has " +
                            std::to_string(static_cast<int>(have / 1e9)) + " GB";
    state.SkipWithError(why.c_str());
    return true;
}

void BM_TrainStep(benchmark::State & state) {
    const int64_t batch = smoke() ? 8 : state.range(0);
    const ForwardDType dtype = state.range(1) ? ForwardDType::bfloat16 : ForwardDType::float32;
    if (skip_if_too_big(state, batch)) return;
    set_torch_threads(0);
    auto comm = make_communicator({});
    TrainConfig t;  // the paper recipe: AdamATan2 (wd 1.0), SignSGD, warm-up, EMA 0.999
    t.global_batch_size = batch;
    Trainer trainer(paper_trm_att_sudoku(batch, dtype), t, at::kCPU, *comm, 65104);
    HostBatch b = sudoku_like_batch(batch, 1);
    trainer.train_step(b);  // warm-up: allocations, first-touch, oneDNN primitive caches
    for (auto _ : state) {
        StepMetrics m = trainer.train_step(b);
        benchmark::DoNotOptimize(m.loss);
    }
    state.SetItemsProcessed(state.iterations() * batch);
    state.counters["samples_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
    state.SetLabel(std::string(dtype == ForwardDType::float32 ? "fp32" : "bf16 (GEMM " + to_string(bf16_cpu_gemm()) + ")") +
                   " batch " + std::to_string(batch) + (smoke() ? " (smoke config)" : " (D512 T3 n6)"));
}

}  // namespace

BENCHMARK(BM_TrainStep)
    ->ArgNames({"batch", "bf16"})
    ->Args({64, 0})
    ->Args({64, 1})
    ->Args({768, 0})
    ->Args({768, 1})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(2);

BENCHMARK_MAIN();
