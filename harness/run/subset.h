// Deterministic subsets: which examples of a dataset a run uses, drawn from a seed with trmbench::Rng
// (portable: the same seed gives the same ids on any machine), optionally stratified by difficulty.
//
// Units. An example belongs to a group (Example::group; ARC: the task id, others: the example
// itself). Subsets draw whole groups, so an ARC task keeps all its test pairs and per-task scores
// stay whole; `size` counts groups (= examples for Sudoku and Maze). A group's difficulty is that of
// its first example.
//
// Strata. Edges e0 < e1 < ... < ek split difficulty into "[e0,e1)", ..., "[ek,inf)"; a difficulty
// below e0 goes to "<e0" and an unknown one (-1) to "unknown" (strata that are empty are left out).
// Allocation of `size` over the strata:
//   proportional  n_h = size * N_h / N, rounded by largest remainder (ties: the lower stratum first),
//                 so the subset keeps the dataset's difficulty mix;
//   equal         size / H per stratum (remainder to the lower strata); a stratum with fewer groups
//                 than its share gives the rest to the others, in stratum order.
// Within stratum h the groups are shuffled with Rng(derive_seed(seed, h)) (unstratified: Rng(seed))
// and the first n_h are taken. The result lists the examples in dataset order.
//
// Identity. ids_sha256 = sha256 of the selected example ids, each followed by '\n', in that order:
// two labs whose subsets print the same hash run the same puzzles.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/core/example.h"
#include "harness/run/suite.h"

namespace trmbench {

struct StratumCount {
    std::string label;
    int64_t available = 0;  // groups in the dataset
    int64_t selected = 0;   // groups in the subset
};

struct Subset {
    std::vector<size_t> indices;        // into the dataset's examples, ascending
    std::vector<std::string> strata;    // stratum label per selected example ("" when not stratified)
    std::vector<StratumCount> counts;   // per stratum, in edge order (empty when not stratified)
    int64_t groups = 0;                 // groups selected
    std::string ids_sha256;
};

// The subset of `examples` described by `spec` (nullopt spec = every example, unstratified).
Subset select_subset(std::span<const Example> examples, const SubsetSpec & spec);
Subset select_all(std::span<const Example> examples);

// The stratum label of a difficulty for the given edges.
std::string stratum_label(double difficulty, const std::vector<double> & edges);

// sha256 of the ids, each followed by '\n'.
std::string ids_sha256(const std::vector<std::string> & ids);

}  // namespace trmbench
