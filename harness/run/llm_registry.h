// What the LLM solvers of one run share: the spend cap (one budget across every LLM solver) and the
// database-backed response cache and api_calls sink. The solvers are built while planning, before the
// database is open, so they receive forwarding objects here; the runner attaches the real ones from
// the results store. Until then (dry run) the cache answers nothing and calls are not recorded.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "harness/core/llm_records.h"

namespace trmbench {

class LlmServices {
public:
    explicit LlmServices(double spend_cap_usd);  // < 0: no cap
    ~LlmServices();

    // Points the forwarding cache, call sink and background-job store at the run's store (null detaches).
    void attach(ResponseCache * cache, ApiCallSink * calls, BatchJobStore * jobs = nullptr);

    // Where the solvers' retry and give-up lines go (the run's progress display); null: dropped.
    void set_log(std::function<void(const std::string &)> log);

    ResponseCache & cache();
    ApiCallSink & calls();
    double spend_cap_usd() const { return cap_; }
    // Dollars booked so far by every LLM solver of the run (including book_previous_spend()).
    double spent_usd() const;
    // A resumed run: books what its stored attempts already cost, so the spend cap covers the whole
    // run, not each session.
    void book_previous_spend(double usd);

    struct Impl;  // llm_registry.cpp: the forwarding objects and the adapters' shared spend budget
    Impl & impl() { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
    double cap_;
};

}  // namespace trmbench
