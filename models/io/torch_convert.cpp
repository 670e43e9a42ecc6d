#include "models/io/torch_convert.h"

#include <cstring>
#include <stdexcept>

namespace trmbench {

at::ScalarType to_scalar_type(DType d) {
    switch (d) {
        case DType::f64: return at::kDouble;
        case DType::f32: return at::kFloat;
        case DType::f16: return at::kHalf;
        case DType::bf16: return at::kBFloat16;
        case DType::i64: return at::kLong;
        case DType::i32: return at::kInt;
        case DType::i16: return at::kShort;
        case DType::i8: return at::kChar;
        case DType::u8: return at::kByte;
        case DType::boolean: return at::kBool;
    }
    throw std::invalid_argument("unknown dtype");
}

DType from_scalar_type(at::ScalarType t) {
    switch (t) {
        case at::kDouble: return DType::f64;
        case at::kFloat: return DType::f32;
        case at::kHalf: return DType::f16;
        case at::kBFloat16: return DType::bf16;
        case at::kLong: return DType::i64;
        case at::kInt: return DType::i32;
        case at::kShort: return DType::i16;
        case at::kChar: return DType::i8;
        case at::kByte: return DType::u8;
        case at::kBool: return DType::boolean;
        default: throw std::invalid_argument(std::string("unsupported tensor dtype ") + c10::toString(t));
    }
}

at::Tensor to_tensor(const TensorBlob & blob) {
    at::Tensor t = at::empty(blob.shape, at::TensorOptions().dtype(to_scalar_type(blob.dtype)));
    if (!blob.data.empty()) std::memcpy(t.data_ptr(), blob.data.data(), blob.data.size());
    return t;
}

TensorBlob from_tensor(const at::Tensor & t) {
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    TensorBlob b;
    b.dtype = from_scalar_type(c.scalar_type());
    b.shape = c.sizes().vec();
    b.data.resize(static_cast<size_t>(c.numel()) * dtype_size(b.dtype));
    if (!b.data.empty()) std::memcpy(b.data.data(), c.data_ptr(), b.data.size());
    return b;
}

}  // namespace trmbench
