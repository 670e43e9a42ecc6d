// Training checkpoints: one directory per saved step, written atomically, the newest K kept.
//
//   OUT/checkpoints/step_000001234/
//     model.safetensors        the eval weights (EMA for the TRM recipe), reference key names
//                              `_orig_mod.model.inner.*` (what `trmbench models ...` loads)
//     model.pt                 the same tensors as the reference saves them: torch.save of an
//                              OrderedDict, so `torch.load` + `load_state_dict` in Python take it
//     config.json              the model config (models/config.h layout)
//     train_state.safetensors  everything to continue bit for bit: live weights, AdamATan2 m/v,
//                              EMA shadow, the carry (all ranks' rows)
//     checkpoint.json          step, schedule length, data position (iteration, batches done),
//                              the full spec (model + recipe), the dataset's name and key, the
//                              per-parameter Adam step counters, world size, trmbench version
//   OUT/checkpoints/latest     the name of the newest complete checkpoint
//
// Atomicity: everything is written into `checkpoints/.partial-step_N-<pid>/` (each file itself
// written then renamed), fsynced, and the directory is renamed into place; only then does `latest`
// move (write then rename) and are old checkpoints pruned. A failure at any point (disk full, a
// size limit) removes the partial directory and leaves every earlier checkpoint untouched; the
// error names the newest intact checkpoint.
// Torch-free (tensors travel as TensorBlobs).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/io/tensor_blob.h"
#include "models/train/train_config.h"

namespace trmbench {

inline constexpr int kTrainCheckpointFormat = 1;

struct CheckpointMeta {
    int format = kTrainCheckpointFormat;
    int64_t step = 0;
    int64_t total_steps = 0;
    int64_t iteration = 1;       // data position: the iteration in progress (1-based)
    int64_t batches_done = 0;    // batches of that iteration already trained on
    bool iteration_finished = false;  // the iteration ended (and was evaluated); continue with the next
    TrainSpec spec;
    std::string dataset_name;
    std::string dataset_key;
    int world_size = 1;
    double wall_time_s = 0;          // training wall time so far (the curves' time axis continues)
    std::string trainer_state_json;  // Trainer::export_state's JSON
    std::string created_by;          // "trmbench <version> (git <sha>)"
    std::string last_eval_json;      // metrics of the latest evaluation, if any
};

std::string checkpoint_meta_to_json(const CheckpointMeta & m);
// InputError naming `origin` for malformed files or another format version.
CheckpointMeta checkpoint_meta_from_json(const std::string & text, const std::string & origin);

struct CheckpointFiles {
    TensorMap eval_weights;   // -> model.safetensors and model.pt
    TensorMap train_state;    // -> train_state.safetensors
    std::string model_config_json;
    CheckpointMeta meta;
};

// "step_000001234".
std::string checkpoint_dir_name(int64_t step);

// Writes `files` as OUT/checkpoints/step_N atomically (see above), points `latest` at it and keeps
// the newest `keep_last`. Returns the new directory. IoError on failure, naming the newest intact
// checkpoint (or saying there is none).
std::filesystem::path write_checkpoint(const std::filesystem::path & out_dir, const CheckpointFiles & files, int64_t keep_last);

// Complete checkpoints under OUT/checkpoints, oldest first.
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path & out_dir);

// `path` is a checkpoint directory (has checkpoint.json) or a run directory (its `latest`, else the
// newest complete checkpoint). UsageError when there is none.
std::filesystem::path resolve_checkpoint(const std::filesystem::path & path);

struct LoadedTrainCheckpoint {
    std::filesystem::path dir;
    CheckpointMeta meta;
    TensorMap train_state;
};
// Reads checkpoint.json and train_state.safetensors. InputError/IoError naming the file.
LoadedTrainCheckpoint read_checkpoint(const std::filesystem::path & checkpoint_dir);

// Why a checkpoint cannot continue this run: differing model config, recipe fields that change the
// optimisation (batch, learning rates, decay, betas, EMA, seed, loss, schedule), or the dataset
// key. Empty when compatible. Run settings (eval cadence, kept checkpoints, step limit) may change.
std::vector<std::string> resume_incompatibilities(const CheckpointMeta & saved, const TrainSpec & spec,
                                                  const std::string & dataset_key);

}  // namespace trmbench
