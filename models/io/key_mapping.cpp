// Wrapper prefixes and the expected-keys check.
#include "models/io/key_mapping.h"

#include "harness/core/error.h"

namespace trmbench {

std::string_view wrapper_prefix(std::string_view key) {
    size_t pos = 0;
    auto skip = [&](std::string_view p) {
        if (key.substr(pos).starts_with(p) && key.size() > pos + p.size()) {
            pos += p.size();
            return true;
        }
        return false;
    };
    while (skip("module.") || skip("_orig_mod.")) {
    }
    skip("model.");
    skip("inner.");
    return key.substr(0, pos);
}

std::string strip_wrapper_prefix(std::string_view key) { return std::string(key.substr(wrapper_prefix(key).size())); }

TensorMap strip_wrapper_prefixes(const TensorMap & tensors, const std::string & origin) {
    TensorMap out;
    std::map<std::string, std::string> source;
    for (const auto & [key, blob] : tensors) {
        std::string name = strip_wrapper_prefix(key);
        if (auto it = source.find(name); it != source.end())
            throw InputError(origin + ": keys '" + it->second + "' and '" + key + "' both become '" + name +
                             "' once their wrapper prefixes are stripped");
        source.emplace(name, key);
        out.emplace(std::move(name), blob);
    }
    return out;
}

TensorMap add_key_prefix(const TensorMap & tensors, std::string_view prefix) {
    TensorMap out;
    for (const auto & [key, blob] : tensors) {
        std::string name = key.starts_with(prefix) ? key : std::string(prefix) + key;
        out.emplace(std::move(name), blob);  // "a" and prefix+"a" cannot both exist unless both were given
    }
    if (out.size() != tensors.size()) throw InputError("adding prefix '" + std::string(prefix) + "' merges two keys");
    return out;
}

std::string common_wrapper_prefix(const TensorMap & tensors) {
    if (tensors.empty()) return "";
    const std::string first(wrapper_prefix(tensors.begin()->first));
    for (const auto & [key, blob] : tensors)
        if (wrapper_prefix(key) != first) return "";
    return first;
}

std::string shape_string(const std::vector<int64_t> & shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

KeyCheckReport check_tensor_keys(const std::map<std::string, ExpectedTensor> & expected, const TensorMap & actual) {
    KeyCheckReport r;
    for (const auto & [key, want] : expected) {
        auto it = actual.find(key);
        if (it == actual.end()) {
            r.missing.push_back(key);
            continue;
        }
        const TensorBlob & got = it->second;
        if (got.shape != want.shape)
            r.mismatched.push_back({key, "shape " + shape_string(got.shape) + " expected " + shape_string(want.shape)});
        if (want.dtype && got.dtype != *want.dtype)
            r.mismatched.push_back({key, "dtype " + std::string(dtype_name(got.dtype)) + " expected " + std::string(dtype_name(*want.dtype))});
    }
    for (const auto & [key, blob] : actual)
        if (!expected.count(key)) r.unexpected.push_back(key);
    return r;
}

std::string KeyCheckReport::to_string(size_t max_lines) const {
    std::vector<std::string> lines;
    for (const auto & k : missing) lines.push_back("missing key '" + k + "'");
    for (const auto & k : unexpected) lines.push_back("unexpected key '" + k + "'");
    for (const auto & m : mismatched) lines.push_back("key '" + m.key + "': " + m.what);
    std::string out;
    for (size_t i = 0; i < lines.size() && i < max_lines; ++i) out += (i ? "\n" : "") + lines[i];
    if (lines.size() > max_lines) out += "\n... and " + std::to_string(lines.size() - max_lines) + " more";
    return out;
}

}  // namespace trmbench
