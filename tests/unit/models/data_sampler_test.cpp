// The batch sampler (spec §3.5) on small in-memory splits: every group once per epoch, exact batch
// sizes, the last incomplete batch dropped, puzzle examples without repetition, rank slices that
// are disjoint and cover the global batch, determinism per (seed, iteration), test-mode padding
// and the ignore-label collate.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "harness/core/error.h"
#include "models/data/batch_sampler.h"

using namespace trmbench;

namespace {

// A split whose example e has input tokens all equal to (e % 10) + 1 and label tokens
// (e % 3) (so 0 = ignore shows up), with the given puzzles per group and examples per puzzle.
PuzzleSplit make_split(const std::vector<std::vector<int>> & groups, int seq_len = 4) {
    PuzzleDatasetMetadata m;
    m.seq_len = seq_len;
    m.vocab_size = 12;
    m.pad_id = 0;
    m.ignore_label_id = 0;
    m.blank_identifier_id = 0;
    std::vector<int32_t> pidx{0}, gidx{0}, ids;
    int64_t examples = 0;
    for (const auto & g : groups) {
        for (int n : g) {
            examples += n;
            pidx.push_back(static_cast<int32_t>(examples));
            ids.push_back(static_cast<int32_t>(ids.size()) + 1);
        }
        gidx.push_back(static_cast<int32_t>(ids.size()));
    }
    std::vector<uint8_t> in, lab;
    for (int64_t e = 0; e < examples; ++e)
        for (int t = 0; t < seq_len; ++t) {
            in.push_back(static_cast<uint8_t>(e % 10 + 1));
            lab.push_back(static_cast<uint8_t>((e + t) % 3));
        }
    m.num_puzzle_identifiers = static_cast<int64_t>(ids.size()) + 1;
    m.total_groups = static_cast<int64_t>(groups.size());
    m.total_puzzles = static_cast<int64_t>(ids.size());
    m.mean_puzzle_examples = static_cast<double>(examples) / static_cast<double>(ids.size());
    return PuzzleSplit::from_memory(m, in, lab, ids, pidx, gidx);
}

std::vector<std::vector<int>> one_example_groups(int n) { return std::vector<std::vector<int>>(static_cast<size_t>(n), {1}); }

int64_t group_of_puzzle(const PuzzleSplit & s, int64_t p) {
    auto g = s.group_indices();
    return static_cast<int64_t>(std::upper_bound(g.begin(), g.end(), static_cast<int32_t>(p)) - g.begin()) - 1;
}

}  // namespace

TEST_CASE("train sampler: each group once per epoch, exact batches, last partial batch dropped", "[models][data][sampler]") {
    PuzzleSplit s = make_split(one_example_groups(10));
    SamplerOptions o;
    o.global_batch_size = 5;
    o.epochs_per_iter = 3;
    o.seed = 9;
    TrainSampler sampler(s, o);
    sampler.start_iteration(1);
    std::vector<int64_t> order;
    Batch b;
    int batches = 0;
    while (sampler.next(b)) {
        ++batches;
        CHECK(b.rows == 5);
        CHECK(b.inputs.size() == 5 * 4);
        CHECK(b.padding_rows == 0);
        CHECK(b.global_effective == 5);
        for (int64_t p : sampler.global_puzzles()) order.push_back(group_of_puzzle(s, p));
    }
    CHECK(batches == 6);
    CHECK(sampler.count_batches(1) == 6);
    REQUIRE(order.size() == 30);
    for (int epoch = 0; epoch < 3; ++epoch) {
        std::set<int64_t> seen(order.begin() + epoch * 10, order.begin() + epoch * 10 + 10);
        CHECK(seen.size() == 10);  // a permutation of all groups
    }
    CHECK(std::vector<int64_t>(order.begin(), order.begin() + 10) != std::vector<int64_t>(order.begin() + 10, order.begin() + 20));

    o.global_batch_size = 4;  // 30 groups -> 7 full batches, 2 groups dropped
    TrainSampler dropper(s, o);
    CHECK(dropper.count_batches(1) == 7);
    dropper.start_iteration(1);
    int n = 0;
    while (dropper.next(b)) ++n;
    CHECK(n == 7);
    CHECK_FALSE(dropper.next(b));  // stays exhausted
}

TEST_CASE("train sampler: one random puzzle per group, its examples without repetition, truncated", "[models][data][sampler]") {
    // Group 0: puzzles of 3 and 5 examples; group 1: one puzzle of 2; group 2: puzzles of 4, 1, 6.
    PuzzleSplit s = make_split({{3, 5}, {2}, {4, 1, 6}});
    const auto pidx = s.puzzle_indices();
    auto size_of = [&](int64_t p) { return pidx[static_cast<size_t>(p) + 1] - pidx[static_cast<size_t>(p)]; };
    SamplerOptions o;
    o.global_batch_size = 4;
    o.epochs_per_iter = 1;  // each group once per iteration: every run of one puzzle is one pick
    o.seed = 1;
    TrainSampler sampler(s, o);
    std::map<int64_t, int> picks;
    int truncated = 0, batches = 0;
    for (int64_t iteration = 1; iteration <= 300; ++iteration) {
        sampler.start_iteration(iteration);
        Batch b;
        int64_t count = 0;
        while (sampler.next(b)) {
            ++count;
            ++batches;
            const auto & ex = sampler.global_examples();
            const auto & pz = sampler.global_puzzles();
            REQUIRE(ex.size() == 4);
            std::set<int64_t> groups_in_batch;
            for (size_t i = 0; i < ex.size();) {
                size_t j = i;
                std::set<int64_t> run;
                while (j < ex.size() && pz[j] == pz[i]) {
                    CHECK(ex[j] >= pidx[static_cast<size_t>(pz[j])]);  // the example belongs to its puzzle
                    CHECK(ex[j] < pidx[static_cast<size_t>(pz[j]) + 1]);
                    CHECK(b.puzzle_identifiers[j] == s.puzzle_identifiers()[static_cast<size_t>(pz[j])]);
                    CHECK(b.inputs[j * 4] == static_cast<int32_t>(ex[j] % 10 + 1));  // the example's own tokens
                    run.insert(ex[j++]);
                }
                CHECK(run.size() == j - i);  // no example twice
                CHECK(groups_in_batch.insert(group_of_puzzle(s, pz[i])).second);  // one puzzle per group
                if (j < ex.size()) CHECK(static_cast<int64_t>(j - i) == size_of(pz[i]));  // whole puzzle...
                else CHECK(static_cast<int64_t>(j - i) <= size_of(pz[i]));                // ...or the truncated last
                if (static_cast<int64_t>(j - i) < size_of(pz[i])) ++truncated;
                ++picks[pz[i]];
                i = j;
            }
        }
        CHECK(count == sampler.count_batches(iteration));  // the dry run agrees with the walk
    }
    CHECK(batches > 300);
    CHECK(truncated > 0);
    for (int64_t p = 0; p < s.num_puzzles(); ++p) CHECK(picks[p] > 0);  // every variant gets picked
}

TEST_CASE("train sampler: same seed and iteration, same batches; rank slices partition the global batch", "[models][data][sampler]") {
    PuzzleSplit s = make_split({{3, 5}, {2}, {4, 1, 6}, {1}, {2, 2}, {7}});
    SamplerOptions o;
    o.global_batch_size = 12;
    o.epochs_per_iter = 20;
    o.seed = 77;
    auto run = [&](SamplerOptions opt, int64_t iteration) {
        TrainSampler sampler(s, opt);
        sampler.start_iteration(iteration);
        std::vector<std::vector<int64_t>> out;
        Batch b;
        while (sampler.next(b)) out.push_back(b.example_indices);
        return out;
    };
    const auto a = run(o, 1);
    CHECK(a == run(o, 1));
    CHECK(a != run(o, 2));
    auto other_seed = o;
    other_seed.seed = 78;
    CHECK(a != run(other_seed, 1));

    // Global batches from world size 1, then three ranks: slices in rank order rebuild them.
    for (int world : {2, 3, 4}) {
        std::vector<std::vector<std::vector<int64_t>>> per_rank;
        for (int rank = 0; rank < world; ++rank) {
            auto opt = o;
            opt.world_size = world;
            opt.rank = rank;
            per_rank.push_back(run(opt, 1));
        }
        for (size_t bi = 0; bi < a.size(); ++bi) {
            std::vector<int64_t> joined;
            for (int rank = 0; rank < world; ++rank) {
                REQUIRE(per_rank[static_cast<size_t>(rank)].size() == a.size());
                const auto & part = per_rank[static_cast<size_t>(rank)][bi];
                CHECK(part.size() == static_cast<size_t>(12 / world));
                joined.insert(joined.end(), part.begin(), part.end());
            }
            CHECK(joined == a[bi]);  // disjoint, contiguous, covering
        }
    }
    o.world_size = 5;
    CHECK_THROWS_AS(TrainSampler(s, o), UsageError);  // 12 is not a multiple of 5
    o.world_size = 2;
    o.rank = 2;
    CHECK_THROWS_AS(TrainSampler(s, o), UsageError);
}

TEST_CASE("test sampler: sequential chunks, padded last batch, per-rank slices", "[models][data][sampler]") {
    PuzzleSplit s = make_split({{3}, {2, 1}, {4}});  // 10 examples in 4 puzzles
    SamplerOptions o;
    o.global_batch_size = 4;
    o.world_size = 2;
    std::vector<int64_t> seen;
    for (int rank = 0; rank < 2; ++rank) {
        o.rank = rank;
        TestSampler t(s, o);
        CHECK(t.num_batches() == 3);
        Batch b;
        int n = 0;
        while (t.next(b)) {
            CHECK(b.rows == 2);
            seen.insert(seen.end(), b.example_indices.begin(), b.example_indices.end());
            if (n == 2) {
                CHECK(b.global_effective == 2);  // examples 8 and 9
                CHECK(b.padding_rows == (rank == 0 ? 0 : 2));
            } else {
                CHECK(b.global_effective == 4);
                CHECK(b.padding_rows == 0);
            }
            for (int64_t r = b.rows - b.padding_rows; r < b.rows; ++r) {
                CHECK(b.puzzle_identifiers[static_cast<size_t>(r)] == 0);  // blank identifier
                for (int t2 = 0; t2 < 4; ++t2) {
                    CHECK(b.inputs[static_cast<size_t>(r * 4 + t2)] == 0);       // PAD
                    CHECK(b.labels[static_cast<size_t>(r * 4 + t2)] == -100);    // ignored
                }
            }
            for (size_t i = 0; i < b.example_indices.size(); ++i)
                CHECK(b.puzzle_identifiers[i] == s.puzzle_identifiers()[static_cast<size_t>(s.puzzle_of_example(b.example_indices[i]))]);
            ++n;
        }
        CHECK(n == 3);
    }
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});

    // Global batch 16 on 4 ranks over 10 examples: rank 2 gets 8, 9 and 2 padding rows; rank 3
    // (12..15) lies wholly past the end and gets padding only.
    o.global_batch_size = 16;
    o.world_size = 4;
    for (int rank : {2, 3}) {
        o.rank = rank;
        TestSampler last(s, o);
        Batch b;
        REQUIRE(last.next(b));
        CHECK(b.rows == 4);
        CHECK(b.padding_rows == (rank == 2 ? 2 : 4));
        CHECK(b.example_indices == (rank == 2 ? std::vector<int64_t>{8, 9} : std::vector<int64_t>{}));
        CHECK(b.global_effective == 10);
        CHECK_FALSE(last.next(b));
    }
}

TEST_CASE("collate: labels equal to ignore_label_id become -100, others stay", "[models][data][sampler]") {
    PuzzleSplit s = make_split({{2}, {2}});
    Batch b;
    collate_batch(s, {0, 1, 3}, {0, 0, 1}, 1, b);
    REQUIRE(b.labels.size() == 16);
    for (int64_t row = 0; row < 3; ++row) {
        const int64_t e = std::vector<int64_t>{0, 1, 3}[static_cast<size_t>(row)];
        for (int t = 0; t < 4; ++t) {
            const int raw = static_cast<int>((e + t) % 3);
            CHECK(b.labels[static_cast<size_t>(row * 4 + t)] == (raw == 0 ? -100 : raw));
        }
    }
    for (int t = 0; t < 4; ++t) CHECK(b.labels[static_cast<size_t>(12 + t)] == -100);
    CHECK(b.puzzle_identifiers == std::vector<int32_t>{1, 1, 2, 0});
}
