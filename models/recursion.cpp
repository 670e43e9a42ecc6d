// TRM and HRM recursion schedules (see recursion.h).
#include "models/recursion.h"

namespace trmbench {

LatentPair trm_recursion(LatentPair z, const at::Tensor & x, int64_t H_cycles, int64_t L_cycles, const LevelFn & L_level) {
    {
        at::NoGradGuard no_grad;  // the first T-1 cycles only improve the starting point
        for (int64_t h = 0; h < H_cycles - 1; ++h) {
            for (int64_t l = 0; l < L_cycles; ++l) z.z_L = L_level(z.z_L, z.z_H + x);
            z.z_H = L_level(z.z_H, z.z_L);
        }
    }
    // The last cycle with grad: full backprop through one whole recursion.
    for (int64_t l = 0; l < L_cycles; ++l) z.z_L = L_level(z.z_L, z.z_H + x);
    z.z_H = L_level(z.z_H, z.z_L);
    return z;
}

LatentPair hrm_recursion(LatentPair z, const at::Tensor & x, int64_t H_cycles, int64_t L_cycles, const LevelFn & H_level,
                         const LevelFn & L_level) {
    {
        at::NoGradGuard no_grad;
        for (int64_t h = 0; h < H_cycles; ++h) {
            const bool last_h = h == H_cycles - 1;
            for (int64_t l = 0; l < L_cycles; ++l)
                if (!(last_h && l == L_cycles - 1)) z.z_L = L_level(z.z_L, z.z_H + x);
            if (!last_h) z.z_H = H_level(z.z_H, z.z_L);
        }
    }
    // 1-step gradient: only the final L and H updates are differentiated.
    z.z_L = L_level(z.z_L, z.z_H + x);
    z.z_H = H_level(z.z_H, z.z_L);
    return z;
}

}  // namespace trmbench
