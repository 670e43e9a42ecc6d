// Deterministic, optionally stratified subsets (see subset.h for the exact procedure).
#include "harness/run/subset.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "harness/core/rng.h"
#include "harness/core/sha256.h"

namespace trmbench {
namespace {

struct Group {
    std::vector<size_t> members;  // example indices, ascending
    double difficulty = -1;
};

// Groups in order of first appearance.
std::vector<Group> make_groups(std::span<const Example> examples) {
    std::vector<Group> groups;
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < examples.size(); ++i) {
        const std::string & key = examples[i].group.empty() ? examples[i].id : examples[i].group;
        auto [it, fresh] = index.emplace(key, groups.size());
        if (fresh) groups.push_back({{}, examples[i].difficulty});
        groups[it->second].members.push_back(i);
    }
    return groups;
}

std::string edge_text(double x) {
    if (std::floor(x) == x && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
}

// Largest-remainder split of `total` proportionally to `weights` (ties: lower index first).
std::vector<int64_t> proportional_quota(int64_t total, const std::vector<int64_t> & weights) {
    int64_t sum = std::accumulate(weights.begin(), weights.end(), int64_t{0});
    std::vector<int64_t> quota(weights.size(), 0);
    if (sum == 0) return quota;
    std::vector<std::pair<int64_t, size_t>> remainders;  // (remainder numerator, stratum)
    int64_t given = 0;
    for (size_t h = 0; h < weights.size(); ++h) {
        // total * w / sum without overflow for realistic sizes (< 2^31 each).
        __int128 num = static_cast<__int128>(total) * weights[h];
        quota[h] = static_cast<int64_t>(num / sum);
        remainders.emplace_back(static_cast<int64_t>(num % sum), h);
        given += quota[h];
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto & a, const auto & b) { return a.first > b.first; });
    for (size_t k = 0; given < total && k < remainders.size(); ++k, ++given) ++quota[remainders[k].second];
    return quota;
}

// Equal split with overflow of small strata handed on, in stratum order.
std::vector<int64_t> equal_quota(int64_t total, const std::vector<int64_t> & available) {
    std::vector<int64_t> quota(available.size(), 0);
    int64_t left = total;
    // Repeatedly share what is left equally among the strata that still have room.
    while (left > 0) {
        std::vector<size_t> open;
        for (size_t h = 0; h < available.size(); ++h)
            if (quota[h] < available[h]) open.push_back(h);
        if (open.empty()) break;
        int64_t share = left / static_cast<int64_t>(open.size());
        int64_t extra = left % static_cast<int64_t>(open.size());
        int64_t given = 0;
        for (size_t k = 0; k < open.size(); ++k) {
            size_t h = open[k];
            int64_t want = share + (static_cast<int64_t>(k) < extra ? 1 : 0);
            int64_t take = std::min(want, available[h] - quota[h]);
            quota[h] += take;
            given += take;
        }
        left -= given;
        if (given == 0) break;
    }
    return quota;
}

Subset finish(std::span<const Example> examples, const std::vector<Group> & groups, std::vector<size_t> chosen_groups,
              const std::vector<std::string> & group_strata) {
    Subset out;
    out.groups = static_cast<int64_t>(chosen_groups.size());
    std::vector<std::pair<size_t, std::string>> picked;
    for (size_t g : chosen_groups)
        for (size_t i : groups[g].members) picked.emplace_back(i, group_strata.empty() ? "" : group_strata[g]);
    std::sort(picked.begin(), picked.end());
    std::vector<std::string> ids;
    for (auto & [i, label] : picked) {
        out.indices.push_back(i);
        out.strata.push_back(label);
        ids.push_back(examples[i].id);
    }
    out.ids_sha256 = ids_sha256(ids);
    return out;
}

}  // namespace

std::string stratum_label(double difficulty, const std::vector<double> & edges) {
    if (edges.empty()) return "";
    if (difficulty < 0 && edges.front() >= 0) return "unknown";
    if (difficulty < edges.front()) return "<" + edge_text(edges.front());
    for (size_t h = 0; h + 1 < edges.size(); ++h)
        if (difficulty < edges[h + 1]) return "[" + edge_text(edges[h]) + "," + edge_text(edges[h + 1]) + ")";
    return "[" + edge_text(edges.back()) + ",inf)";
}

std::string ids_sha256(const std::vector<std::string> & ids) {
    Sha256 h;
    for (const auto & id : ids) {
        h.update(id);
        h.update("\n");
    }
    return h.hex_digest();
}

Subset select_all(std::span<const Example> examples) {
    std::vector<Group> groups = make_groups(examples);
    std::vector<size_t> all(groups.size());
    std::iota(all.begin(), all.end(), size_t{0});
    return finish(examples, groups, all, {});
}

Subset select_subset(std::span<const Example> examples, const SubsetSpec & spec) {
    std::vector<Group> groups = make_groups(examples);
    int64_t n_groups = static_cast<int64_t>(groups.size());
    int64_t want = spec.size <= 0 ? n_groups : std::min<int64_t>(spec.size, n_groups);

    if (spec.strata.empty()) {
        std::vector<size_t> order(groups.size());
        std::iota(order.begin(), order.end(), size_t{0});
        if (want < n_groups) {
            Rng rng(spec.seed);
            rng.shuffle(order);
            order.resize(static_cast<size_t>(want));
        }
        return finish(examples, groups, order, {});
    }

    // Strata in a fixed order: "unknown" and "<e0" first, then the edges in order.
    std::vector<std::string> group_strata(groups.size());
    std::vector<std::string> labels;
    auto add_label = [&](const std::string & l) {
        if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    };
    std::vector<std::string> canonical = {"unknown", "<" + edge_text(spec.strata.front())};
    for (size_t h = 0; h < spec.strata.size(); ++h) canonical.push_back(stratum_label(spec.strata[h], spec.strata));
    std::map<std::string, std::vector<size_t>> members;
    for (size_t g = 0; g < groups.size(); ++g) {
        group_strata[g] = stratum_label(groups[g].difficulty, spec.strata);
        members[group_strata[g]].push_back(g);
    }
    for (const auto & l : canonical)
        if (members.count(l)) add_label(l);

    std::vector<int64_t> available;
    for (const auto & l : labels) available.push_back(static_cast<int64_t>(members[l].size()));
    std::vector<int64_t> quota = spec.allocation == "equal" ? equal_quota(want, available) : proportional_quota(want, available);

    std::vector<size_t> chosen;
    Subset counts_holder;
    for (size_t h = 0; h < labels.size(); ++h) {
        std::vector<size_t> pool = members[labels[h]];
        // The stratum's stream is its position among the edge-ordered labels, so it does not move
        // when another stratum happens to be empty.
        uint64_t stream = static_cast<uint64_t>(std::find(canonical.begin(), canonical.end(), labels[h]) - canonical.begin());
        if (quota[h] < static_cast<int64_t>(pool.size())) {
            Rng rng(derive_seed(spec.seed, stream));
            rng.shuffle(pool);
            pool.resize(static_cast<size_t>(quota[h]));
        }
        chosen.insert(chosen.end(), pool.begin(), pool.end());
        counts_holder.counts.push_back({labels[h], available[h], static_cast<int64_t>(pool.size())});
    }
    Subset out = finish(examples, groups, chosen, group_strata);
    out.counts = std::move(counts_holder.counts);
    return out;
}

}  // namespace trmbench
