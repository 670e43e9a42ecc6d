// Analytic forward FLOPs of TRM and HRM, per sequence, per ACT step and per puzzle. Torch-free, so
// the runner, the reports and the CLI can place accuracy-per-step curves on a FLOPs axis without
// running a model.
//
// What is counted (the same spirit as llm.c's MFU estimate: the matrix multiplications, which are
// nearly all of the arithmetic and what the hardware's peak refers to):
//
//   Every matmul counts 2·m·n·k (one multiply and one add per term). For one sequence of S = P + L
//   positions (P puzzle-prefix slots, L tokens), hidden D, SwiGLU width I, vocabulary V:
//
//     attention block    qkv projection        2·S·D·3D
//                        scores  Q·Kᵀ           2·S·S·D      (all heads: H·S·S·hd = S·S·D)
//                        values  softmax·V      2·S·S·D
//                        output projection      2·S·D·D
//     TRM-MLP block      token mixer (SwiGLU over the sequence axis, width S, inner It), applied
//                        to D columns:          2·D·S·2It + 2·D·It·S = 6·D·S·It
//     every block        channel SwiGLU         2·S·D·2I + 2·S·I·D = 6·S·D·I
//     heads, per step    lm_head on all S positions (the reference computes it on the prefix
//                        too and then drops it)  2·S·D·V
//                        q_head on slot 0        2·D·2
//
//   Block applications per ACT step, exactly as the recursion runs them (nothing is skipped in
//   evaluation; no_grad parts cost the same forward FLOPs):
//     TRM  H_cycles·(L_cycles + 1) applications of the one L_level network (L_layers blocks each)
//     HRM  H_cycles·L_cycles applications of L_level (L_layers blocks) and H_cycles of H_level
//          (H_layers blocks)
//
//   Per puzzle = per ACT step × ACT steps actually run (evaluation: halt_max_steps) × sequences the
//   puzzle needs (1 for Sudoku and Maze; the number of augmented variants for ARC).
//
// What is not counted, and why: elementwise work (RMSNorm, RoPE, softmax's exp and normalisation,
// SiLU and the gating product, residual and injection adds, the √D embedding scale, bias adds,
// dtype casts) and the embedding lookups. Per block it is O(S·D + S·I + H·S²) operations against
// O(S·D²) for the matmuls, i.e. well under 1% at D = 512; it is memory-bound, so counting it would
// only blur the comparison with the machine's GEMM rate. Backward passes are not counted (this is
// the evaluation cost). Padding rows of a partly filled batch do work that no puzzle is charged
// for; per-puzzle FLOPs are the model's cost for that puzzle, not the batch's.
#pragma once

#include <cstdint>

#include "models/config.h"

namespace trmbench {

// FLOPs of one sequence, by kind. Each field is already multiplied by its count of uses.
struct FlopBreakdown {
    int64_t attention_proj = 0;  // qkv + output projections
    int64_t attention_core = 0;  // Q·Kᵀ and softmax·V
    int64_t token_mixer = 0;     // TRM-MLP's SwiGLU over the sequence axis
    int64_t channel_mlp = 0;     // SwiGLU over D
    int64_t heads = 0;           // lm_head + q_head
    int64_t total() const { return attention_proj + attention_core + token_mixer + channel_mlp + heads; }
};

// One transformer block applied once to one sequence (heads are 0).
FlopBreakdown block_flops(const ModelConfig & c);
// Block applications of one ACT step, summed over the levels (TRM: H·(L+1)·L_layers; HRM:
// H·L·L_layers + H·H_layers).
int64_t blocks_per_act_step(const ModelConfig & c);
// One ACT step of one sequence: all block applications plus the heads.
FlopBreakdown act_step_flops(const ModelConfig & c);
inline int64_t flops_per_act_step(const ModelConfig & c) { return act_step_flops(c).total(); }
// One evaluation of one puzzle: `act_steps` steps (< 0: halt_max_steps) times `sequences`
// (ARC: the augmented variants voted over). A double: ARC with 1000 variants reaches 4e15.
double flops_per_puzzle(const ModelConfig & c, int64_t act_steps = -1, int64_t sequences = 1);

}  // namespace trmbench
