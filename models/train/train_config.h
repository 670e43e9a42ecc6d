// The training recipe (reference pretrain.py PretrainConfig; spec §2.4-2.8, §2.10) and the run
// settings trmbench adds (step limits, evaluation and checkpoint cadence, kept checkpoints).
// Torch-free, so the CLI can parse and print it.
//
// Field names follow the reference's PretrainConfig, so a value from an all_config.yaml maps one to
// one. A training spec file (`trmbench train run --config FILE`) is a model config file in the
// nested layout of models/config.h with an extra "train" object:
//   {"name": ..., "family": "trm", "config": {<model dict>}, "train": {<TrainConfig fields>}}
// The paper presets carry their recipe in code (paper_recipe(), from spec §2.8); the small CPU
// presets (models/presets/*-cpu*.json) carry a "train" object. Unknown "train" keys are errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "models/config.h"

namespace trmbench {

enum class LossKind { stablemax, softmax };
std::string to_string(LossKind k);  // "stablemax_cross_entropy" | "softmax_cross_entropy"

struct TrainConfig {
    // Reference PretrainConfig.
    int64_t global_batch_size = 768;
    int64_t epochs = 50000;
    int64_t eval_interval = 5000;      // epochs per iteration (one evaluation each); 0 = epochs
    int64_t min_eval_interval = 0;     // first iteration that evaluates
    double lr = 1e-4;
    double lr_min_ratio = 1.0;         // 1.0: constant after warm-up; < 1: cosine down to lr * ratio
    int64_t lr_warmup_steps = 2000;
    double weight_decay = 1.0;
    double beta1 = 0.9;
    double beta2 = 0.95;
    double puzzle_emb_lr = 1e-4;
    double puzzle_emb_weight_decay = 1.0;
    bool ema = true;                   // TRM: evaluate and save an EMA of the parameters
    double ema_rate = 0.999;
    uint64_t seed = 0;
    LossKind loss = LossKind::stablemax;

    // trmbench run settings.
    int64_t max_steps = 0;               // > 0: stop after this many optimizer steps (and schedule over them)
    int64_t eval_every_steps = 0;        // > 0: evaluate every N steps instead of at iteration ends
    int64_t checkpoint_every_steps = 0;  // > 0: also checkpoint every N steps (always at evaluations and the end)
    int64_t keep_last = 3;               // checkpoints kept in OUT/checkpoints (the newest K)
    int64_t log_every_steps = 10;        // training-curve points (every step's metrics are averaged into them)
    int64_t eval_max_batches = 0;        // > 0: evaluate on at most this many test batches (quick curves)

    bool operator==(const TrainConfig &) const = default;
};

// Throws UsageError naming the field for impossible values.
void validate(const TrainConfig & t);

// A model with its recipe.
struct TrainSpec {
    ModelConfig model;
    TrainConfig train;
    std::string source;  // preset name or file
};

// The paper recipe of a preset name (spec §2.8): TRM Sudoku/Maze 50k epochs / eval 5k, lr 1e-4 both,
// wd 1.0 both, EMA; TRM ARC 100k/10k, puzzle lr 1e-2, wd 0.1; HRM Sudoku/Maze 20k/2k, wd 1.0,
// no EMA; HRM ARC 100k/10k, puzzle lr 1e-2, wd 0.1. Other names get the family's defaults.
TrainConfig paper_recipe(const std::string & preset, ModelFamily family);

// A preset (paper or CPU) with its recipe. UsageError for unknown names.
TrainSpec load_train_preset(const std::string & name);
// A spec file: a model config (models/config.h layouts) plus an optional "train" object (absent:
// the family's defaults). Parse errors are InputError, bad values UsageError, naming the field.
TrainSpec parse_train_spec(const std::string & json_text, const std::string & origin);
TrainSpec load_train_spec(const std::filesystem::path & path);

// {"name", "family", "variant", "config": {...}, "train": {...}}; parse_train_spec reads it back.
std::string train_spec_to_json(const TrainSpec & spec);
std::string train_config_to_json(const TrainConfig & t);  // the "train" object alone
// Reads a "train" object onto `t` (fields not present keep their value).
void apply_train_json(TrainConfig & t, const std::string & json_object_text, const std::string & origin);

// The reference's cosine_schedule_with_warmup_lr_lambda at `step` (1-based: the first optimizer step
// is step 1): linear warm-up from 0, then cosine from base_lr down to min_ratio * base_lr over
// total_steps. Computed in double exactly as the Python function.
double scheduled_lr(int64_t step, double base_lr, int64_t warmup_steps, int64_t total_steps, double min_ratio,
                    double num_cycles = 0.5);

// int(epochs * total_groups * mean_puzzle_examples / global_batch_size), as pretrain.py.
int64_t reference_total_steps(int64_t epochs, int64_t total_groups, double mean_puzzle_examples, int64_t global_batch);

}  // namespace trmbench
