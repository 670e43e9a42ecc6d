// TensorBlob: a tensor as plain bytes (dtype, shape, little-endian data) with no LibTorch in sight.
//
// Checkpoint readers and writers (safetensors, PyTorch zip/pickle) work on TensorBlobs, so they
// compile in seconds, can be fuzzed without torch, and never trust a file to describe memory.
// models/io/torch_convert.h turns blobs into at::Tensor and back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace trmbench {

enum class DType { f64, f32, f16, bf16, i64, i32, i16, i8, u8, boolean };

size_t dtype_size(DType d);
// Safetensors spelling: "F32", "BF16", "I64", "BOOL", ...
std::string_view dtype_name(DType d);
// Parses the safetensors spelling; false when unknown.
bool parse_dtype_name(std::string_view name, DType & out);

struct TensorBlob {
    DType dtype = DType::f32;
    std::vector<int64_t> shape;
    std::vector<uint8_t> data;  // numel() * dtype_size(dtype) bytes, little-endian, row-major

    int64_t numel() const;      // product of shape (1 for a scalar)
    // Typed reads for small metadata tensors and tests; throw std::logic_error on dtype mismatch.
    std::vector<float> to_f32() const;     // f32, f16, bf16, f64 are converted
    std::vector<int64_t> to_i64() const;   // any integer or bool dtype
};

// Tensors by name, sorted (so that every writer is deterministic).
using TensorMap = std::map<std::string, TensorBlob>;

// bf16 <-> f32 helpers (round-to-nearest-even, as PyTorch does).
float bf16_to_f32(uint16_t v);
uint16_t f32_to_bf16(float v);
float f16_to_f32(uint16_t v);

}  // namespace trmbench
