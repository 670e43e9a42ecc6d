// Solver entries -> built solvers (see solver_registry.h).
#include "harness/run/solver_registry.h"

#include "harness/run/baselines.h"

namespace trmbench {
namespace {

SolverResolution resolve_baseline(const SolverEntry & entry, const SolverContext & ctx) {
    SolverResolution r;
    PlannedSolver s;
    s.entry = entry;
    s.kind = SolverKind::baseline;
    s.solver = make_baseline(entry.name, ctx.suite->seed);
    s.info = s.solver->info();
    s.name = entry.run_name();
    s.info.name = s.name;
    r.solvers.push_back(std::move(s));
    return r;
}

}  // namespace

SolverResolution resolve_solver(const SolverEntry & entry, SolverContext & ctx) {
    switch (entry.kind) {
        case SolverKind::baseline: return resolve_baseline(entry, ctx);
        case SolverKind::local: return resolve_local(entry, ctx);
        case SolverKind::llm: return resolve_llm(entry, ctx);
    }
    return {};
}

}  // namespace trmbench
