// `trmbench models list`: the model catalogue (built-in entries plus --catalog files). The `models`
// command itself lives elsewhere; it calls add_models_list() to get this subcommand.
#pragma once

namespace CLI {
class App;
}

namespace trmbench {

struct GlobalOptions;

// Adds `list [--catalog FILE]... [--json]` to the `models` subcommand.
void add_models_list(CLI::App * models, const GlobalOptions & g);

}  // namespace trmbench
