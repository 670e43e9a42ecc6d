// `trmbench train`: training TRM/HRM. For now only `train data` (cmd_train_data.cpp); the trainer
// adds its subcommands here, each through its own add_<name>(train, g) function.
#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"

namespace trmbench {

void setup_train(CLI::App & app, const GlobalOptions & g) {
    auto * train = app.add_subcommand("train", "Train TRM/HRM models and build their training data");
    train->require_subcommand(1);
    add_train_data(train, g);
}

}  // namespace trmbench
