// `trmbench models ...`: local TRM/HRM models. Minimal registration on this branch: the checkpoint
// subcommands (inspect, convert) come with the checkpoint-reader work; info and verify-reference
// live in cmd_models_eval.cpp.
#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"

namespace trmbench {

void add_models_info(CLI::App * models, const GlobalOptions & g);
void add_models_verify_reference(CLI::App * models, const GlobalOptions & g);

void setup_models(CLI::App & app, const GlobalOptions & g) {
    auto * models = app.add_subcommand("models", "TRM/HRM models: presets, parameter counts, reference parity");
    models->require_subcommand(1);
    add_models_info(models, g);
    add_models_verify_reference(models, g);
}

}  // namespace trmbench
