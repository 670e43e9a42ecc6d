// ACT wrapper: carry, reset, halting, exploration, Q-continue target (see act.h).
#include "models/act.h"

#include <vector>

namespace trmbench {

PuzzleBatch PuzzleBatch::to(at::Device device) const {
    return {inputs.to(device), labels.to(device), puzzle_identifiers.to(device)};
}

bool uses_q_continue(const ModelConfig & c) { return c.family == ModelFamily::hrm || !c.no_ACT_continue; }

ActCarry initial_carry(const RecursiveReasoningModelImpl & model, const PuzzleBatch & batch) {
    const int64_t B = batch.inputs.size(0);
    auto dev = at::TensorOptions().device(model.device());
    ActCarry c;
    c.inner = model.empty_carry(B);
    c.steps = at::zeros({B}, dev.dtype(at::kInt));
    c.halted = at::ones({B}, dev.dtype(at::kBool));
    c.current = {at::zeros_like(batch.inputs), at::zeros_like(batch.labels), at::zeros_like(batch.puzzle_identifiers)};
    return c;
}

namespace {

// Row-wise select: where(reset, fresh, kept), with `reset` [B] broadcast over the trailing dims.
at::Tensor take_rows(const at::Tensor & reset, const at::Tensor & fresh, const at::Tensor & kept) {
    std::vector<int64_t> shape(static_cast<size_t>(fresh.dim()), 1);
    shape[0] = -1;
    return at::where(reset.view(shape), fresh, kept);
}

// min_halt_steps per row: uniform(2, N) with probability p, else 0 (see act.h for the stream).
at::Tensor exploration_min_steps(Rng & rng, int64_t batch, double p, int64_t max_steps, at::Device device) {
    at::Tensor m = at::empty({batch}, at::kInt);
    auto * data = m.data_ptr<int32_t>();
    for (int64_t i = 0; i < batch; ++i) {
        const double u = rng.unit();
        const int64_t steps = rng.uniform(2, max_steps);
        data[i] = u < p ? static_cast<int32_t>(steps) : 0;
    }
    return m.to(device);
}

}  // namespace

std::pair<ActCarry, ActOutputs> act_step(RecursiveReasoningModelImpl & model, const ActCarry & carry,
                                         const PuzzleBatch & batch, Rng * exploration) {
    const ModelConfig & cfg = model.config;
    ActCarry next;
    next.inner = model.reset_carry(carry.halted, carry.inner);
    next.steps = at::where(carry.halted, at::zeros({}, carry.steps.options()), carry.steps);
    next.current.inputs = take_rows(carry.halted, batch.inputs, carry.current.inputs);
    next.current.labels = take_rows(carry.halted, batch.labels, carry.current.labels);
    next.current.puzzle_identifiers = take_rows(carry.halted, batch.puzzle_identifiers, carry.current.puzzle_identifiers);

    const at::Tensor puzzle_ids = next.current.puzzle_identifiers.to(at::kLong);  // LibTorch 1.13 indexes with int64
    InnerOutputs inner = model.forward(next.inner, next.current.inputs, puzzle_ids);
    next.inner = inner.carry;
    ActOutputs out{inner.logits, inner.q_halt, inner.q_continue, {}};

    at::NoGradGuard no_grad;
    next.steps = next.steps + 1;
    at::Tensor is_last = next.steps >= cfg.halt_max_steps;
    next.halted = is_last;
    if (model.is_training() && cfg.halt_max_steps > 1) {
        // Evaluation always runs halt_max_steps, so that a batch halts together.
        const bool q_continue = uses_q_continue(cfg);
        next.halted = q_continue ? (next.halted | (out.q_halt > out.q_continue)) : (next.halted | (out.q_halt > 0));
        if (exploration) {
            at::Tensor min_steps = exploration_min_steps(*exploration, next.steps.size(0), cfg.halt_exploration_prob,
                                                         cfg.halt_max_steps, next.steps.device());
            next.halted = next.halted & (next.steps >= min_steps);
        }
        if (q_continue) {
            // Bootstrap target from the next step's Q values (no replay buffer, no target network).
            InnerOutputs ahead = model.forward(next.inner, next.current.inputs, puzzle_ids);
            out.target_q_continue = at::sigmoid(at::where(is_last, ahead.q_halt, at::maximum(ahead.q_halt, ahead.q_continue)));
        }
    }
    return {next, out};
}

ActLossOutputs act_step_loss(const ActCarry & carry, const ActOutputs & outputs, LossType type) {
    return act_loss({outputs.logits, outputs.q_halt, outputs.q_continue, outputs.target_q_continue, carry.current.labels,
                     carry.halted, carry.steps},
                    type);
}

}  // namespace trmbench
