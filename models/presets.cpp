// Model presets: lookup by name in the embedded JSON files (see presets.h).
#include "models/presets.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "harness/core/error.h"
#include "harness/core/strings.h"

namespace trmbench {

namespace {

const EmbeddedPreset & find_preset(const std::string & name) {
    for (const auto & p : embedded_presets())
        if (p.name == name) return p;
    throw UsageError("unknown model preset '" + name + "'; known presets: " + join(preset_names(), ", "));
}

}  // namespace

std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    for (const auto & p : embedded_presets()) names.emplace_back(p.name);
    std::sort(names.begin(), names.end());
    return names;
}

ModelConfig load_preset(const std::string & name) {
    const EmbeddedPreset & p = find_preset(name);
    ModelConfig c = parse_model_config(std::string(p.json), "preset " + name);
    c.name = name;
    return c;
}

std::string preset_notes(const std::string & name) {
    const EmbeddedPreset & p = find_preset(name);
    auto j = nlohmann::json::parse(p.json);
    std::string out;
    if (j.contains("description") && j["description"].is_string()) out += j["description"].get<std::string>() + "\n";
    if (j.contains("notes") && j["notes"].is_array())
        for (const auto & n : j["notes"])
            if (n.is_string()) out += "  - " + n.get<std::string>() + "\n";
    return out;
}

}  // namespace trmbench
