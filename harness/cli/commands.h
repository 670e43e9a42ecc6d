// The trmbench subcommands. One line per subcommand in TRMBENCH_COMMANDS; each is defined in
// harness/cli/cmd_<name>.cpp as `void setup_<name>(CLI::App & app, const GlobalOptions & g)`, which
// adds the subcommand and its callback. Callbacks throw trmbench::Error (see harness/core/error.h);
// main() turns that into a message and the matching exit code.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace trmbench {

// Options every subcommand can read (set on the top-level app).
struct GlobalOptions {
    std::string data_dir;  // --data-dir (else $TRMBENCH_DATA, else the XDG default)
    int threads = 0;       // --threads (0 = all usable cores)
    bool quiet = false;    // --quiet: no progress output
};

#define TRMBENCH_COMMANDS(X) \
    X(data)                 \
    X(models)               \
    X(score)                \
    X(parse)                \
    X(merge)                \
    X(train)                \
    X(llm)                  \
    X(run)                  \
    X(report)               \
    /* end of the list: one line per subcommand above, each ending in a backslash */

#define TRMBENCH_DECLARE_COMMAND(name) void setup_##name(CLI::App & app, const GlobalOptions & g);
TRMBENCH_COMMANDS(TRMBENCH_DECLARE_COMMAND)
#undef TRMBENCH_DECLARE_COMMAND

// `train data ...` (cmd_train_data.cpp), added to the `train` subcommand by setup_train.
void add_train_data(CLI::App * train, const GlobalOptions & g);

}  // namespace trmbench
