// `trmbench models info` and `trmbench models verify-reference`: model presets and parameter
// counts, and the parity check of the C++ TRM/HRM against the reference fixtures.
//
// Kept apart from cmd_models.cpp (inspect/convert of checkpoint files) so that the two can grow
// independently; setup_models() registers both through the add_models_* functions.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "models/api.h"

namespace trmbench {

namespace {

void print_preset_table() {
    std::printf("%-16s %-9s %12s  %s\n", "preset", "model", "parameters", "description");
    for (const auto & name : preset_names()) {
        ModelConfig c = load_preset(name);
        std::string notes = preset_notes(name);
        std::string first_line = notes.substr(0, notes.find('\n'));
        std::printf("%-16s %-9s %12s  %s\n", name.c_str(), (to_string(c.family) + "-" + variant_name(c)).c_str(),
                    format_thousands(count_params(c)).c_str(), first_line.c_str());
    }
    std::printf("\n`trmbench models info --preset NAME` shows one in full.\n");
}

std::string info_json(const ModelConfig & c) {
    nlohmann::json j = nlohmann::json::parse(model_config_to_json(c));
    ParamCount p = count_params_detail(c);
    j["derived"] = {{"puzzle_emb_len", puzzle_prefix_len(c)}, {"total_seq_len", total_seq_len(c)},
                    {"head_dim", head_dim(c)},                {"channel_inter", channel_inter(c)},
                    {"token_inter", token_inter(c)},          {"num_blocks", num_blocks(c)}};
    j["num_params"] = p.trainable;
    j["param_counts"] = {{"embeddings", p.embeddings},     {"heads", p.heads},
                         {"per_block", p.per_block},       {"blocks", p.blocks},
                         {"puzzle_table", p.puzzle_table}, {"init_states", p.init_states},
                         {"state_dict", p.state_dict}};
    return j.dump(1);
}

}  // namespace

void add_models_info(CLI::App * models, const GlobalOptions & g) {
    struct Opts {
        std::string preset, config;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    auto * info = models->add_subcommand("info", "A preset's or config file's settings, derived sizes and parameter count "
                                                 "(no option: list the presets)");
    auto * preset = info->add_option("--preset", o->preset, "Preset name (trm-att-sudoku, hrm-arc, ...)");
    info->add_option("--config", o->config, "Model config JSON file (reference config dict, or a fixture config.json)")
        ->excludes(preset);
    info->add_flag("--json", o->json, "Machine-readable output");
    info->callback([o] {
        if (o->preset.empty() && o->config.empty()) {
            print_preset_table();
            return;
        }
        ModelConfig c = o->preset.empty() ? load_model_config(o->config) : load_preset(o->preset);
        if (o->json) {
            std::printf("%s\n", info_json(c).c_str());
            return;
        }
        std::printf("%s", describe_model_config(c).c_str());
        if (!o->preset.empty()) std::printf("\n%s", preset_notes(o->preset).c_str());
    });
    (void)g;
}

void add_models_verify_reference(CLI::App * models, const GlobalOptions & g) {
    struct Opts {
        std::string dir;
        VerifyOptions verify;
        bool json = false;
        bool no_teacher = false;
    };
    auto o = std::make_shared<Opts>();
    auto * cmd = models->add_subcommand(
        "verify-reference",
        "Run a reference parity fixture (config.json, checkpoint.safetensors, case.safetensors) and compare every "
        "ACT step with the stored outputs; exit 1 outside tolerance");
    cmd->add_option("dir", o->dir, "Fixture directory, e.g. shared/fixtures/reference/trm_att_f32")->required();
    cmd->add_option("--dtype", o->verify.dtype, "Forward dtype: auto (the fixture's), float32 or bfloat16")
        ->check(CLI::IsMember({"auto", "float32", "bfloat16"}));
    cmd->add_option("--device", o->verify.device, "cpu, cuda or cuda:N");
    cmd->add_flag("--no-teacher-forced", o->no_teacher, "Skip the per-step teacher-forced check");
    cmd->add_flag("--json", o->json, "Machine-readable report");
    cmd->callback([o, &g] {
        o->verify.threads = g.threads;
        o->verify.teacher_forced = !o->no_teacher;
        VerifyReport r = verify_reference(o->dir, o->verify);
        std::printf("%s", o->json ? verify_report_json(r).c_str() : format_verify_report(r).c_str());
        std::fflush(stdout);
        if (!r.pass) throw Error("verify-reference: " + o->dir + ": outside tolerance (see the report above)", kExitFailure);
    });
}

}  // namespace trmbench
