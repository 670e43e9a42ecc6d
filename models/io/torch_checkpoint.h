// PyTorch checkpoints (torch.save zip format) read and written without Python or LibTorch.
//
// LibTorch 1.13's pickle_load cannot read a state_dict() checkpoint (it maps OrderedDict to None),
// so this reader parses the zip and the pickle itself: `<archive>/data.pkl` (a restricted pickle of
// an OrderedDict or dict of _rebuild_tensor_v2 tensors) and the raw storages `<archive>/data/<key>`.
// Storages tagged 'cuda:0' etc. load onto the CPU, views of shared storages and non-contiguous
// strides are gathered into contiguous TensorBlobs, and a dict that wraps the state dict under a
// key such as 'model' or 'state_dict' is unwrapped. Every error is an InputError naming the file.
//
// The writer produces the layout of the reference's own files (see the fixtures' README §3): an
// OrderedDict with `_metadata`, persistent-id storages, 64-byte aligned stored records and a
// `version` record, so that `torch.load` in Python (1.13 and 2.x) reads our files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "models/io/file_io.h"
#include "models/io/pickle.h"
#include "models/io/tensor_blob.h"

namespace trmbench {

struct TorchReadOptions {
    bool verify_crc = true;                       // check each record read against its zip CRC-32
    // Bytes of tensors materialised. Views can expand a storage (stride 0) or repeat it, so a small
    // hostile file could ask for terabytes; 0 means 4 x the file size + 1 GiB.
    uint64_t max_total_bytes = 0;
    pickle::PickleLimits pickle;
    // Called with a storage's bytes once every tensor viewing it has been copied out (the file
    // reader uses it to drop those mapped pages from memory).
    std::function<void(std::span<const uint8_t>)> release_storage;
};

struct TorchCheckpoint {
    TensorMap tensors;
    std::vector<std::string> key_order;  // tensor names in file order
    std::string archive_name;            // top folder inside the zip ("checkpoint", "step_518071", "archive")
    std::string state_dict_key;          // "" when the top-level object is the state dict, else e.g. "model"
    bool ordered_dict = false;           // the state dict was a collections.OrderedDict
    std::vector<std::string> locations;  // distinct storage locations, e.g. {"cpu"} or {"cuda:0"}
    std::vector<std::string> skipped;    // non-tensor entries of the state dict ("step: int 1234")
    std::vector<std::string> pickle_opcodes;  // opcodes data.pkl used (diagnostics)
    std::string version;                 // the `version` record ("3")
    size_t shared_storage_tensors = 0;   // tensors viewing a storage that another tensor also views
};

TorchCheckpoint parse_torch_checkpoint(std::span<const uint8_t> bytes, const std::string & origin,
                                       const TorchReadOptions & options = {});
// Maps the file and parses it. Throws InputError "<path>: ..." for a bad file, IoError when it
// cannot be read.
TorchCheckpoint read_torch_checkpoint(const std::filesystem::path & path, const TorchReadOptions & options = {});

struct TorchWriteOptions {
    std::string archive_name;              // top folder; empty: the file name without extension ("archive" in memory)
    bool module_metadata = true;           // write OrderedDict._metadata ({module path: {'version': 1}})
    std::vector<std::string> key_order;    // keys listed here come first, in this order; the rest sorted
};

void serialize_torch_checkpoint(const TensorMap & tensors, ByteSink & sink, const TorchWriteOptions & options = {});
std::string serialize_torch_checkpoint(const TensorMap & tensors, const TorchWriteOptions & options = {});
// Streams into a temporary file and renames it into place (an existing file survives a failure).
void write_torch_checkpoint(const std::filesystem::path & path, const TensorMap & tensors, TorchWriteOptions options = {});

}  // namespace trmbench
