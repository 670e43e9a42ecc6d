// The ACT wrapper (reference: TinyRecursiveReasoningModel_ACTV1 / HierarchicalReasoningModel_ACTV1
// forward; spec §1.7): a carry of per-row latent states, step counters, halting flags and the data
// each row is working on, advanced one "ACT step" (one supervision step) per call.
//
// Per call: rows that halted last time restart (z ← H_init/L_init, steps ← 0, data ← the new
// batch's row; other rows keep their data and ignore the new batch's row), the inner model runs
// once, steps += 1, and halted = steps >= halt_max_steps. In training mode halting also follows the
// Q head (TRM no_ACT_continue: q_halt > 0; HRM and TRM with no_ACT_continue=false: q_halt >
// q_continue) with exploration, and the Q-continue variants run a second no-grad forward for the
// bootstrap target. In evaluation every row runs exactly halt_max_steps steps.
//
// Exploration draws come from trmbench::Rng (harness/core/rng.h), not torch's generator: per row
// one unit() and one uniform(2, halt_max_steps), always both, so the stream does not depend on the
// probability, the device or the thread count. (The reference draws torch.rand_like and
// torch.randint_like; their values cannot be reproduced across LibTorch versions anyway.)
//
// Shapes: B = batch, L = seq_len, S = P + L, D = hidden.
#pragma once

#include <ATen/ATen.h>

#include "harness/core/rng.h"
#include "models/loss.h"
#include "models/reasoning_model.h"

namespace trmbench {

struct PuzzleBatch {
    at::Tensor inputs;              // [B, L] int32
    at::Tensor labels;              // [B, L] int32 (-100 = ignored)
    at::Tensor puzzle_identifiers;  // [B] int32

    PuzzleBatch to(at::Device device) const;
};

struct ActCarry {
    InnerCarry inner;     // z_H, z_L [B, S, D] forward dtype
    at::Tensor steps;     // [B] int32
    at::Tensor halted;    // [B] bool
    PuzzleBatch current;  // what each row is working on
};

struct ActOutputs {
    at::Tensor logits;             // [B, L, V] forward dtype
    at::Tensor q_halt;             // [B] float32
    at::Tensor q_continue;         // [B] float32
    at::Tensor target_q_continue;  // [B] float32; training with Q-continue only, else undefined
};

// Every row halted, so the first step loads the batch. Latents and data start as zeros (the
// reference uses torch.empty; the reset selects H_init/L_init with `where`, never arithmetic).
ActCarry initial_carry(const RecursiveReasoningModelImpl & model, const PuzzleBatch & batch);

// One ACT step. Training behaviour follows model.is_training(); `exploration` may be null (no
// exploration). The returned carry is detached.
std::pair<ActCarry, ActOutputs> act_step(RecursiveReasoningModelImpl & model, const ActCarry & carry,
                                         const PuzzleBatch & batch, Rng * exploration = nullptr);

// The ACT loss head applied to a step's outputs and the carry after it.
ActLossOutputs act_step_loss(const ActCarry & carry, const ActOutputs & outputs, LossType type = LossType::stablemax);

// Whether this config learns / halts on Q-continue (HRM always; TRM when no_ACT_continue is false).
bool uses_q_continue(const ModelConfig & c);

}  // namespace trmbench
