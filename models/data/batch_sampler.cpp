// Train and test batch samplers and the collate step (see batch_sampler.h).
#include "models/data/batch_sampler.h"

#include <algorithm>

#include "harness/core/error.h"

namespace trmbench {

namespace {

// Stream ids below the sampler seed (distinct from the dataset builders' streams by construction:
// they hang off another parent).
constexpr uint64_t kSamplerStream = 0x73616d706c6572ULL;  // "sampler"
constexpr uint64_t kOrderStream = 1;
constexpr uint64_t kPickStream = 2;

}  // namespace

void check_sampler_options(const SamplerOptions & o) {
    if (o.global_batch_size <= 0) throw UsageError("global batch size must be positive");
    if (o.world_size <= 0) throw UsageError("world size must be positive");
    if (o.global_batch_size % o.world_size != 0)
        throw UsageError("global batch size " + std::to_string(o.global_batch_size) + " is not a multiple of the world size " +
                         std::to_string(o.world_size));
    if (o.rank < 0 || o.rank >= o.world_size)
        throw UsageError("rank " + std::to_string(o.rank) + " outside [0, " + std::to_string(o.world_size) + ")");
    if (o.epochs_per_iter <= 0) throw UsageError("epochs per iteration must be positive");
}

void collate_batch(const PuzzleSplit & split, const std::vector<int64_t> & examples, const std::vector<int64_t> & puzzles,
                   int64_t pad, Batch & out) {
    const auto & meta = split.metadata();
    const size_t L = static_cast<size_t>(meta.seq_len);
    const size_t rows = examples.size() + static_cast<size_t>(pad);
    out.rows = static_cast<int64_t>(rows);
    out.padding_rows = pad;
    out.inputs.resize(rows * L);
    out.labels.resize(rows * L);
    out.puzzle_identifiers.resize(rows);
    out.example_indices.assign(examples.begin(), examples.end());
    const auto ids = split.puzzle_identifiers();
    for (size_t i = 0; i < examples.size(); ++i) {
        split.copy_input(examples[i], std::span<int32_t>(out.inputs.data() + i * L, L));
        split.copy_label(examples[i], std::span<int32_t>(out.labels.data() + i * L, L));
        out.puzzle_identifiers[i] = ids[static_cast<size_t>(puzzles[i])];
    }
    if (meta.ignore_label_id) {
        const int32_t ignore = *meta.ignore_label_id;
        const size_t n = examples.size() * L;
        for (size_t i = 0; i < n; ++i)
            if (out.labels[i] == ignore) out.labels[i] = kIgnoreLabel;
    }
    std::fill(out.inputs.begin() + static_cast<std::ptrdiff_t>(examples.size() * L), out.inputs.end(), meta.pad_id);
    std::fill(out.labels.begin() + static_cast<std::ptrdiff_t>(examples.size() * L), out.labels.end(), kIgnoreLabel);
    std::fill(out.puzzle_identifiers.begin() + static_cast<std::ptrdiff_t>(examples.size()), out.puzzle_identifiers.end(),
              meta.blank_identifier_id);
}

// --- TrainSampler ----------------------------------------------------------------------------

TrainSampler::TrainSampler(const PuzzleSplit & split, SamplerOptions options) : split_(split), opts_(options) {
    check_sampler_options(opts_);
}

void TrainSampler::reset_state(State & st, int64_t iteration) const {
    const uint64_t iter_seed = derive_seed(derive_seed(opts_.seed, kSamplerStream), static_cast<uint64_t>(iteration));
    st.order_rng = Rng(derive_seed(iter_seed, kOrderStream));
    st.pick_rng = Rng(derive_seed(iter_seed, kPickStream));
    st.permutation.clear();
    st.epoch = 0;
    st.pos = 0;
    st.exhausted = split_.num_groups() == 0;
}

int64_t TrainSampler::next_group(State & st) const {
    if (st.pos >= st.permutation.size()) {
        if (st.epoch >= opts_.epochs_per_iter || split_.num_groups() == 0) return -1;
        const int64_t groups = split_.num_groups();
        st.permutation.resize(static_cast<size_t>(groups));
        for (int64_t g = 0; g < groups; ++g) st.permutation[static_cast<size_t>(g)] = static_cast<int32_t>(g);
        st.order_rng.shuffle(st.permutation);
        st.pos = 0;
        ++st.epoch;
    }
    return st.permutation[st.pos++];
}

bool TrainSampler::sample_global(State & st, std::vector<int64_t> & examples, std::vector<int64_t> & puzzles,
                                 std::vector<int64_t> & scratch) const {
    examples.clear();
    puzzles.clear();
    const int64_t B = opts_.global_batch_size;
    const auto gidx = split_.group_indices();
    const auto pidx = split_.puzzle_indices();
    while (static_cast<int64_t>(examples.size()) < B) {
        const int64_t g = next_group(st);
        if (g < 0) return false;
        const int64_t first = gidx[static_cast<size_t>(g)], last = gidx[static_cast<size_t>(g) + 1];
        const int64_t p = first + static_cast<int64_t>(st.pick_rng.below(static_cast<uint64_t>(last - first)));
        const int64_t start = pidx[static_cast<size_t>(p)];
        const int64_t size = pidx[static_cast<size_t>(p) + 1] - start;
        const int64_t take = std::min(size, B - static_cast<int64_t>(examples.size()));
        // `take` distinct examples of the puzzle in random order: a partial Fisher-Yates.
        scratch.resize(static_cast<size_t>(size));
        for (int64_t i = 0; i < size; ++i) scratch[static_cast<size_t>(i)] = i;
        for (int64_t i = 0; i < take; ++i) {
            const int64_t j = i + static_cast<int64_t>(st.pick_rng.below(static_cast<uint64_t>(size - i)));
            std::swap(scratch[static_cast<size_t>(i)], scratch[static_cast<size_t>(j)]);
            examples.push_back(start + scratch[static_cast<size_t>(i)]);
            puzzles.push_back(p);
        }
    }
    return true;
}

void TrainSampler::start_iteration(int64_t iteration) { reset_state(state_, iteration); }

bool TrainSampler::next(Batch & out) {
    if (state_.exhausted) return false;
    if (!sample_global(state_, examples_, puzzles_, scratch_)) {
        state_.exhausted = true;  // the last incomplete batch is dropped, and the iteration ends
        return false;
    }
    const int64_t local = local_batch_size();
    const auto first = examples_.begin() + opts_.rank * local;
    std::vector<int64_t> ex(first, first + local);
    const auto pfirst = puzzles_.begin() + opts_.rank * local;
    std::vector<int64_t> pz(pfirst, pfirst + local);
    collate_batch(split_, ex, pz, 0, out);
    out.global_effective = opts_.global_batch_size;
    return true;
}

int64_t TrainSampler::count_batches(int64_t iteration) const {
    State st;
    reset_state(st, iteration);
    std::vector<int64_t> ex, pz, scratch;
    int64_t n = 0;
    while (!st.exhausted && sample_global(st, ex, pz, scratch)) ++n;
    return n;
}

// --- TestSampler -----------------------------------------------------------------------------

TestSampler::TestSampler(const PuzzleSplit & split, SamplerOptions options) : split_(split), opts_(options) {
    check_sampler_options(opts_);
}

int64_t TestSampler::num_batches() const {
    return (split_.num_examples() + opts_.global_batch_size - 1) / opts_.global_batch_size;
}

bool TestSampler::next(Batch & out) {
    const int64_t total = split_.num_examples();
    if (start_ >= total) return false;
    const int64_t end = std::min(total, start_ + opts_.global_batch_size);
    const int64_t local = opts_.global_batch_size / opts_.world_size;
    const int64_t local_start = start_ + opts_.rank * local;
    const int64_t local_end = std::min(start_ + (opts_.rank + 1) * local, end);
    std::vector<int64_t> ex, pz;
    if (local_end > local_start) {
        int64_t p = split_.puzzle_of_example(local_start);
        const auto pidx = split_.puzzle_indices();
        for (int64_t i = local_start; i < local_end; ++i) {
            while (i >= pidx[static_cast<size_t>(p) + 1]) ++p;  // puzzles are contiguous and non-empty
            ex.push_back(i);
            pz.push_back(p);
        }
    }
    collate_batch(split_, ex, pz, local - static_cast<int64_t>(ex.size()), out);
    out.global_effective = end - start_;
    start_ += opts_.global_batch_size;
    return true;
}

}  // namespace trmbench
