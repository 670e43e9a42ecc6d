// Helpers for the checkpoint tests (see checkpoint_test_util.h).
#include "tests/unit/models/checkpoint_test_util.h"

#include <map>
#include <nlohmann/json.hpp>

#include "harness/core/paths.h"
#include "models/io/file_io.h"
#include "models/io/zip.h"
#include "tests/support/test_support.h"

namespace trmbench::test {

std::string make_archive(const std::string & pkl, const std::vector<std::pair<std::string, std::string>> & records,
                         const std::string & archive) {
    StringSink sink;
    ZipWriter zip(sink);
    zip.add(archive + "/data.pkl", std::string_view(pkl));
    for (const auto & [name, data] : records) zip.add(archive + "/" + name, std::string_view(data));
    zip.add(archive + "/version", std::string_view("3\n"));
    zip.finish();
    return std::move(sink.str());
}

template <class T>
static T load_at(const TensorBlob & t, size_t i) {
    T v;
    std::memcpy(&v, t.data.data() + i * sizeof(T), sizeof(T));
    return v;
}

std::vector<double> values_as_double(const TensorBlob & t) {
    const size_t n = static_cast<size_t>(t.numel());
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) {
        switch (t.dtype) {
            case DType::f64: out[i] = load_at<double>(t, i); break;
            case DType::f32: out[i] = load_at<float>(t, i); break;
            case DType::bf16: out[i] = bf16_to_f32(load_at<uint16_t>(t, i)); break;
            case DType::f16: out[i] = f16_to_f32(load_at<uint16_t>(t, i)); break;
            case DType::i64: out[i] = static_cast<double>(load_at<int64_t>(t, i)); break;
            case DType::i32: out[i] = load_at<int32_t>(t, i); break;
            case DType::i16: out[i] = load_at<int16_t>(t, i); break;
            case DType::i8: out[i] = load_at<int8_t>(t, i); break;
            case DType::u8:
            case DType::boolean: out[i] = load_at<uint8_t>(t, i); break;
        }
    }
    return out;
}

std::map<std::string, ExpectedTensorValues> load_expected(const std::filesystem::path & json_path) {
    auto j = nlohmann::json::parse(read_file(json_path));
    std::map<std::string, ExpectedTensorValues> out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        ExpectedTensorValues e;
        e.dtype = it.value().at("dtype").get<std::string>();
        e.shape = it.value().at("shape").get<std::vector<int64_t>>();
        for (const auto & v : it.value().at("values")) e.values.push_back(v.get<double>());
        out.emplace(it.key(), std::move(e));
    }
    return out;
}

std::filesystem::path fuzz_dir() { return source_dir() / "tests" / "fuzz"; }

}  // namespace trmbench::test
