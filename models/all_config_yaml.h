// A small, strict reader for the `all_config.yaml` that the reference training scripts write next
// to their checkpoints (spec §5.1: yaml.dump of the whole PretrainConfig), and for the
// `config/arch/*.yaml` files it is made from. Only the model-relevant part is interpreted:
//
//   arch:                                   a block mapping at indent 0
//     name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1   -> family trm
//           (hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1 or recursive_reasoning.hrm@... -> hrm)
//     loss:                                 one nested mapping of scalars (recorded, not used)
//       loss_type: stablemax_cross_entropy
//     H_cycles: 3                           every other entry: a scalar config field
//     puzzle_emb_ndim: ${.hidden_size}      (a sibling interpolation, as in config/arch/*.yaml)
//   global_batch_size: 768                  top-level scalars are kept (batch size, data path)
//   data_paths:                             other top-level blocks are skipped, line by line
//   - data/arc1concept-aug-1000
//
// Scalars: plain, 'single' or "double" quoted; true/false (any case PyYAML accepts), null/~,
// integers, and floats (PyYAML writes 1.0e-05; 1e-5 is accepted too, as pydantic would coerce it).
// Inside `arch:` anything else is an InputError naming the file and line: flow collections
// ({...}, [...]), anchors and aliases, tags, block scalars (| >), sequences, deeper nesting,
// tabs, duplicate keys. A file made from a config/arch yaml alone (no `arch:` key, fields at the
// top level) is read the same way. Torch- and JSON-free header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/config.h"

namespace trmbench {

struct YamlScalar {
    enum class Kind { null, boolean, integer, number, string };
    Kind kind = Kind::null;
    bool b = false;
    int64_t i = 0;
    double d = 0;
    std::string s;  // strings; the source text for every kind (for messages)
    int line = 0;
};

struct ArchYaml {
    std::string origin;                          // file name for messages
    std::string name;                            // arch.name
    std::map<std::string, std::string> loss;     // arch.loss.* as text
    std::vector<std::pair<std::string, YamlScalar>> fields;  // the other arch scalars, in file order
    std::map<std::string, YamlScalar> top_level;  // top-level scalars (global_batch_size, data_path, ...)
    std::vector<std::string> data_paths;          // data_path, or the items of data_paths
};

// Throws InputError "<origin>:<line>: ..." for anything outside the subset.
ArchYaml parse_all_config_yaml(std::string_view text, const std::string & origin);
ArchYaml load_all_config_yaml(const std::filesystem::path & path);

// The model family the arch name selects; UsageError naming the file for other architectures
// (trm_singlez, trm_hier6, transformers_baseline, ...) or a missing name.
ModelFamily arch_family(const ArchYaml & arch);

// The data shape that pretrain.create_model adds to the arch fields (from the dataset metadata).
struct ArchDataShape {
    int64_t seq_len = 0;
    int64_t vocab_size = 0;
    int64_t num_puzzle_identifiers = 1;
    int64_t batch_size = 0;  // 0: the file's global_batch_size, else 1 (it only sizes training buffers)
};

// The model config the reference would build: the arch fields (keys the model classes ignore, like
// `loss`, are listed in `ignored`), plus the data shape. Impossible values are UsageErrors naming
// the file and field.
ModelConfig model_config_from_arch(const ArchYaml & arch, const ArchDataShape & shape,
                                   std::vector<std::string> * ignored = nullptr);

}  // namespace trmbench
