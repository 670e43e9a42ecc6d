// SystemClock and SkipClock.
#include "adapters/clock.h"

#include <algorithm>
#include <cmath>

namespace trmbench {
namespace {

double steady_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

int64_t system_unix_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

double SystemClock::now_ms() { return steady_ms(); }

int64_t SystemClock::unix_ms() { return system_unix_ms(); }

void SystemClock::wait_until(std::condition_variable & cv, std::unique_lock<std::mutex> & lock, double deadline_ms) {
    // At most kMaxWaitMs at a time, so that callers notice stop requests (SIGINT) promptly.
    double left = std::min(deadline_ms - steady_ms(), kMaxWaitMs);
    if (left <= 0) return;
    cv.wait_for(lock, std::chrono::duration<double, std::milli>(left));
}

Clock & system_clock() {
    static SystemClock clock;
    return clock;
}

SkipClock::SkipClock() : start_(std::chrono::steady_clock::now()), unix_at_start_ms_(system_unix_ms()) {}

double SkipClock::now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now() - start_).count() + skipped_ms_.load();
}

int64_t SkipClock::unix_ms() { return unix_at_start_ms_ + static_cast<int64_t>(std::llround(now_ms())); }

void SkipClock::wait_until(std::condition_variable & cv, std::unique_lock<std::mutex> & lock, double deadline_ms) {
    if (std::isinf(deadline_ms)) {
        // Nothing to skip to: wait for the next response for real (bounded, the caller loops).
        cv.wait_for(lock, std::chrono::duration<double, std::milli>(kMaxWaitMs));
        return;
    }
    double left = deadline_ms - now_ms();
    if (left > 0) skipped_ms_.store(skipped_ms_.load() + left);
}

}  // namespace trmbench
