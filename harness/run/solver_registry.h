// The solver registry: turns a suite's solver entries into built solvers, or into skipped entries
// with the reason (missing API key, missing checkpoint, ...). One function per kind:
//   baseline  baselines.h (always available)
//   local     local_registry.cpp: TRM/HRM checkpoints through the models module's local solver
//   llm       llm_registry.cpp:   catalogue entries through the adapters module's LlmSolver
#pragma once

#include <memory>
#include <vector>

#include "harness/run/plan.h"

namespace trmbench {

class Catalog;  // adapters/catalog.h

struct SolverContext {
    const Suite * suite = nullptr;
    const PlanOptions * options = nullptr;
    // Created by the LLM resolver on first use; shared by every LLM solver of the plan.
    std::shared_ptr<LlmServices> * llm = nullptr;
    std::string * price_table_date = nullptr;
    std::shared_ptr<Catalog> catalog;  // the model catalogue, loaded on first use (built-in + --catalog files)
};

struct SolverResolution {
    std::vector<PlannedSolver> solvers;  // built, tasks not yet assigned
    std::vector<Skipped> skipped;
};

SolverResolution resolve_solver(const SolverEntry & entry, SolverContext & ctx);

SolverResolution resolve_local(const SolverEntry & entry, SolverContext & ctx);
SolverResolution resolve_llm(const SolverEntry & entry, SolverContext & ctx);

}  // namespace trmbench
