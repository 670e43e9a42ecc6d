// How the bf16 linear layers of TRM/HRM run their matrix products on the CPU.
//
// A bf16 linear layer means: bf16 inputs and weights, products accumulated in float32, the result
// rounded once to bf16. LibTorch sends that to oneDNN's bf16 kernels, which is what the reference
// Python code runs and what `onednn` keeps, bit for bit. The same contract can be met by the fp32
// BLAS: a bf16 value is exact in fp32 and the product of two bf16 values is exact in fp32 (8 + 8
// significant bits fit in 24), so "widen, fp32 GEMM, round to bf16" differs from oneDNN only in the
// order of the fp32 additions, as two GEMM libraries always do. Which one is faster depends on
// the CPU: with native bf16 dot products and a good oneDNN kernel (Zen 4: ~195 vs ~90 GFLOP/s per
// core) oneDNN wins; where oneDNN's bf16 path is slower than OpenBLAS's fp32 (a Xeon without AMX
// exposed: ~75 vs 105-145 GFLOP/s per core) the fp32 route wins. `auto` measures both once per
// process and picks fp32 only when it is clearly faster.
//
// The route is chosen with the environment variable TRMBENCH_BF16_CPU_GEMM=auto|onednn|fp32
// (default auto) and recorded with every local-model run. Reference checks (verify-reference,
// train verify-reference) run `onednn` unless a route is asked for explicitly, because bit parity
// needs the reference's kernels; asked for `fp32`, they check it against the bf16 tolerances.
#pragma once

#include <string>

namespace trmbench {

enum class Bf16CpuGemm { auto_select, onednn, fp32_blas };

// "auto", "onednn", "fp32" -> route; anything else throws UsageError naming `where`.
Bf16CpuGemm parse_bf16_cpu_gemm(const std::string & text, const std::string & where);
std::string to_string(Bf16CpuGemm route);

// The route asked for: the pinned one if a guard is active, else TRMBENCH_BF16_CPU_GEMM (maybe
// auto_select). Throws UsageError for a bad environment value.
Bf16CpuGemm requested_bf16_cpu_gemm();

// The route in effect for this process (never auto_select). Auto runs the calibration on the
// first call (~0.1 s) and keeps its answer for the life of the process.
Bf16CpuGemm bf16_cpu_gemm();

// The calibration behind auto: GFLOP/s of one [1024 x 512] x [512 x 1536] bf16 product both ways
// (best of 3), on the current thread settings.
struct Bf16GemmCalibration {
    double onednn_gflops = 0;
    double fp32_gflops = 0;
};
Bf16GemmCalibration calibrate_bf16_cpu_gemm();

// Pins the route until the guard goes out of scope (reference checks, tests). Not for concurrent
// use from several threads with different routes: the pin is process-wide.
class ScopedBf16CpuGemm {
public:
    explicit ScopedBf16CpuGemm(Bf16CpuGemm route);
    ~ScopedBf16CpuGemm();
    ScopedBf16CpuGemm(const ScopedBf16CpuGemm &) = delete;
    ScopedBf16CpuGemm & operator=(const ScopedBf16CpuGemm &) = delete;

private:
    int previous_;
};

}  // namespace trmbench
