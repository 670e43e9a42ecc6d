// The TRM/HRM "inner" model: input embedding with the puzzle prefix, the reasoning module(s), the
// LM and Q heads and the fixed initial states (trm.py TinyRecursiveReasoningModel_ACTV1_Inner,
// hrm_act_v1.py HierarchicalReasoningModel_ACTV1_Inner; spec §1.2-1.6). One ACT step of it maps
// a carry (z_H, z_L) and a batch to a new carry, logits and Q values; the ACT wrapper around it
// lives in act.h.
//
// Parameter and buffer names are the reference state-dict keys without the
// `_orig_mod.model.inner.` prefix (embed_tokens.embedding_weight, L_level.layers.0.mlp...,
// H_init, puzzle_emb.weights, ...), so state_dict.h can map checkpoints one to one.
//
// Shapes: B = batch, L = seq_len, P = puzzle prefix, S = P + L, D = hidden, V = vocab.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "models/config.h"
#include "models/layers.h"

namespace trmbench {

at::ScalarType to_scalar_type(ForwardDType d);

// The sparse puzzle-embedding table [num_puzzle_identifiers, puzzle_emb_ndim] float32. It is a
// buffer, not a parameter (the reference trains it with its own sparse SignSGD), zero-initialised.
// In training mode the looked-up rows are copied into `local_weights` (which requires grad), so a
// trainer can read local_weights.grad and local_ids after backward.
struct PuzzleEmbeddingImpl : torch::nn::Module {
    PuzzleEmbeddingImpl(int64_t num, int64_t dim, at::ScalarType cast_to);
    at::Tensor forward(const at::Tensor & ids);  // [B] int64 -> [B, dim] forward dtype

    at::Tensor weights;
    at::Tensor local_weights;  // training only: [B, dim] float32, requires grad
    at::Tensor local_ids;      // training only: [B] int64
    at::ScalarType cast_to;
};
TORCH_MODULE(PuzzleEmbedding);

struct InnerCarry {
    at::Tensor z_H;  // [B, S, D] forward dtype
    at::Tensor z_L;  // [B, S, D] forward dtype
};

struct InnerOutputs {
    InnerCarry carry;      // detached
    at::Tensor logits;     // [B, L, V] forward dtype (the prefix is cut off)
    at::Tensor q_halt;     // [B] float32
    at::Tensor q_continue; // [B] float32
};

struct RecursiveReasoningModelImpl : torch::nn::Module {
    // Builds and initialises the model like the reference constructor, drawing from a CPU
    // generator seeded with `seed` in the reference's order: with the seed given to
    // torch.manual_seed() before building the Python model, the weights are identical.
    RecursiveReasoningModelImpl(const ModelConfig & config, uint64_t seed = 0);

    // One ACT step of recursion on `carry`; inputs [B, L] int32, puzzle_ids [B] int64.
    InnerOutputs forward(const InnerCarry & carry, const at::Tensor & inputs, const at::Tensor & puzzle_ids);
    // Token embeddings with the puzzle prefix, scaled by sqrt(D): [B, S, D] forward dtype.
    at::Tensor input_embeddings(const at::Tensor & inputs, const at::Tensor & puzzle_ids);
    // Rows where `reset` [B] bool is set start again from H_init / L_init.
    InnerCarry reset_carry(const at::Tensor & reset, const InnerCarry & carry) const;
    // A zero carry [B, S, D] (the reference uses torch.empty; zeros keep garbage out entirely).
    InnerCarry empty_carry(int64_t batch) const;

    at::Device device() const { return lm_head->weight.device(); }
    int64_t num_parameters() const;  // sum of numel over parameters()

    ModelConfig config;
    at::ScalarType forward_dtype;
    int64_t puzzle_len;  // P
    int64_t seq_total;   // S
    double embed_scale;  // sqrt(D)

    CastedEmbedding embed_tokens{nullptr};
    CastedLinear lm_head{nullptr};
    CastedLinear q_head{nullptr};
    PuzzleEmbedding puzzle_emb{nullptr};    // puzzle_emb_ndim > 0
    RotaryEmbedding rotary_emb{nullptr};    // pos_encodings rope
    CastedEmbedding embed_pos{nullptr};     // pos_encodings learned
    ReasoningModule H_level{nullptr};       // HRM only
    ReasoningModule L_level{nullptr};
    at::Tensor H_init;                      // [D] forward dtype, truncated normal std 1, never trained
    at::Tensor L_init;
};
TORCH_MODULE(RecursiveReasoningModel);

// Names of registered buffers that the reference does not save (non-persistent).
bool is_non_persistent_buffer(const std::string & name);

}  // namespace trmbench
