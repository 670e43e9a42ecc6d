// Sharding: parsing, Slurm detection, and the partition (disjoint, covering, balanced, stable).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "harness/run/shard.h"

using namespace trmbench;

namespace {

// Sets environment variables for one scope.
class EnvScope {
public:
    EnvScope(std::initializer_list<std::pair<const char *, const char *>> vars) {
        for (auto [k, v] : vars) {
            const char * old = std::getenv(k);
            saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
            if (v) ::setenv(k, v, 1);
            else ::unsetenv(k);
        }
    }
    ~EnvScope() {
        for (auto & [k, v] : saved_) {
            if (v) ::setenv(k.c_str(), v->c_str(), 1);
            else ::unsetenv(k.c_str());
        }
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

TEST_CASE("shards parse as 0-based i/N", "[run][shard]") {
    CHECK(parse_shard("0/4") == Shard{0, 4});
    CHECK(parse_shard("3/4") == Shard{3, 4});
    CHECK(parse_shard("0/1").whole());
    CHECK_THROWS_AS(parse_shard("4/4"), UsageError);
    CHECK_THROWS_AS(parse_shard("-1/4"), UsageError);
    CHECK_THROWS_AS(parse_shard("1/0"), UsageError);
    CHECK_THROWS_AS(parse_shard("1"), UsageError);
    CHECK_THROWS_AS(parse_shard("a/b"), UsageError);
    CHECK_THROWS_AS(parse_shard("1/4x"), UsageError);
    try {
        parse_shard("4/4");
    } catch (const UsageError & e) {
        CHECK(std::string(e.what()).find("0-based") != std::string::npos);
    }
}

TEST_CASE("a Slurm job array gives the shard", "[run][shard]") {
    {
        EnvScope env({{"SLURM_ARRAY_TASK_ID", nullptr}, {"SLURM_ARRAY_TASK_COUNT", nullptr}, {"SLURM_ARRAY_TASK_MIN", nullptr}});
        CHECK_FALSE(shard_from_slurm_env());
    }
    {
        EnvScope env({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "8"}, {"SLURM_ARRAY_TASK_MIN", nullptr}});
        CHECK(shard_from_slurm_env() == Shard{2, 8});
    }
    {
        // --array=1-4: ids 1..4 map to shards 0..3.
        EnvScope env({{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"}});
        CHECK(shard_from_slurm_env() == Shard{3, 4});
    }
    {
        EnvScope env({{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "0"}});
        CHECK_THROWS_AS(shard_from_slurm_env(), UsageError);
    }
    {
        EnvScope env({{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", nullptr}});
        CHECK_THROWS_AS(shard_from_slurm_env(), UsageError);
    }
}

TEST_CASE("shards partition the items: disjoint, covering, balanced", "[run][shard]") {
    const int n_items = 4000;
    for (int count : {1, 2, 3, 7}) {
        std::vector<int> per_shard(static_cast<size_t>(count), 0);
        for (int i = 0; i < n_items; ++i) {
            std::string id = "item" + std::to_string(i);
            int owners = 0;
            for (int s = 0; s < count; ++s)
                if (in_shard("ds", id, Shard{s, count})) ++owners, ++per_shard[static_cast<size_t>(s)];
            REQUIRE(owners == 1);  // exactly one shard: disjoint and covering
        }
        for (int c : per_shard) {
            // A hash partition: each shard within 5 sigma of n/count.
            double mean = static_cast<double>(n_items) / count;
            CHECK(std::abs(c - mean) < 5 * std::sqrt(mean) + 1);
        }
    }
}

TEST_CASE("an item's shard does not move when the suite grows", "[run][shard]") {
    // The shard depends on the item's identity only, not on the other items or their order.
    std::map<std::string, int> before;
    for (int i = 0; i < 500; ++i) before["p" + std::to_string(i)] = shard_of("sudoku/x", "p" + std::to_string(i), 4);
    for (int i = 499; i >= 0; --i) {
        std::string id = "p" + std::to_string(i);
        CHECK(shard_of("sudoku/x", id, 4) == before[id]);
    }
    // The dataset is part of the identity: the same id in two datasets may fall in different shards.
    int differ = 0;
    for (int i = 0; i < 200; ++i) differ += shard_of("a", std::to_string(i), 4) != shard_of("b", std::to_string(i), 4);
    CHECK(differ > 0);
}
