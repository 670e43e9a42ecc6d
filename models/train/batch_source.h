// What the trainer needs from a training dataset, as a small interface: the dataset's shape and
// identity, a seeded train-batch stream per iteration (seekable, so a resumed run continues with
// the very next batch), and the padded test batches. models/train/dataset_source.cpp adapts the
// on-disk datasets of models/data (the reference layout, built by `trmbench data build`);
// MemoryBatchSource is an in-memory implementation for tests and small experiments.
//
// Conventions (reference puzzle_dataset.py, spec §3.5): batches are local to a rank (the global
// batch divided by the world size); labels are already collated (ignored positions are -100); a
// train iteration covers `epochs_per_iter` epochs and drops its last incomplete global batch;
// iterations are numbered from 1; test batches are sequential chunks of the global batch size,
// padded at the end (inputs PAD, labels -100, identifier blank).
// Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace trmbench {

struct HostBatch {
    int64_t rows = 0;                         // local batch rows
    int64_t seq_len = 0;
    std::vector<int32_t> inputs;              // [rows * seq_len]
    std::vector<int32_t> labels;              // [rows * seq_len], -100 = ignored
    std::vector<int32_t> puzzle_identifiers;  // [rows]
    int64_t padding_rows = 0;                 // trailing padded rows (test batches)
    int64_t global_effective = 0;             // real examples in the whole global batch
};

struct TrainDataInfo {
    std::string name;                    // for logs
    std::string key;                     // identity of the built dataset (cache key / content hash); "" = unknown
    int64_t seq_len = 0;
    int64_t vocab_size = 0;
    int64_t num_puzzle_identifiers = 0;
    int64_t total_groups = 0;            // train split
    double mean_puzzle_examples = 0;     // train split
    int64_t train_examples = 0;
    int64_t test_examples = 0;           // 0: no test split
};

struct StreamOptions {
    int64_t global_batch_size = 768;
    int rank = 0;
    int world_size = 1;
    int64_t epochs_per_iter = 1;  // train streams only
    uint64_t seed = 0;            // train streams only
};

class TrainBatchStream {
public:
    virtual ~TrainBatchStream() = default;
    // Starts iteration `iteration` (>= 1) from its first batch.
    virtual void start_iteration(int64_t iteration) = 0;
    // The next local batch of the current iteration; false when it is exhausted.
    virtual bool next(HostBatch & out) = 0;
    // Skips `n` batches of the current iteration (resume); false when it holds fewer.
    virtual bool skip(int64_t n);
};

class TestBatchStream {
public:
    virtual ~TestBatchStream() = default;
    virtual int64_t num_batches() const = 0;
    virtual void reset() = 0;
    virtual bool next(HostBatch & out) = 0;
};

class BatchSource {
public:
    virtual ~BatchSource() = default;
    virtual const TrainDataInfo & info() const = 0;
    // Throw UsageError for impossible options (batch not divisible by the world size, ...).
    virtual std::unique_ptr<TrainBatchStream> train_stream(const StreamOptions & options) const = 0;
    // nullptr when the dataset has no test split.
    virtual std::unique_ptr<TestBatchStream> test_stream(const StreamOptions & options) const = 0;
};

// One split in memory, in the reference's CSR layout: examples [N, seq_len] (inputs, labels with
// -100 for ignored positions), puzzle p = examples [puzzle_indices[p], puzzle_indices[p+1]) with
// identifier puzzle_identifiers[p], group g = puzzles [group_indices[g], group_indices[g+1]).
struct MemorySplit {
    std::vector<int32_t> inputs;
    std::vector<int32_t> labels;
    std::vector<int32_t> puzzle_identifiers;
    std::vector<int64_t> puzzle_indices;
    std::vector<int64_t> group_indices;

    int64_t num_examples(int64_t seq_len) const { return seq_len > 0 ? static_cast<int64_t>(inputs.size()) / seq_len : 0; }
};

// An in-memory dataset with the reference's group-wise sampling: per iteration, epochs_per_iter
// seeded permutations of the groups; each group contributes one random puzzle whose examples are
// appended in random order, truncated to fill the global batch; the incomplete last batch is
// dropped; each rank takes its contiguous slice. Randomness: trmbench::Rng seeded with
// derive_seed(seed, iteration). Validates the arrays (UsageError naming the array).
class MemoryBatchSource : public BatchSource {
public:
    MemoryBatchSource(TrainDataInfo info, MemorySplit train, MemorySplit test, int32_t pad_id = 0, int32_t blank_id = 0);
    const TrainDataInfo & info() const override { return info_; }
    std::unique_ptr<TrainBatchStream> train_stream(const StreamOptions & options) const override;
    std::unique_ptr<TestBatchStream> test_stream(const StreamOptions & options) const override;

private:
    TrainDataInfo info_;
    MemorySplit train_, test_;
    int32_t pad_id_, blank_id_;
};

// Throws UsageError unless the global batch is positive and divisible by the world size and the
// rank is in range.
void check_stream_options(const StreamOptions & o);

}  // namespace trmbench
