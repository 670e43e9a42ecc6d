// The bf16 CPU GEMM route (see cpu_gemm.h): parsing, the process-wide choice and the calibration.
#include "models/cpu_gemm.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>

#include "harness/core/error.h"

namespace trmbench {

namespace {

constexpr const char * kEnv = "TRMBENCH_BF16_CPU_GEMM";

// -1: no override; otherwise a Bf16CpuGemm value set by ScopedBf16CpuGemm.
std::atomic<int> g_override{-1};

Bf16CpuGemm route_from_environment() {
    const char * env = std::getenv(kEnv);
    if (!env || !*env) return Bf16CpuGemm::auto_select;
    return parse_bf16_cpu_gemm(env, kEnv);
}

// Auto resolves once per process: the answer must not flip between batches of one run.
Bf16CpuGemm resolved_auto() {
    static std::once_flag once;
    static Bf16CpuGemm route = Bf16CpuGemm::onednn;
    std::call_once(once, [] {
        const Bf16GemmCalibration c = calibrate_bf16_cpu_gemm();
        // Prefer the reference's kernels unless the fp32 route is clearly (>= 15%) faster.
        route = c.fp32_gflops >= 1.15 * c.onednn_gflops ? Bf16CpuGemm::fp32_blas : Bf16CpuGemm::onednn;
    });
    return route;
}

double best_seconds(const std::function<void()> & fn) {
    fn();  // warm-up: oneDNN builds its kernel, OpenBLAS its buffers
    double best = 1e30;
    for (int i = 0; i < 3; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

}  // namespace

Bf16CpuGemm parse_bf16_cpu_gemm(const std::string & text, const std::string & where) {
    if (text == "auto") return Bf16CpuGemm::auto_select;
    if (text == "onednn") return Bf16CpuGemm::onednn;
    if (text == "fp32") return Bf16CpuGemm::fp32_blas;
    throw UsageError(where + "=" + text + ": expected auto, onednn or fp32");
}

std::string to_string(Bf16CpuGemm route) {
    switch (route) {
        case Bf16CpuGemm::auto_select: return "auto";
        case Bf16CpuGemm::onednn: return "onednn";
        case Bf16CpuGemm::fp32_blas: return "fp32";
    }
    return "?";
}

Bf16CpuGemm requested_bf16_cpu_gemm() {
    const int pinned = g_override.load(std::memory_order_relaxed);
    if (pinned >= 0) return static_cast<Bf16CpuGemm>(pinned);
    static const Bf16CpuGemm from_env = route_from_environment();
    return from_env;
}

Bf16CpuGemm bf16_cpu_gemm() {
    const Bf16CpuGemm requested = requested_bf16_cpu_gemm();
    return requested == Bf16CpuGemm::auto_select ? resolved_auto() : requested;
}

Bf16GemmCalibration calibrate_bf16_cpu_gemm() {
    at::NoGradGuard no_grad;
    constexpr int64_t M = 1024, K = 512, N = 1536;
    const at::Tensor x = at::randn({M, K}, at::kFloat).to(at::kBFloat16);
    const at::Tensor w = at::randn({N, K}, at::kFloat).to(at::kBFloat16);
    const at::Tensor w32 = w.to(at::kFloat);
    const double flop = 2.0 * M * K * N;
    Bf16GemmCalibration c;
    c.onednn_gflops = flop / best_seconds([&] { (void)at::linear(x, w); }) / 1e9;
    c.fp32_gflops = flop / best_seconds([&] { (void)at::linear(x.to(at::kFloat), w32).to(at::kBFloat16); }) / 1e9;
    return c;
}

ScopedBf16CpuGemm::ScopedBf16CpuGemm(Bf16CpuGemm route) : previous_(g_override.load()) {
    if (route == Bf16CpuGemm::auto_select) throw UsageError("ScopedBf16CpuGemm: pin onednn or fp32, not auto");
    g_override.store(static_cast<int>(route));
}

ScopedBf16CpuGemm::~ScopedBf16CpuGemm() { g_override.store(previous_); }

}  // namespace trmbench
