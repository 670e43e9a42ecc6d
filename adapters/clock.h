// Clock: time for the dispatcher, injectable so tests check waits without sleeping for real.
//
// The dispatcher never calls sleep(); it waits on a condition variable until a deadline or until a
// response arrives. SystemClock waits for real. SkipClock (tests) jumps its virtual time straight to
// the deadline instead of waiting, and records how far it jumped, so a test can assert "waited 2 s
// for retry-after" in milliseconds of real time. Waits with no deadline (only responses pending)
// are real waits on both clocks.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>

namespace trmbench {

constexpr double kNoDeadline = std::numeric_limits<double>::infinity();
// Longest real wait of one wait_until() call; callers loop and re-check their state.
constexpr double kMaxWaitMs = 250;

class Clock {
public:
    virtual ~Clock() = default;
    // Monotonic milliseconds (arbitrary origin).
    virtual double now_ms() = 0;
    // Unix epoch milliseconds, consistent with now_ms() (for HTTP dates and RFC 3339 reset times).
    virtual int64_t unix_ms() = 0;
    // Blocks until now_ms() >= deadline_ms or until `cv` is notified, or at most kMaxWaitMs of real
    // time (spurious wake-ups allowed; the caller re-checks its state). `lock` must hold the mutex
    // `cv` is used with.
    virtual void wait_until(std::condition_variable & cv, std::unique_lock<std::mutex> & lock, double deadline_ms) = 0;
};

class SystemClock final : public Clock {
public:
    double now_ms() override;
    int64_t unix_ms() override;
    void wait_until(std::condition_variable & cv, std::unique_lock<std::mutex> & lock, double deadline_ms) override;
};

// Process-wide SystemClock.
Clock & system_clock();

class SkipClock final : public Clock {
public:
    SkipClock();
    double now_ms() override;
    int64_t unix_ms() override;
    void wait_until(std::condition_variable & cv, std::unique_lock<std::mutex> & lock, double deadline_ms) override;
    // Total virtual milliseconds skipped by wait_until() so far.
    double skipped_ms() const { return skipped_ms_.load(); }

private:
    std::chrono::steady_clock::time_point start_;
    int64_t unix_at_start_ms_;
    std::atomic<double> skipped_ms_{0};
};

}  // namespace trmbench
