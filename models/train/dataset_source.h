// The trainer's data: `trmbench train run --data DATASET_OR_CACHE` resolved to a BatchSource over the
// on-disk training datasets of models/data (the reference's npy layout, built by
// `trmbench train data build`). DATASET_OR_CACHE is one of
//   - a built dataset directory (has trmbench_dataset.json): opened with its version checks, its
//     cache key identifies the data in checkpoints;
//   - a directory in the reference layout without a manifest (train/dataset.json, e.g. made by the
//     Python build_*_dataset.py scripts): identified by a hash of its metadata and array sizes;
//   - a dataset name or path of the data directory (sudoku/..., maze/...) or arc1 / arc2: built into
//     the cache with the paper's defaults (Sudoku 1000 puzzles x 1000 augmentations, Maze without
//     augmentation, ARC 1000 variants), or reused from it.
// Batches come from models/data's sampler (the reference's group-wise sampler, seeded).
// Torch-free.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "models/train/batch_source.h"

namespace trmbench {

struct DataOpenSettings {
    std::filesystem::path data_dir;  // for dataset names
    int threads = 0;                 // dataset builds
    bool quiet = false;
};

// Throws UsageError (unknown name), InputError (bad or foreign dataset: "dataset cache from another
// version" / "with other parameters"), IoError.
std::shared_ptr<const BatchSource> open_batch_source(const std::string & data, const DataOpenSettings & settings);

}  // namespace trmbench
