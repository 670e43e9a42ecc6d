// The building blocks shared by TRM and HRM (reference: models/layers.py and models/common.py of
// both repos; spec §1.1-1.3). Each layer issues the same ATen operations, in the same order and on
// tensors of the same memory layout, as the reference, because that is what makes the outputs
// match bit for bit on the same LibTorch build (fixtures README §6-7). Comments mark the places
// where a "simpler" equivalent would change the last bits.
//
// Shape legend used throughout models/:
//   B = batch, L = seq_len (tokens), P = puzzle prefix slots, S = P + L, D = hidden_size,
//   H = num_heads, hd = head_dim = D / H, V = vocab_size, I = SwiGLU intermediate width.
//
// Dtypes: every parameter is a float32 master copy, cast to the activation dtype at use
// (CastedLinear, CastedEmbedding). RMSNorm, RoPE and the attention softmax run in float32 whatever
// the forward dtype is.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace trmbench {

// JAX-style truncated normal in place (common.py trunc_normal_init_): uniform in
// [erf(lower/√2), erf(upper/√2)], erfinv, scale by √2·comp_std, clip to [lower, upper]·comp_std,
// where comp_std = std · 1.1368472 (for ±2) makes the truncated distribution's std exactly `std`.
// std == 0 zero-fills. Draws from `gen` in the same order as the reference, so a generator seeded
// like torch.manual_seed(seed) reproduces the reference initialisation exactly.
void trunc_normal_(at::Tensor & t, double std, at::Generator & gen, double lower = -2.0, double upper = 2.0);

// While one is alive on this thread, trunc_normal_ zero-fills instead of drawing. For a model whose
// every parameter and buffer a checkpoint is about to overwrite (load_state_dict requires every
// key): drawing HRM's 27M truncated normals took ~1 s of a 2.7 s `models solve` start-up.
class ScopedSkipRandomInit {
public:
    ScopedSkipRandomInit();
    ~ScopedSkipRandomInit();
    ScopedSkipRandomInit(const ScopedSkipRandomInit &) = delete;
    ScopedSkipRandomInit & operator=(const ScopedSkipRandomInit &) = delete;
};

// x * rsqrt(mean(x², last dim) + eps), computed in float32 and cast back. No learnable scale.
at::Tensor rms_norm(const at::Tensor & x, double eps);

// Linear layer with a float32 master weight [out, in] (LeCun truncated normal, std 1/√in) and an
// optional zero-initialised bias, both cast to the input's dtype at use.
//
// bf16 on the CPU follows the route of models/cpu_gemm.h (oneDNN's bf16 kernels, or the same
// contract through the fp32 BLAS). Without autograd (evaluation) the cast weights are cached while
// the master weight is unchanged; the reference casts on every call, a full pass over the weights
// per matmul that shows at small batch. Large layers also multiply by a cached contiguous Wᵀ
// then (models/cpu_kernels.h, item 1). Values are identical either way.
struct CastedLinearImpl : torch::nn::Module {
    CastedLinearImpl(int64_t in_features, int64_t out_features, bool with_bias, at::Generator & gen);
    at::Tensor forward(const at::Tensor & x);  // [..., in] -> [..., out]

    at::Tensor weight;
    at::Tensor bias;  // undefined without bias

private:
    // One cached cast of a parameter: valid for the same storage, version and target.
    struct CachedCast {
        at::Tensor value;
        const void * source = nullptr;
        int64_t version = -1;
        int target = -1;  // encodes dtype, route and layout
    };
    at::Tensor cast(const at::Tensor & param, at::ScalarType dtype, bool widen, CachedCast & cache,
                    bool transposed = false) const;
    bool uses_transposed_weight(const at::Tensor & x) const;
    // Separate slots for W and Wᵀ: one layer can see both layouts of input in one evaluation
    // (TRM-MLP's blocks pass on their input's memory order), and one shared slot would then
    // rebuild the cast on every call.
    CachedCast weight_cache_, weight_t_cache_, bias_cache_;
};
TORCH_MODULE(CastedLinear);

// Embedding table [num, dim] float32 (truncated normal, `init_std`), looked up after casting the
// whole table to the forward dtype.
struct CastedEmbeddingImpl : torch::nn::Module {
    CastedEmbeddingImpl(int64_t num, int64_t dim, double init_std, at::ScalarType cast_to, at::Generator & gen);
    at::Tensor forward(const at::Tensor & ids);  // [...] int -> [..., dim]

    at::Tensor embedding_weight;
    at::ScalarType cast_to;
};
TORCH_MODULE(CastedEmbedding);

// SwiGLU: gate_up_proj h -> 2I packed [gate | up], out = down_proj(silu(gate) * up), I -> h.
struct SwiGLUImpl : torch::nn::Module {
    SwiGLUImpl(int64_t hidden, int64_t inter, at::Generator & gen);
    at::Tensor forward(const at::Tensor & x);  // [..., h] -> [..., h]

    CastedLinear gate_up_proj{nullptr};
    CastedLinear down_proj{nullptr};
};
TORCH_MODULE(SwiGLU);

// Rotate-half RoPE tables cos/sin [S, hd] float32 for positions 0..S-1 (the puzzle prefix first).
// Registered as buffers so that module->to(device) moves them; they are non-persistent in the
// reference, so the state-dict code leaves them out (state_dict.h).
struct RotaryEmbeddingImpl : torch::nn::Module {
    RotaryEmbeddingImpl(int64_t dim, int64_t max_positions, double base);

    at::Tensor cos_cached;
    at::Tensor sin_cached;
};
TORCH_MODULE(RotaryEmbedding);

// Non-causal multi-head self-attention, qkv packed as [q heads | k heads | v heads].
struct AttentionImpl : torch::nn::Module {
    AttentionImpl(int64_t hidden, int64_t num_heads, at::Generator & gen);
    // x [B, S, D]; rope may be nullptr (learned or no position encoding). Returns [B, S, D].
    at::Tensor forward(const at::Tensor & x, const RotaryEmbeddingImpl * rope);

    int64_t num_heads, head_dim;
    CastedLinear qkv_proj{nullptr};
    CastedLinear o_proj{nullptr};
};
TORCH_MODULE(Attention);

// Post-norm block: h = norm(h + mixer(h)); h = norm(h + mlp(h)). The mixer is attention, or for
// TRM-MLP a SwiGLU over the sequence axis whose norm is taken over the sequence axis as well.
struct BlockImpl : torch::nn::Module {
    // seq_inter > 0 selects the token-mixing MLP (width S, intermediate seq_inter).
    BlockImpl(int64_t hidden, int64_t num_heads, int64_t inter, int64_t seq, int64_t seq_inter, double eps,
              at::Generator & gen);
    at::Tensor forward(const at::Tensor & x, const RotaryEmbeddingImpl * rope);  // [B, S, D] -> [B, S, D]

    double eps;
    Attention self_attn{nullptr};  // attention variant
    SwiGLU mlp_t{nullptr};         // token-mixing variant
    SwiGLU mlp{nullptr};
};
TORCH_MODULE(Block);

// A reasoning module: net(h, injection) = layers(h + injection). The injection is computed by the
// caller first (e.g. z_H + x), which matters for bf16 rounding.
struct ReasoningModuleImpl : torch::nn::Module {
    ReasoningModuleImpl(int64_t num_layers, int64_t hidden, int64_t num_heads, int64_t inter, int64_t seq,
                        int64_t seq_inter, double eps, at::Generator & gen);
    at::Tensor forward(const at::Tensor & h, const at::Tensor & injection, const RotaryEmbeddingImpl * rope);

    torch::nn::ModuleList layers;
};
TORCH_MODULE(ReasoningModule);

}  // namespace trmbench
