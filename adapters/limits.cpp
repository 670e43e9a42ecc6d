// Token buckets, AIMD concurrency and the rate limiter.
#include "adapters/limits.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trmbench {

TokenBucket::TokenBucket(double per_minute, double burst_s) {
    if (per_minute <= 0) return;
    rate_per_ms_ = per_minute / 60'000.0;
    capacity_ = std::max(1.0, rate_per_ms_ * std::max(1.0, burst_s) * 1000.0);
    level_ = capacity_;
}

void TokenBucket::refill(double now_ms) {
    if (last_ms_ < 0) last_ms_ = now_ms;
    if (now_ms > last_ms_) {
        level_ = std::min(capacity_, level_ + (now_ms - last_ms_) * rate_per_ms_);
        last_ms_ = now_ms;
    }
}

double TokenBucket::available_at(double n, double now_ms) {
    if (unlimited()) return now_ms;
    refill(now_ms);
    double need = std::min(n, capacity_);
    if (level_ >= need) return now_ms;
    return now_ms + (need - level_) / rate_per_ms_;
}

void TokenBucket::take(double n, double now_ms) {
    if (unlimited()) return;
    refill(now_ms);
    level_ -= n;
}

void TokenBucket::adjust(double n, double now_ms) {
    if (unlimited()) return;
    refill(now_ms);
    level_ = std::min(capacity_, level_ + n);
}

double TokenBucket::level(double now_ms) {
    refill(now_ms);
    return level_;
}

AdaptiveConcurrency::AdaptiveConcurrency(int min_limit, int start, int max_limit, double cooldown_ms)
    : min_(std::max(1, min_limit)),
      max_(std::max(min_, max_limit)),
      limit_(std::clamp(start, min_, max_)),
      cooldown_ms_(cooldown_ms) {}

void AdaptiveConcurrency::on_rate_limited(double now_ms) {
    clean_ = 0;
    if (now_ms - last_decrease_ms_ < cooldown_ms_) return;  // one decrease per episode
    last_decrease_ms_ = now_ms;
    limit_ = std::max(min_, static_cast<int>(std::floor(limit_ * 0.8)));
}

void AdaptiveConcurrency::on_success(double now_ms) {
    if (now_ms - last_decrease_ms_ < cooldown_ms_) return;
    if (++clean_ < limit_) return;  // a full window of clean completions
    clean_ = 0;
    limit_ = std::min(max_, limit_ + std::max(1, static_cast<int>(std::lround(limit_ * 0.05))));
}

RateLimiter::RateLimiter(LimitSettings settings)
    : settings_(settings),
      requests_(settings.rpm, settings.burst_s),
      tokens_(settings.tpm, settings.burst_s) {
    if (settings_.adaptive && settings_.max_in_flight > 0) {
        int max = settings_.max_in_flight;
        adaptive_ = AdaptiveConcurrency(std::max(1, max / 10), std::max(1, max / 2), max);
    }
}

RateLimiter::Grant RateLimiter::try_acquire(double now_ms, int64_t estimated_tokens) {
    std::lock_guard<std::mutex> lock(mutex_);
    Grant g;
    if (paused_until_ms_ > now_ms) {
        g.retry_at_ms = paused_until_ms_;
        g.by_rate = true;
        return g;
    }
    int cap = settings_.adaptive && settings_.max_in_flight > 0 ? adaptive_.limit() : settings_.max_in_flight;
    if (cap > 0 && in_flight_ >= cap) {
        g.retry_at_ms = std::numeric_limits<double>::infinity();
        return g;
    }
    double tokens = static_cast<double>(std::max<int64_t>(0, estimated_tokens));
    double at = std::max(requests_.available_at(1, now_ms), tokens > 0 ? tokens_.available_at(tokens, now_ms) : now_ms);
    if (at > now_ms) {
        g.retry_at_ms = at;
        g.by_rate = true;
        return g;
    }
    requests_.take(1, now_ms);
    if (tokens > 0) tokens_.take(tokens, now_ms);
    ++in_flight_;
    g.granted = true;
    return g;
}

void RateLimiter::release(double now_ms, int64_t estimated_tokens, int64_t actual_tokens, bool rate_limited) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (in_flight_ > 0) --in_flight_;
    if (actual_tokens >= 0)
        tokens_.adjust(static_cast<double>(std::max<int64_t>(0, estimated_tokens) - actual_tokens), now_ms);
    if (!settings_.adaptive) return;
    if (rate_limited) adaptive_.on_rate_limited(now_ms);
    else adaptive_.on_success(now_ms);
}

void RateLimiter::undo_acquire(double now_ms, int64_t estimated_tokens) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (in_flight_ > 0) --in_flight_;
    requests_.adjust(1, now_ms);
    tokens_.adjust(static_cast<double>(std::max<int64_t>(0, estimated_tokens)), now_ms);
}

void RateLimiter::pause_until(double until_ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_until_ms_ = std::max(paused_until_ms_, until_ms);
}

int RateLimiter::in_flight() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return in_flight_;
}

int RateLimiter::concurrency_limit() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return settings_.adaptive && settings_.max_in_flight > 0 ? adaptive_.limit() : settings_.max_in_flight;
}

std::shared_ptr<RateLimiter> LimiterRegistry::get(const std::string & key, const LimitSettings & settings) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto & slot = limiters_[key];
    if (!slot) slot = std::make_shared<RateLimiter>(settings);
    return slot;
}

LimiterRegistry & global_limiters() {
    static LimiterRegistry registry;
    return registry;
}

}  // namespace trmbench
