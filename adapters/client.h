// LlmClient: sends many prompts to one catalogue entry concurrently, with retries, limits, a response
// cache, a spend cap and a record of every HTTP exchange. The LLM solver and `trmbench llm ask` both
// run on it.
//
// run() is an event loop on the calling thread: it pulls jobs from a JobSource lazily (a prompt is
// rendered only when its request is about to be sent, so memory does not grow with the queue),
// consults the cache, asks the limiters, hands requests to the transport, and handles responses as
// they arrive (transport callbacks only queue them). Each job ends in exactly one LlmResult, passed
// to `on_result` on the calling thread as soon as it is known. Per-job failures are outcomes, never
// exceptions; an exception from the cache, the call sink or `on_result` stops dispatching, lets the
// requests in flight finish, and is rethrown from run().
//
// Records: one ApiCallRecord per HTTP exchange (every retry and every background poll), with the
// exchange's status, its retry index (`retries`), the total waited before it (`wait_ms`), the outcome
// the exchange led to ("rate_limited" for a 429 that was retried, the final outcome for the last one)
// and the decision in `error` ("retry 2 in 2000 ms (retry-after): HTTP 429 ..."). Bodies, errors and
// texts pass through a Redactor holding the API key, so the key appears in no record, cache entry,
// result or log line.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "adapters/catalog.h"
#include "adapters/clock.h"
#include "adapters/http.h"
#include "adapters/limits.h"
#include "adapters/provider.h"
#include "adapters/retry.h"
#include "adapters/text_util.h"
#include "harness/core/llm_records.h"
#include "harness/core/prediction.h"
#include "harness/core/rng.h"

namespace trmbench {

// The jobs of one run. prompt(i) is called once per job, right before its first request.
class JobSource {
public:
    virtual ~JobSource() = default;
    virtual size_t size() const = 0;
    virtual std::string example_id(size_t i) const = 0;
    virtual int attempt(size_t i) const = 0;
    virtual std::string prompt(size_t i) const = 0;
};

// Retries per failure kind ("overloaded" and "rate-limited" counted apart).
struct RetryCounts {
    int rate_limited = 0, overloaded = 0, server_error = 0, timeout = 0, connection = 0, malformed = 0;
    int total() const { return rate_limited + overloaded + server_error + timeout + connection + malformed; }
    void add(FailureKind k);
    RetryCounts & operator+=(const RetryCounts & o);
};

struct LlmResult {
    size_t index = 0;
    std::string example_id;
    int attempt = 0;
    // ok: a complete reply with text came back (the caller parses the answer from `text`).
    Outcome outcome = Outcome::ok;
    FinishKind finish = FinishKind::other;
    std::string finish_raw;
    std::string text;
    std::string reasoning;
    std::string error;
    int http_status = 0;
    std::string request_id;        // provider's request id (header), else the response id
    std::string response_id;
    int retries = 0;               // HTTP exchanges beyond the first (polls excluded)
    RetryCounts retry_counts;
    double wait_ms = 0;            // total backoff and rate-limit waiting
    double rate_limit_wait_ms = 0; // part of wait_ms caused by rate limits (429 hints, token buckets)
    double latency_ms = 0;         // the final HTTP exchange
    Usage usage;
    Compute compute;
    bool from_cache = false;
    std::string cache_key;
};

// A spend cap shared by every client of a run. Before a request is sent its worst-case cost is
// reserved; dispatching stops when spent + reserved + the next worst case would pass the cap.
class SpendBudget {
public:
    explicit SpendBudget(double cap_usd) : cap_(cap_usd) {}
    bool try_reserve(double usd);
    // Releases a reservation and books the actual cost (>= 0).
    void settle(double reserved_usd, double actual_usd);
    double cap() const { return cap_; }
    double spent() const;
    double reserved() const;

private:
    mutable std::mutex mutex_;
    double cap_;
    double spent_ = 0;
    double reserved_ = 0;
};

// Pre-flight estimate of a run (nothing is sent).
struct Preflight {
    size_t requests = 0;
    int64_t input_tokens = 0;            // estimate_tokens() over every prompt
    int64_t expected_output_tokens = 0;  // typical_output_tokens (else max_output_tokens) per request
    int64_t worst_output_tokens = 0;     // worst-case output per request; -1 when unbounded
    double expected_usd = -1;            // -1 when prices or output bounds are unknown
    double worst_usd = -1;
    std::string method;                  // how tokens were estimated
    std::string to_text() const;
};

struct RunStats {
    int64_t jobs = 0, requests_sent = 0, cache_hits = 0, skipped = 0;
    RetryCounts retries;
    double spent_usd = 0;  // cost of completed calls (cache hits excluded)
};

struct LlmClientOptions {
    std::shared_ptr<HttpTransport> transport;  // null: the process-wide curl transport
    ResponseCache * cache = nullptr;           // null: no cache
    ApiCallSink * calls = nullptr;             // null: exchanges are not recorded
    // Background (openai-responses) job ids are saved here when a job is accepted and marked
    // collected when it ends, so a restarted run with the same store polls the running job instead
    // of submitting (and paying for) it again. null: not persisted.
    BatchJobStore * background_jobs = nullptr;
    Clock * clock = nullptr;                   // null: system clock
    LimiterRegistry * limiters = nullptr;      // null: process-wide registry
    std::shared_ptr<SpendBudget> budget;       // null: no spend cap
    RetryPolicy retry;
    uint64_t seed = 0;                         // backoff jitter
    std::string solver_name;                   // for records; default: the entry's name
    std::function<void(const std::string &)> log;  // retry and give-up lines (redacted)
};

class LlmClient {
public:
    // Resolves the API key from the entry's environment variable; throws UsageError naming the
    // variable when it is unset (nothing is sent).
    LlmClient(ModelEntry entry, LimitSettings provider_limits, LlmClientOptions options);
    ~LlmClient();
    LlmClient(const LlmClient &) = delete;
    LlmClient & operator=(const LlmClient &) = delete;

    // Runs every job of `jobs`; one call at a time per client.
    void run(const JobSource & jobs, const std::function<void(LlmResult &&)> & on_result,
             const std::function<bool()> & stop_requested = {});
    Preflight preflight(const JobSource & jobs) const;

    const ModelEntry & entry() const { return entry_; }
    RunStats stats() const;
    const Redactor & redactor() const { return redactor_; }

    // Cache key: sha256 of provider/api, model id, canonical request body and attempt index.
    static std::string cache_key(const ModelEntry & entry, const std::string & body, int attempt);

private:
    friend class ClientRun;
    ModelEntry entry_;
    const Provider & provider_;
    LlmClientOptions options_;
    std::string api_key_;
    Redactor redactor_;
    std::shared_ptr<RateLimiter> provider_limiter_;
    std::shared_ptr<RateLimiter> model_limiter_;
    Rng rng_;
    std::mutex run_mutex_;
    mutable std::mutex stats_mutex_;
    RunStats stats_;
};

// Pre-flight estimate of running `jobs` on `entry` (renders every prompt; sends nothing, needs no key).
Preflight estimate_run(const ModelEntry & entry, const JobSource & jobs);

// The API key for an entry from its environment variable ("" when the entry needs none); throws
// UsageError naming the variable when it is unset.
std::string api_key_for(const ModelEntry & entry);

// The process-wide curl transport (created on first use).
std::shared_ptr<HttpTransport> default_transport();

}  // namespace trmbench
