// Solver: the one interface behind local models (TRM/HRM), remote LLMs and classical baselines.
//
// The runner hands a solver a batch of work items (example, attempt) and a sink. The solver reports
// exactly one Prediction per item through the sink as soon as it has it, so a crash loses at most the
// items still in flight. Per-item failures are outcomes inside the Prediction; solve() throws only for
// configuration or programming errors.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "harness/core/example.h"
#include "harness/core/prediction.h"
#include "harness/core/task.h"

namespace trmbench {

struct SolverInfo {
    std::string name;               // name in the suite or catalogue, e.g. "trm-att-sudoku", "gpt-5-high"
    std::string kind;               // "local" | "llm" | "baseline"
    std::string provider;           // "torch" | "openai" | "anthropic" | "gemini" | "classical" | ...
    std::string model_id;           // provider's model id, or checkpoint path
    int64_t n_params = -1;          // -1 unknown
    int64_t active_params = -1;     // MoE active parameters; -1 unknown
    std::string device;             // "cpu", "cuda:0", "remote"
    std::string dtype;              // "float32", "bfloat16", "" for remote
    std::string checkpoint_sha256;  // local models
    std::string config_json;        // fully resolved config, never containing secrets
};

struct WorkItem {
    const Example * example = nullptr;
    int attempt = 0;
};

// Receives predictions. put() may be called from a solver's worker thread, but never concurrently.
class PredictionSink {
public:
    virtual ~PredictionSink() = default;
    virtual void put(Prediction && p) = 0;
    // Checked by solvers before dispatching more work (spend cap, time budget, SIGINT).
    virtual bool stop_requested() const { return false; }
};

class Solver {
public:
    virtual ~Solver() = default;
    virtual SolverInfo info() const = 0;
    // Whether this solver can attempt the task family at all (e.g. a Sudoku checkpoint cannot do ARC).
    virtual bool supports(const Task & task) const = 0;
    // Items that fit one call of solve(): large for batched local models, the concurrency for LLMs.
    virtual size_t preferred_batch_size() const { return 1; }
    // Reports one Prediction per item through sink (items skipped after stop_requested() get
    // Outcome::skipped).
    virtual void solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) = 0;
};

}  // namespace trmbench
