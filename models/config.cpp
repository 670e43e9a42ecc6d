// ModelConfig parsing, validation, derived sizes and analytic parameter counts (see config.h).
#include "models/config.h"
#include "models/json_field_reader.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"

namespace trmbench {

using json = nlohmann::json;

std::string to_string(ModelFamily f) { return f == ModelFamily::trm ? "trm" : "hrm"; }

std::string to_string(PosEncoding p) {
    switch (p) {
        case PosEncoding::rope: return "rope";
        case PosEncoding::learned: return "learned";
        case PosEncoding::none: return "none";
    }
    return "?";
}

std::string to_string(ForwardDType d) { return d == ForwardDType::float32 ? "float32" : "bfloat16"; }

ModelFamily parse_model_family(const std::string & s, const std::string & field) {
    if (s == "trm") return ModelFamily::trm;
    if (s == "hrm") return ModelFamily::hrm;
    throw UsageError(field + ": unknown model family '" + s + "' (expected trm or hrm)");
}

PosEncoding parse_pos_encoding(const std::string & s, const std::string & field) {
    if (s == "rope") return PosEncoding::rope;
    if (s == "learned") return PosEncoding::learned;
    if (s == "none") return PosEncoding::none;
    throw UsageError(field + ": unknown position encoding '" + s + "' (expected rope, learned or none)");
}

ForwardDType parse_forward_dtype(const std::string & s, const std::string & field) {
    if (s == "float32") return ForwardDType::float32;
    if (s == "bfloat16") return ForwardDType::bfloat16;
    throw UsageError(field + ": unsupported forward dtype '" + s + "' (expected float32 or bfloat16)");
}

// ---------------------------------------------------------------------------------------------
// Derived sizes

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Products of validated sizes can still exceed int64 for absurd configs; count in 128 bits.
int64_t checked(__int128 v, const char * what) {
    if (v < 0 || v > static_cast<__int128>(std::numeric_limits<int64_t>::max()))
        throw UsageError(std::string(what) + ": parameter count overflows 64 bits");
    return static_cast<int64_t>(v);
}

}  // namespace

int64_t puzzle_prefix_len(const ModelConfig & c) {
    int64_t from_ndim = ceil_div(c.puzzle_emb_ndim, c.hidden_size);
    if (c.family == ModelFamily::hrm) return from_ndim;
    return c.puzzle_emb_len == 0 ? from_ndim : c.puzzle_emb_len;
}

int64_t total_seq_len(const ModelConfig & c) { return puzzle_prefix_len(c) + c.seq_len; }

int64_t head_dim(const ModelConfig & c) { return c.hidden_size / c.num_heads; }

int64_t swiglu_inter(int64_t h, double expansion) {
    // Python: _find_multiple(round(expansion * hidden_size * 2 / 3), 256). round() on a float is
    // round-half-even, which is what nearbyint does in the default rounding mode.
    double width = expansion * static_cast<double>(h) * 2.0 / 3.0;
    auto rounded = static_cast<int64_t>(std::nearbyint(width));
    return ceil_div(rounded, 256) * 256;
}

int64_t channel_inter(const ModelConfig & c) { return swiglu_inter(c.hidden_size, c.expansion); }

int64_t token_inter(const ModelConfig & c) { return c.mlp_t ? swiglu_inter(total_seq_len(c), c.expansion) : 0; }

int64_t num_blocks(const ModelConfig & c) {
    return c.family == ModelFamily::hrm ? c.H_layers + c.L_layers : c.L_layers;
}

std::string variant_name(const ModelConfig & c) { return c.mlp_t ? "mlp" : "att"; }

// ---------------------------------------------------------------------------------------------
// Validation

namespace {

void require(bool ok, const std::string & field, const std::string & why) {
    if (!ok) throw UsageError(field + ": " + why);
}

void require_range(int64_t v, int64_t lo, int64_t hi, const char * field) {
    if (v < lo || v > hi)
        throw UsageError(std::string(field) + ": " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
}

}  // namespace

void validate(const ModelConfig & c) {
    // Generous upper bounds: they only exist so that sizes and products stay far from overflow.
    constexpr int64_t kBig = int64_t(1) << 24;
    require_range(c.batch_size, 1, kBig, "batch_size");
    require_range(c.seq_len, 1, int64_t(1) << 20, "seq_len");
    require_range(c.vocab_size, 1, kBig, "vocab_size");
    require_range(c.hidden_size, 1, int64_t(1) << 16, "hidden_size");
    require_range(c.num_heads, 1, int64_t(1) << 16, "num_heads");
    require_range(c.H_cycles, 1, int64_t(1) << 16, "H_cycles");
    require_range(c.L_cycles, 1, int64_t(1) << 16, "L_cycles");
    require_range(c.L_layers, 1, int64_t(1) << 12, "L_layers");
    require_range(c.H_layers, c.family == ModelFamily::hrm ? 1 : 0, int64_t(1) << 12, "H_layers");
    require_range(c.halt_max_steps, 1, int64_t(1) << 16, "halt_max_steps");
    require_range(c.puzzle_emb_ndim, 0, int64_t(1) << 20, "puzzle_emb_ndim");
    require_range(c.puzzle_emb_len, 0, int64_t(1) << 16, "puzzle_emb_len");
    require_range(c.num_puzzle_identifiers, c.puzzle_emb_ndim > 0 ? 1 : 0, int64_t(1) << 32, "num_puzzle_identifiers");

    require(c.hidden_size % c.num_heads == 0, "hidden_size",
            std::to_string(c.hidden_size) + " is not divisible by num_heads " + std::to_string(c.num_heads));
    require(std::isfinite(c.expansion) && c.expansion > 0 && c.expansion <= 1024, "expansion",
            "must be a positive number up to 1024");
    require(swiglu_inter(c.hidden_size, c.expansion) > 0, "expansion",
            "gives a SwiGLU intermediate width of 0 for hidden_size " + std::to_string(c.hidden_size));
    require(std::isfinite(c.rms_norm_eps) && c.rms_norm_eps > 0, "rms_norm_eps", "must be a positive number");
    require(std::isfinite(c.rope_theta) && c.rope_theta > 0, "rope_theta", "must be a positive number");
    require(std::isfinite(c.halt_exploration_prob) && c.halt_exploration_prob >= 0 && c.halt_exploration_prob <= 1,
            "halt_exploration_prob", "must lie in [0, 1]");

    if (c.pos_encodings == PosEncoding::rope)
        require(head_dim(c) % 2 == 0, "num_heads",
                "head_dim " + std::to_string(head_dim(c)) + " (hidden_size / num_heads) must be even for rope");

    if (c.family == ModelFamily::hrm) {
        require(c.pos_encodings != PosEncoding::none, "pos_encodings",
                "HRM needs rope or learned (the reference raises NotImplementedError for none)");
        require(!c.mlp_t, "mlp_t", "is a TRM option; HRM has attention blocks only");
    } else {
        require(!(c.mlp_t && c.pos_encodings == PosEncoding::rope), "mlp_t",
                "the token-mixing MLP has no attention to apply rope to; use pos_encodings none or learned");
        // Without a puzzle vector the reference prepends nothing, yet sizes the carry and the rope
        // table for P + L positions: the shapes would not match.
        require(!(c.puzzle_emb_ndim == 0 && c.puzzle_emb_len > 0), "puzzle_emb_len",
                std::to_string(c.puzzle_emb_len) + " prefix slots need puzzle_emb_ndim > 0 (set puzzle_emb_len to 0)");
    }
    int64_t P = puzzle_prefix_len(c);
    require(c.puzzle_emb_ndim <= P * c.hidden_size, "puzzle_emb_ndim",
            std::to_string(c.puzzle_emb_ndim) + " does not fit in " + std::to_string(P) + " prefix slots of width " +
                std::to_string(c.hidden_size));
    if (c.mlp_t) require(token_inter(c) > 0, "expansion", "gives a token-mixer width of 0");
    (void)count_params_detail(c);  // throws when the count overflows
}

// ---------------------------------------------------------------------------------------------
// Parameter counts

ParamCount count_params_detail(const ModelConfig & c) {
    using I = __int128;
    const I D = c.hidden_size, V = c.vocab_size, S = total_seq_len(c);
    const I attn_width = static_cast<I>(c.num_heads) * head_dim(c);  // = D after validation
    ParamCount p;
    I embeddings = V * D;
    if (c.pos_encodings == PosEncoding::learned) embeddings += S * D;
    I heads = V * D + (2 * D + 2);  // lm_head (no bias) + q_head (bias)
    I mixer = c.mlp_t ? S * 2 * token_inter(c) + token_inter(c) * S  // mlp_t gate_up + down
                      : D * 3 * attn_width + attn_width * D;          // qkv + o
    I channel = D * 2 * channel_inter(c) + channel_inter(c) * D;       // mlp gate_up + down
    I per_block = mixer + channel;
    I blocks = per_block * num_blocks(c);
    p.embeddings = checked(embeddings, "embeddings");
    p.heads = checked(heads, "heads");
    p.per_block = checked(per_block, "block");
    p.blocks = checked(blocks, "blocks");
    p.trainable = checked(embeddings + heads + blocks, "model");
    p.puzzle_table = checked(static_cast<I>(c.num_puzzle_identifiers) * c.puzzle_emb_ndim, "puzzle table");
    if (c.puzzle_emb_ndim == 0) p.puzzle_table = 0;
    p.init_states = checked(2 * D, "H_init/L_init");
    p.state_dict = checked(static_cast<I>(p.trainable) + p.puzzle_table + p.init_states, "state dict");
    return p;
}

// ---------------------------------------------------------------------------------------------
// JSON

namespace {

using detail::FieldReader;

// The reference config fields; `required` mirrors the pydantic classes (fields without default).
struct FieldSpec {
    const char * name;
    bool required;
};
constexpr FieldSpec kFields[] = {
    {"batch_size", true},      {"seq_len", true},        {"puzzle_emb_ndim", false}, {"num_puzzle_identifiers", true},
    {"vocab_size", true},      {"H_cycles", true},       {"L_cycles", true},         {"H_layers", true},
    {"L_layers", true},        {"hidden_size", true},    {"expansion", true},        {"num_heads", true},
    {"pos_encodings", true},   {"rms_norm_eps", false},  {"rope_theta", false},      {"halt_max_steps", true},
    {"halt_exploration_prob", true}, {"forward_dtype", false}, {"mlp_t", false},     {"puzzle_emb_len", false},
    {"no_ACT_continue", false}, {"causal", false},
};
// Keys that describe a config file rather than the model (flat layout only).
const std::set<std::string> kMetadataKeys = {"name", "family", "model", "variant", "description", "notes", "num_params",
                                             "source", "task"};

std::string family_field_value(const json & top, const std::string & where) {
    for (const char * key : {"family", "model"})
        if (top.contains(key)) {
            if (!top[key].is_string()) throw InputError(where + "." + key + ": expected a string");
            return top[key].get<std::string>();
        }
    throw UsageError(where + ": missing \"family\" (or \"model\"): trm or hrm");
}

void read_fields(const json & cfg, bool flat, ModelConfig & c, const std::string & where, const ConfigParseOptions & opt) {
    auto ignore = [&](const std::string & key) {
        if (opt.ignored) opt.ignored->push_back(key);
    };
    FieldReader r{cfg, where};
    for (auto it = cfg.begin(); it != cfg.end(); ++it) {
        const std::string & key = it.key();
        bool known = false;
        for (const auto & f : kFields) known = known || key == f.name;
        if (known || (flat && kMetadataKeys.count(key))) continue;
        if (!opt.ignore_unknown_keys) throw UsageError(where + "." + key + ": unknown config field");
        ignore(key);
    }
    for (const auto & f : kFields)
        if (f.required && !cfg.contains(f.name)) throw UsageError(where + "." + f.name + ": missing required field");

    c.batch_size = r.integer("batch_size");
    c.seq_len = r.integer("seq_len");
    c.vocab_size = r.integer("vocab_size");
    c.num_puzzle_identifiers = r.integer("num_puzzle_identifiers");
    if (r.has("puzzle_emb_ndim")) c.puzzle_emb_ndim = r.integer("puzzle_emb_ndim");
    c.H_cycles = r.integer("H_cycles");
    c.L_cycles = r.integer("L_cycles");
    c.H_layers = r.integer("H_layers");
    c.L_layers = r.integer("L_layers");
    c.hidden_size = r.integer("hidden_size");
    c.num_heads = r.integer("num_heads");
    c.expansion = r.number("expansion");
    c.pos_encodings = parse_pos_encoding(r.string("pos_encodings"), where + ".pos_encodings");
    if (r.has("rms_norm_eps")) c.rms_norm_eps = r.number("rms_norm_eps");
    if (r.has("rope_theta")) c.rope_theta = r.number("rope_theta");
    c.halt_max_steps = r.integer("halt_max_steps");
    c.halt_exploration_prob = r.number("halt_exploration_prob");
    if (r.has("forward_dtype")) c.forward_dtype = parse_forward_dtype(r.string("forward_dtype"), where + ".forward_dtype");
    // pretrain.py adds causal=False; the model classes never read it (attention is non-causal).
    if (r.has("causal") && r.boolean("causal")) {
        if (!opt.ignore_unknown_keys)
            throw UsageError(where + ".causal: causal attention is not part of TRM/HRM (must be false)");
        ignore("causal");
    }

    if (c.family == ModelFamily::trm) {
        if (r.has("mlp_t")) c.mlp_t = r.boolean("mlp_t");
        if (r.has("puzzle_emb_len")) c.puzzle_emb_len = r.integer("puzzle_emb_len");
        if (r.has("no_ACT_continue")) c.no_ACT_continue = r.boolean("no_ACT_continue");
        return;
    }
    // HRM's config class has none of the TRM-only fields. The reference ignores them; strict parsing
    // accepts them only where they change nothing, so that nobody expects an effect.
    c.mlp_t = false;
    c.no_ACT_continue = false;
    c.puzzle_emb_len = 0;
    const int64_t hrm_len = c.hidden_size > 0 ? ceil_div(std::max<int64_t>(c.puzzle_emb_ndim, 0), c.hidden_size) : 0;
    const bool mlp_t_set = r.has("mlp_t") && r.boolean("mlp_t");
    const bool no_continue_set = r.has("no_ACT_continue") && r.boolean("no_ACT_continue");
    const bool len_differs = r.has("puzzle_emb_len") && r.integer("puzzle_emb_len") != hrm_len;
    if (opt.ignore_unknown_keys) {
        for (const char * k : {"mlp_t", "no_ACT_continue", "puzzle_emb_len"})
            if (r.has(k)) ignore(k);
        return;
    }
    if (mlp_t_set) throw UsageError(where + ".mlp_t: is a TRM option; HRM has attention blocks only");
    if (no_continue_set)
        throw UsageError(where + ".no_ACT_continue: is a TRM option; HRM always learns the Q-continue target");
    if (len_differs)
        throw UsageError(where + ".puzzle_emb_len: HRM always uses ceil(puzzle_emb_ndim / hidden_size) = " +
                         std::to_string(hrm_len) + " prefix slots");
}

}  // namespace

ModelConfig parse_model_config(const std::string & json_text, const std::string & origin, const ConfigParseOptions & opt) {
    json top;
    try {
        top = json::parse(json_text);
    } catch (const json::exception & e) {
        throw InputError(origin + ": not valid JSON: " + e.what());
    }
    if (!top.is_object()) throw InputError(origin + ": expected a JSON object");
    ModelConfig c;
    c.family = parse_model_family(family_field_value(top, origin), origin + ".family");
    if (top.contains("name") && top["name"].is_string()) c.name = top["name"].get<std::string>();

    bool nested = top.contains("config");
    if (nested && !top["config"].is_object()) throw InputError(origin + ".config: expected an object");
    const json & cfg = nested ? top["config"] : top;
    read_fields(cfg, !nested, c, nested ? origin + ": config" : origin, opt);
    try {
        validate(c);
    } catch (const UsageError & e) {
        throw UsageError(origin + ": " + e.what());
    }

    // Metadata that must agree with the model (the fixtures and paper_configs.json carry it).
    FieldReader meta{top, origin};
    if (top.contains("variant")) {
        std::string v = meta.string("variant");
        if (v != "att" && v != "mlp") throw UsageError(origin + ".variant: unknown variant '" + v + "' (att or mlp)");
        if (v != variant_name(c))
            throw UsageError(origin + ".variant: '" + v + "' but mlp_t is " + (c.mlp_t ? "true" : "false"));
    }
    if (nested && top.contains("forward_dtype") &&
        parse_forward_dtype(meta.string("forward_dtype"), origin + ".forward_dtype") != c.forward_dtype)
        throw UsageError(origin + ".forward_dtype: differs from config.forward_dtype");
    if (nested && top.contains("puzzle_emb_len") && meta.integer("puzzle_emb_len") != puzzle_prefix_len(c))
        throw UsageError(origin + ".puzzle_emb_len: the file says " + std::to_string(meta.integer("puzzle_emb_len")) +
                         " prefix slots, the config gives " + std::to_string(puzzle_prefix_len(c)));
    if (top.contains("num_params") && meta.integer("num_params") != count_params(c))
        throw UsageError(origin + ".num_params: the file says " + std::to_string(meta.integer("num_params")) +
                         ", the config gives " + std::to_string(count_params(c)));
    return c;
}

ModelConfig load_model_config(const std::filesystem::path & path, const ConfigParseOptions & opt) {
    ModelConfig c = parse_model_config(read_file(path), path.string(), opt);
    if (c.name.empty()) c.name = path.stem().string();
    return c;
}

std::string model_config_to_json(const ModelConfig & c) {
    json cfg = {
        {"batch_size", c.batch_size},
        {"seq_len", c.seq_len},
        {"vocab_size", c.vocab_size},
        {"num_puzzle_identifiers", c.num_puzzle_identifiers},
        {"puzzle_emb_ndim", c.puzzle_emb_ndim},
        {"H_cycles", c.H_cycles},
        {"L_cycles", c.L_cycles},
        {"H_layers", c.H_layers},
        {"L_layers", c.L_layers},
        {"hidden_size", c.hidden_size},
        {"num_heads", c.num_heads},
        {"expansion", c.expansion},
        {"pos_encodings", to_string(c.pos_encodings)},
        {"rms_norm_eps", c.rms_norm_eps},
        {"rope_theta", c.rope_theta},
        {"halt_max_steps", c.halt_max_steps},
        {"halt_exploration_prob", c.halt_exploration_prob},
        {"forward_dtype", to_string(c.forward_dtype)},
    };
    if (c.family == ModelFamily::trm) {
        cfg["mlp_t"] = c.mlp_t;
        cfg["puzzle_emb_len"] = c.puzzle_emb_len;
        cfg["no_ACT_continue"] = c.no_ACT_continue;
    }
    json top = {{"family", to_string(c.family)}, {"variant", variant_name(c)}, {"config", cfg}};
    if (!c.name.empty()) top["name"] = c.name;
    return top.dump(1) + "\n";
}

std::string describe_model_config(const ModelConfig & c) {
    auto n = [](int64_t v) { return format_thousands(v); };
    ParamCount p = count_params_detail(c);
    const int64_t P = puzzle_prefix_len(c), S = total_seq_len(c);
    std::string out;
    char line[512];
    auto add = [&](const char * fmt, auto... args) {
        std::snprintf(line, sizeof line, fmt, args...);
        out += line;
    };
    bool trm = c.family == ModelFamily::trm;
    add("model          %s-%s%s\n", to_string(c.family).c_str(), variant_name(c).c_str(),
        c.name.empty() ? "" : ("  (" + c.name + ")").c_str());
    add("recursion      H_cycles %lld, L_cycles %lld, ", (long long)c.H_cycles, (long long)c.L_cycles);
    if (trm)
        add("L_layers %lld (one network; H_layers %lld ignored)\n", (long long)c.L_layers, (long long)c.H_layers);
    else
        add("H_layers %lld, L_layers %lld\n", (long long)c.H_layers, (long long)c.L_layers);
    add("transformer    hidden_size D %lld, num_heads %lld, head_dim %lld, expansion %g, pos_encodings %s%s\n",
        (long long)c.hidden_size, (long long)c.num_heads, (long long)head_dim(c), c.expansion,
        to_string(c.pos_encodings).c_str(), c.mlp_t ? ", mlp_t (token-mixing MLP)" : "");
    add("norm / rope    rms_norm_eps %g, rope_theta %g\n", c.rms_norm_eps, c.rope_theta);
    add("data           vocab_size V %lld, seq_len L %lld, batch_size %lld, num_puzzle_identifiers %s\n",
        (long long)c.vocab_size, (long long)c.seq_len, (long long)c.batch_size, n(c.num_puzzle_identifiers).c_str());
    add("puzzle prefix  puzzle_emb_ndim %lld, puzzle_emb_len %lld -> P = %lld, S = P + L = %lld\n",
        (long long)c.puzzle_emb_ndim, (long long)(trm ? c.puzzle_emb_len : P), (long long)P, (long long)S);
    add("SwiGLU inter   channel %lld (h = D = %lld)", (long long)channel_inter(c), (long long)c.hidden_size);
    if (c.mlp_t) add(", token mixer %lld (h = S = %lld)", (long long)token_inter(c), (long long)S);
    add("\n");
    add("ACT            halt_max_steps %lld, halt_exploration_prob %g, %s\n", (long long)c.halt_max_steps,
        c.halt_exploration_prob,
        trm ? (c.no_ACT_continue ? "no_ACT_continue (halt when q_halt > 0)" : "Q-continue (halt when q_halt > q_continue)")
            : "Q-continue (halt when q_halt > q_continue)");
    add("forward dtype  %s (parameters and the puzzle table are float32)\n", to_string(c.forward_dtype).c_str());
    add("parameters     %s trainable (embeddings %s, heads %s, %lld blocks x %s)\n", n(p.trainable).c_str(),
        n(p.embeddings).c_str(), n(p.heads).c_str(), (long long)num_blocks(c), n(p.per_block).c_str());
    add("buffers        puzzle table %s (%s x %lld), H_init + L_init %s\n", n(p.puzzle_table).c_str(),
        n(c.num_puzzle_identifiers).c_str(), (long long)c.puzzle_emb_ndim, n(p.init_states).c_str());
    add("state dict     %s values\n", n(p.state_dict).c_str());
    return out;
}

}  // namespace trmbench
