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
#include "models/flops.h"
#include "models/local_solver.h"
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


// Test-time augmentations for ARC: the first ARC task entry that sets them (-1: the solver's
// default, all variants the identifiers file lists, else 1000).
int arc_variants_of(const Suite & suite) {
    for (const TaskEntry & t : suite.tasks)
        if (t.family == "arc" && t.augmentations >= 0) return t.augmentations;
    return -1;
}

PlannedSolver build_local(const SolverEntry & e, const SolverContext & ctx, const fs::path & checkpoint) {
    LocalSolverConfig c;
    c.name = e.run_name();
    c.model.preset = e.preset;
    c.model.checkpoint = checkpoint;
    c.device = e.device;
    c.dtype = e.dtype;
    c.batch_size = e.batch_size;
    c.arc_variants = arc_variants_of(*ctx.suite);
    c.arc_seed = ctx.suite->seed;
    c.quiet = true;
    PlannedSolver s;
    s.entry = e;
    s.kind = SolverKind::local;
    try {
        s.solver = make_local_solver(c);
    } catch (...) {
        rethrow_with_context(e.where + " (local model '" + e.name + "', checkpoint " + checkpoint.string() + ")");
    }
    s.info = s.solver->info();
    s.name = e.run_name();
    s.info.name = s.name;
    LocalModelSpec spec;
    spec.preset = e.preset;
    ModelConfig config = resolve_local_model(spec, false).config;
    int variants = c.arc_variants >= 0 ? c.arc_variants : 1000;
    s.estimate = [config, variants](const Task & task, std::span<const WorkItem> items) {
        Estimate est;
        est.requests = static_cast<int64_t>(items.size());
        int64_t sequences = task.family() == "arc" ? variants : 1;
        est.flops = flops_per_puzzle(config, -1, sequences) * static_cast<double>(items.size());
        est.note = task.family() == "arc" ? "FLOPs for " + std::to_string(variants) + " augmented variants per test input" : "";
        return est;
    };
    return s;
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
    r.solvers.push_back(build_local(entry, ctx, *path));
    return r;
}

}  // namespace trmbench
