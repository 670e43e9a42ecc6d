// Retry policy: which failures are retried, how long to wait, and what a failure finally becomes.
//
// Rules (harness-anchors §0.3, §2.0): retry 408, 409, 429, 5xx and 529, connection errors, timeouts
// and malformed 200 bodies (an HTML page from a proxy, cut-off JSON), with capped exponential backoff
// and jitter; a server's own hint wins (retry-after-ms, retry-after as seconds or HTTP date,
// x-ratelimit-reset-* Go durations, anthropic-ratelimit-*-reset RFC 3339 times, Gemini's RetryInfo);
// x-should-retry overrides the status. Quota and billing errors (OpenAI insufficient_quota, any 402,
// Anthropic billing_error, Gemini per-day quota) and other 4xx are never retried. "Provider
// overloaded" (529/503) and "you are rate-limited" (429) are different kinds with different outcomes.
// Everything here is a pure function of its inputs (time and randomness are passed in).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/http.h"
#include "harness/core/prediction.h"
#include "harness/core/rng.h"

namespace trmbench {

enum class FailureKind {
    rate_limited,   // 429: you exceeded your rate limit
    overloaded,     // 529, 503, overloaded_error, UNAVAILABLE: the provider is overloaded for everyone
    server_error,   // other 5xx, 408, 409
    timeout,        // the client's timeout fired (the provider may still bill the call)
    connection,     // could not connect, or the connection broke
    malformed,      // a 2xx whose body is not the provider's JSON (proxy HTML, truncated JSON)
    quota,          // quota or billing exhausted: never retried
    client_error,   // other 4xx (400/401/403/404/413/422): never retried
    tls,            // certificate / handshake failure: never retried
    cancelled,      // the transport shut down
};

std::string_view failure_kind_name(FailureKind k);
bool failure_retryable(FailureKind k);
// The Outcome a failure becomes once retries are over.
Outcome failure_outcome(FailureKind k);

struct Failure {
    FailureKind kind = FailureKind::server_error;
    int http_status = 0;
    std::string reason;                      // short, human-readable (provider's message when there is one)
    std::optional<double> server_delay_ms;   // the server's own "retry after" hint
    std::string delay_source;                // which header/field the hint came from
    std::optional<bool> should_retry;        // x-should-retry header
    std::string request_id;                  // request id found in the error body (Anthropic)
};

// --- hint parsers (pure) ---
// Go-style durations as in x-ratelimit-reset-*: "1s", "6m0s", "12ms", "1m30.5s", "1h2m". nullopt if invalid.
std::optional<double> parse_go_duration_ms(std::string_view s);
// HTTP dates (RFC 9110: IMF-fixdate, RFC 850, asctime) -> unix ms. nullopt if invalid.
std::optional<int64_t> parse_http_date_unix_ms(std::string_view s);
// RFC 3339 timestamps ("2026-11-28T10:00:02Z", fractional seconds, numeric offsets) -> unix ms.
std::optional<int64_t> parse_rfc3339_unix_ms(std::string_view s);
// Protobuf JSON durations as in Gemini's RetryInfo.retryDelay: "19s", "1.5s". nullopt if invalid.
std::optional<double> parse_proto_duration_ms(std::string_view s);

struct RetryHint {
    double delay_ms = 0;
    std::string source;
};
// The server's wait hint from response headers, in priority order: retry-after-ms, retry-after
// (seconds or HTTP date), then (only when `rate_limited`) the longest of x-ratelimit-reset-requests/
// -tokens and anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset.
std::optional<RetryHint> retry_hint_from_headers(const HttpHeaders & headers, int64_t now_unix_ms, bool rate_limited);

// Classifies a response that is not a usable 2xx: a transport failure or an error status. Reads the
// error body of every supported provider (OpenAI/DeepSeek/vLLM, Anthropic, Gemini RPC envelope).
Failure classify_failure(const HttpResponse & response, int64_t now_unix_ms);
// A 2xx whose body could not be used.
Failure malformed_failure(const HttpResponse & response, const std::string & why);

// Human-readable text of a non-JSON error body (e.g. a proxy's HTML 502 page): tags stripped,
// whitespace collapsed, at most `max_chars`.
std::string summarize_body(std::string_view body, size_t max_chars = 200);

struct RetryPolicy {
    int max_attempts = 8;                    // exchanges per item, the first included
    double base_delay_ms = 1000;             // first backoff
    double max_backoff_ms = 60'000;          // cap of one computed backoff
    double jitter = 0.25;                    // backoff *= 1 - jitter * U[0,1)
    double max_retry_wall_ms = 30 * 60'000;  // total waiting per item; a longer server hint gives up
    int max_timeout_retries = 1;             // a timed-out call may be billed: retry it at most this often
};

struct RetryDecision {
    bool retry = false;
    double wait_ms = 0;
    std::string why;  // "retry-after", "backoff", or the reason for giving up
};

// `attempts_done`: exchanges already made for this item (>= 1); `waited_ms`: total waited so far;
// `timeouts`: timeouts so far including this one (when this failure is a timeout).
RetryDecision decide_retry(const RetryPolicy & policy, const Failure & failure, int attempts_done, double waited_ms,
                           int timeouts, Rng & rng);

}  // namespace trmbench
