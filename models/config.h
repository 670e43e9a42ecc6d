// ModelConfig: every field of the reference TRM/HRM config dicts, their validation, the sizes derived
// from them (puzzle prefix P, sequence S = P + L, head_dim, SwiGLU widths) and the analytic
// parameter count. Torch-free, so the CLI and other modules can include it.
//
// Field names follow the reference pydantic classes (TinyRecursiveReasoningModel_ACTV1Config,
// HierarchicalReasoningModel_ACTV1Config) exactly, so a config dict from a checkpoint's
// all_config.yaml or a fixture's config.json maps one to one. Defaults are the reference class
// defaults. JSON layouts accepted by parse_model_config():
//   {"family"|"model": "trm", "variant": "att", "config": {<reference dict>}, ...metadata}
//   {"family": "trm", <reference dict fields>}                 (flat)
// Unknown keys inside the config dict are rejected unless parsing leniently (ConfigParseOptions).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace trmbench {

enum class ModelFamily { trm, hrm };
enum class PosEncoding { rope, learned, none };
enum class ForwardDType { float32, bfloat16 };

std::string to_string(ModelFamily f);
std::string to_string(PosEncoding p);
std::string to_string(ForwardDType d);
// Parse the reference spellings ("trm"/"hrm", "rope"/"learned"/"none", "float32"/"bfloat16");
// throw UsageError naming `field` and listing the accepted values.
ModelFamily parse_model_family(const std::string & s, const std::string & field = "family");
PosEncoding parse_pos_encoding(const std::string & s, const std::string & field = "pos_encodings");
ForwardDType parse_forward_dtype(const std::string & s, const std::string & field = "forward_dtype");

struct ModelConfig {
    ModelFamily family = ModelFamily::trm;
    std::string name;  // preset or file name; informational only

    // Data shape.
    int64_t batch_size = 1;
    int64_t seq_len = 1;                 // L: tokens per example
    int64_t vocab_size = 1;              // V
    int64_t num_puzzle_identifiers = 1;  // rows of the sparse puzzle table (a dataset property)
    int64_t puzzle_emb_ndim = 0;         // width of one puzzle vector (0: no puzzle prefix)
    int64_t puzzle_emb_len = 16;         // TRM only: prefix slots P (0 = ceil(ndim / D)); HRM ignores it

    // Recursion.
    int64_t H_cycles = 1;
    int64_t L_cycles = 1;
    int64_t H_layers = 0;  // HRM: blocks of H_level; TRM: ignored (one network, L_level)
    int64_t L_layers = 1;

    // Transformer.
    int64_t hidden_size = 1;  // D
    int64_t num_heads = 1;
    double expansion = 4.0;
    PosEncoding pos_encodings = PosEncoding::rope;
    double rms_norm_eps = 1e-5;
    double rope_theta = 10000.0;
    bool mlp_t = false;  // TRM only: token-mixing SwiGLU over the sequence axis instead of attention

    // Adaptive computation time.
    int64_t halt_max_steps = 16;
    double halt_exploration_prob = 0.1;
    bool no_ACT_continue = true;  // TRM only: halt on q_halt > 0 and no Q-continue target

    ForwardDType forward_dtype = ForwardDType::bfloat16;
};

// Throws UsageError naming the first impossible field (sizes, divisibility, combinations).
void validate(const ModelConfig & c);

// Sizes derived from a (valid) config.
int64_t puzzle_prefix_len(const ModelConfig & c);  // P
int64_t total_seq_len(const ModelConfig & c);      // S = P + L
int64_t head_dim(const ModelConfig & c);           // D / num_heads
// ceil_to_multiple(round_half_even(expansion * h * 2 / 3), 256), as the reference SwiGLU computes it.
int64_t swiglu_inter(int64_t h, double expansion);
int64_t channel_inter(const ModelConfig & c);  // SwiGLU over D
int64_t token_inter(const ModelConfig & c);    // TRM-MLP token mixer over S (0 without mlp_t)
int64_t num_blocks(const ModelConfig & c);     // TRM: L_layers; HRM: H_layers + L_layers
std::string variant_name(const ModelConfig & c);  // "att" or "mlp"

// Parameter counts, computed analytically (no allocation, so ARC's 876k-row table costs nothing).
struct ParamCount {
    int64_t trainable = 0;      // sum(p.numel() for p in model.parameters()), what the reference logs
    int64_t embeddings = 0;     // embed_tokens (+ embed_pos for learned positions)
    int64_t heads = 0;          // lm_head + q_head
    int64_t per_block = 0;      // one transformer block
    int64_t blocks = 0;         // all blocks
    int64_t puzzle_table = 0;   // buffer: num_puzzle_identifiers * puzzle_emb_ndim
    int64_t init_states = 0;    // buffers H_init + L_init
    int64_t state_dict = 0;     // everything a checkpoint stores
};
ParamCount count_params_detail(const ModelConfig & c);
inline int64_t count_params(const ModelConfig & c) { return count_params_detail(c).trainable; }

// JSON. `origin` (a file name) prefixes every error. Parse errors and wrong types throw InputError;
// impossible values throw UsageError naming the field.
struct ConfigParseOptions {
    // Strict (default): unknown keys, and TRM-only keys with an effect in an HRM config, are errors
    // (a typo must not silently fall back to a default). Lenient: ignore them like the reference's
    // pydantic classes do (for fixtures and checkpoints made by the reference), listing them in
    // `ignored` when given.
    bool ignore_unknown_keys = false;
    std::vector<std::string> * ignored = nullptr;
};
ModelConfig parse_model_config(const std::string & json_text, const std::string & origin,
                               const ConfigParseOptions & options = {});
ModelConfig load_model_config(const std::filesystem::path & path, const ConfigParseOptions & options = {});
// Canonical layout: {"name", "family", "variant", "config": {reference dict}}. Round-trips.
std::string model_config_to_json(const ModelConfig & c);

// Human-readable summary (config, derived sizes, parameter counts) for `models info`.
std::string describe_model_config(const ModelConfig & c);

}  // namespace trmbench
