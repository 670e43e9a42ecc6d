// Safetensors: read and write the format (8-byte LE header length, JSON header, raw data).
//
// The reader trusts nothing: header length, JSON, dtypes, shapes and offsets are all checked
// against the file size, offsets must tile the data area without gaps or overlap, and every error
// names the file and the tensor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "models/io/tensor_blob.h"

namespace trmbench {

struct SafetensorsFile {
    TensorMap tensors;
    std::map<std::string, std::string> metadata;  // the optional "__metadata__" string map
    std::vector<std::string> key_order;           // tensor names in data-offset order
};

// Throws InputError "<origin>: <what>" on any malformed input. `release`, when given, is called with
// each tensor's bytes once they have been copied (the file reader drops those mapped pages).
SafetensorsFile parse_safetensors(std::span<const uint8_t> bytes, const std::string & origin,
                                  const std::function<void(std::span<const uint8_t>)> & release = {});
SafetensorsFile read_safetensors(const std::filesystem::path & path);

// Deterministic bytes: tensors in `key_order` (the names it lists, e.g. a state dict's order), the
// rest in name order; header padded with spaces to a multiple of 8.
std::string serialize_safetensors(const TensorMap & tensors, const std::map<std::string, std::string> & metadata = {},
                                  const std::vector<std::string> & key_order = {});
// Atomic, streamed write (temporary file + rename): an existing file survives a failed write.
void write_safetensors(const std::filesystem::path & path, const TensorMap & tensors,
                       const std::map<std::string, std::string> & metadata = {}, const std::vector<std::string> & key_order = {});

}  // namespace trmbench
