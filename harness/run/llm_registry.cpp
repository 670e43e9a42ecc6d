// LLM solver entries -> LlmSolvers built from the model catalogue (adapters module), and the
// services they share in a run (llm_registry.h).
#include "harness/run/llm_registry.h"

#include <mutex>

#include "harness/core/error.h"
#include "harness/run/solver_registry.h"

namespace trmbench {

// Forwards to an attached target; before attach() the cache is empty and calls are dropped.
struct LlmServices::Impl final : ResponseCache, ApiCallSink {
    std::mutex mutex;
    ResponseCache * cache_target = nullptr;
    ApiCallSink * calls_target = nullptr;

    std::optional<CachedResponse> get(const std::string & key) override {
        ResponseCache * t = nullptr;
        {
            std::lock_guard lock(mutex);
            t = cache_target;
        }
        return t ? t->get(key) : std::nullopt;
    }
    void put(const std::string & key, const std::string & provider, const std::string & model_id,
             const CachedResponse & response) override {
        ResponseCache * t = nullptr;
        {
            std::lock_guard lock(mutex);
            t = cache_target;
        }
        if (t) t->put(key, provider, model_id, response);
    }
    void record_api_call(const ApiCallRecord & r) override {
        ApiCallSink * t = nullptr;
        {
            std::lock_guard lock(mutex);
            t = calls_target;
        }
        if (t) t->record_api_call(r);
    }
};

LlmServices::LlmServices(double spend_cap_usd) : impl_(std::make_unique<Impl>()), cap_(spend_cap_usd) {}
LlmServices::~LlmServices() = default;

void LlmServices::attach(ResponseCache * cache, ApiCallSink * calls) {
    std::lock_guard lock(impl_->mutex);
    impl_->cache_target = cache;
    impl_->calls_target = calls;
}

ResponseCache & LlmServices::cache() { return *impl_; }
ApiCallSink & LlmServices::calls() { return *impl_; }

// SEAM(adapters): the adapters module (catalogue, LlmSolver, SpendBudget, pre-flight) lands from its
// own branch. Until it does, LLM entries resolve to a skip with that reason, and nothing is spent.
double LlmServices::spent_usd() const { return 0; }

SolverResolution resolve_llm(const SolverEntry & entry, SolverContext &) {
    SolverResolution r;
    std::string what = entry.name == "*" ? "llm *" : entry.run_name();
    if (entry.name != "*" && !entry.optional)
        throw UsageError(entry.where + ": LLM solver '" + entry.name +
                         "' needs the LLM adapters, which this trmbench build does not have yet");
    r.skipped.push_back({what, "LLM adapters are not built into this trmbench yet"});
    return r;
}

}  // namespace trmbench
