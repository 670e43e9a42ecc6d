// ACT loss head forward (see loss.h).
#include "models/loss.h"

namespace trmbench {

at::Tensor stablemax_cross_entropy(const at::Tensor & logits, const at::Tensor & labels, const at::Tensor & valid_mask) {
    at::Tensor x = logits.to(at::kDouble);
    // s(x) = 1/(1 - x + 1e-30) for x < 0, x + 1 otherwise. Python's `1 / t` is t.reciprocal() * 1.
    at::Tensor s_neg = at::reciprocal(at::rsub(x, 1) + 1e-30) * 1;
    at::Tensor s_x = at::where(x < 0, s_neg, x + 1);
    at::Tensor logprobs = at::log(s_x / at::sum(s_x, {-1}, /*keepdim=*/true));  // [B, L, V]
    at::Tensor safe_labels = at::where(valid_mask, labels, at::zeros({}, labels.options()));
    at::Tensor picked = at::gather(logprobs, -1, safe_labels.to(at::kLong).unsqueeze(-1)).squeeze(-1);
    return -at::where(valid_mask, picked, at::zeros({}, picked.options()));
}

at::Tensor softmax_cross_entropy(const at::Tensor & logits, const at::Tensor & labels) {
    const int64_t V = logits.size(-1);
    at::Tensor flat = at::cross_entropy_loss(logits.to(at::kFloat).view({-1, V}), labels.to(at::kLong).view({-1}), {},
                                             at::Reduction::None, kIgnoreLabel);
    return flat.view(labels.sizes());
}

ActLossOutputs act_loss(const ActLossInputs & in, LossType type) {
    ActLossOutputs out;
    const at::Tensor & labels = in.labels;
    at::Tensor mask, loss_counts, loss_divisor, seq_is_correct;
    {
        at::NoGradGuard no_grad;
        out.preds = at::argmax(in.logits, -1);
        mask = labels != kIgnoreLabel;
        loss_counts = mask.sum(-1);                               // [B] int64
        loss_divisor = loss_counts.clamp_min(1).unsqueeze(-1);    // [B, 1], avoids 0/0
        at::Tensor is_correct = mask & (out.preds == labels);     // [B, L]
        seq_is_correct = is_correct.sum(-1) == loss_counts;       // [B]

        at::Tensor valid = in.halted & (loss_counts > 0);
        at::Tensor zero_f = at::zeros({}, at::TensorOptions().dtype(at::kFloat).device(labels.device()));
        at::Tensor zero_i = at::zeros({}, in.steps.options());
        out.count = valid.sum();
        out.accuracy = at::where(valid, (is_correct.to(at::kFloat) / loss_divisor).sum(-1), zero_f).sum();
        out.exact_accuracy = (valid & seq_is_correct).sum();
        out.q_halt_accuracy = (valid & ((in.q_halt >= 0) == seq_is_correct)).sum();
        out.steps = at::where(valid, in.steps, zero_i).sum();
    }
    at::Tensor per_token = type == LossType::stablemax ? stablemax_cross_entropy(in.logits, labels, mask)
                                                       : softmax_cross_entropy(in.logits, labels);
    out.lm_loss = (per_token / loss_divisor).sum();
    out.q_halt_loss = at::binary_cross_entropy_with_logits(in.q_halt, seq_is_correct.to(in.q_halt.scalar_type()), {}, {},
                                                           at::Reduction::Sum);
    at::Tensor q_sum = out.q_halt_loss + 0;  // Python: q_halt_loss + 0 when there is no Q-continue term
    if (in.target_q_continue.defined()) {
        out.q_continue_loss = at::binary_cross_entropy_with_logits(in.q_continue, in.target_q_continue, {}, {},
                                                                   at::Reduction::Sum);
        q_sum = out.q_halt_loss + out.q_continue_loss;
    }
    out.total = out.lm_loss + q_sum * 0.5;
    return out;
}

}  // namespace trmbench
