// Raw CPU loops behind the attention fast path of layers.cpp (no LibTorch in this header or its
// .cpp, so they compile in a second and can be vectorised and tuned on their own).
//
// split_heads_rope: the step between the qkv projection and the two attention products. The
// reference slices q, k, v out of the projection, rotates q and k (RoPE, in float32, then back to
// the activation dtype), and `matmul` then copies each of the three permuted views into a
// contiguous batch of matrices, kᵀ included; the scores are scaled afterwards. Here one pass reads
// the projection once and writes those three contiguous operands directly, with the same float
// operations in the same order (this TU is compiled with -ffp-contract=off, so `a*b + c*d` is not
// fused into an FMA), so the values are bit for bit those of the reference ops. When the softmax
// scale 1/√hd is a power of two (hd = 16, 64, 256) it is folded into q: multiplying by 2^-k is exact
// and commutes with every rounding of the product, so q·kᵀ·2^-k is the same number either way.
//
// Shapes (T is float or bf16 stored as uint16_t):
//   qkv  [B, S, 3H, hd]  row-major, heads q0..qH-1, k0..kH-1, v0..vH-1
//   cos, sin [S, hd] float (rotate-half layout) or nullptr for no rotary embedding
//   q    [B, H, S, hd]   rotated, times q_scale
//   kt   [B, H, hd, S]   rotated, transposed
//   v    [B, H, S, hd]
// Each call handles batch rows [b_begin, b_end), so callers can split the batch over threads.
#pragma once

#include <cstdint>

namespace trmbench::cpu_kernels {

// Whether CPU forwards without autograd take this path: TRMBENCH_CPU_ATTENTION=fused (default) or
// aten (the reference's op sequence, for A/B timing). Both give the same bits. A bad value throws
// UsageError naming the variable. ScopedAttentionPath pins it (tests, benchmarks; process-wide).
bool fused_cpu_attention();
class ScopedAttentionPath {
public:
    explicit ScopedAttentionPath(bool fused);
    ~ScopedAttentionPath();
    ScopedAttentionPath(const ScopedAttentionPath &) = delete;
    ScopedAttentionPath & operator=(const ScopedAttentionPath &) = delete;

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
