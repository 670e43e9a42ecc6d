// JSON helpers private to adapters/ (.cpp files only; never included outside this module).
//
// Every accessor is total: a missing key or a value of the wrong type gives the fallback, so a
// surprising provider body never throws out of a parser.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace trmbench::jsonu {

using json = nlohmann::json;

inline const json * child(const json & j, const char * key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

inline std::string str(const json & j, const char * key, std::string fallback = {}) {
    const json * c = child(j, key);
    return c && c->is_string() ? c->get<std::string>() : fallback;
}

// Largest count accepted from a provider body (2^53): anything above is nonsense, and keeping counts
// small means sums and products of them can never overflow.
constexpr int64_t kMaxCount = int64_t(1) << 53;

// Integer field; floats are truncated; absent, non-numeric or outside [-2^53, 2^53] -> fallback.
inline int64_t int_or(const json & j, const char * key, int64_t fallback) {
    const json * c = child(j, key);
    if (!c) return fallback;
    if (c->is_number_unsigned()) {
        uint64_t v = c->get<uint64_t>();
        return v <= static_cast<uint64_t>(kMaxCount) ? static_cast<int64_t>(v) : fallback;
    }
    if (c->is_number_integer()) {
        int64_t v = c->get<int64_t>();
        return v >= -kMaxCount && v <= kMaxCount ? v : fallback;
    }
    if (c->is_number_float()) {
        double v = c->get<double>();
        return v >= -static_cast<double>(kMaxCount) && v <= static_cast<double>(kMaxCount) ? static_cast<int64_t>(v)
                                                                                              : fallback;
    }
    return fallback;
}

// A token count: like int_or, but negative values are nonsense too and give the fallback.
inline int64_t count(const json & j, const char * key, int64_t fallback) {
    int64_t v = int_or(j, key, -1);
    return v >= 0 ? v : fallback;
}

inline const json & obj(const json & j, const char * key) {
    static const json empty = json::object();
    const json * c = child(j, key);
    return c && c->is_object() ? *c : empty;
}

inline const json & arr(const json & j, const char * key) {
    static const json empty = json::array();
    const json * c = child(j, key);
    return c && c->is_array() ? *c : empty;
}

// Parses a body, tolerating keep-alive blank lines before it; discarded() on failure.
json parse_body(std::string_view body, std::string * error);

// Canonical text of a JSON value: sorted keys (nlohmann objects are ordered maps), no whitespace.
inline std::string canonical(const json & j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace trmbench::jsonu
