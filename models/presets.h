// Model presets: the nine paper configurations (models/presets/<name>.json), compiled into the
// binary by models/presets/embed_presets.cmake so that an installed trmbench needs no data files.
// Torch-free.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/config.h"

namespace trmbench {

struct EmbeddedPreset {
    std::string_view name;  // file stem, e.g. "trm-mlp-sudoku"
    std::string_view json;  // file contents
};
// Defined in the generated build/models/generated/model_presets.cpp.
const std::vector<EmbeddedPreset> & embedded_presets();

// Sorted preset names.
std::vector<std::string> preset_names();
// The preset's config; UsageError listing the known names when `name` is unknown.
ModelConfig load_preset(const std::string & name);
// The preset's "description" and "notes" as text (empty lines when it has none).
std::string preset_notes(const std::string & name);

}  // namespace trmbench
