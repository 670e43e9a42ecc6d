// The two optimizers of the reference recipe and the EMA of the weights (spec §2.4, §2.5, §2.7;
// fixtures README §5), written to issue the same float32 tensor operations in the same order as
// the reference, so that a training step reproduces it to the last bit on the same LibTorch build.
//
// AdamATan2 (the `adam_atan2` package; both repos optimise model.parameters() with it, no groups):
// for each parameter with a gradient, with t its own step counter (from 1):
//     p ← p·(1 − lr·wd)                                   decoupled decay, first
//     m ← lerp(m, g, 1 − β1);  v ← lerp(v, g·g, 1 − β2)   moments
//     p ← p − lr/(1 − β1^t) · atan2(m, sqrt(v) / sqrt(1 − β2^t))
// There is no ε; atan2 bounds every step by (π/2)·lr/(1 − β1^t). The Python scalars (1 − lr·wd,
// the bias corrections, lr/(1 − β1^t)) are computed in double and applied to float32 tensors.
// The counter is an integer here (the package keeps a float32 tensor; identical below 2^24).
// Parameters without a gradient are skipped and keep their counter, as in torch optimizers.
//
// Sparse SignSGD (models/sparse_embedding.py) for the puzzle-embedding table: the rows looked up
// in this step (ids, all ranks together) are made unique and their gradients summed (scatter_add),
// then each touched row gets w ← w·(1 − lr·wd) − lr·sign(g_sum); sign(0) = 0, the decay still
// applies; untouched rows do not change. Indices are int64 (LibTorch 1.13 indexes with int64).
//
// EMA (models/ema.py): a shadow copy of the trainable parameters (not buffers), starting as a copy,
// updated after every optimizer step as shadow ← (1 − μ)·param + μ·shadow.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace trmbench {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

struct AdamATan2Options {
    double beta1 = 0.9;
    double beta2 = 0.95;
    double weight_decay = 0.1;
};

class AdamATan2 {
public:
    struct Slot {
        std::string name;
        at::Tensor param;     // the live parameter (shares storage with the module)
        at::Tensor exp_avg;   // m, undefined until the first step
        at::Tensor exp_avg_sq;  // v
        int64_t step = 0;     // this parameter's t
    };

    AdamATan2(const NamedTensors & params, AdamATan2Options options);
    // One step with learning rate `lr` over every parameter that has a gradient.
    void step(double lr);
    // Drops every gradient (torch 2.x zero_grad(set_to_none=True)).
    void zero_grad();

    std::vector<Slot> & slots() { return slots_; }
    const std::vector<Slot> & slots() const { return slots_; }
    const AdamATan2Options & options() const { return options_; }

private:
    std::vector<Slot> slots_;
    AdamATan2Options options_;
};

// One sparse SignSGD step on `weights` [num, dim] float32 from the gradient rows `grad` [N, dim] of
// the looked-up ids `ids` [N] (any integer dtype; duplicates allowed).
void sparse_signsgd_step(at::Tensor & weights, const at::Tensor & grad, const at::Tensor & ids, double lr,
                         double weight_decay);

class ParameterEma {
public:
    ParameterEma(const NamedTensors & params, double rate);
    // shadow ← (1 − μ)·param + μ·shadow for every tracked parameter.
    void update(const NamedTensors & params);
    // Copies the shadow into the parameters (same names and shapes; throws std::logic_error otherwise).
    void copy_to(const NamedTensors & params) const;

    NamedTensors & shadow() { return shadow_; }
    const NamedTensors & shadow() const { return shadow_; }
    double rate() const { return rate_; }

private:
    NamedTensors shadow_;
    double rate_;
};

}  // namespace trmbench
