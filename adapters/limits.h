// Client-side limits per provider and per model: token buckets on requests/minute and tokens/minute,
// a cap on requests in flight, optional adaptive concurrency (AIMD), and a shared pause after a 429.
//
// The dispatcher asks try_acquire() before each request with an estimate of its tokens; the limiter
// either grants (and counts the request in flight) or says when to ask again. release() corrects the
// token bucket with the actual usage once the response is in. Limiters are shared across solvers and
// threads through a LimiterRegistry keyed by "provider" and "provider/model", so two catalogue entries
// on the same account share one budget. All times are passed in (Clock::now_ms()), which keeps the
// arithmetic testable without sleeping.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace trmbench {

struct LimitSettings {
    double rpm = 0;          // requests per minute; 0 = unlimited
    double tpm = 0;          // tokens per minute (input + output); 0 = unlimited
    int max_in_flight = 0;   // concurrent requests; 0 = unlimited
    bool adaptive = false;   // AIMD on top of max_in_flight (which must then be > 0)
    double burst_s = 10;     // bucket capacity in seconds of rate (a full minute would invite 429s)
};

// A token bucket over a per-minute rate. The level may go negative (debt) when a correction or an
// over-sized request takes more than is there; the bucket then refills to zero before granting.
class TokenBucket {
public:
    TokenBucket() = default;
    TokenBucket(double per_minute, double burst_s);
    bool unlimited() const { return rate_per_ms_ <= 0; }
    // Earliest time (>= now) at which `n` can be taken. A request larger than the capacity is granted
    // when the bucket is full, so it is delayed, never starved.
    double available_at(double n, double now_ms);
    void take(double n, double now_ms);
    // Adds `n` back (negative n takes more), e.g. after the actual usage was lower than the estimate.
    void adjust(double n, double now_ms);
    double level(double now_ms);

private:
    void refill(double now_ms);
    double rate_per_ms_ = 0;
    double capacity_ = 0;
    double level_ = 0;
    double last_ms_ = -1;
};

// Additive-increase / multiplicative-decrease concurrency: x0.8 on a rate-limit episode (at most once
// per cooldown), +5% (at least +1) after a window of clean completions.
class AdaptiveConcurrency {
public:
    AdaptiveConcurrency() = default;
    AdaptiveConcurrency(int min_limit, int start, int max_limit, double cooldown_ms = 15'000);
    int limit() const { return limit_; }
    void on_rate_limited(double now_ms);
    void on_success(double now_ms);

private:
    int min_ = 1, max_ = 1, limit_ = 1;
    double cooldown_ms_ = 15'000;
    double last_decrease_ms_ = -1e300;
    int clean_ = 0;
};

class RateLimiter {
public:
    explicit RateLimiter(LimitSettings settings);

    struct Grant {
        bool granted = false;
        // When not granted: when to try again; infinity = when an in-flight request finishes.
        double retry_at_ms = 0;
        bool by_rate = false;  // refused by a token bucket or a pause (not by the in-flight cap)
    };
    Grant try_acquire(double now_ms, int64_t estimated_tokens);
    // Gives back the in-flight slot. `actual_tokens` (-1: unknown) corrects the token bucket;
    // `rate_limited` feeds the adaptive concurrency.
    void release(double now_ms, int64_t estimated_tokens, int64_t actual_tokens, bool rate_limited);
    // Takes back a grant that was not used (another limiter refused the same request).
    void undo_acquire(double now_ms, int64_t estimated_tokens);
    // Holds every new request until `until_ms` (after a 429 with a retry hint: the whole account waits).
    void pause_until(double until_ms);
    int in_flight() const;
    int concurrency_limit() const;  // 0 = unlimited
    const LimitSettings & settings() const { return settings_; }

private:
    mutable std::mutex mutex_;
    LimitSettings settings_;
    TokenBucket requests_;
    TokenBucket tokens_;
    AdaptiveConcurrency adaptive_;
    int in_flight_ = 0;
    double paused_until_ms_ = 0;
};

class LimiterRegistry {
public:
    // The limiter for `key`, created with `settings` on first use (later calls share it).
    std::shared_ptr<RateLimiter> get(const std::string & key, const LimitSettings & settings);

private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<RateLimiter>> limiters_;
};

// Process-wide registry (every solver in one run shares provider budgets).
LimiterRegistry & global_limiters();

}  // namespace trmbench
