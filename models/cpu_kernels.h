// CPU evaluation without autograd: the same values as the reference's op sequence, with fewer
// passes over memory. Two changes of memory layout, neither of which changes a bit:
//
// 1. Linear layers with both dimensions >= 256 (the attention and SwiGLU projections) applied to
//    fewer than 512 rows multiply by a cached, contiguous copy of Wᵀ [in, out] (layers.cpp) instead
//    of the transposed view of W. BLAS packs either layout into the same panels, so the sums are the
//    same (tested); OpenBLAS packs the contiguous one faster at small M: 3-6% at M = 97 (TRM, batch
//    1), 7-12% at M = 82 (HRM), but level or slower at M = 1552 (medians of 15 interleaved runs, one
//    thread), hence the row limit. Smaller layers (the heads, the token-mixing MLP) keep
//    at::linear: OpenBLAS picks its small-matrix kernels by shape and transposition, and those may
//    sum in another order.
// 2. split_heads_rope (below): the step between the qkv projection and the two attention products.
//    The reference slices q, k, v out of the projection, rotates q and k (RoPE, in float32, then
//    back to the activation dtype), and `matmul` then copies each of the three permuted views into a
//    contiguous batch of matrices, kᵀ included; the scores are scaled afterwards. Here one pass
//    reads the projection once and writes those three contiguous operands directly, with the same
//    float operations in the same order (this TU is compiled with -ffp-contract=off, so `a*b + c*d`
//    is not fused into an FMA). When the softmax scale 1/√hd is a power of two (hd = 16, 64, 256) it
//    is folded into q: multiplying by 2^-k is exact and commutes with every rounding of the
//    product, so q·kᵀ·2^-k is the same number either way.
//
// This file's loops use no LibTorch, so they compile in a second and can be tuned on their own.
// Shapes of split_heads_rope (T is float or bf16 stored as uint16_t):
//   qkv  [B, S, 3H, hd]  row-major, heads q0..qH-1, k0..kH-1, v0..vH-1
//   cos, sin [S, hd] float (rotate-half layout) or nullptr for no rotary embedding
//   q    [B, H, S, hd]   rotated, times q_scale
//   kt   [B, H, hd, S]   rotated, transposed
//   v    [B, H, S, hd]
// Each call handles batch rows [b_begin, b_end), so callers can split the batch over threads.
#pragma once

#include <cstdint>

namespace trmbench::cpu_kernels {

// Whether CPU forwards without autograd take these paths: TRMBENCH_CPU_KERNELS=fused (default) or
// aten (the reference's op sequence, for A/B timing). Both give the same bits. A bad value throws
// UsageError naming the variable. ScopedCpuKernels pins it (tests, benchmarks; process-wide).
bool fused_cpu_kernels();
class ScopedCpuKernels {
public:
    explicit ScopedCpuKernels(bool fused);
    ~ScopedCpuKernels();
    ScopedCpuKernels(const ScopedCpuKernels &) = delete;
    ScopedCpuKernels & operator=(const ScopedCpuKernels &) = delete;

private:
    int previous_;
};

struct HeadShape {
    int64_t batch = 0, seq = 0, heads = 0, head_dim = 0;
};

void split_heads_rope(const float * qkv, const float * cos, const float * sin, float q_scale, HeadShape shape,
                      int64_t b_begin, int64_t b_end, float * q, float * kt, float * v);
void split_heads_rope(const uint16_t * qkv, const float * cos, const float * sin, float q_scale, HeadShape shape,
                      int64_t b_begin, int64_t b_end, uint16_t * q, uint16_t * kt, uint16_t * v);

// Round-to-nearest-even float -> bf16 bits, NaN -> 0x7FC0 (what c10::BFloat16 does).
uint16_t float_to_bf16_bits(float x);

}  // namespace trmbench::cpu_kernels
