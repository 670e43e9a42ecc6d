// LlmSolver: the Solver for one catalogue entry. Renders prompts through the Task, sends every item of
// a batch concurrently through an LlmClient (limits, retries, cache, spend cap, call records), parses
// each reply with Task::parse_answer, and reports one Prediction per item through the sink as soon as
// it is known. Items left when the sink asks to stop, or when the spend cap would be passed, come back
// as Outcome::skipped with the reason.
#pragma once

#include <memory>
#include <span>

#include "adapters/client.h"
#include "harness/core/solver.h"

namespace trmbench {

class LlmSolver final : public Solver {
public:
    // Throws UsageError naming the environment variable when the entry's API key is unset.
    LlmSolver(ModelEntry entry, LimitSettings provider_limits, LlmClientOptions options, size_t batch_size = 256);

    SolverInfo info() const override;
    bool supports(const Task & task) const override { return true; }
    size_t preferred_batch_size() const override { return batch_size_; }
    void solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) override;

    // Estimated tokens and dollars of solving `items` (nothing is sent).
    Preflight preflight(const Task & task, std::span<const WorkItem> items) const;
    RunStats stats() const { return client_.stats(); }
    const ModelEntry & entry() const { return client_.entry(); }

private:
    LlmClient client_;
    size_t batch_size_;
};

// Pre-flight estimate for `items` on `entry` without a solver (no API key needed, nothing sent).
Preflight preflight_for(const ModelEntry & entry, const Task & task, std::span<const WorkItem> items);

// The Prediction for a client result: parses the answer when the reply was complete.
Prediction prediction_from_result(const Task & task, const Example & example, LlmResult && result);

}  // namespace trmbench
