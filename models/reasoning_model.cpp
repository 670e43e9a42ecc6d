// The TRM/HRM inner model (see reasoning_model.h).
#include "models/reasoning_model.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "models/recursion.h"

namespace trmbench {

at::ScalarType to_scalar_type(ForwardDType d) { return d == ForwardDType::float32 ? at::kFloat : at::kBFloat16; }

bool is_non_persistent_buffer(const std::string & name) {
    return name == "rotary_emb.cos_cached" || name == "rotary_emb.sin_cached";
}

// ---------------------------------------------------------------------------------------------

PuzzleEmbeddingImpl::PuzzleEmbeddingImpl(int64_t num, int64_t dim, at::ScalarType cast_to_) : cast_to(cast_to_) {
    weights = register_buffer("weights", at::zeros({num, dim}, at::kFloat));
}

at::Tensor PuzzleEmbeddingImpl::forward(const at::Tensor & ids) {
    // Only a graded training forward refreshes the local copy: HRM's no-grad target-Q pass must
    // not replace the tensor whose .grad the trainer reads afterwards.
    if (!is_training() || !at::GradMode::is_enabled()) return weights.index({ids}).to(cast_to);
    local_weights = weights.index({ids}).detach().clone();
    local_weights.set_requires_grad(true);
    local_ids = ids.clone();
    return local_weights.to(cast_to);
}

// ---------------------------------------------------------------------------------------------

RecursiveReasoningModelImpl::RecursiveReasoningModelImpl(const ModelConfig & cfg, uint64_t seed)
    : config(cfg),
      forward_dtype(to_scalar_type(cfg.forward_dtype)),
      puzzle_len(puzzle_prefix_len(cfg)),
      seq_total(total_seq_len(cfg)),
      embed_scale(std::sqrt(static_cast<double>(cfg.hidden_size))) {
    validate(config);
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const int64_t D = config.hidden_size;
    const double embed_init_std = 1.0 / embed_scale;

    // Construction order = the reference's, so that the init draws line up.
    embed_tokens = register_module("embed_tokens", CastedEmbedding(config.vocab_size, D, embed_init_std, forward_dtype, gen));
    lm_head = register_module("lm_head", CastedLinear(D, config.vocab_size, false, gen));
    q_head = register_module("q_head", CastedLinear(D, 2, true, gen));
    if (config.puzzle_emb_ndim > 0)
        puzzle_emb = register_module("puzzle_emb",
                                     PuzzleEmbedding(config.num_puzzle_identifiers, config.puzzle_emb_ndim, forward_dtype));
    if (config.pos_encodings == PosEncoding::rope)
        rotary_emb = register_module("rotary_emb", RotaryEmbedding(head_dim(config), seq_total, config.rope_theta));
    else if (config.pos_encodings == PosEncoding::learned)
        embed_pos = register_module("embed_pos", CastedEmbedding(seq_total, D, embed_init_std, forward_dtype, gen));

    const int64_t inter = channel_inter(config), seq_inter = token_inter(config);
    if (config.family == ModelFamily::hrm)
        H_level = register_module("H_level", ReasoningModule(config.H_layers, D, config.num_heads, inter, seq_total,
                                                             seq_inter, config.rms_norm_eps, gen));
    L_level = register_module("L_level", ReasoningModule(config.L_layers, D, config.num_heads, inter, seq_total,
                                                         seq_inter, config.rms_norm_eps, gen));

    at::Tensor h_init = at::empty({D}, forward_dtype);
    trunc_normal_(h_init, 1.0, gen);
    at::Tensor l_init = at::empty({D}, forward_dtype);
    trunc_normal_(l_init, 1.0, gen);
    H_init = register_buffer("H_init", h_init);
    L_init = register_buffer("L_init", l_init);

    // Q head starts (almost) at zero: weight 0, bias -5, so halting is learned from scratch.
    at::NoGradGuard no_grad;
    q_head->weight.zero_();
    q_head->bias.fill_(-5);
}

at::Tensor RecursiveReasoningModelImpl::input_embeddings(const at::Tensor & inputs, const at::Tensor & puzzle_ids) {
    const int64_t D = config.hidden_size;
    at::Tensor embedding = embed_tokens->forward(inputs.to(at::kInt));  // [B, L, D]
    if (puzzle_emb) {
        at::Tensor prefix = puzzle_emb->forward(puzzle_ids);  // [B, ndim]
        const int64_t pad = puzzle_len * D - prefix.size(-1);
        if (pad > 0) prefix = at::constant_pad_nd(prefix, {0, pad}, 0);  // slot 0 = the vector, the rest zeros
        embedding = at::cat({prefix.view({-1, puzzle_len, D}), embedding}, -2);  // [B, S, D]
    }
    if (embed_pos) embedding = (embedding + embed_pos->embedding_weight.to(forward_dtype)) * 0.707106781;
    // `tensor * double`, as Python's `float * tensor`: in bf16 the scalar itself is rounded to bf16.
    return embedding * embed_scale;
}

InnerCarry RecursiveReasoningModelImpl::reset_carry(const at::Tensor & reset, const InnerCarry & carry) const {
    at::Tensor flag = reset.view({-1, 1, 1});
    return {at::where(flag, H_init, carry.z_H), at::where(flag, L_init, carry.z_L)};
}

InnerCarry RecursiveReasoningModelImpl::empty_carry(int64_t batch) const {
    auto opts = at::TensorOptions().dtype(forward_dtype).device(device());
    return {at::zeros({batch, seq_total, config.hidden_size}, opts), at::zeros({batch, seq_total, config.hidden_size}, opts)};
}

InnerOutputs RecursiveReasoningModelImpl::forward(const InnerCarry & carry, const at::Tensor & inputs,
                                                  const at::Tensor & puzzle_ids) {
    at::Tensor x = input_embeddings(inputs, puzzle_ids);
    const RotaryEmbeddingImpl * rope = rotary_emb ? rotary_emb.get() : nullptr;
    LevelFn L_fn = [&](const at::Tensor & h, const at::Tensor & inj) { return L_level->forward(h, inj, rope); };
    LatentPair z{carry.z_H, carry.z_L};
    if (config.family == ModelFamily::trm) {
        z = trm_recursion(z, x, config.H_cycles, config.L_cycles, L_fn);
    } else {
        LevelFn H_fn = [&](const at::Tensor & h, const at::Tensor & inj) { return H_level->forward(h, inj, rope); };
        z = hrm_recursion(z, x, config.H_cycles, config.L_cycles, H_fn, L_fn);
    }
    InnerOutputs out;
    out.carry = {z.z_H.detach(), z.z_L.detach()};
    out.logits = lm_head->forward(z.z_H).slice(1, puzzle_len);     // [B, L, V]
    at::Tensor q = q_head->forward(z.z_H.select(1, 0)).to(at::kFloat);  // [B, 2] from prefix slot 0
    out.q_halt = q.select(-1, 0);
    out.q_continue = q.select(-1, 1);
    return out;
}

int64_t RecursiveReasoningModelImpl::num_parameters() const {
    int64_t n = 0;
    for (const auto & p : parameters()) n += p.numel();
    return n;
}

}  // namespace trmbench
