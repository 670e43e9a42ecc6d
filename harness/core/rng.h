// Rng: a small, fully specified PRNG (xoshiro256** seeded by splitmix64) with our own uniform and
// shuffle. std::uniform_int_distribution and std::shuffle differ between standard libraries, so
// "the same seed gives the same file" would not hold across machines with them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace trmbench {

class Rng {
public:
    explicit Rng(uint64_t seed);
    uint64_t next();                        // 64 random bits
    void fill(uint64_t * out, std::size_t n);  // n successive next() values, without a call per value
    uint64_t below(uint64_t n);             // uniform in [0, n), unbiased (rejection); n > 0
    int64_t uniform(int64_t lo, int64_t hi);  // uniform in [lo, hi], inclusive
    double unit();                          // uniform in [0, 1), 53 bits
    bool bernoulli(double p) { return unit() < p; }

    // Fisher-Yates, last to first, with below(); deterministic for a given seed.
    template <class T>
    void shuffle(std::vector<T> & v) {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }

private:
    uint64_t s_[4];
};

// Derives an independent seed from a parent seed and a stream id (e.g. a puzzle index).
uint64_t derive_seed(uint64_t seed, uint64_t stream);

}  // namespace trmbench
