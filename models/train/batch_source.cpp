// The batch-source interface's defaults and the in-memory source (see batch_source.h).
#include "models/train/batch_source.h"

#include <algorithm>

#include "harness/core/error.h"
#include "harness/core/rng.h"

namespace trmbench {

bool TrainBatchStream::skip(int64_t n) {
    HostBatch scratch;
    for (int64_t i = 0; i < n; ++i)
        if (!next(scratch)) return false;
    return true;
}

void check_stream_options(const StreamOptions & o) {
    if (o.world_size < 1) throw UsageError("world size must be >= 1, got " + std::to_string(o.world_size));
    if (o.rank < 0 || o.rank >= o.world_size)
        throw UsageError("rank " + std::to_string(o.rank) + " is outside [0, " + std::to_string(o.world_size) + ")");
    if (o.global_batch_size <= 0 || o.global_batch_size % o.world_size != 0)
        throw UsageError("global batch size " + std::to_string(o.global_batch_size) +
                         " must be positive and divisible by the world size " + std::to_string(o.world_size));
    if (o.epochs_per_iter < 1) throw UsageError("epochs per iteration must be >= 1");
}

namespace {

void check_split(const MemorySplit & s, int64_t seq_len, const char * name) {
    auto bad = [&](const std::string & why) { throw UsageError(std::string("in-memory dataset, ") + name + " split: " + why); };
    if (seq_len <= 0) bad("seq_len must be > 0");
    if (s.inputs.size() != s.labels.size() || s.inputs.size() % static_cast<size_t>(seq_len) != 0)
        bad("inputs and labels must both hold N x seq_len tokens");
    const int64_t n = s.num_examples(seq_len);
    if (s.puzzle_indices.empty() || s.puzzle_indices.front() != 0 || s.puzzle_indices.back() != n)
        bad("puzzle_indices must run from 0 to the number of examples");
    if (s.puzzle_identifiers.size() + 1 != s.puzzle_indices.size()) bad("one puzzle identifier per puzzle");
    const int64_t puzzles = static_cast<int64_t>(s.puzzle_identifiers.size());
    if (s.group_indices.empty() || s.group_indices.front() != 0 || s.group_indices.back() != puzzles)
        bad("group_indices must run from 0 to the number of puzzles");
    for (size_t i = 1; i < s.puzzle_indices.size(); ++i)
        if (s.puzzle_indices[i] <= s.puzzle_indices[i - 1]) bad("puzzle_indices must increase strictly");
    for (size_t i = 1; i < s.group_indices.size(); ++i)
        if (s.group_indices[i] <= s.group_indices[i - 1]) bad("group_indices must increase strictly");
}

// Copies examples `rows` (with their identifiers) into out, then `pad` padding rows.
void collate(const MemorySplit & s, int64_t seq_len, const std::vector<int64_t> & rows, const std::vector<int32_t> & ids,
             int64_t pad, int32_t pad_id, int32_t blank_id, HostBatch & out) {
    out.rows = static_cast<int64_t>(rows.size()) + pad;
    out.seq_len = seq_len;
    out.padding_rows = pad;
    out.inputs.assign(static_cast<size_t>(out.rows * seq_len), pad_id);
    out.labels.assign(static_cast<size_t>(out.rows * seq_len), -100);
    out.puzzle_identifiers.assign(static_cast<size_t>(out.rows), blank_id);
    for (size_t r = 0; r < rows.size(); ++r) {
        auto from = static_cast<size_t>(rows[r] * seq_len);
        std::copy_n(s.inputs.begin() + static_cast<std::ptrdiff_t>(from), seq_len,
                    out.inputs.begin() + static_cast<std::ptrdiff_t>(r * static_cast<size_t>(seq_len)));
        std::copy_n(s.labels.begin() + static_cast<std::ptrdiff_t>(from), seq_len,
                    out.labels.begin() + static_cast<std::ptrdiff_t>(r * static_cast<size_t>(seq_len)));
        out.puzzle_identifiers[r] = ids[r];
    }
}

class MemoryTrainStream : public TrainBatchStream {
public:
    MemoryTrainStream(const MemorySplit & s, int64_t seq_len, StreamOptions o, int32_t pad, int32_t blank)
        : s_(s), seq_len_(seq_len), o_(o), pad_(pad), blank_(blank), rng_(0) {}

    void start_iteration(int64_t iteration) override {
        rng_ = Rng(derive_seed(o_.seed, static_cast<uint64_t>(iteration)));
        order_.clear();
        const int64_t groups = static_cast<int64_t>(s_.group_indices.size()) - 1;
        for (int64_t e = 0; e < o_.epochs_per_iter; ++e) {
            std::vector<int64_t> perm(static_cast<size_t>(groups));
            for (int64_t g = 0; g < groups; ++g) perm[static_cast<size_t>(g)] = g;
            rng_.shuffle(perm);
            order_.insert(order_.end(), perm.begin(), perm.end());
        }
        pos_ = 0;
    }

    bool next(HostBatch & out) override {
        std::vector<int64_t> rows;
        std::vector<int32_t> ids;
        const int64_t B = o_.global_batch_size;
        while (pos_ < order_.size() && static_cast<int64_t>(rows.size()) < B) {
            const int64_t g = order_[pos_++];
            const int64_t p = s_.group_indices[static_cast<size_t>(g)] +
                              static_cast<int64_t>(rng_.below(static_cast<uint64_t>(s_.group_indices[static_cast<size_t>(g) + 1] -
                                                                                     s_.group_indices[static_cast<size_t>(g)])));
            const int64_t first = s_.puzzle_indices[static_cast<size_t>(p)];
            const int64_t size = s_.puzzle_indices[static_cast<size_t>(p) + 1] - first;
            std::vector<int64_t> examples(static_cast<size_t>(size));
            for (int64_t i = 0; i < size; ++i) examples[static_cast<size_t>(i)] = first + i;
            rng_.shuffle(examples);
            const int64_t take = std::min<int64_t>(size, B - static_cast<int64_t>(rows.size()));
            for (int64_t i = 0; i < take; ++i) {
                rows.push_back(examples[static_cast<size_t>(i)]);
                ids.push_back(s_.puzzle_identifiers[static_cast<size_t>(p)]);
            }
        }
        if (static_cast<int64_t>(rows.size()) < B) return false;  // the incomplete last batch is dropped
        const int64_t local = B / o_.world_size;
        const auto begin = static_cast<std::ptrdiff_t>(o_.rank * local);
        std::vector<int64_t> mine(rows.begin() + begin, rows.begin() + begin + local);
        std::vector<int32_t> mine_ids(ids.begin() + begin, ids.begin() + begin + local);
        collate(s_, seq_len_, mine, mine_ids, 0, pad_, blank_, out);
        out.global_effective = B;
        return true;
    }

private:
    const MemorySplit & s_;
    int64_t seq_len_;
    StreamOptions o_;
    int32_t pad_, blank_;
    Rng rng_;
    std::vector<int64_t> order_;
    size_t pos_ = 0;
};

class MemoryTestStream : public TestBatchStream {
public:
    MemoryTestStream(const MemorySplit & s, int64_t seq_len, StreamOptions o, int32_t pad, int32_t blank)
        : s_(s), seq_len_(seq_len), o_(o), pad_(pad), blank_(blank) {}

    int64_t num_batches() const override {
        const int64_t n = s_.num_examples(seq_len_);
        return (n + o_.global_batch_size - 1) / o_.global_batch_size;
    }
    void reset() override { start_ = 0; }
    bool next(HostBatch & out) override {
        const int64_t n = s_.num_examples(seq_len_);
        if (start_ >= n) return false;
        const int64_t end = std::min(n, start_ + o_.global_batch_size);
        const int64_t local = o_.global_batch_size / o_.world_size;
        const int64_t lo = std::min(end, start_ + o_.rank * local), hi = std::min(end, start_ + (o_.rank + 1) * local);
        std::vector<int64_t> rows;
        std::vector<int32_t> ids;
        for (int64_t e = lo; e < hi; ++e) {
            rows.push_back(e);
            auto it = std::upper_bound(s_.puzzle_indices.begin(), s_.puzzle_indices.end(), e);
            ids.push_back(s_.puzzle_identifiers[static_cast<size_t>(it - s_.puzzle_indices.begin() - 1)]);
        }
        collate(s_, seq_len_, rows, ids, local - static_cast<int64_t>(rows.size()), pad_, blank_, out);
        out.global_effective = end - start_;
        start_ += o_.global_batch_size;
        return true;
    }

private:
    const MemorySplit & s_;
    int64_t seq_len_;
    StreamOptions o_;
    int32_t pad_, blank_;
    int64_t start_ = 0;
};

}  // namespace

MemoryBatchSource::MemoryBatchSource(TrainDataInfo info, MemorySplit train, MemorySplit test, int32_t pad_id, int32_t blank_id)
    : info_(std::move(info)), train_(std::move(train)), test_(std::move(test)), pad_id_(pad_id), blank_id_(blank_id) {
    check_split(train_, info_.seq_len, "train");
    info_.train_examples = train_.num_examples(info_.seq_len);
    info_.total_groups = static_cast<int64_t>(train_.group_indices.size()) - 1;
    info_.mean_puzzle_examples = static_cast<double>(info_.train_examples) /
                                 static_cast<double>(std::max<size_t>(train_.puzzle_identifiers.size(), 1));
    if (!test_.inputs.empty()) {
        check_split(test_, info_.seq_len, "test");
        info_.test_examples = test_.num_examples(info_.seq_len);
    }
}

std::unique_ptr<TrainBatchStream> MemoryBatchSource::train_stream(const StreamOptions & options) const {
    check_stream_options(options);
    return std::make_unique<MemoryTrainStream>(train_, info_.seq_len, options, pad_id_, blank_id_);
}

std::unique_ptr<TestBatchStream> MemoryBatchSource::test_stream(const StreamOptions & options) const {
    check_stream_options(options);
    if (test_.inputs.empty()) return nullptr;
    return std::make_unique<MemoryTestStream>(test_, info_.seq_len, options, pad_id_, blank_id_);
}

}  // namespace trmbench
