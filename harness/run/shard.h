// Sharding: `trmbench run --shard i/N` runs one of N disjoint parts of a suite's items, e.g. on the
// machines of a Slurm job array; `trmbench merge` combines the shard databases into one.
//
// Partition: an item belongs to shard  first 8 bytes of sha256(dataset '\n' group), big-endian, mod N.
// Hashing the item's identity (not its position) keeps the partition stable when the suite grows:
// adding a task or enlarging a subset never moves an existing item to another shard. ARC test pairs
// of one task (one group) stay on one shard. Every shard inserts the full manifest (the denominator
// is the dataset) and attempts only its own items.
//
// Slurm: without --shard, SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN,
// default 0) give i = ID - MIN and N = COUNT. Shards are 0-based: "0/4" .. "3/4".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace trmbench {

struct Shard {
    int index = 0;
    int count = 1;
    bool whole() const { return count == 1; }
    std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
    bool operator==(const Shard &) const = default;
};

// Parses "i/N" (0 <= i < N, 1 <= N <= 100000); throws UsageError naming `what` (e.g. "--shard").
Shard parse_shard(std::string_view text, const std::string & what = "--shard");
// The shard of a Slurm job array from the environment, nullopt outside one. Throws UsageError when
// the variables are inconsistent.
std::optional<Shard> shard_from_slurm_env();

// The shard (0..count-1) an item belongs to.
int shard_of(std::string_view dataset, std::string_view group, int count);
inline bool in_shard(std::string_view dataset, std::string_view group, const Shard & s) {
    return s.count <= 1 || shard_of(dataset, group, s.count) == s.index;
}

}  // namespace trmbench
