// The batch sampler of the reference's puzzle_dataset.py (spec §3.5), deterministic and seeded.
//
// Train mode (TrainSampler), one "iteration" = `epochs_per_iter` epochs (the reference sets it to
// eval_interval):
//   - the group order is epochs_per_iter random permutations of all groups, one after another;
//   - walking that order, each group contributes one random puzzle (variant) of it, whose examples
//     are appended in random order (without replacement), truncated to fill the global batch
//     exactly; the rest of that puzzle's examples are skipped, as in the reference;
//   - a global batch that cannot be filled ends the iteration (the last incomplete batch is
//     dropped);
//   - with data parallelism every rank runs the same sampler and takes its contiguous slice
//     [rank * B/W, (rank + 1) * B/W) of each global batch.
// Randomness: the reference uses Philox(seed + iteration) for the group order and puzzle choice and
// unseeded np.random.choice for the example order; here all three come from
// derive_seed(derive_seed(seed, stream), iteration) with separate streams for the order and the
// picks, so the same (seed, iteration) gives the same batches on every machine and rank.
//
// Test mode (TestSampler): sequential chunks of `global_batch_size` examples; each rank takes its
// slice, and a slice that runs past the end is padded: inputs PAD, labels -100, identifier
// blank_identifier_id.
//
// Collate (both): int32 tokens; labels equal to ignore_label_id become -100 (kIgnoreLabel).
#pragma once

#include <cstdint>
#include <vector>

#include "harness/core/rng.h"
#include "models/data/puzzle_split.h"

namespace trmbench {

struct SamplerOptions {
    int64_t global_batch_size = 768;
    int rank = 0;
    int world_size = 1;
    int64_t epochs_per_iter = 1;  // train mode only
    uint64_t seed = 0;            // train mode only
};

// One local batch, flat row-major.
struct Batch {
    std::vector<int32_t> inputs;              // [rows * seq_len]
    std::vector<int32_t> labels;              // [rows * seq_len], ignore_label_id -> -100
    std::vector<int32_t> puzzle_identifiers;  // [rows]
    int64_t rows = 0;                         // the local batch size (always global / world_size)
    int64_t padding_rows = 0;                 // trailing padded rows of this local batch (test mode)
    int64_t global_effective = 0;             // real examples in the whole global batch (the reference's
                                              // third yielded value; < global_batch_size only in test mode)
    std::vector<int64_t> example_indices;     // dataset rows of the non-padding rows (for evaluation)
};

// Throws UsageError unless the batch size is positive and divisible by world_size and rank is in range.
void check_sampler_options(const SamplerOptions & o);

class TrainSampler {
public:
    // The split must outlive the sampler.
    TrainSampler(const PuzzleSplit & split, SamplerOptions options);

    // Starts an iteration. The reference counts iterations from 1 (its first __iter__ uses seed + 1).
    void start_iteration(int64_t iteration);
    // The next local batch of the current iteration; false when it is exhausted.
    bool next(Batch & out);

    // The global batch last produced by next(), before rank slicing: dataset example rows and
    // their puzzle indices (tests, diagnostics).
    const std::vector<int64_t> & global_examples() const { return examples_; }
    const std::vector<int64_t> & global_puzzles() const { return puzzles_; }

    // Number of full global batches iteration `iteration` yields (a dry run without collation).
    int64_t count_batches(int64_t iteration) const;

    int64_t local_batch_size() const { return opts_.global_batch_size / opts_.world_size; }
    const SamplerOptions & options() const { return opts_; }

private:
    struct State {
        Rng order_rng{0};
        Rng pick_rng{0};
        std::vector<int32_t> permutation;  // the current epoch's group order
        int64_t epoch = 0;                 // epochs started in this iteration
        size_t pos = 0;                    // next index into permutation
        bool exhausted = true;
    };
    void reset_state(State & st, int64_t iteration) const;
    // Next group of the iteration's order, or -1 at its end.
    int64_t next_group(State & st) const;
    // Fills one global batch; false when it could not be filled.
    bool sample_global(State & st, std::vector<int64_t> & examples, std::vector<int64_t> & puzzles,
                       std::vector<int64_t> & scratch) const;

    const PuzzleSplit & split_;
    SamplerOptions opts_;
    State state_;
    std::vector<int64_t> examples_, puzzles_, scratch_;
};

class TestSampler {
public:
    TestSampler(const PuzzleSplit & split, SamplerOptions options);
    // ceil(examples / global_batch_size).
    int64_t num_batches() const;
    bool next(Batch & out);
    void reset() { start_ = 0; }

private:
    const PuzzleSplit & split_;
    SamplerOptions opts_;
    int64_t start_ = 0;
};

// Fills `out` with the rows `examples` (their puzzles' identifiers) followed by `pad` padding rows.
void collate_batch(const PuzzleSplit & split, const std::vector<int64_t> & examples, const std::vector<int64_t> & puzzles,
                   int64_t pad, Batch & out);

}  // namespace trmbench
