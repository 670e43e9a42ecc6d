// A fake provider server plus a solver wired to it with the real curl transport, for the fault-matrix
// scenarios (harness-anchors §2.8). Waits go through a SkipClock: a 2 s retry-after costs no real time
// but is still measured (clock.skipped_ms()).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/client.h"
#include "adapters/http_curl.h"
#include "adapters/llm_solver.h"
#include "tests/unit/adapters/adapter_test_support.h"

namespace trmbench::test {

struct ScenarioHarness {
    FakeServer server;
    MemoryCalls calls;
    MemoryCache cache;
    SkipClock clock;
    LimiterRegistry limiters;
    std::vector<std::string> log;
    std::shared_ptr<HttpTransport> transport = std::make_shared<CurlTransport>();
    FakeTask task;
    bool use_cache = false;
    std::shared_ptr<SpendBudget> budget;
    RetryPolicy retry;

    ScenarioHarness() {
        retry.max_attempts = 4;
        retry.base_delay_ms = 1000;
        retry.max_backoff_ms = 8000;
        retry.max_timeout_retries = 1;
    }

    LlmClientOptions options() {
        LlmClientOptions o;
        o.transport = transport;
        o.calls = &calls;
        o.cache = use_cache ? &cache : nullptr;
        o.clock = &clock;
        o.limiters = &limiters;
        o.budget = budget;
        o.retry = retry;
        o.seed = 42;
        o.log = [this](const std::string & line) { log.push_back(line); };
        return o;
    }

    // Solves `n` fake examples (attempt 0) with a fresh solver for `entry`.
    std::vector<Prediction> solve(const ModelEntry & entry, size_t n = 1, LimitSettings provider_limits = {},
                                  VectorSink * external_sink = nullptr) {
        examples = fake_examples(n);
        std::vector<WorkItem> items;
        for (const auto & e : examples) items.push_back({&e, 0});
        LlmSolver solver(entry, provider_limits, options());
        VectorSink local;
        VectorSink & sink = external_sink ? *external_sink : local;
        solver.solve(task, items, sink);
        last_stats = solver.stats();
        return sink.predictions;
    }

    Prediction solve_one(const ModelEntry & entry) {
        auto p = solve(entry, 1);
        if (p.size() != 1) throw std::runtime_error("expected one prediction");
        return p.front();
    }

    std::vector<Example> examples;
    RunStats last_stats;
};

inline Scripted reply(const std::string & file, HttpHeaders headers = {}) {
    Scripted s;
    s.body = http_data(file);
    s.headers = std::move(headers);
    return s;
}

inline Scripted error_reply(int status, const std::string & file, HttpHeaders headers = {}) {
    Scripted s = reply(file, std::move(headers));
    s.status = status;
    return s;
}

}  // namespace trmbench::test
