// Analytic forward FLOPs (see flops.h for what is counted and why).
#include "models/flops.h"

#include <limits>
#include <string>

#include "harness/core/error.h"

namespace trmbench {

namespace {

using Wide = __int128;

int64_t narrow(Wide v, const char * what) {
    if (v < 0 || v > static_cast<Wide>(std::numeric_limits<int64_t>::max()))
        throw UsageError(std::string("FLOPs of ") + what + " overflow 64 bits: the config's cycles or layers are far too large");
    return static_cast<int64_t>(v);
}

// 2·m·n·k
Wide matmul(Wide m, Wide n, Wide k) { return 2 * m * n * k; }

}  // namespace

FlopBreakdown block_flops(const ModelConfig & c) {
    const Wide S = total_seq_len(c), D = c.hidden_size, I = channel_inter(c);
    FlopBreakdown f;
    if (c.mlp_t) {
        // SwiGLU over the sequence axis on the transposed [B, D, S] tensor: D rows of width S.
        const Wide It = token_inter(c);
        f.token_mixer = narrow(matmul(D, S, 2 * It) + matmul(D, It, S), "the token mixer");
    } else {
        f.attention_proj = narrow(matmul(S, D, 3 * D) + matmul(S, D, D), "the attention projections");
        // Per head: [S, hd]·[hd, S] and [S, S]·[S, hd]; summed over H heads, hd·H = D.
        f.attention_core = narrow(matmul(S, S, D) + matmul(S, S, D), "attention");
    }
    f.channel_mlp = narrow(matmul(S, D, 2 * I) + matmul(S, I, D), "the channel MLP");
    return f;
}

int64_t blocks_per_act_step(const ModelConfig & c) {
    const Wide H = c.H_cycles, L = c.L_cycles;
    if (c.family == ModelFamily::trm) return narrow(H * (L + 1) * c.L_layers, "the block count");
    return narrow(H * L * c.L_layers + H * c.H_layers, "the block count");
}

FlopBreakdown act_step_flops(const ModelConfig & c) {
    const FlopBreakdown b = block_flops(c);
    const Wide n = blocks_per_act_step(c);
    const Wide S = total_seq_len(c), D = c.hidden_size, V = c.vocab_size;
    FlopBreakdown f;
    f.attention_proj = narrow(n * b.attention_proj, "one ACT step");
    f.attention_core = narrow(n * b.attention_core, "one ACT step");
    f.token_mixer = narrow(n * b.token_mixer, "one ACT step");
    f.channel_mlp = narrow(n * b.channel_mlp, "one ACT step");
    f.heads = narrow(matmul(S, D, V) + matmul(1, D, 2), "the heads");
    (void)narrow(static_cast<Wide>(f.attention_proj) + f.attention_core + f.token_mixer + f.channel_mlp + f.heads,
                 "one ACT step");
    return f;
}

double flops_per_puzzle(const ModelConfig & c, int64_t act_steps, int64_t sequences) {
    const int64_t steps = act_steps < 0 ? c.halt_max_steps : act_steps;
    return static_cast<double>(flops_per_act_step(c)) * static_cast<double>(steps) * static_cast<double>(sequences);
}

}  // namespace trmbench
