// Raw loops of the CPU evaluation paths and their switch (see cpu_kernels.h for the contract).
// Compiled with -O3 -ffp-contract=off (models/CMakeLists.txt): the rotation must round after each
// product and after the sum, exactly like the reference's separate tensor ops.
#include "models/cpu_kernels.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness/core/error.h"

namespace trmbench::cpu_kernels {

namespace {

inline float bf16_to_float(uint16_t b) {
    const uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline float load(const float * p, int64_t i) { return p[i]; }
inline float load(const uint16_t * p, int64_t i) { return bf16_to_float(p[i]); }
inline void store(float * p, int64_t i, float x) { p[i] = x; }
inline void store(uint16_t * p, int64_t i, float x) { p[i] = float_to_bf16_bits(x); }

// One head row x [hd] at position s -> out [hd]: x*cos + rotate_half(x)*sin, rotate_half(x) =
// concat(-x[half:], x[:half]). Rounded to the storage type once (the reference's .to(dtype)).
template <typename T>
void rotate_row(const T * x, const float * cos_s, const float * sin_s, int64_t hd, float * out) {
    const int64_t half = hd / 2;
    for (int64_t i = 0; i < half; ++i) {
        const float a = load(x, i) * cos_s[i];
        const float b = -load(x, i + half) * sin_s[i];
        out[i] = a + b;
    }
    for (int64_t i = half; i < hd; ++i) {
        const float a = load(x, i) * cos_s[i];
        const float b = load(x, i - half) * sin_s[i];
        out[i] = a + b;
    }
}

// x as the storage type holds it: the reference's .to(dtype) after the float32 rotation.
inline float as_stored(float x, const float *) { return x; }
inline float as_stored(float x, const uint16_t *) { return bf16_to_float(float_to_bf16_bits(x)); }

template <typename T>
void split_heads_rope_impl(const T * qkv, const float * cos, const float * sin, float q_scale, HeadShape sh,
                           int64_t b_begin, int64_t b_end, T * q, T * kt, T * v) {
    const int64_t S = sh.seq, H = sh.heads, hd = sh.head_dim;
    float row[1024];  // head_dim <= 1024 is checked by the caller
    // The head row as the reference's q or k: rotated (float32, rounded to T) or as it is.
    auto head_row = [&](const T * x, int64_t s) {
        if (cos) rotate_row(x, cos + s * hd, sin + s * hd, hd, row);
        else
            for (int64_t i = 0; i < hd; ++i) row[i] = load(x, i);
    };
    for (int64_t b = b_begin; b < b_end; ++b) {
        for (int64_t s = 0; s < S; ++s) {
            const T * src = qkv + (b * S + s) * 3 * H * hd;
            for (int64_t h = 0; h < H; ++h) {
                const int64_t bh = b * H + h;
                head_row(src + h * hd, s);  // q, then the exact power-of-two scale
                T * dq = q + (bh * S + s) * hd;
                for (int64_t i = 0; i < hd; ++i) store(dq, i, as_stored(row[i], dq) * q_scale);
                head_row(src + (H + h) * hd, s);  // k, written transposed
                T * dk = kt + bh * hd * S + s;
                for (int64_t i = 0; i < hd; ++i) store(dk, i * S, row[i]);
                std::memcpy(v + (bh * S + s) * hd, src + (2 * H + h) * hd, static_cast<size_t>(hd) * sizeof(T));
            }
        }
    }
}

std::atomic<int> g_pinned{-1};  // -1: not pinned, 0: aten, 1: fused

}  // namespace

bool fused_cpu_kernels() {
    const int pinned = g_pinned.load();
    if (pinned >= 0) return pinned == 1;
    const char * env = std::getenv("TRMBENCH_CPU_KERNELS");
    if (!env || !*env || std::strcmp(env, "fused") == 0) return true;
    if (std::strcmp(env, "aten") == 0) return false;
    throw UsageError(std::string("TRMBENCH_CPU_KERNELS=") + env + ": expected fused or aten");
}

ScopedCpuKernels::ScopedCpuKernels(bool fused) : previous_(g_pinned.exchange(fused ? 1 : 0)) {}
ScopedCpuKernels::~ScopedCpuKernels() { g_pinned.store(previous_); }

uint16_t float_to_bf16_bits(float x) {
    if (std::isnan(x)) return 0x7FC0;
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    const uint32_t bias = ((u >> 16) & 1u) + 0x7FFFu;
    return static_cast<uint16_t>((u + bias) >> 16);
}

void split_heads_rope(const float * qkv, const float * cos, const float * sin, float q_scale, HeadShape shape,
                      int64_t b_begin, int64_t b_end, float * q, float * kt, float * v) {
    split_heads_rope_impl(qkv, cos, sin, q_scale, shape, b_begin, b_end, q, kt, v);
}

void split_heads_rope(const uint16_t * qkv, const float * cos, const float * sin, float q_scale, HeadShape shape,
                      int64_t b_begin, int64_t b_end, uint16_t * q, uint16_t * kt, uint16_t * v) {
    split_heads_rope_impl(qkv, cos, sin, q_scale, shape, b_begin, b_end, q, kt, v);
}

}  // namespace trmbench::cpu_kernels
