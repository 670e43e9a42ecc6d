// Voting over augmented predictions of a local model (spec §4.2; TRM evaluators/arc.py, HRM
// arc_eval.ipynb): for one test input, every variant's prediction is cropped and de-augmented, then
// identical grids are grouped; each distinct grid keeps its vote count and the mean of
// sigmoid(q_halt logit) over the variants that produced it. Candidates rank by count, then mean q,
// both descending; full ties keep first-appearance order (Python's stable sort, as the reference).
// The top k are the k attempts of pass@k.
#pragma once

#include <span>
#include <vector>

#include "harness/core/grid.h"

namespace trmbench {

struct ArcVoteInput {
    Grid grid;          // de-augmented prediction of one variant
    double q_halt = 0;  // halting logit of that prediction (before the sigmoid)
};

struct ArcVoteResult {
    Grid grid;
    int count = 0;      // variants that predicted this grid
    double mean_q = 0;  // mean sigmoid(q_halt) over those variants
};

// Ranked distinct grids, at most top_k of them (top_k <= 0: all). Empty grids (undecodable
// crops) take part like any other grid, as in the reference, unless skip_empty is set.
std::vector<ArcVoteResult> vote_arc(std::span<const ArcVoteInput> predictions, int top_k, bool skip_empty = false);

}  // namespace trmbench
