// Typed field reads from a JSON object for the models module's config parsers (model configs,
// training recipes). Every error names the field: "<where>.<key>: expected ..., got ...".
// Internal to models/ .cpp files (it brings nlohmann_json with it).
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "harness/core/error.h"

namespace trmbench::detail {

struct FieldReader {
    const nlohmann::json & obj;
    const std::string & where;  // "file: config"

    [[noreturn]] void bad_type(const std::string & key, const char * expected) const {
        throw InputError(where + "." + key + ": expected " + expected + ", got " + obj.at(key).dump());
    }
    bool has(const std::string & key) const { return obj.contains(key); }

    int64_t integer(const std::string & key) const {
        const nlohmann::json & v = obj.at(key);
        if (v.is_number_integer()) return v.get<int64_t>();
        // pydantic accepts 4.0 for an int field; so do we, but not 4.5.
        if (v.is_number_float()) {
            double d = v.get<double>();
            if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
        }
        bad_type(key, "an integer");
    }
    double number(const std::string & key) const {
        const nlohmann::json & v = obj.at(key);
        if (!v.is_number()) bad_type(key, "a number");
        return v.get<double>();
    }
    bool boolean(const std::string & key) const {
        const nlohmann::json & v = obj.at(key);
        if (!v.is_boolean()) bad_type(key, "true or false");
        return v.get<bool>();
    }
    std::string string(const std::string & key) const {
        const nlohmann::json & v = obj.at(key);
        if (!v.is_string()) bad_type(key, "a string");
        return v.get<std::string>();
    }
};

}  // namespace trmbench::detail
