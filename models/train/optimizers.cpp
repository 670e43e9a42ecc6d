// AdamATan2, sparse SignSGD and the parameter EMA (see optimizers.h).
#include "models/train/optimizers.h"

#include <cmath>
#include <stdexcept>

namespace trmbench {

AdamATan2::AdamATan2(const NamedTensors & params, AdamATan2Options options) : options_(options) {
    for (const auto & [name, p] : params) slots_.push_back({name, p, {}, {}, 0});
}

void AdamATan2::step(double lr) {
    at::NoGradGuard no_grad;
    const double beta1 = options_.beta1, beta2 = options_.beta2;
    for (Slot & s : slots_) {
        const at::Tensor & grad = s.param.grad();
        if (!grad.defined()) continue;
        if (!s.exp_avg.defined()) {
            s.exp_avg = at::zeros_like(s.param, at::MemoryFormat::Preserve);
            s.exp_avg_sq = at::zeros_like(s.param, at::MemoryFormat::Preserve);
        }
        s.step += 1;
        const double t = static_cast<double>(s.step);
        const double bias_correction1 = 1 - std::pow(beta1, t);
        const double bias_correction2 = 1 - std::pow(beta2, t);

        s.param.mul_(1 - lr * options_.weight_decay);
        s.exp_avg.lerp_(grad, 1 - beta1);
        s.exp_avg_sq.lerp_(grad * grad, 1 - beta2);
        const double step_size = lr / bias_correction1;
        const double bias_correction2_sqrt = std::sqrt(bias_correction2);
        s.param.add_(at::atan2(s.exp_avg, s.exp_avg_sq.sqrt() / bias_correction2_sqrt), -step_size);
    }
}

void AdamATan2::zero_grad() {
    for (Slot & s : slots_)
        if (s.param.grad().defined()) s.param.mutable_grad() = at::Tensor();
}

void sparse_signsgd_step(at::Tensor & weights, const at::Tensor & grad, const at::Tensor & ids, double lr,
                         double weight_decay) {
    at::NoGradGuard no_grad;
    const int64_t D = grad.size(1);
    at::Tensor unique_ids, inverse;
    std::tie(unique_ids, inverse, std::ignore) =
        at::_unique2(ids.to(at::kLong), /*sorted=*/true, /*return_inverse=*/true, /*return_counts=*/false);
    at::Tensor summed = at::zeros({unique_ids.size(0), D}, grad.options());
    summed.scatter_add_(0, inverse.unsqueeze(-1).expand({-1, D}), grad);

    at::Tensor rows = weights.index({unique_ids});
    rows.mul_(1.0 - lr * weight_decay).add_(at::sign(summed), -lr);
    weights.index_put_({unique_ids}, rows);
}

ParameterEma::ParameterEma(const NamedTensors & params, double rate) : rate_(rate) {
    at::NoGradGuard no_grad;
    for (const auto & [name, p] : params) shadow_.emplace_back(name, p.detach().clone());
}

void ParameterEma::update(const NamedTensors & params) {
    at::NoGradGuard no_grad;
    if (params.size() != shadow_.size()) throw std::logic_error("EMA: parameter list changed");
    for (size_t i = 0; i < params.size(); ++i) {
        // (1 - μ)·param + μ·shadow; addition commutes bit for bit, so the shadow is scaled in place.
        at::Tensor & s = shadow_[i].second;
        at::Tensor scaled_param = params[i].second.detach() * (1. - rate_);
        s.mul_(rate_).add_(scaled_param);
    }
}

void ParameterEma::copy_to(const NamedTensors & params) const {
    at::NoGradGuard no_grad;
    if (params.size() != shadow_.size()) throw std::logic_error("EMA: parameter list changed");
    for (size_t i = 0; i < params.size(); ++i) {
        if (params[i].first != shadow_[i].first || !params[i].second.sizes().equals(shadow_[i].second.sizes()))
            throw std::logic_error("EMA: parameter " + params[i].first + " does not match the shadow");
        params[i].second.detach().copy_(shadow_[i].second);
    }
}

}  // namespace trmbench
