// Shard parsing, Slurm job-array detection and the hash partition (see shard.h).
#include "harness/run/shard.h"

#include <charconv>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"

namespace trmbench {
namespace {

constexpr int kMaxShards = 100000;

bool parse_int(std::string_view s, long long & out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Shard parse_shard(std::string_view text, const std::string & what) {
    auto slash = text.find('/');
    long long i = 0, n = 0;
    if (slash == std::string_view::npos || !parse_int(text.substr(0, slash), i) || !parse_int(text.substr(slash + 1), n))
        throw UsageError(what + ": expected i/N (0-based shard i of N, e.g. 0/4), got '" + std::string(text) + "'");
    if (n < 1 || n > kMaxShards) throw UsageError(what + ": N must be in [1, " + std::to_string(kMaxShards) + "], got " + std::to_string(n));
    if (i < 0 || i >= n)
        throw UsageError(what + ": shard index must be in [0, " + std::to_string(n - 1) + "] (shards are 0-based), got " + std::to_string(i));
    return {static_cast<int>(i), static_cast<int>(n)};
}

std::optional<Shard> shard_from_slurm_env() {
    auto id = env("SLURM_ARRAY_TASK_ID");
    auto count = env("SLURM_ARRAY_TASK_COUNT");
    if (!id || !count) return std::nullopt;
    long long i = 0, n = 0, lo = 0;
    auto min = env("SLURM_ARRAY_TASK_MIN");
    if (!parse_int(*id, i) || !parse_int(*count, n) || (min && !parse_int(*min, lo)))
        throw UsageError("Slurm job array: SLURM_ARRAY_TASK_ID/COUNT/MIN must be integers (got '" + *id + "', '" + *count + "', '" +
                         min.value_or("") + "')");
    std::string text = std::to_string(i - lo) + "/" + std::to_string(n);
    return parse_shard(text, "Slurm job array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN / SLURM_ARRAY_TASK_COUNT; "
                             "arrays with a step other than 1 need --shard)");
}

int shard_of(std::string_view dataset, std::string_view group, int count) {
    if (count <= 1) return 0;
    Sha256 h;
    h.update(dataset);
    h.update("\n");
    h.update(group);
    auto d = h.digest();
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | d[static_cast<size_t>(k)];
    return static_cast<int>(v % static_cast<uint64_t>(count));
}

}  // namespace trmbench
