#include "models/io/tensor_blob.h"

#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace trmbench {
namespace {

struct DTypeInfo {
    DType dtype;
    std::string_view name;
    size_t size;
};

constexpr std::array<DTypeInfo, 10> kDTypes = {{
    {DType::f64,     "F64",  8},
    {DType::f32,     "F32",  4},
    {DType::f16,     "F16",  2},
    {DType::bf16,    "BF16", 2},
    {DType::i64,     "I64",  8},
    {DType::i32,     "I32",  4},
    {DType::i16,     "I16",  2},
    {DType::i8,      "I8",   1},
    {DType::u8,      "U8",   1},
    {DType::boolean, "BOOL", 1},
}};

const DTypeInfo & info(DType d) {
    for (const auto & i : kDTypes)
        if (i.dtype == d) return i;
    throw std::logic_error("unknown dtype");
}

template <class T>
T load(const uint8_t * p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

size_t dtype_size(DType d) { return info(d).size; }
std::string_view dtype_name(DType d) { return info(d).name; }

bool parse_dtype_name(std::string_view name, DType & out) {
    for (const auto & i : kDTypes) {
        if (i.name == name) {
            out = i.dtype;
            return true;
        }
    }
    return false;
}

int64_t TensorBlob::numel() const {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
}

float bf16_to_f32(uint16_t v) {
    uint32_t bits = static_cast<uint32_t>(v) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t f32_to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if (std::isnan(f)) return 0x7fc0;
    uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
    return static_cast<uint16_t>((bits + rounding) >> 16);
}

float f16_to_f32(uint16_t h) {
    uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) { mant <<= 1; --exp; }
            mant &= 0x3ff;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::vector<float> TensorBlob::to_f32() const {
    const int64_t n = numel();
    std::vector<float> out(static_cast<size_t>(n));
    const uint8_t * p = data.data();
    for (int64_t i = 0; i < n; ++i) {
        switch (dtype) {
            case DType::f32: out[i] = load<float>(p + 4 * i); break;
            case DType::f64: out[i] = static_cast<float>(load<double>(p + 8 * i)); break;
            case DType::bf16: out[i] = bf16_to_f32(load<uint16_t>(p + 2 * i)); break;
            case DType::f16: out[i] = f16_to_f32(load<uint16_t>(p + 2 * i)); break;
            default: throw std::logic_error("to_f32: tensor is not floating point");
        }
    }
    return out;
}

std::vector<int64_t> TensorBlob::to_i64() const {
    const int64_t n = numel();
    std::vector<int64_t> out(static_cast<size_t>(n));
    const uint8_t * p = data.data();
    for (int64_t i = 0; i < n; ++i) {
        switch (dtype) {
            case DType::i64: out[i] = load<int64_t>(p + 8 * i); break;
            case DType::i32: out[i] = load<int32_t>(p + 4 * i); break;
            case DType::i16: out[i] = load<int16_t>(p + 2 * i); break;
            case DType::i8: out[i] = load<int8_t>(p + i); break;
            case DType::u8:
            case DType::boolean: out[i] = p[i]; break;
            default: throw std::logic_error("to_i64: tensor is not integer");
        }
    }
    return out;
}

}  // namespace trmbench
