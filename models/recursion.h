// The two recursion schedules of one ACT step, side by side (spec §1.4 and §1.5). They only need
// "apply a reasoning module to (h, injection)", so they are written against callables and stay
// free of module types.
//
//   TRM (trm.py): one network L_level used for both updates.
//       H_cycles-1 times under no_grad:  L_cycles × z_L = L(z_L, z_H + x);  z_H = L(z_H, z_L)
//       once with grad:                  L_cycles × z_L = L(z_L, z_H + x);  z_H = L(z_H, z_L)
//   HRM (hrm_act_v1.py): two networks; everything but the last L and H update under no_grad,
//       then one graded z_L = L(z_L, z_H + x) and z_H = H(z_H, z_L) ("1-step gradient").
//
// z_H, z_L, x: [B, S, D] in the forward dtype. The injection is always summed first (z_H + x),
// then added inside the module (h + injection): bf16 results depend on that order.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>

namespace trmbench {

using LevelFn = std::function<at::Tensor(const at::Tensor & h, const at::Tensor & injection)>;

struct LatentPair {
    at::Tensor z_H;  // the answer state (TRM paper: y)
    at::Tensor z_L;  // the latent state (TRM paper: z)
};

LatentPair trm_recursion(LatentPair z, const at::Tensor & x, int64_t H_cycles, int64_t L_cycles, const LevelFn & L_level);
LatentPair hrm_recursion(LatentPair z, const at::Tensor & x, int64_t H_cycles, int64_t L_cycles, const LevelFn & H_level,
                         const LevelFn & L_level);

}  // namespace trmbench
