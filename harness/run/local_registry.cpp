// Local model entries (TRM/HRM checkpoints) -> the models module's local solver.
//
// The checkpoint path resolves relative to the suite's directory (built-in suites: the working
// directory), then relative to the data directory. A missing checkpoint skips an "optional" entry
// with the path it looked for, and is a UsageError otherwise.
#include <algorithm>
#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "harness/run/solver_registry.h"
#include "models/presets.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

std::optional<fs::path> find_checkpoint(const SolverEntry & e, const SolverContext & ctx, std::vector<fs::path> & tried) {
    fs::path p(e.checkpoint);
    std::error_code ec;
    if (p.is_absolute()) {
        tried.push_back(p);
        return fs::is_regular_file(p, ec) ? std::optional(p) : std::nullopt;
    }
    for (const fs::path & base : {ctx.suite->base_dir, ctx.options->data_dir}) {
        if (base.empty()) continue;
        fs::path candidate = base / p;
        tried.push_back(candidate);
        if (fs::is_regular_file(candidate, ec)) return candidate;
    }
    return std::nullopt;
}

}  // namespace

SolverResolution resolve_local(const SolverEntry & entry, SolverContext & ctx) {
    SolverResolution r;
    std::vector<std::string> presets = preset_names();
    if (std::find(presets.begin(), presets.end(), entry.preset) == presets.end())
        throw UsageError(entry.where + (entry.preset == entry.name ? ".name" : ".preset") + ": unknown model preset '" + entry.preset +
                         "' (known: " + join(presets, ", ") + ")");
    std::vector<fs::path> tried;
    auto path = find_checkpoint(entry, ctx, tried);
    if (!path) {
        std::string where;
        for (const auto & t : tried) where += (where.empty() ? "" : " or ") + t.string();
        if (!entry.optional) throw UsageError(entry.where + ".checkpoint: no file at " + where);
        r.skipped.push_back({entry.run_name(), "no checkpoint at " + where + " (train one or put it there to include it)"});
        return r;
    }
    // SEAM(models): the local TRM/HRM solver comes with the models module. Until it is in this
    // build, a found checkpoint is listed as skipped with that reason (and fails when not optional).
    if (!entry.optional)
        throw UsageError(entry.where + ": local model '" + entry.name + "' needs the local-model solver, which this trmbench build does not have yet");
    r.skipped.push_back({entry.run_name(), "checkpoint " + path->string() + " found, but this trmbench build has no local-model solver yet"});
    return r;
}

}  // namespace trmbench
