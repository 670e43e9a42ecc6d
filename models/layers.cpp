// Shared TRM/HRM layers (see layers.h for the shape legend and the bit-parity rule).
#include "models/layers.h"

#include "models/cpu_kernels.h"
#include "models/cpu_gemm.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <string>
#include <vector>

namespace trmbench {

namespace {
thread_local int skip_random_init_depth = 0;
}  // namespace

ScopedSkipRandomInit::ScopedSkipRandomInit() { ++skip_random_init_depth; }
ScopedSkipRandomInit::~ScopedSkipRandomInit() { --skip_random_init_depth; }

void trunc_normal_(at::Tensor & t, double std, at::Generator & gen, double lower, double upper) {
    at::NoGradGuard no_grad;
    if (std == 0 || skip_random_init_depth > 0) {
        t.zero_();
        return;
    }
    // The scalars are computed with the same libm calls and in the same order as the Python code
    // (`**` is pow there), so comp_std is the same double.
    const double sqrt2 = std::sqrt(2.0);
    const double a = std::erf(lower / sqrt2);
    const double b = std::erf(upper / sqrt2);
    const double z = (b - a) / 2;
    const double c = std::pow(2 * M_PI, -0.5);
    const double pdf_u = c * std::exp(-0.5 * std::pow(lower, 2));
    const double pdf_l = c * std::exp(-0.5 * std::pow(upper, 2));
    const double comp_std = std / std::sqrt(1 - (upper * pdf_u - lower * pdf_l) / z - std::pow((pdf_u - pdf_l) / z, 2));
    t.uniform_(a, b, gen);
    t.erfinv_();
    t.mul_(sqrt2 * comp_std);
    t.clip_(lower * comp_std, upper * comp_std);
}

at::Tensor rms_norm(const at::Tensor & x, double eps) {
    const at::ScalarType input_dtype = x.scalar_type();
    at::Tensor h = x.to(at::kFloat);
    at::Tensor variance = at::square(h).mean(-1, /*keepdim=*/true);
    h = h * at::rsqrt(variance + eps);
    return h.to(input_dtype);
}

// ---------------------------------------------------------------------------------------------

CastedLinearImpl::CastedLinearImpl(int64_t in_features, int64_t out_features, bool with_bias, at::Generator & gen) {
    at::Tensor w = at::empty({out_features, in_features}, at::kFloat);
    // Python: 1.0 / (in_features ** 0.5), i.e. pow, not sqrt.
    trunc_normal_(w, 1.0 / std::pow(static_cast<double>(in_features), 0.5), gen);
    weight = register_parameter("weight", w);
    if (with_bias) bias = register_parameter("bias", at::zeros({out_features}, at::kFloat));
}

// param.to(dtype), with `widen` back to float32 (the bf16 values, exactly), with `transposed` as a
// contiguous [in, out] copy. Cached only when no gradient is recorded: under autograd the cast
// must stay in the graph.
at::Tensor CastedLinearImpl::cast(const at::Tensor & param, at::ScalarType dtype, bool widen, CachedCast & cache,
                                  bool transposed) const {
    auto convert = [&] {
        at::Tensor v = widen ? param.to(dtype).to(at::kFloat) : param.to(dtype);
        return transposed ? v.t().contiguous() : v;
    };
    if (at::GradMode::is_enabled()) return convert();
    const int target = static_cast<int>(dtype) * 4 + (widen ? 2 : 0) + (transposed ? 1 : 0);
    if (!cache.value.defined() || cache.source != param.data_ptr() || cache.version != param._version() ||
        cache.target != target) {
        cache.value = convert();
        cache.source = param.data_ptr();
        cache.version = param._version();
        cache.target = target;
    }
    return cache.value;
}

// CPU evaluation of a large layer on a contiguous input of fewer than 512 rows: the fp32 GEMM
// against a cached contiguous Wᵀ (models/cpu_kernels.h, item 1). Small layers stay on at::linear
// (OpenBLAS's small-matrix kernels are chosen by transposition and may sum in another order); from
// ~1500 rows on the contiguous Wᵀ measured level or slower.
bool CastedLinearImpl::uses_transposed_weight(const at::Tensor & x) const {
    if (!x.is_cpu() || at::GradMode::is_enabled() || !x.is_contiguous() || x.dim() < 1) return false;
    const int64_t rows = x.size(-1) > 0 ? x.numel() / x.size(-1) : 0;
    return rows < 512 && weight.size(0) >= 256 && weight.size(1) >= 256 && cpu_kernels::fused_cpu_kernels();
}

at::Tensor CastedLinearImpl::forward(const at::Tensor & x) {
    const auto dtype = x.scalar_type();
    const bool bf16_via_fp32 = dtype == at::kBFloat16 && x.is_cpu() && bf16_cpu_gemm() == Bf16CpuGemm::fp32_blas;
    if ((dtype == at::kFloat || bf16_via_fp32) && uses_transposed_weight(x)) {
        // What at::linear does for a contiguous input (flatten, mm or addmm, view back), with Wᵀ
        // contiguous instead of a transposed view.
        const at::Tensor wt = cast(weight, dtype, /*widen=*/bf16_via_fp32, weight_t_cache_, /*transposed=*/true);
        const at::Tensor x2 = (bf16_via_fp32 ? x.to(at::kFloat) : x).reshape({-1, x.size(-1)});
        at::Tensor y = bias.defined() ? at::addmm(cast(bias, dtype, bf16_via_fp32, bias_cache_), x2, wt) : at::mm(x2, wt);
        std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
        shape.back() = weight.size(0);
        y = y.view(shape);
        return bf16_via_fp32 ? y.to(dtype) : y;
    }
    if (bf16_via_fp32) {
        // bf16 inputs and weights widened exactly, fp32 products and sums, one rounding to bf16.
        const at::Tensor w = cast(weight, dtype, /*widen=*/true, weight_cache_);
        at::Tensor y = bias.defined() ? at::linear(x.to(at::kFloat), w, cast(bias, dtype, true, bias_cache_))
                                      : at::linear(x.to(at::kFloat), w);
        return y.to(dtype);
    }
    if (dtype == at::kFloat) {  // the master weights themselves: no cast at all
        return bias.defined() ? at::linear(x, weight, bias) : at::linear(x, weight);
    }
    const at::Tensor w = cast(weight, dtype, /*widen=*/false, weight_cache_);
    return bias.defined() ? at::linear(x, w, cast(bias, dtype, false, bias_cache_)) : at::linear(x, w);
}

CastedEmbeddingImpl::CastedEmbeddingImpl(int64_t num, int64_t dim, double init_std, at::ScalarType cast_to_,
                                         at::Generator & gen)
    : cast_to(cast_to_) {
    at::Tensor w = at::empty({num, dim}, at::kFloat);
    trunc_normal_(w, init_std, gen);
    embedding_weight = register_parameter("embedding_weight", w);
}

at::Tensor CastedEmbeddingImpl::forward(const at::Tensor & ids) { return at::embedding(embedding_weight.to(cast_to), ids); }

SwiGLUImpl::SwiGLUImpl(int64_t hidden, int64_t inter, at::Generator & gen) {
    gate_up_proj = register_module("gate_up_proj", CastedLinear(hidden, 2 * inter, false, gen));
    down_proj = register_module("down_proj", CastedLinear(inter, hidden, false, gen));
}

at::Tensor SwiGLUImpl::forward(const at::Tensor & x) {
    auto gate_up = gate_up_proj->forward(x).chunk(2, -1);  // [..., I] views: gate first, then up
    return down_proj->forward(at::silu(gate_up[0]) * gate_up[1]);
}

// ---------------------------------------------------------------------------------------------

RotaryEmbeddingImpl::RotaryEmbeddingImpl(int64_t dim, int64_t max_positions, double base) {
    // inv_freq = 1.0 / (base ** (arange(0, dim, 2) / dim)). Python's `float ** tensor` builds a
    // float32 0-dim base tensor, and `1.0 / tensor` is reciprocal() * 1.0.
    at::Tensor exponent = at::arange(0, dim, 2, at::kFloat) / dim;
    at::Tensor inv_freq = at::reciprocal(at::pow(at::scalar_tensor(base, at::kFloat), exponent)) * 1.0;
    at::Tensor t = at::arange(max_positions, at::kFloat);
    at::Tensor freqs = at::outer(t, inv_freq);  // [S, hd/2]
    at::Tensor emb = at::cat({freqs, freqs}, -1);  // [S, hd]: rotate-half layout
    cos_cached = register_buffer("cos_cached", emb.cos());
    sin_cached = register_buffer("sin_cached", emb.sin());
}

namespace {

// concat(-x[hd/2:], x[:hd/2]) over the last dim
at::Tensor rotate_half(const at::Tensor & x) {
    const int64_t half = x.size(-1) / 2;
    at::Tensor x1 = x.slice(-1, 0, half);
    at::Tensor x2 = x.slice(-1, half);
    return at::cat({-x2, x1}, -1);
}

// q, k [B, S, H, hd] in any dtype; rotation in float32 (the tables' dtype), then cast back.
at::Tensor apply_rope(const at::Tensor & x, const RotaryEmbeddingImpl & rope) {
    const auto dtype = x.scalar_type();
    at::Tensor xf = x.to(rope.cos_cached.scalar_type());
    at::Tensor out = (xf * rope.cos_cached.unsqueeze(-2)) + (rotate_half(xf) * rope.sin_cached.unsqueeze(-2));
    return out.to(dtype);
}

// softmax(q kᵀ · 1/√hd) v on [B, H, S, hd] views: scores in the activation dtype (so in bf16 the
// scale is rounded to bf16 by the multiply, as in the reference), softmax in float32.
// Returns [B, H, S, hd] whose memory is laid out [B, S, H, hd], like the fused kernels' output.
at::Tensor attention_core(const at::Tensor & q, const at::Tensor & k, const at::Tensor & v) {
    const auto dtype = q.scalar_type();
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * scale;  // [B, H, S, S]
    at::Tensor probs = at::softmax(scores.to(at::kFloat), -1).to(dtype);
    at::Tensor out = at::matmul(probs, v);  // [B, H, S, hd], contiguous
    return out.transpose(1, 2).contiguous().transpose(1, 2);
}

// 1/√hd when it is a power of two (so it can be folded into q exactly), else 0.
float exact_power_of_two_scale(int64_t head_dim) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
    int exponent = 0;
    return std::frexp(scale, &exponent) == 0.5 ? static_cast<float>(scale) : 0.0f;
}

// The same attention as attention_core over the rotated heads, on the CPU without autograd: one pass
// (cpu_kernels) turns the projection into the contiguous q, kᵀ, v that the reference's
// `matmul` copies out of its permuted views, then the same bmm / softmax / bmm calls on the same
// operands. Same bits, fewer passes over memory (model_bench Attention, fp32, one thread: a layer
// with its projections, interleaved medians of 8: 44.3 -> 32.6 ms at batch 16, 203 -> 175 ms at
// batch 64; bf16 50.5 -> 42.7 and 216 -> 170 ms; the machine was shared, so ±10%).
// qkv [B, S, 3H, hd] contiguous -> [B, S, H*hd].
at::Tensor attention_cpu_fused(const at::Tensor & qkv, int64_t num_heads, const RotaryEmbeddingImpl * rope) {
    const int64_t B = qkv.size(0), S = qkv.size(1), hd = qkv.size(3), H = num_heads;
    const auto dtype = qkv.scalar_type();
    const float folded = exact_power_of_two_scale(hd);
    at::Tensor q = at::empty({B * H, S, hd}, qkv.options());
    at::Tensor kt = at::empty({B * H, hd, S}, qkv.options());
    at::Tensor v = at::empty({B * H, S, hd}, qkv.options());
    at::Tensor cos, sin;
    if (rope) {  // float32 (checked by use_cpu_fused_attention); [S, hd] rows, contiguous
        cos = rope->cos_cached.slice(0, 0, S).contiguous();
        sin = rope->sin_cached.slice(0, 0, S).contiguous();
    }
    const cpu_kernels::HeadShape shape{B, S, H, hd};
    const float q_scale = folded != 0.0f ? folded : 1.0f;
    at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
        const float * c = rope ? cos.data_ptr<float>() : nullptr;
        const float * sn = rope ? sin.data_ptr<float>() : nullptr;
        if (dtype == at::kFloat) {
            cpu_kernels::split_heads_rope(qkv.data_ptr<float>(), c, sn, q_scale, shape, b0, b1, q.data_ptr<float>(),
                                          kt.data_ptr<float>(), v.data_ptr<float>());
        } else {
            auto bits = [](const at::Tensor & t) { return reinterpret_cast<uint16_t *>(t.data_ptr<at::BFloat16>()); };
            cpu_kernels::split_heads_rope(bits(qkv), c, sn, q_scale, shape, b0, b1, bits(q), bits(kt), bits(v));
        }
    });
    at::Tensor scores = at::bmm(q, kt);  // [BH, S, S]
    if (folded == 0.0f) scores = scores * (1.0 / std::sqrt(static_cast<double>(hd)));
    at::Tensor probs = at::softmax(scores.to(at::kFloat), -1).to(dtype);
    at::Tensor out = at::bmm(probs, v);  // [BH, S, hd]
    return out.view({B, H, S, hd}).transpose(1, 2).contiguous().view({B, S, H * hd});
}

// Batch 1 stays on the reference ops: there `matmul` merges the size-1 batch dimension into a view
// instead of copying, and LibTorch 1.13 picks its bf16 kernel for small products by memory layout
// (a strided q runs a kernel that rounds differently), so contiguous operands would change bits.
// From batch 2 on the reference copies to exactly the layouts made here.
// The kernel rotates in float32, so RoPE tables of another dtype keep the reference ops too.
bool use_cpu_fused_attention(const at::Tensor & qkv, int64_t head_dim, const RotaryEmbeddingImpl * rope) {
    const bool dtype_ok = qkv.scalar_type() == at::kFloat || qkv.scalar_type() == at::kBFloat16;
    const bool rope_ok = !rope || rope->cos_cached.scalar_type() == at::kFloat;
    return qkv.is_cpu() && qkv.size(0) > 1 && qkv.is_contiguous() && !at::GradMode::is_enabled() && dtype_ok &&
           rope_ok && head_dim <= 1024 && head_dim % 2 == 0 && cpu_kernels::fused_cpu_kernels();
}

}  // namespace

AttentionImpl::AttentionImpl(int64_t hidden, int64_t heads, at::Generator & gen)
    : num_heads(heads), head_dim(hidden / heads) {
    qkv_proj = register_module("qkv_proj", CastedLinear(hidden, 3 * num_heads * head_dim, false, gen));
    o_proj = register_module("o_proj", CastedLinear(num_heads * head_dim, hidden, false, gen));
}

at::Tensor AttentionImpl::forward(const at::Tensor & x, const RotaryEmbeddingImpl * rope) {
    const int64_t B = x.size(0), S = x.size(1);
    at::Tensor qkv = qkv_proj->forward(x).view({B, S, 3 * num_heads, head_dim});  // [B, S, 3H, hd]
    if (use_cpu_fused_attention(qkv, head_dim, rope))
        return o_proj->forward(attention_cpu_fused(qkv, num_heads, rope));
    at::Tensor q = qkv.slice(2, 0, num_heads);
    at::Tensor k = qkv.slice(2, num_heads, 2 * num_heads);
    at::Tensor v = qkv.slice(2, 2 * num_heads);
    if (rope) {
        q = apply_rope(q, *rope);
        k = apply_rope(k, *rope);
    }
    // [B, S, H, hd] -> [B, H, S, hd] views, attention, and back.
    at::Tensor out = attention_core(q.permute({0, 2, 1, 3}), k.permute({0, 2, 1, 3}), v.permute({0, 2, 1, 3}));
    out = out.permute({0, 2, 1, 3}).view({B, S, num_heads * head_dim});
    return o_proj->forward(out);
}

// ---------------------------------------------------------------------------------------------

BlockImpl::BlockImpl(int64_t hidden, int64_t num_heads, int64_t inter, int64_t seq, int64_t seq_inter, double eps_,
                     at::Generator & gen)
    : eps(eps_) {
    // Registration order = the reference's construction order = the order of the init draws.
    if (seq_inter > 0)
        mlp_t = register_module("mlp_t", SwiGLU(seq, seq_inter, gen));
    else
        self_attn = register_module("self_attn", Attention(hidden, num_heads, gen));
    mlp = register_module("mlp", SwiGLU(hidden, inter, gen));
}

at::Tensor BlockImpl::forward(const at::Tensor & x, const RotaryEmbeddingImpl * rope) {
    at::Tensor h = x;
    if (mlp_t) {
        // Token mixing: the SwiGLU runs over the sequence axis, and so does this norm.
        h = h.transpose(1, 2);  // [B, D, S] view
        at::Tensor out = mlp_t->forward(h);
        h = rms_norm(h + out, eps);
        h = h.transpose(1, 2);  // [B, S, D]
    } else {
        h = rms_norm(h + self_attn->forward(h, rope), eps);
    }
    at::Tensor out = mlp->forward(h);
    return rms_norm(h + out, eps);
}

ReasoningModuleImpl::ReasoningModuleImpl(int64_t num_layers, int64_t hidden, int64_t num_heads, int64_t inter,
                                         int64_t seq, int64_t seq_inter, double eps, at::Generator & gen) {
    for (int64_t i = 0; i < num_layers; ++i) layers->push_back(Block(hidden, num_heads, inter, seq, seq_inter, eps, gen));
    layers = register_module("layers", layers);
}

at::Tensor ReasoningModuleImpl::forward(const at::Tensor & h, const at::Tensor & injection,
                                        const RotaryEmbeddingImpl * rope) {
    at::Tensor x = h + injection;
    for (const auto & layer : *layers) x = layer->as<BlockImpl>()->forward(x, rope);
    return x;
}

}  // namespace trmbench
