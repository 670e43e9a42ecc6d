// A minimal parallel-for for the dataset builders: items [0, n) on up to `threads` std::threads,
// each item computed independently (its own seed, its own output slot), so the result never
// depends on the thread count. The first exception thrown by any item is rethrown on the caller's
// thread after all workers stop.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include "harness/core/version.h"

namespace trmbench::data_detail {

// threads <= 0: all usable cores.
inline int resolve_threads(int threads) { return threads > 0 ? threads : cpu_cores(); }

template <class Fn>
void parallel_for(int64_t n, int threads, Fn && fn) {
    if (n <= 0) return;
    const int workers = static_cast<int>(std::min<int64_t>(resolve_threads(threads), n));
    std::atomic<int64_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr failure;
    auto work = [&] {
        try {
            for (int64_t i; !failed.load() && (i = next.fetch_add(1)) < n;) fn(i);
        } catch (...) {
            if (!failed.exchange(true)) failure = std::current_exception();
        }
    };
    if (workers <= 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        pool.reserve(static_cast<size_t>(workers));
        for (int t = 0; t < workers; ++t) pool.emplace_back(work);
        for (auto & th : pool) th.join();
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace trmbench::data_detail
