// `trmbench models inspect|convert`: look into and convert TRM/HRM checkpoints.
//
//   models inspect FILE [--json]          keys, shapes, dtypes, parameter count, inferred config
//   models convert IN OUT [--strip-prefix] [--add-prefix P]
//                                         .pt <-> .safetensors (output format from OUT's extension)
//
// Input formats are told from the content (PyTorch zip or safetensors; real checkpoints are often
// named `step_N`). Each subcommand is set up by its own add_<name>() function below, so that more
// subcommands (info, verify-reference) can be added next to them.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/cli/models_catalog.h"
#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "models/io/checkpoint_file.h"
#include "models/io/checkpoint_info.h"
#include "models/io/key_mapping.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

LoadedCheckpoint load_existing(const std::string & path) {
    if (!fs::exists(path)) throw UsageError("no such file: " + path);
    return load_checkpoint(path);
}

// File order when the reader knows it, else name order.
std::vector<std::string> keys_in_order(const LoadedCheckpoint & ck) {
    if (ck.key_order.size() == ck.tensors.size()) return ck.key_order;
    std::vector<std::string> keys;
    for (const auto & [k, v] : ck.tensors) keys.push_back(k);
    return keys;
}

nlohmann::json optional_int(int64_t v) { return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(v); }
nlohmann::json optional_str(const std::string & s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

nlohmann::json inspect_json(const std::string & path, const LoadedCheckpoint & ck, const CheckpointSummary & s) {
    nlohmann::json j;
    j["file"] = path;
    j["format"] = format_name(ck.format);
    j["metadata"] = ck.metadata;
    j["tensors"] = nlohmann::json::array();
    for (const auto & key : keys_in_order(ck)) {
        const TensorBlob & t = ck.tensors.at(key);
        j["tensors"].push_back({{"name", key}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"numel", t.numel()}});
    }
    j["num_tensors"] = s.tensors;
    j["total_elements"] = s.total_elements;
    j["total_bytes"] = s.total_bytes;
    j["trainable_params"] = s.trainable_params;
    j["buffer_elements"] = s.buffer_elements;
    j["key_prefix"] = s.key_prefix;
    j["config"] = {
        {"family", optional_str(s.family)},
        {"variant", optional_str(s.variant)},
        {"hidden_size", optional_int(s.hidden_size)},
        {"vocab_size", optional_int(s.vocab_size)},
        {"H_layers", optional_int(s.H_layers)},
        {"L_layers", optional_int(s.L_layers)},
        {"mlp_intermediate", optional_int(s.mlp_intermediate)},
        {"mlp_t_intermediate", optional_int(s.mlp_t_intermediate)},
        {"total_seq_len", optional_int(s.total_seq_len)},
        {"pos_encodings", optional_str(s.pos_encodings)},
        {"num_puzzle_identifiers", optional_int(s.num_puzzle_identifiers)},
        {"puzzle_emb_ndim", optional_int(s.puzzle_emb_ndim)},
        {"num_heads", nullptr},
        {"forward_dtype_hint", optional_str(s.forward_dtype_hint)},
    };
    j["notes"] = s.notes;
    j["skipped"] = ck.skipped;
    return j;
}

void print_inspect_text(const std::string & path, const LoadedCheckpoint & ck, const CheckpointSummary & s) {
    std::printf("file:        %s\n", path.c_str());
    std::printf("format:      %s", format_name(ck.format));
    if (ck.format == CheckpointFormat::torch_zip)
        std::printf(" (archive '%s', state dict %s, %s, storages on %s)", ck.metadata.at("archive").c_str(),
                    ck.metadata.at("state_dict_key") == "(top level)" ? "at top level"
                                                                       : ("under '" + ck.metadata.at("state_dict_key") + "'").c_str(),
                    ck.metadata.at("container").c_str(), ck.metadata.at("locations").empty() ? "-" : ck.metadata.at("locations").c_str());
    std::printf("\n");
    if (ck.format == CheckpointFormat::safetensors)
        for (const auto & [k, v] : ck.metadata) std::printf("metadata:    %s = %s\n", k.c_str(), v.c_str());
    std::printf("tensors:     %zu, %s elements, %s bytes\n", s.tensors, format_thousands(s.total_elements).c_str(),
                format_thousands(static_cast<long long>(s.total_bytes)).c_str());
    std::printf("key prefix:  %s\n\n", s.key_prefix.empty() ? "(none)" : s.key_prefix.c_str());

    size_t width = 4;
    for (const auto & [k, v] : ck.tensors) width = std::max(width, k.size());
    std::printf("  %-*s  %-5s  %-16s %s\n", static_cast<int>(width), "key", "dtype", "shape", "elements");
    for (const auto & key : keys_in_order(ck)) {
        const TensorBlob & t = ck.tensors.at(key);
        std::printf("  %-*s  %-5s  %-16s %s\n", static_cast<int>(width), key.c_str(), std::string(dtype_name(t.dtype)).c_str(),
                    shape_string(t.shape).c_str(), format_thousands(t.numel()).c_str());
    }
    for (const auto & sk : ck.skipped) std::printf("  (not a tensor, skipped) %s\n", sk.c_str());

    std::printf("\nparameters:  %s trainable (num_params), plus %s buffer elements (H_init, L_init, puzzle_emb.weights)\n",
                format_thousands(s.trainable_params).c_str(), format_thousands(s.buffer_elements).c_str());
    if (s.family.empty()) {
        std::printf("model:       not recognised as TRM or HRM\n");
    } else {
        auto num = [](int64_t v) { return v < 0 ? std::string("unknown") : std::to_string(v); };
        std::printf("model:       %s, variant %s\n", s.family.c_str(), s.variant.empty() ? "unknown" : s.variant.c_str());
        std::printf("  hidden_size %s, vocab_size %s, ", num(s.hidden_size).c_str(), num(s.vocab_size).c_str());
        if (s.family == "HRM") std::printf("H_layers %s, ", num(s.H_layers).c_str());
        std::printf("L_layers %s%s\n", num(s.L_layers).c_str(), s.variant == "att" ? ", num_heads unknown (not stored)" : "");
        std::printf("  mlp intermediate %s", num(s.mlp_intermediate).c_str());
        if (s.variant == "mlp_t") std::printf(", mlp_t intermediate %s", num(s.mlp_t_intermediate).c_str());
        std::printf(", seq_len+puzzle_emb_len %s, pos_encodings %s\n", num(s.total_seq_len).c_str(), s.pos_encodings.c_str());
        std::printf("  num_puzzle_identifiers %s, puzzle_emb_ndim %s, forward dtype %s (from H_init)\n",
                    num(s.num_puzzle_identifiers).c_str(), num(s.puzzle_emb_ndim).c_str(),
                    s.forward_dtype_hint.empty() ? "unknown" : s.forward_dtype_hint.c_str());
    }
    for (const auto & n : s.notes) std::printf("note:        %s\n", n.c_str());
}

void add_inspect(CLI::App & models, const GlobalOptions &) {
    struct Opts {
        std::string file;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    auto * cmd = models.add_subcommand("inspect", "Keys, shapes, dtypes, parameter count and inferred config of a checkpoint");
    cmd->add_option("file", o->file, "Checkpoint: PyTorch (torch.save zip) or safetensors, any name")->required();
    cmd->add_flag("--json", o->json, "Machine-readable output");
    cmd->callback([o] {
        const LoadedCheckpoint ck = load_existing(o->file);
        const CheckpointSummary s = summarize_checkpoint(ck.tensors);
        // Names from a zip directory need not be UTF-8: replace bad bytes rather than fail.
        if (o->json) std::printf("%s\n", inspect_json(o->file, ck, s).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        else print_inspect_text(o->file, ck, s);
    });
}

void add_convert(CLI::App & models, const GlobalOptions & g) {
    struct Opts {
        std::string in, out, add_prefix;
        bool strip_prefix = false;
    };
    auto o = std::make_shared<Opts>();
    auto * cmd = models.add_subcommand("convert", "Convert a checkpoint between PyTorch (.pt) and safetensors (by OUT's extension)");
    cmd->add_option("in", o->in, "Input checkpoint (PyTorch zip or safetensors)")->required();
    cmd->add_option("out", o->out, "Output file: .safetensors, or .pt/.pth/.bin/.ckpt for PyTorch")->required();
    cmd->add_flag("--strip-prefix", o->strip_prefix, "Drop wrapper prefixes (_orig_mod., module., model., inner.) from the keys");
    cmd->add_option("--add-prefix", o->add_prefix, "Prefix keys that lack it (e.g. _orig_mod.model.inner. for the reference layout)");
    cmd->callback([o, &g] {
        const CheckpointFormat format = format_for_output(o->out);
        if (fs::exists(o->in) && fs::exists(o->out) && fs::equivalent(o->in, o->out)) throw UsageError("input and output are the same file: " + o->out);
        LoadedCheckpoint ck = load_existing(o->in);
        TensorMap tensors = std::move(ck.tensors);
        std::vector<std::string> order = std::move(ck.key_order);
        auto rename = [&](auto && fn) {
            std::vector<std::string> renamed;
            for (const auto & k : order) renamed.push_back(fn(k));
            order = std::move(renamed);
        };
        if (o->strip_prefix) {
            tensors = strip_wrapper_prefixes(tensors, o->in);
            rename([](const std::string & k) { return strip_wrapper_prefix(k); });
        }
        if (!o->add_prefix.empty()) {
            tensors = add_key_prefix(tensors, o->add_prefix);
            rename([&](const std::string & k) { return k.starts_with(o->add_prefix) ? k : o->add_prefix + k; });
        }
        std::map<std::string, std::string> metadata;
        if (ck.format == CheckpointFormat::safetensors) metadata = ck.metadata;
        else metadata["format"] = "pt";
        save_checkpoint(o->out, format, tensors, order, metadata);
        if (!g.quiet)
            std::printf("wrote %s (%s, %zu tensors) from %s (%s)\n", o->out.c_str(), format_name(format), tensors.size(),
                        o->in.c_str(), format_name(ck.format));
    });
}

}  // namespace

// Defined in cmd_models_eval.cpp (presets, parameter counts, reference parity).
void add_models_info(CLI::App * models, const GlobalOptions & g);
void add_models_verify_reference(CLI::App * models, const GlobalOptions & g);
void add_models_solve(CLI::App * models, const GlobalOptions & g);

void setup_models(CLI::App & app, const GlobalOptions & g) {
    auto * models = app.add_subcommand("models", "TRM/HRM models and checkpoints: presets, parity, inspect, convert, solve; the LLM catalogue (list)");
    models->require_subcommand(1);
    add_inspect(*models, g);
    add_convert(*models, g);
    add_models_info(models, g);
    add_models_verify_reference(models, g);
    add_models_solve(models, g);
    add_models_list(models, g);
}

}  // namespace trmbench
