// Throughput of the local TRM/HRM models at paper sizes on Sudoku, and how close they come to this
// machine's real matrix-multiply limit.
//
//   build/bin/model_bench                 # short run (CI): batch 1, one ACT step, every model/dtype
//   build/bin/model_bench --full          # the sweep: batch 1, 16, 64 x one full 16-step evaluation
//   build/bin/model_bench --full --benchmark_filter='Model/trm-att.*/64/'
//   TRMBENCH_BENCH_AB=1 build/bin/model_bench --benchmark_filter="/(aten|fused)/"
//       --benchmark_repetitions=8 --benchmark_enable_random_interleaving=true   # CPU-path A/B
//
// Model/<preset>/<dtype>/<batch>/<steps>: a batch of real Sudoku-Extreme puzzles (tdoku's rated
// collection) runs the evaluation ACT loop for <steps> steps, exactly as the local solver's
// run_batch does (initial carry, act_step, argmax per step). Counters:
//   puzzles/s      batch / seconds per evaluation (items_per_second)
//   GFLOP/s        analytic FLOPs of the evaluation (models/flops.h) / seconds
//   gemm_GFLOP/s   the rate of the model's dominant matrix shape, measured just before in this
//                  program: the channel SwiGLU's gate/up projection, at::linear of
//                  [batch·S, D] x [D, 2I]ᵀ in the same dtype, the same thread count; for bf16
//                  through the route the model uses (models/cpu_gemm.h: oneDNN's bf16 kernels, or
//                  widen + fp32 BLAS + round), reported in the context as bf16_cpu_gemm
//   efficiency     GFLOP/s / gemm_GFLOP/s: the share of the machine's real limit the model reaches
// Gemm/<dtype>/<M>/<K>/<N>: that GEMM on its own, for the table (bfloat16: oneDNN's kernels;
// bfloat16-via-fp32: the fp32 route of cpu_gemm.h, conversions included).
//
// Weights are a seeded random init (the speed of a matmul does not depend on the values). Threads:
// every usable core (set_torch_threads), as the solver uses them.
#include <benchmark/benchmark.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "models/act.h"
#include "models/config.h"
#include "models/cpu_kernels.h"
#include "models/cpu_gemm.h"
#include "models/flops.h"
#include "models/layers.h"
#include "models/local_solver.h"
#include "models/presets.h"
#include "models/reasoning_model.h"
#include "models/threads.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

using Clock = std::chrono::steady_clock;

const char * const kPresets[] = {"trm-att-sudoku", "trm-mlp-sudoku", "hrm-sudoku"};

fs::path shared_dir() {
    const char * env = std::getenv("TRMBENCH_SHARED");
    return env && *env ? fs::path(env) : fs::path(TRMBENCH_SHARED_DIR);
}

at::ScalarType scalar_type(ForwardDType d) { return d == ForwardDType::float32 ? at::kFloat : at::kBFloat16; }

// The first `batch` puzzles of the hardest rated collection, tokenised as the Sudoku task does.
at::Tensor sudoku_batch(int64_t batch) {
    static std::vector<std::vector<int32_t>> tokens;
    if (tokens.empty()) {
        const Task & task = task_by_family("sudoku");
        for (const Example & ex : task.load(shared_dir() / "data/sudoku/rated/puzzles6_forum_hardest_1106.csv")) {
            tokens.push_back(task.encode(ex.input));
            if (tokens.size() == 64) break;
        }
    }
    at::Tensor out = at::zeros({batch, 81}, at::kInt);
    for (int64_t b = 0; b < batch; ++b) {
        const auto & row = tokens[static_cast<size_t>(b) % tokens.size()];
        std::memcpy(out[b].data_ptr<int32_t>(), row.data(), row.size() * sizeof(int32_t));
    }
    return out;
}

// One model per (preset, dtype), built once: construction draws millions of truncated normals.
RecursiveReasoningModel & model_for(const std::string & preset, ForwardDType dtype) {
    static std::map<std::pair<std::string, ForwardDType>, RecursiveReasoningModel> cache;
    auto key = std::make_pair(preset, dtype);
    auto it = cache.find(key);
    if (it == cache.end()) {
        at::NoGradGuard no_grad;
        ModelConfig c = load_preset(preset);
        c.forward_dtype = dtype;
        RecursiveReasoningModel m(c, 0);
        m->eval();
        it = cache.emplace(key, m).first;
    }
    return it->second;
}

// GFLOP/s of at::linear([M, K] x [N, K]ᵀ) in `dtype`: the median of a few timed repetitions after a
// warm-up, each at least ~50 ms. Cached per shape: the models' efficiency is measured against it.
double gemm_gflops(at::ScalarType dtype, int64_t M, int64_t K, int64_t N) {
    static std::map<std::tuple<int, int64_t, int64_t, int64_t>, double> cache;
    const auto key = std::make_tuple(static_cast<int>(dtype), M, K, N);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    c10::InferenceMode guard;
    const at::Tensor x = at::randn({M, K}).to(dtype), w = at::randn({N, K}).to(dtype);
    const bool via_fp32 = dtype == at::kBFloat16 && bf16_cpu_gemm() == Bf16CpuGemm::fp32_blas;
    const at::Tensor w32 = w.to(at::kFloat);  // the fp32 route caches the widened weights
    auto product = [&] { return via_fp32 ? at::linear(x.to(at::kFloat), w32).to(dtype) : at::linear(x, w); };
    at::Tensor y = product();  // warm-up (allocations, oneDNN primitive creation)
    const double flop = 2.0 * static_cast<double>(M) * static_cast<double>(K) * static_cast<double>(N);
    int reps = 1;
    std::vector<double> rates;
    while (rates.size() < 5) {
        const auto t0 = Clock::now();
        for (int r = 0; r < reps; ++r) y = product();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (s < 0.05 && reps < (1 << 20)) {
            reps *= 2;
            continue;
        }
        rates.push_back(flop * reps / s / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    return cache[key] = rates[rates.size() / 2];
}

// The dominant matmul of one block: the channel SwiGLU's gate/up projection over all positions.
std::tuple<int64_t, int64_t, int64_t> dominant_shape(const ModelConfig & c, int64_t batch) {
    return {batch * total_seq_len(c), c.hidden_size, 2 * channel_inter(c)};
}

// kernels: -1 as the environment says, 0 the reference op sequence, 1 the fused CPU paths
// (models/cpu_kernels.h); the A/B pair is registered with TRMBENCH_BENCH_AB=1.
void BM_Model(benchmark::State & state, const std::string & preset, ForwardDType dtype, int kernels) {
    const int64_t batch = state.range(0), steps = state.range(1);
    set_torch_threads(0);
    std::optional<cpu_kernels::ScopedCpuKernels> pin;
    if (kernels >= 0) pin.emplace(kernels == 1);
    RecursiveReasoningModel & model = model_for(preset, dtype);
    const ModelConfig & c = model->config;
    const at::Tensor inputs = sudoku_batch(batch);
    const PuzzleBatch puzzles{inputs, at::zeros_like(inputs), at::zeros({batch}, at::kInt)};
    const auto [M, K, N] = dominant_shape(c, batch);
    const double gemm = gemm_gflops(scalar_type(dtype), M, K, N);

    double seconds = 0;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        c10::InferenceMode guard;
        ActCarry carry = initial_carry(*model, puzzles);
        for (int64_t s = 0; s < steps; ++s) {
            auto [next, out] = act_step(*model, carry, puzzles);
            benchmark::DoNotOptimize(out.logits.argmax(-1).to(at::kInt));
            carry = std::move(next);
        }
        seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    }
    const double flops = flops_per_puzzle(c, steps, batch) * static_cast<double>(state.iterations());
    const double achieved = flops / seconds / 1e9;
    state.SetItemsProcessed(state.iterations() * batch);
    state.counters["GFLOP/s"] = achieved;
    state.counters["gemm_GFLOP/s"] = gemm;
    state.counters["efficiency"] = achieved / gemm;
    state.counters["GFLOP/puzzle"] = flops_per_puzzle(c, steps) / 1e9;
    state.SetLabel("gemm " + std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N));
}

void BM_Gemm(benchmark::State & state, at::ScalarType dtype, bool via_fp32) {
    const int64_t M = state.range(0), K = state.range(1), N = state.range(2);
    set_torch_threads(0);
    c10::InferenceMode guard;
    const at::Tensor x = at::randn({M, K}).to(dtype), w = at::randn({N, K}).to(dtype);
    const at::Tensor w32 = w.to(at::kFloat);
    for (auto _ : state)
        benchmark::DoNotOptimize(via_fp32 ? at::linear(x.to(at::kFloat), w32).to(dtype) : at::linear(x, w));
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * K * N * static_cast<double>(state.iterations()) / 1e9,
                                                   benchmark::Counter::kIsRate);
}

// One attention layer of the paper configurations (D 512, 8 heads, RoPE, S 97) through the fused
// CPU path or the reference's op sequence (models/cpu_kernels.h; both give the same
// bits). Projections included, so the difference is what the fused pass saves per layer.
void BM_Attention(benchmark::State & state, ForwardDType dtype, bool fused) {
    const int64_t batch = state.range(0), S = 97, D = 512, H = 8;
    set_torch_threads(0);
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(0);
    Attention attn(D, H, gen);
    RotaryEmbedding rope(D / H, S, 10000.0);
    const at::Tensor x = at::randn({batch, S, D}).to(scalar_type(dtype));
    const cpu_kernels::ScopedCpuKernels path(fused);
    c10::InferenceMode guard;
    for (auto _ : state) benchmark::DoNotOptimize(attn->forward(x, rope.get()));
    state.SetItemsProcessed(state.iterations() * batch);
}

void register_all(bool full) {
    const std::vector<int64_t> batches = full ? std::vector<int64_t>{1, 16, 64} : std::vector<int64_t>{1};
    // Same-process A/B of the CPU paths: run with --benchmark_repetitions=N
    // --benchmark_enable_random_interleaving=true, so drifts of a shared machine cancel.
    const char * ab = std::getenv("TRMBENCH_BENCH_AB");
    const std::vector<int> kernel_variants = ab && std::strcmp(ab, "1") == 0 ? std::vector<int>{-1, 0, 1} : std::vector<int>{-1};
    for (const char * preset : kPresets) {
        const ModelConfig c = load_preset(preset);
        // TRMBENCH_BENCH_STEPS=k shortens the full sweep to k ACT steps (same per-step work: a full
        // evaluation's puzzles/s is the k-step rate x k/16; GFLOP/s and efficiency are unchanged).
        const char * steps_env = std::getenv("TRMBENCH_BENCH_STEPS");
        const int64_t steps = !full ? 1 : steps_env ? std::clamp<int64_t>(std::atoll(steps_env), 1, c.halt_max_steps) : c.halt_max_steps;
        for (ForwardDType dtype : {ForwardDType::float32, ForwardDType::bfloat16}) {
            for (const int kernels : kernel_variants) {
                const std::string name = std::string("Model/") + preset + "/" + to_string(dtype) +
                                         (kernels < 0 ? "" : kernels ? "/fused" : "/aten");
                auto * b = benchmark::RegisterBenchmark(name.c_str(), BM_Model, std::string(preset), dtype, kernels);
                for (int64_t batch : batches) b->Args({batch, steps});
                // One evaluation takes seconds to minutes, longer than the minimum time: Google
                // Benchmark then times a single iteration, which is what --full wants.
                b->ArgNames({"batch", "steps"})->Unit(benchmark::kMillisecond)->UseRealTime();
            }
        }
    }
    for (ForwardDType dtype : {ForwardDType::float32, ForwardDType::bfloat16})
        for (const bool fused : {false, true}) {
            const std::string name = std::string("Attention/") + to_string(dtype) + (fused ? "/fused" : "/aten");
            auto * b = benchmark::RegisterBenchmark(name.c_str(), BM_Attention, dtype, fused);
            for (int64_t batch : full ? std::vector<int64_t>{2, 16, 64} : std::vector<int64_t>{16}) b->Arg(batch);
            b->ArgName("batch")->Unit(benchmark::kMillisecond)->UseRealTime();
        }
    // The dominant shapes on their own (TRM S = 97, HRM S = 82; D 512, 2I 3072).
    struct GemmKind {
        at::ScalarType dtype;
        const char * name;
        bool via_fp32;
    };
    for (const GemmKind & k : {GemmKind{at::kFloat, "float32", false}, GemmKind{at::kBFloat16, "bfloat16", false},
                               GemmKind{at::kBFloat16, "bfloat16-via-fp32", true}}) {
        auto * b = benchmark::RegisterBenchmark((std::string("Gemm/") + k.name).c_str(), BM_Gemm, k.dtype, k.via_fp32);
        for (int64_t batch : batches)
            for (int64_t S : {97, 82}) b->Args({batch * S, 512, 3072});
        b->ArgNames({"M", "K", "N"})->UseRealTime();
    }
}

}  // namespace

int main(int argc, char ** argv) {
    // --full (or TRMBENCH_BENCH_FULL=1) selects the sweep; the rest goes to Google Benchmark.
    bool full = std::getenv("TRMBENCH_BENCH_FULL") && std::strcmp(std::getenv("TRMBENCH_BENCH_FULL"), "1") == 0;
    std::vector<char *> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--full") == 0) full = true;
        else args.push_back(argv[i]);
    }
    int n = static_cast<int>(args.size());
    benchmark::AddCustomContext("torch_threads", std::to_string(set_torch_threads(0)));  // may replace fallback BLAS kernels
    const BlasInfo blas = detect_blas();
    benchmark::AddCustomContext("blas", blas.name + (blas.core.empty() ? "" : ", kernels " + blas.core) +
                                            (blas.replaced_core.empty() ? "" : " (OpenBLAS chose " + blas.replaced_core + ")") +
                                            (blas.weak_kernels ? " (fallback kernels: set OPENBLAS_CORETYPE)" : ""));
    benchmark::AddCustomContext("bf16_cpu_gemm", to_string(bf16_cpu_gemm()) + " (TRMBENCH_BF16_CPU_GEMM=auto|onednn|fp32)");
    benchmark::AddCustomContext("mode", full ? "full sweep (16-step evaluations)" : "short (one ACT step, batch 1; --full for the sweep)");
    register_all(full);
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
