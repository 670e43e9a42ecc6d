// trmbench: the command-line entry point. Parses global options, dispatches to the subcommands
// listed in commands.h, and maps errors to exit codes (harness/core/error.h):
//   0 ok, 1 check failed, 2 usage/config, 3 bad input file, 4 I/O or database, 130 interrupted.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/version.h"

int main(int argc, char ** argv) {
    using namespace trmbench;
    CLI::App app{"trmbench: tiny recursive reasoning models and LLMs on the same puzzles"};
    app.require_subcommand(1);
    app.fallthrough();
    GlobalOptions g;
    app.add_option("--data-dir", g.data_dir, "Data directory (default: $TRMBENCH_DATA or ~/.local/share/trmbench/data)");
    app.add_option("--threads", g.threads, "CPU threads for local models (default: all usable cores)")->check(CLI::NonNegativeNumber);
    app.add_flag("-q,--quiet", g.quiet, "No progress output");
    app.set_version_flag("--version", harness_version() + " (git " + git_sha() + ")");

#define TRMBENCH_SETUP_COMMAND(name) setup_##name(app, g);
    TRMBENCH_COMMANDS(TRMBENCH_SETUP_COMMAND)
#undef TRMBENCH_SETUP_COMMAND

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError & e) {
        // CLI11 prints the message; every parse failure is a usage error (2), --help/--version are 0.
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    } catch (const Error & e) {
        std::fprintf(stderr, "trmbench: error: %s\n", e.what());
        return e.exit_code();
    } catch (const std::exception & e) {
        std::fprintf(stderr, "trmbench: error: %s\n", e.what());
        return kExitFailure;
    }
    return kExitOk;
}
