// Any supported checkpoint file, whatever its name: the format is told from the content (real
// checkpoints are often named `step_518071`, without extension). Torch-free.
#pragma once

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "models/io/tensor_blob.h"

namespace trmbench {

enum class CheckpointFormat { torch_zip, safetensors };

const char * format_name(CheckpointFormat f);  // "pytorch", "safetensors"

// Safetensors when the bytes start like one (a plausible header length, then '{'); PyTorch
// otherwise (its reader explains what else the file might be).
CheckpointFormat detect_checkpoint_format(std::span<const uint8_t> bytes);
// The format an output path asks for: .safetensors, or .pt/.pth/.bin/.ckpt for PyTorch.
// Throws UsageError for any other extension.
CheckpointFormat format_for_output(const std::filesystem::path & path);

struct LoadedCheckpoint {
    CheckpointFormat format = CheckpointFormat::torch_zip;
    TensorMap tensors;
    std::vector<std::string> key_order;            // file order (torch: the state dict's order)
    std::map<std::string, std::string> metadata;   // safetensors __metadata__, or what the torch reader learned
    std::vector<std::string> skipped;              // torch: non-tensor state-dict entries
};

// Throws InputError naming the file for a bad file, IoError when it cannot be read.
LoadedCheckpoint load_checkpoint(const std::filesystem::path & path);

// Writes `tensors` in `format` atomically, in `key_order` (when given). Torch files get an archive
// folder named after the file; safetensors files get `metadata`.
void save_checkpoint(const std::filesystem::path & path, CheckpointFormat format, const TensorMap & tensors,
                     const std::vector<std::string> & key_order = {}, const std::map<std::string, std::string> & metadata = {});

}  // namespace trmbench
