// Helpers for the trainer tests: a tiny model config and a small seeded in-memory dataset.
#pragma once

#include <memory>

#include "harness/core/rng.h"
#include "models/train/batch_source.h"
#include "models/train/train_config.h"

namespace trmbench::test {

// A few thousand parameters; fast enough for hundreds of steps in a test.
inline ModelConfig tiny_model(ModelFamily family = ModelFamily::trm) {
    ModelConfig c;
    c.family = family;
    c.name = "tiny";
    c.batch_size = 8;
    c.seq_len = 10;
    c.vocab_size = 7;
    c.num_puzzle_identifiers = 5;
    c.puzzle_emb_ndim = 16;
    c.puzzle_emb_len = family == ModelFamily::trm ? 2 : 0;
    c.H_cycles = 2;
    c.L_cycles = 2;
    c.H_layers = family == ModelFamily::hrm ? 1 : 0;
    c.L_layers = 1;
    c.hidden_size = 16;
    c.num_heads = 2;
    c.expansion = 2;
    c.halt_max_steps = 4;
    c.halt_exploration_prob = 0.3;
    c.forward_dtype = ForwardDType::float32;
    return c;
}

inline TrainSpec tiny_spec(ModelFamily family = ModelFamily::trm) {
    TrainSpec s;
    s.model = tiny_model(family);
    s.train.global_batch_size = 8;
    s.train.epochs = 4;
    s.train.eval_interval = 2;
    s.train.lr = 1e-3;
    s.train.puzzle_emb_lr = 1e-2;
    s.train.weight_decay = 0.1;
    s.train.puzzle_emb_weight_decay = 0.1;
    s.train.lr_warmup_steps = 5;
    s.train.ema = family == ModelFamily::trm;
    s.train.log_every_steps = 5;
    s.train.keep_last = 10;
    s.source = "tiny";
    return s;
}

// Groups of 1-3 puzzles with 1-2 examples each; labels = (input + 1) mod V with some ignored.
inline MemorySplit tiny_split(int64_t groups, uint64_t seed, int64_t seq_len = 10, int32_t vocab = 7, int32_t ids = 5) {
    Rng rng(seed);
    MemorySplit s;
    s.puzzle_indices.push_back(0);
    s.group_indices.push_back(0);
    for (int64_t g = 0; g < groups; ++g) {
        const int64_t puzzles = rng.uniform(1, 3);
        for (int64_t p = 0; p < puzzles; ++p) {
            const int64_t examples = rng.uniform(1, 2);
            for (int64_t e = 0; e < examples; ++e)
                for (int64_t t = 0; t < seq_len; ++t) {
                    const auto x = static_cast<int32_t>(rng.uniform(1, vocab - 1));
                    s.inputs.push_back(x);
                    s.labels.push_back(rng.unit() < 0.1 ? -100 : (x + 1) % vocab);
                }
            s.puzzle_indices.push_back(s.puzzle_indices.back() + examples);
            s.puzzle_identifiers.push_back(static_cast<int32_t>(rng.uniform(1, ids - 1)));
        }
        s.group_indices.push_back(static_cast<int64_t>(s.puzzle_identifiers.size()));
    }
    return s;
}

inline std::shared_ptr<MemoryBatchSource> tiny_data(const std::string & key = "tiny-data-v1", int64_t groups = 24) {
    TrainDataInfo info;
    info.name = "tiny";
    info.key = key;
    info.seq_len = 10;
    info.vocab_size = 7;
    info.num_puzzle_identifiers = 5;
    return std::make_shared<MemoryBatchSource>(info, tiny_split(groups, 11), tiny_split(5, 12));
}

}  // namespace trmbench::test
