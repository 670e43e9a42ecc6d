// Resolves what a local model is, before any tensor meets LibTorch: its config (a preset, a
// config JSON, or the reference run's all_config.yaml) and its weights (a PyTorch .pt / official
// extension-less file, a safetensors file, or a trainer checkpoint directory). Torch-free, so the
// runner and the CLI can include it.
//
// Checkpoint paths:
//   a file                 the format is told from the content (safetensors or torch zip)
//   a trainer checkpoint   OUT/checkpoints/step_N/ (model.safetensors, else model.pt; config.json beside)
//   a trainer run          OUT/ (its checkpoints/latest), or OUT/checkpoints
//   a reference run dir    the highest step_N file in it (all_config.yaml beside)
//   a fixture dir          checkpoint.safetensors, else checkpoint.pt, else `checkpoint` (HRM's HF name)
// Config, first that applies: the preset, the --config file (.json: models/config.h layout, parsed
// strictly; .yaml/.yml: all_config.yaml subset), else config.json or all_config.yaml found next to
// the weights. An all_config.yaml has no data shape: seq_len and vocab come from the task family
// (given, or told by the checkpoint's vocabulary: 11 Sudoku, 6 Maze, 12 ARC) and the puzzle-table
// rows from the checkpoint. The puzzle-table size is a dataset property, so a checkpoint whose
// table has a different row count than the config is taken as it is (with a note).
//
// Errors: unknown preset, impossible config, both or neither of preset/config where one is needed
// -> UsageError naming the field; unreadable, truncated or corrupt files -> InputError/IoError
// naming the file. A checkpoint of another architecture is caught when the weights are loaded into
// the model (state_dict.h names every key) — and earlier here when its vocabulary or puzzle-vector
// width contradicts the config.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "models/config.h"
#include "models/io/tensor_blob.h"

namespace trmbench {

struct LocalModelSpec {
    std::string preset;                 // a preset name (models info), or
    std::filesystem::path config;       // a config file (.json or .yaml)
    std::filesystem::path checkpoint;   // file or directory; empty: no weights (random init)
    std::string task_family;            // "", "sudoku", "maze", "arc": data shape for yaml configs
};

struct ResolvedLocalModel {
    ModelConfig config;
    std::string config_source;             // "preset trm-att-sudoku", "config.json (path)", "all_config.yaml (path)"
    std::filesystem::path checkpoint_file;  // the weights file read ("" when none)
    std::string checkpoint_format;         // "pytorch" | "safetensors" | ""
    std::string checkpoint_sha256;         // of checkpoint_file ("" when none)
    TensorMap tensors;                     // the weights, wrapper prefixes stripped
    std::string task_family;               // the family the config's data shape belongs to ("" unknown)
    std::vector<std::string> notes;        // what was inferred or adjusted, for the solver info
};

// The weights file a checkpoint path stands for (see above); UsageError listing what was looked
// for when there is none.
std::filesystem::path find_checkpoint_file(const std::filesystem::path & path);

// Everything but the model: config + weights, checked against each other where that is possible
// without LibTorch. `hash` computes the checkpoint's sha256 (a 1.8 GB ARC file takes seconds).
ResolvedLocalModel resolve_local_model(const LocalModelSpec & spec, bool hash = true);

// The task family a config's data shape matches (TokenLayout::accepts of sudoku, maze, arc), "" none.
std::string family_for_shape(int64_t seq_len, int64_t vocab_size);

}  // namespace trmbench
