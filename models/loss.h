// The ACT loss head's forward (reference models/losses.py ACTLossHead; spec §2.1-2.2): stable-max
// cross-entropy in float64, Q-halt (and HRM Q-continue) BCE-with-logits, and the metrics over the
// rows that halted in this step. Tensor operations and dtypes mirror the reference, so the loss
// matches to the last bit given the same logits.
//
// Shapes: B = batch, L = seq_len, V = vocab. Labels equal to -100 are ignored.
#pragma once

#include <ATen/ATen.h>

namespace trmbench {

constexpr int64_t kIgnoreLabel = -100;

enum class LossType { stablemax, softmax };

// Per-token losses [B, L]: stablemax in float64, softmax in float32; 0 where !valid_mask.
at::Tensor stablemax_cross_entropy(const at::Tensor & logits, const at::Tensor & labels, const at::Tensor & valid_mask);
at::Tensor softmax_cross_entropy(const at::Tensor & logits, const at::Tensor & labels);

struct ActLossInputs {
    at::Tensor logits;             // [B, L, V] forward dtype
    at::Tensor q_halt;             // [B] float32
    at::Tensor q_continue;         // [B] float32
    at::Tensor target_q_continue;  // [B] float32, or undefined (no Q-continue loss)
    at::Tensor labels;             // [B, L] int (carry.current labels)
    at::Tensor halted;             // [B] bool (carry after the step)
    at::Tensor steps;              // [B] int32 (carry after the step)
};

struct ActLossOutputs {
    at::Tensor total;            // 0-dim float64 (softmax: float32): lm + 0.5·(q_halt + q_continue)
    at::Tensor lm_loss;          // 0-dim: Σ_rows mean over the row's valid tokens
    at::Tensor q_halt_loss;      // 0-dim float32, summed over rows
    at::Tensor q_continue_loss;  // 0-dim float32, or undefined
    at::Tensor preds;            // [B, L] int64 argmax (ties: first index)
    // Metrics: un-normalised sums over rows that halted in this step and have a valid label.
    at::Tensor count;            // int64
    at::Tensor accuracy;         // float32: Σ per-row token accuracy
    at::Tensor exact_accuracy;   // int64: rows with every valid token right
    at::Tensor q_halt_accuracy;  // int64: rows where (q_halt >= 0) == row exactly right
    at::Tensor steps;            // int64: Σ steps
};

ActLossOutputs act_loss(const ActLossInputs & in, LossType type = LossType::stablemax);

}  // namespace trmbench
