// Majority vote with halting-confidence tie-break over de-augmented predictions (arc_vote.h).
#include "tasks/arc/arc_vote.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

namespace trmbench {
namespace {

// Shape and cells as one string: equal keys <=> equal grids (a 1x4 and a 2x2 grid differ).
std::string grid_key(const Grid & g) {
    std::string key;
    key.reserve(g.cells.size() + 2);
    key += static_cast<char>(g.rows);
    key += static_cast<char>(g.cols);
    key.append(g.cells.begin(), g.cells.end());
    return key;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// A NaN logit must not break the strict weak ordering of the sort: it ranks below any real q.
double rank_q(double q) { return std::isnan(q) ? -1.0 : q; }

}  // namespace

std::vector<ArcVoteResult> vote_arc(std::span<const ArcVoteInput> predictions, int top_k, bool skip_empty) {
    std::vector<ArcVoteResult> candidates;  // in order of first appearance
    std::vector<double> q_sums;
    std::unordered_map<std::string, size_t> index;
    for (const auto & p : predictions) {
        if (skip_empty && p.grid.empty()) continue;
        auto [it, inserted] = index.emplace(grid_key(p.grid), candidates.size());
        if (inserted) {
            candidates.push_back({p.grid, 0, 0});
            q_sums.push_back(0);
        }
        candidates[it->second].count += 1;
        q_sums[it->second] += sigmoid(p.q_halt);
    }
    for (size_t i = 0; i < candidates.size(); ++i) candidates[i].mean_q = q_sums[i] / candidates[i].count;
    std::stable_sort(candidates.begin(), candidates.end(), [](const ArcVoteResult & a, const ArcVoteResult & b) {
        if (a.count != b.count) return a.count > b.count;
        return rank_q(a.mean_q) > rank_q(b.mean_q);
    });
    if (top_k > 0 && candidates.size() > static_cast<size_t>(top_k)) candidates.resize(static_cast<size_t>(top_k));
    return candidates;
}

}  // namespace trmbench
