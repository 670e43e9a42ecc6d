// Helpers shared by the checkpoint tests: byte views, blobs, hand-built archives, and the
// expected contents that tests/fuzz/make_python_seeds.py wrote next to its checkpoints.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "models/io/tensor_blob.h"

namespace trmbench::test {

inline std::span<const uint8_t> bytes_of(const std::string & s) {
    return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

template <class T>
TensorBlob make_blob(DType dtype, std::vector<int64_t> shape, const std::vector<T> & values) {
    TensorBlob b;
    b.dtype = dtype;
    b.shape = std::move(shape);
    b.data.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(b.data.data(), values.data(), b.data.size());
    return b;
}

// A stored zip with `archive`/data.pkl = pkl plus the given records (name relative to `archive`/).
std::string make_archive(const std::string & pkl, const std::vector<std::pair<std::string, std::string>> & records,
                         const std::string & archive = "archive");

// Every element as a double (exact for every dtype we store, except i64 beyond 2^53).
std::vector<double> values_as_double(const TensorBlob & t);

// tests/fuzz/expected/<name>.json: {key: {dtype, shape, values}} written by Python.
struct ExpectedTensorValues {
    std::string dtype;
    std::vector<int64_t> shape;
    std::vector<double> values;
};
std::map<std::string, ExpectedTensorValues> load_expected(const std::filesystem::path & json_path);

std::filesystem::path fuzz_dir();  // tests/fuzz in the source tree

}  // namespace trmbench::test
