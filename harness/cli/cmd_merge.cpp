// `trmbench merge A.db B.db ... -o all.db [--force]`: combine the shard databases of one run.
//
// Refuses shards that are not of one run (config hash, git sha, item manifest, solvers) and
// attempts whose answers conflict, writes to a temporary file and renames it into place, and never
// replaces an existing output without --force. See results/merge.h for the rules.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "harness/cli/commands.h"
#include "harness/core/strings.h"
#include "results/merge.h"

namespace trmbench {

void setup_merge(CLI::App & app, const GlobalOptions & g) {
    auto opts = std::make_shared<MergeOptions>();
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto output = std::make_shared<std::string>();
    CLI::App * cmd = app.add_subcommand("merge", "Merge the result databases of the shards of one run into one database");
    cmd->add_option("inputs", *inputs, "Input databases (shards of one run)")->required();
    cmd->add_option("-o,--output", *output, "Output database (written to a temporary file, then renamed)")->required();
    cmd->add_flag("-f,--force", opts->force, "Replace the output when it exists");
    cmd->add_flag("--allow-distinct-runs", opts->allow_distinct_runs,
                  "Inputs may hold runs of different configurations (each stays its own run)");
    cmd->callback([opts, inputs, output, &g] {
        opts->inputs.assign(inputs->begin(), inputs->end());
        opts->output = *output;
        opts->quiet = g.quiet;
        MergeSummary s = merge_databases(*opts);
        std::printf("merged %zu databases into %s\n", opts->inputs.size(), output->c_str());
        for (const auto & note : s.notes) std::printf("  %s\n", note.c_str());
        std::printf("  runs %s, solvers %s, items %s, attempts %s (duplicates kept once: %s, of which with "
                    "different text/usage/timing: %s)\n",
                    format_thousands(s.runs).c_str(), format_thousands(s.solvers).c_str(),
                    format_thousands(s.items).c_str(), format_thousands(s.attempts).c_str(),
                    format_thousands(s.duplicate_attempts).c_str(),
                    format_thousands(s.duplicates_differing_usage).c_str());
        std::printf("  superseded attempts %s, api calls %s, cached responses %s, batch jobs %s, training metrics %s\n",
                    format_thousands(s.superseded_attempts).c_str(), format_thousands(s.api_calls).c_str(),
                    format_thousands(s.cache_entries).c_str(), format_thousands(s.batch_jobs).c_str(),
                    format_thousands(s.train_metrics).c_str());
    });
}

}  // namespace trmbench
