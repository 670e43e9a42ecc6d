// Maze-Hard generator: fast exact-distribution sampler, plain-rejection reference, CSV writer.
// The why of the sampler is in maze_generator.h; this file has the how.
#include "tasks/maze/maze_generator.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_set>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "harness/core/error.h"
#include "harness/core/progress.h"
#include "harness/core/strings.h"
#include "tasks/maze/maze_core.h"

// AVX2 vectors passed between inlined helpers of the AVX2 flood (see flood_avx2) trip this warning.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace trmbench {
namespace {

// A uniform integer in [0, n) from the top 32 bits of one Rng draw (Lemire's multiply-shift with
// rejection, unbiased). Rng::below's 64-bit modulo would cost more than the rest of a layout draw.
uint32_t bounded(Rng & rng, uint32_t n) {
    uint64_t m = (rng.next() >> 32) * n;
    auto low = static_cast<uint32_t>(m);
    if (low < n) {
        const uint32_t threshold = (0u - n) % n;
        while (low < threshold) {
            m = (rng.next() >> 32) * n;
            low = static_cast<uint32_t>(m);
        }
    }
    return static_cast<uint32_t>(m >> 32);
}

// Uniform integers below n from 32-bit halves of Rng words, drawn 16 words at a time: the fix-up
// loop of a layout draw needs a few dozen, and a call to Rng::next per draw cost more than the rest of
// the loop. Lemire's multiply-shift with rejection keeps each value exactly uniform.
class HalfWordStream {
public:
    explicit HalfWordStream(Rng & rng) : rng_(rng) {}
    uint32_t below(uint32_t n) {
        uint64_t m = static_cast<uint64_t>(half()) * n;
        if (static_cast<uint32_t>(m) < n) {
            const uint32_t threshold = (0u - n) % n;
            while (static_cast<uint32_t>(m) < threshold) m = static_cast<uint64_t>(half()) * n;
        }
        return static_cast<uint32_t>(m >> 32);
    }

private:
    uint32_t half() {
        if (next_ == kHalves) {
            rng_.fill(words_.data(), words_.size());
            next_ = 0;
        }
        const uint64_t w = words_[static_cast<size_t>(next_ / 2)];
        return static_cast<uint32_t>(next_++ % 2 ? w : w >> 32);
    }
    static constexpr int kHalves = 32;
    Rng & rng_;
    std::array<uint64_t, kHalves / 2> words_{};
    int next_ = kHalves;
};

// Bit c set iff byte c (c = 0..31; byte j of word i is bits 8j..8j+7 of words[i], c = 8i + j) is
// below t (1..255). SSE2 where available (x86-64 is little-endian, so memory order is that order).
uint32_t bytes_below(const uint64_t * words, int t) {
#if defined(__SSE2__)
    const __m128i limit = _mm_set1_epi8(static_cast<char>(t - 1));
    __m128i lo, hi;
    std::memcpy(&lo, words, sizeof lo);
    std::memcpy(&hi, words + 2, sizeof hi);
    auto below = [&](__m128i x) {  // unsigned x <= t - 1
        return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, limit), x))) & 0xffffu;
    };
    return below(lo) | (below(hi) << 16);
#else
    uint32_t bits = 0;
    for (int c = 0; c < 32; ++c) bits |= static_cast<uint32_t>(((words[c / 8] >> (8 * (c % 8))) & 0xff) < static_cast<uint64_t>(t)) << c;
    return bits;
#endif
}

// Layouts without a single maze after this many proposals: the threshold is out of reach.
constexpr uint64_t kGiveUpLayouts = 50'000'000;

}  // namespace

// ------------------------------------------------------------------------------------------------
// MazeSampler::Impl
//
// A layout is a bitboard: one uint32 per row. BFS runs as flood fills over whole rows at once (a BFS
// layer = the frontier shifted left/right/up/down, masked by open and not yet visited cells), 4 or 8
// rows per SIMD operation; exact distances, where needed, are read off the recorded layers.

namespace {

constexpr int kMaxSide = 32;
using Row = uint32_t;
// Several rows at a time; GCC and Clang lower these to SSE2/AVX2/NEON (or scalar code elsewhere).
using Rows4 = Row __attribute__((vector_size(16)));
using Rows8 = Row __attribute__((vector_size(32)));
constexpr int kPadRows = 8;  // zero rows before and after the board: row r of the board is row[r + 8]

// A board as one uint32 per row (bit c = column c). The zero rows around it let neighbour rows be
// read without bounds checks and keep blocks of board rows aligned.
struct alignas(32) Bits {
    std::array<Row, kMaxSide + 2 * kPadRows> row{};
    bool test(int r, int c) const { return (row[r + kPadRows] >> c) & 1u; }
    void set(int r, int c) { row[r + kPadRows] |= Row{1} << c; }
    void reset(int r, int c) { row[r + kPadRows] &= ~(Row{1} << c); }
    template <class V>
    [[gnu::always_inline]] V load(int i) const {  // rows i.. of the padded array, any alignment
        V v;
        std::memcpy(&v, &row[i], sizeof v);
        return v;
    }
    template <class V>
    [[gnu::always_inline]] void store(int i, const V & v) {
        std::memcpy(&row[i], &v, sizeof v);
    }
};

int popcount32(uint32_t x) {  // SWAR; the build does not assume a POPCNT instruction
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return static_cast<int>((((x + (x >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24);
}

int popcount(const Bits & b) {
    int n = 0;
    for (Row x : b.row) n += popcount32(x);
    return n;
}

// First set cell in row-major order; the board must not be empty.
std::pair<int, int> first_cell(const Bits & b) {
    for (int i = 0; i < static_cast<int>(b.row.size()); ++i)
        if (b.row[i]) return {i - kPadRows, __builtin_ctz(b.row[i])};
    return {-1, -1};
}

struct FloodResult {
    int layers = 0;         // BFS layers grown; the eccentricity of the start when finished
    bool finished = false;  // the component is complete (the frontier emptied)
};

// Grows `visited` by BFS layers from `frontier` (rows band_lo..band_hi; usually visited and frontier
// start as one start cell) inside `open` (k rows), at most `max_layers` layers. When finished, `frontier` holds the last non-empty layer (the farthest
// cells). `layers_out`, when given, receives every layer (layer 0 = the start).
//
// Only the 4-row blocks that the search can have reached are processed: layer j lies within j rows of
// the start row, so small components cost a few blocks per layer instead of the whole board. Rows of
// the two frontier buffers outside the processed band are never written, so they stay zero.
template <class V>
[[gnu::always_inline]] inline FloodResult flood_blocks(const Bits & open, Bits & visited, Bits & frontier, int k,
                                                       int band_lo, int band_hi, int max_layers,
                                                       std::vector<Bits> * layers_out) {
    constexpr int kBlock = static_cast<int>(sizeof(V) / sizeof(Row));
    FloodResult res;
    if (layers_out) layers_out->assign(1, frontier);
    Bits other;
    Bits * cur = &frontier;
    Bits * nxt = &other;
    int lo = band_lo, hi = band_hi;  // board rows the current frontier can occupy
    // Rows of block i next to the frontier, open and not visited yet.
    auto grown = [&](int i) __attribute__((always_inline)) {
        V x = cur->load<V>(i);
        return ((x << 1) | (x >> 1) | cur->load<V>(i - 1) | cur->load<V>(i + 1)) & open.load<V>(i) &
               ~visited.load<V>(i);
    };
    auto none = [](const V & any) __attribute__((always_inline)) {
        Row bits = 0;
        for (int j = 0; j < kBlock; ++j) bits |= any[j];
        return bits == 0;
    };
    while (true) {
        lo = std::max(lo - 1, 0);
        hi = std::min(hi + 1, k - 1);
        const int first = (lo + kPadRows) & ~(kBlock - 1), last = (hi + kPadRows) & ~(kBlock - 1);
        V any{};
        if (res.layers == max_layers) {  // finished exactly here if nothing is left to grow
            for (int i = first; i <= last; i += kBlock) any |= grown(i);
            res.finished = none(any);
            break;
        }
        for (int i = first; i <= last; i += kBlock) {
            V fresh = grown(i);
            nxt->store<V>(i, fresh);
            visited.store<V>(i, visited.load<V>(i) | fresh);  // block i is read again only by this iteration
            any |= fresh;
        }
        if (none(any)) {
            res.finished = true;
            break;
        }
        std::swap(cur, nxt);
        ++res.layers;
        if (layers_out) layers_out->push_back(*cur);
    }
    if (cur != &frontier) frontier = *cur;
    return res;
}

FloodResult flood_generic(const Bits & open, Bits & visited, Bits & frontier, int k, int band_lo, int band_hi,
                          int max_layers, std::vector<Bits> * layers_out) {
    return flood_blocks<Rows4>(open, visited, frontier, k, band_lo, band_hi, max_layers, layers_out);
}

#if defined(__x86_64__) && defined(__GNUC__)
// Each row's upper (lower) neighbour row for 8 consecutive rows `cur`, given the 8 rows before (after).
[[gnu::always_inline]] inline Rows8 rows_above(const Rows8 & before, const Rows8 & cur) {
#if defined(__clang__)
    return __builtin_shufflevector(before, cur, 7, 8, 9, 10, 11, 12, 13, 14);
#else
    return __builtin_shuffle(before, cur, Rows8{7, 8, 9, 10, 11, 12, 13, 14});
#endif
}
[[gnu::always_inline]] inline Rows8 rows_below(const Rows8 & cur, const Rows8 & after) {
#if defined(__clang__)
    return __builtin_shufflevector(cur, after, 1, 2, 3, 4, 5, 6, 7, 8);
#else
    return __builtin_shuffle(cur, after, Rows8{1, 2, 3, 4, 5, 6, 7, 8});
#endif
}

// The same search where the CPU has AVX2, with the whole board (32 rows) in four 8-row vectors that
// stay in registers from layer to layer. The block version stores each layer and reads it back at
// one-row offsets that straddle the stored blocks (which defeats store-to-load forwarding); here
// neighbour rows come from in-register shuffles, and floods took ~25% instead of ~31% of a proposal
// (perf). The whole board is processed even for a small component, which costs little at 4 vectors.
// Same layers, same result.
[[gnu::target("avx2")]] FloodResult flood_avx2(const Bits & open, Bits & visited, Bits & frontier,
                                               int max_layers, std::vector<Bits> * layers_out) {
    constexpr int kVecs = kMaxSide / 8;
    Rows8 board[kVecs], seen[kVecs], cur[kVecs];
    _Pragma("GCC unroll 4") for (int b = 0; b < kVecs; ++b) {
        board[b] = open.load<Rows8>(kPadRows + 8 * b);
        seen[b] = visited.load<Rows8>(kPadRows + 8 * b);
        cur[b] = frontier.load<Rows8>(kPadRows + 8 * b);
    }
    FloodResult res;
    if (layers_out) layers_out->assign(1, frontier);
    const Rows8 zero{};
    while (true) {
        Rows8 fresh[kVecs];
        Rows8 any{};
        _Pragma("GCC unroll 4") for (int b = 0; b < kVecs; ++b) {
            const Rows8 above = rows_above(b > 0 ? cur[b - 1] : zero, cur[b]);
            const Rows8 below = rows_below(cur[b], b + 1 < kVecs ? cur[b + 1] : zero);
            fresh[b] = ((cur[b] << 1) | (cur[b] >> 1) | above | below) & board[b] & ~seen[b];
            any |= fresh[b];
        }
        const bool empty = _mm256_testz_si256(reinterpret_cast<__m256i &>(any), reinterpret_cast<__m256i &>(any));
        if (res.layers == max_layers || empty) {  // at the limit: finished exactly if nothing is left to grow
            res.finished = empty;
            break;
        }
        _Pragma("GCC unroll 4") for (int b = 0; b < kVecs; ++b) {
            seen[b] |= fresh[b];
            cur[b] = fresh[b];
        }
        ++res.layers;
        if (layers_out) {
            Bits layer;
            _Pragma("GCC unroll 4") for (int b = 0; b < kVecs; ++b) layer.store(kPadRows + 8 * b, cur[b]);
            layers_out->push_back(layer);
        }
    }
    _Pragma("GCC unroll 4") for (int b = 0; b < kVecs; ++b) {
        visited.store(kPadRows + 8 * b, seen[b]);
        frontier.store(kPadRows + 8 * b, cur[b]);
    }
    return res;
}
const bool kHaveAvx2 = __builtin_cpu_supports("avx2");
#endif

FloodResult flood(const Bits & open, Bits & visited, Bits & frontier, int k, int band_lo, int band_hi,
                  int max_layers, std::vector<Bits> * layers_out = nullptr) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (kHaveAvx2) return flood_avx2(open, visited, frontier, max_layers, layers_out);
#endif
    return flood_generic(open, visited, frontier, k, band_lo, band_hi, max_layers, layers_out);
}

}  // namespace

struct MazeSampler::Impl {
    using Cell = std::pair<int, int>;  // (row, column) on the board

    // A landmark of a component: its complete BFS layers (layer j = cells at distance j).
    struct Landmark {
        std::vector<Bits> layers;
        int ecc() const { return static_cast<int>(layers.size()) - 1; }
    };
    // A cell that may have a far partner (stage 3), with its distances to the four landmarks.
    struct FarCell {
        Cell cell;
        std::array<int, 4> d;
        uint32_t group;      // index in far_groups (its component)
        int64_t count = 0;   // far partners of this cell (exact count only)
    };
    struct FarGroup {
        uint32_t begin = 0, end = 0;  // range in `far`
        Bits mask;                    // the same cells as a board
    };

    MazeGenConfig cfg;
    int K, N, T, H;
    std::vector<Cell> center_order;  // board cells, nearest to the centre first
    std::vector<uint16_t> cell_at;   // cell i (row-major) as row * 32 + column
    std::vector<uint32_t> envelope_cdf;  // running sums of cfg.wall_envelope (empty: walls uniform)
    std::optional<Bits> probe_lines;     // rows and columns 10 and 21 (see keep_probed_components); T >= 99
    Bits open_bits;
    int n_walls = 0, n_open = 0;
    double layout_boost = 0;  // A for the current layout: cfg.boost, or 1 / m_w with the envelope
    std::array<Landmark, 4> landmarks;
    std::vector<FarCell> far;
    std::vector<FarGroup> far_groups;
    // Horizontal runs of open cells (at most (K+1)/2 per row) for the union-find in large_components.
    static constexpr int kMaxRuns = kMaxSide * (kMaxSide + 1) / 2;
    std::array<Cell, kMaxRuns> run_cell;               // first cell of each run
    std::array<uint16_t, kMaxRuns> parent, comp_size;  // comp_size is valid at roots
    std::vector<std::pair<Cell, int>> large;
    std::vector<uint16_t> large_roots;         // runs noted as roots of components of T+2 or more cells
    std::array<uint8_t, kMaxRuns> large_noted;  // run already in large_roots (set when the run is created)
    bool deep = false;

    explicit Impl(const MazeGenConfig & c)
        : cfg(c), K(c.size), N(c.size * c.size), T(c.min_path), H(c.min_path / 2) {
        for (int r = 0; r < K; ++r)
            for (int col = 0; col < K; ++col) {
                center_order.emplace_back(r, col);
                cell_at.push_back(static_cast<uint16_t>(r * 32 + col));
            }
        auto centre_distance = [&](const Cell & p) {
            return std::abs(2 * p.first - (K - 1)) + std::abs(2 * p.second - (K - 1));
        };
        std::stable_sort(center_order.begin(), center_order.end(),
                         [&](const Cell & a, const Cell & b) { return centre_distance(a) < centre_distance(b); });
        set_up_envelope();
        if (T + 2 > 100) {
            Bits lines;
            for (int r = 0; r < K; ++r)
                for (int col = 0; col < K; ++col)
                    if (r == 10 || r == 21 || col == 10 || col == 21) lines.set(r, col);
            probe_lines = lines;
        }
    }

    // Running sums of the envelope weights, for drawing w with probability m_w / sum_v m_v.
    void set_up_envelope() {
        const auto & env = cfg.wall_envelope;
        if (env.empty()) return;
        if (static_cast<int>(env.size()) != cfg.max_walls - cfg.min_walls + 1)
            throw UsageError("maze config: wall_envelope has " + std::to_string(env.size()) +
                             " entries for wall counts " + std::to_string(cfg.min_walls) + ".." +
                             std::to_string(cfg.max_walls));
        uint64_t total = 0;
        for (size_t i = 0; i < env.size(); ++i) {
            // A zero weight would never propose that w, which is exact only if no such layout has a far pair.
            if (env[i] == 0 || env[i] > kMazeEnvelopeScale)
                throw UsageError("maze config: wall_envelope entry for " +
                                 std::to_string(cfg.min_walls + static_cast<int>(i)) + " walls must be in 1.." +
                                 std::to_string(kMazeEnvelopeScale));
            total += env[i];
            if (total > 0xffffffffull) throw UsageError("maze config: wall_envelope weights sum to 2^32 or more");
            envelope_cdf.push_back(static_cast<uint32_t>(total));
        }
    }

    // w uniform in [min_walls, max_walls] (the plain law), or with probability m_w / sum_v m_v; sets
    // layout_boost to the A that makes the acceptance probability A * r(L) = r(L) / m_w.
    int draw_wall_count(Rng & rng, bool from_envelope) {
        if (!from_envelope || envelope_cdf.empty()) {
            layout_boost = cfg.boost;
            const auto range = static_cast<uint32_t>(cfg.max_walls - cfg.min_walls + 1);
            return cfg.min_walls + static_cast<int>(bounded(rng, range));
        }
        const uint32_t x = bounded(rng, envelope_cdf.back());
        const auto i = static_cast<size_t>(std::upper_bound(envelope_cdf.begin(), envelope_cdf.end(), x) -
                                           envelope_cdf.begin());
        layout_boost = static_cast<double>(kMazeEnvelopeScale) / static_cast<double>(cfg.wall_envelope[i]);
        return cfg.min_walls + static_cast<int>(i);
    }

    // Step 1 of the procedure: w uniform in [min_walls, max_walls], then a uniform w-subset of the
    // cells. Drawn as i.i.d. walls with probability ~w/N (one random byte per cell), then walls added
    // or removed one at a time at uniformly random cells of the other kind until there are exactly w.
    // Every step treats all cells alike, so the law of the final set is invariant under permutations of
    // the cells; with its size fixed at w it is the uniform w-subset. (Much cheaper than a Fisher-Yates
    // shuffle: 4 Rng values per row and no data-dependent branches instead of ~360 bounded draws; the
    // fix-up cells come from 32-bit halves of Rng words drawn 16 at a time.)
    void draw_layout(Rng & rng, bool from_envelope = false) {
        n_walls = draw_wall_count(rng, from_envelope);
        // Cell c of row r is a wall when byte c%8 (bits 8*(c%8)..) of word 4r + c/8 is below t8.
        const int t8 = std::clamp(static_cast<int>(std::lround(256.0 * n_walls / N)), 1, 255);
        const Row row_mask = K == 32 ? ~Row{0} : ((Row{1} << K) - 1);
        std::array<uint64_t, 4 * kMaxSide> words;
        rng.fill(words.data(), static_cast<size_t>(4 * K));
        Bits walls_bits;
        int count = 0;
        for (int r = 0; r < K; ++r) {
            Row bits = bytes_below(&words[4 * r], t8) & row_mask;
            walls_bits.row[r + kPadRows] = bits;
            count += popcount32(bits);
        }
        // Setting a wall cell or clearing an open one changes nothing, so the loops need no branch on
        // the cell (a coin flip for the branch predictor), and the table spares a division by K.
        HalfWordStream halves(rng);
        while (count < n_walls) {
            const uint16_t at = cell_at[halves.below(static_cast<uint32_t>(N))];
            Row & row = walls_bits.row[(at >> 5) + kPadRows];
            const Row bit = Row{1} << (at & 31);
            count += (row & bit) == 0;
            row |= bit;
        }
        while (count > n_walls) {
            const uint16_t at = cell_at[halves.below(static_cast<uint32_t>(N))];
            Row & row = walls_bits.row[(at >> 5) + kPadRows];
            const Row bit = Row{1} << (at & 31);
            count -= (row & bit) != 0;
            row &= ~bit;
        }
        open_bits = Bits{};
        for (int r = 0; r < K; ++r) open_bits.row[r + kPadRows] = ~walls_bits.row[r + kPadRows] & row_mask;
        n_open = N - n_walls;
    }

    // One BFS from `start` inside `region`: at most max_layers layers (-1: to completion).
    struct Search {
        Bits visited, frontier;
        FloodResult res;
    };
    Search search(const Bits & region, Cell start, int max_layers, std::vector<Bits> * layers_out = nullptr) const {
        Search s;
        s.visited.set(start.first, start.second);
        s.frontier = s.visited;
        s.res = flood(region, s.visited, s.frontier, K, start.first, start.first, max_layers < 0 ? N : max_layers,
                      layers_out);
        return s;
    }

    // One cell and the size of every connected component of `cells` with at least T+2 cells: union-find over the
    // horizontal runs of each row (cheaper than one flood per component when there are dozens). Each
    // maximal overlap segment of two consecutive rows lies in one run of each: one union per segment.
    // A component's root is its first run in row-major order (the smaller index wins a union), and a
    // root is noted when its component reaches T+2 cells, so no pass over all runs is needed at the end.
    // The runs are set up first and the segments joined after, row by row, which keeps the loops free
    // of data-dependent branches but for the union itself.
    const std::vector<std::pair<Cell, int>> & large_components(const Bits & cells) {
        int n_runs = 0;
        large_roots.clear();
        Row prev_bits = 0, prev_starts = 0;
        std::array<std::array<uint16_t, 32>, 2> ids{};  // run index by start column, this row and the last
        for (int r = 0; r < K; ++r) {
            const Row x = cells.row[r + kPadRows];
            const Row starts = x & ~(x << 1);
            auto & id_by_start = ids[r & 1];
            const auto & prev_id_by_start = ids[(r & 1) ^ 1];
            Row ends = x & ~(x >> 1);
            for (Row st = starts; st; st &= st - 1, ends &= ends - 1, ++n_runs) {
                const int c0 = __builtin_ctz(st), c1 = __builtin_ctz(ends);
                id_by_start[c0] = static_cast<uint16_t>(n_runs);
                run_cell[n_runs] = Cell{r, c0};
                parent[n_runs] = static_cast<uint16_t>(n_runs);
                comp_size[n_runs] = static_cast<uint16_t>(c1 - c0 + 1);
                large_noted[n_runs] = 0;
                if (c1 - c0 + 1 >= T + 2) note_large(n_runs);  // only with a tiny --min-path
            }
            // The segments of one run are consecutive (runs are intervals, segments come in column
            // order), so a run seen for the first time has not been joined in this row: a current-row
            // run is then its own root, and a previous-row run needs a find. Otherwise its root is the
            // root left by the last segment (a union keeps its winner a root).
            const Row overlap = x & prev_bits;
            int last_a = -1, last_b = -1, last_root = -1;
            for (Row seg = overlap & ~(overlap << 1); seg; seg &= seg - 1) {
                const Row upto = static_cast<Row>((Row{2} << __builtin_ctz(seg)) - 1);  // columns <= segment start
                const int run_a = id_by_start[31 - __builtin_clz(starts & upto)];
                const int run_b = prev_id_by_start[31 - __builtin_clz(prev_starts & upto)];
                int a = run_a == last_a ? last_root : run_a;
                int b = run_b == last_b ? last_root : find(run_b);
                last_a = run_a;
                last_b = run_b;
                if (b < a) std::swap(a, b);
                last_root = a;
                if (a == b) continue;
                parent[b] = static_cast<uint16_t>(a);
                comp_size[a] = static_cast<uint16_t>(comp_size[a] + comp_size[b]);
                if (comp_size[a] >= T + 2) note_large(a);
            }
            prev_bits = x;
            prev_starts = starts;
        }
        return collect_large();
    }
    void note_large(int root) {
        if (large_noted[root]) return;
        large_noted[root] = 1;
        large_roots.push_back(static_cast<uint16_t>(root));
    }
    // The noted roots that are still roots, in run order (the order a full scan would give).
    const std::vector<std::pair<Cell, int>> & collect_large() {
        std::sort(large_roots.begin(), large_roots.end());
        large.clear();
        for (uint16_t i : large_roots)
            if (parent[i] == i) large.emplace_back(run_cell[i], comp_size[i]);
        return large;
    }
    // Two unconditional steps first (a root is its own parent): most runs sit at depth <= 2, and a
    // loop exit that depends on the depth is a branch mispredicted about every other time.
    int find(int i) {
        i = parent[parent[i]];
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }

    // A component of T+2 > 100 cells meets row 10 or 21 or column 10 or 21 of the board: without them
    // the board falls into boxes of at most 10x10 cells. Keeps only the components of `cells` that meet
    // those lines (one flood from all their cells), which holds every component that can have a far
    // pair, and often few enough cells for the size bound to settle the test without the union-find.
    void keep_probed_components(Bits & cells) const {
        Bits reached;
        for (size_t i = 0; i < cells.row.size(); ++i) reached.row[i] = cells.row[i] & probe_lines->row[i];
        Bits frontier = reached;
        flood(cells, reached, frontier, K, 0, K - 1, N);
        cells = reached;
    }

    // K(L), the number of ordered pairs of open cells more than T moves apart, computed only as far
    // as the acceptance test `u * n(n-1) < boost * K` needs it: the layout is rejected as soon as an
    // upper bound on K drops to u * n(n-1) / boost (which also proves boost * r < 1, so no violation
    // goes unseen). Per component:
    //   (1) fewer than T+2 cells, or its start cell (the open cell nearest the board centre for the
    //       first component) has eccentricity <= T/2: no far pair, since the diameter is at most
    //       twice any eccentricity; otherwise size_bound and start_bound bound its far pairs;
    //   (2) double sweep: a = a farthest cell from the start, b = a farthest from a, m = the middle of
    //       that a-b path; eccentricity of m <= T/2: no far pair;
    //   (3) landmarks l in {s, a, m, b} bound d(x, y) <= d(x, l) + d(l, y). Only cells x with
    //       d(x, l) + ecc(l) > T for every l can have a far partner, and both ends of a far pair are
    //       such cells; B = #{ordered (x, y) among them: min_l d(x, l) + d(l, y) > T} >= K.
    // Components other than the start cell's are found by union-find over row runs. When the bounds do
    // not settle it, K is counted exactly with one search of depth T per candidate cell. `need_exact`
    // forces the exact count. Every BFS is a bitboard flood.
    struct FarCount {
        int64_t bound = 0;   // B >= K
        int64_t exact = -1;  // K, or -1 when the bound decided
    };

    // A component of c cells holds at most c (c - 1 - T) far pairs: a cell with a far partner has the T
    // cells of a shortest path within distance T. The bound is superadditive, so it also bounds any
    // set of components with c cells in all.
    int64_t size_bound(int64_t c) const { return c >= T + 2 ? c * (c - 1 - T) : 0; }

    // A far pair (x, y) of a component has d(s, x) > T - e and d(s, y) > T - e for any cell s of
    // eccentricity e (d(x, y) <= d(x, s) + e), so m cells outside the ball of radius T - e around s
    // bound its far pairs by m (m - 1); one search of depth T - e finds them.
    int64_t start_bound(const Bits & component, Cell s, int ecc, int size) const {
        if (ecc > T) return size_bound(size);
        Search ball = search(component, s, T - ecc);
        int64_t m = 0;
        for (size_t i = 0; i < component.row.size(); ++i) m += popcount32(component.row[i] & ~ball.visited.row[i]);
        return std::min(m * (m - 1), size_bound(size));
    }

    FarCount count_far_pairs(double u, bool need_exact) {
        far.clear();
        far_groups.clear();
        deep = false;
        FarCount out;
        const double pairs = static_cast<double>(n_open) * (n_open - 1);
        // The layout is rejected as soon as an upper bound on K is <= `budget`.
        const double budget = need_exact ? -1 : u * pairs / layout_boost;
        auto settled = [&](int64_t bound) { return static_cast<double>(bound) <= budget; };
        // The component of the open cell nearest the centre (the giant one when there is one).
        Cell start = center_order[0];  // open in most layouts: skip the search
        if (!open_bits.test(start.first, start.second))
            start = *std::find_if(center_order.begin(), center_order.end(),
                                  [&](const Cell & p) { return open_bits.test(p.first, p.second); });
        Search first = search(open_bits, start, H);
        const bool within_h = first.res.finished;  // eccentricity of the start <= T/2
        if (!within_h) first.res = flood(open_bits, first.visited, first.frontier, K, 0, K - 1, N);
        const int size = popcount(first.visited);
        const int64_t rest = size_bound(n_open - size);  // every other component together
        if (!within_h && size >= T + 2) {
            int64_t b = size_bound(size);
            if (!settled(b + rest)) b = start_bound(first.visited, start, H + first.res.layers, size);
            if (settled(b + rest)) return FarCount{b + rest, -1};
            out.bound += component_bound(first.visited, start, first.frontier);
        }
        // The other components: only those with at least T+2 cells can hold a path of T+1 moves.
        if (n_open - size >= T + 2) {
            if (settled(out.bound + rest)) return FarCount{out.bound + rest, -1};
            Bits left;
            for (size_t i = 0; i < left.row.size(); ++i) left.row[i] = open_bits.row[i] & ~first.visited.row[i];
            if (probe_lines) {
                keep_probed_components(left);
                const int64_t probed = size_bound(popcount(left));
                if (settled(out.bound + probed)) return FarCount{out.bound + probed, -1};
            }
            const auto & comps = large_components(left);
            int64_t pending = 0;
            for (const auto & comp : comps) pending += size_bound(comp.second);
            for (const auto & [s, comp_cells] : comps) {
                if (settled(out.bound + pending)) return FarCount{out.bound + pending, -1};
                pending -= size_bound(comp_cells);
                Search near = search(open_bits, s, H);
                if (near.res.finished) continue;
                near.res = flood(open_bits, near.visited, near.frontier, K, 0, K - 1, N);
                int64_t b = start_bound(near.visited, s, H + near.res.layers, comp_cells);
                if (settled(out.bound + b + pending)) return FarCount{out.bound + b + pending, -1};
                out.bound += component_bound(near.visited, s, near.frontier);
            }
        }
        if (out.bound == 0 || (!need_exact && u * pairs >= layout_boost * static_cast<double>(out.bound))) {
            if (out.bound == 0) out.exact = 0;
            return out;
        }
        out.exact = 0;
        for (auto & fc : far) {
            fc.count = popcount(far_partners(fc));
            out.exact += fc.count;
        }
        return out;
    }

    // Stages (2) and (3) on one component (cells `component`, start s, `farthest` = the cells
    // farthest from s). Appends its candidate cells to `far` and returns its bound B.
    int64_t component_bound(const Bits & component, Cell s, const Bits & farthest) {
        Landmark & la = landmarks[1];
        Search from_a = search(component, first_cell(farthest), -1, &la.layers);
        Cell b = first_cell(from_a.frontier);
        // Walk back from b to layer ecc(a)/2 through neighbours in the previous layer.
        Cell m = b;
        for (int layer = la.ecc(); layer > la.ecc() / 2; --layer) {
            const Bits & prev = la.layers[layer - 1];
            auto & [r, c] = m;
            if (r > 0 && prev.test(r - 1, c)) --r;
            else if (r + 1 < K && prev.test(r + 1, c)) ++r;
            else if (c > 0 && prev.test(r, c - 1)) --c;
            else ++c;  // BFS layers guarantee one of the four
        }
        if (search(component, m, H).res.finished) return 0;
        deep = true;
        search(component, s, -1, &landmarks[0].layers);
        search(component, m, -1, &landmarks[2].layers);
        search(component, b, -1, &landmarks[3].layers);
        // Candidates: outside the ball of radius T - ecc(l) around every landmark l.
        Bits cand = component;
        for (const Landmark & l : landmarks) {
            int radius = T - l.ecc();
            for (int j = 0; j <= radius && j <= l.ecc(); ++j)
                for (size_t i = 0; i < cand.row.size(); ++i) cand.row[i] &= ~l.layers[j].row[i];
        }
        FarGroup group;
        group.begin = static_cast<uint32_t>(far.size());
        group.mask = cand;
        for (int r = 0; r < K; ++r)
            for (Row bits = cand.row[r + kPadRows]; bits; bits &= bits - 1)
                far.push_back(FarCell{{r, __builtin_ctz(bits)}, {}, static_cast<uint32_t>(far_groups.size())});
        group.end = static_cast<uint32_t>(far.size());
        if (group.end == group.begin) return 0;
        // Distances of the candidates to each landmark, read off the layers.
        for (int l = 0; l < 4; ++l)
            for (uint32_t i = group.begin; i < group.end; ++i) {
                auto [r, c] = far[i].cell;
                int j = 0;
                while (!landmarks[l].layers[j].test(r, c)) ++j;
                far[i].d[l] = j;
            }
        int64_t bound = 0;
        for (uint32_t i = group.begin; i < group.end; ++i)
            for (uint32_t j = group.begin; j < group.end; ++j) {
                const auto & dx = far[i].d;
                const auto & dy = far[j].d;
                int ub = std::min(std::min(dx[0] + dy[0], dx[1] + dy[1]), std::min(dx[2] + dy[2], dx[3] + dy[3]));
                bound += ub > T;
            }
        far_groups.push_back(group);
        return bound;
    }

    // Candidates of fc's component more than T moves from fc: a search of depth T, then what it missed.
    Bits far_partners(const FarCell & fc) const {
        Search within = search(open_bits, fc.cell, T);
        Bits out;
        const Bits & mask = far_groups[fc.group].mask;
        for (size_t i = 0; i < out.row.size(); ++i) out.row[i] = mask.row[i] & ~within.visited.row[i];
        return out;
    }

    GeneratedMaze build(uint64_t index, Cell s, Cell g) const {
        GeneratedMaze out;
        out.layout_index = index;
        out.question = Grid(K, K);
        for (int i = 0; i < N; ++i) out.question.cells[i] = open_bits.test(i / K, i % K) ? maze::kOpen : maze::kWall;
        out.question.at(s.first, s.second) = maze::kStart;
        out.question.at(g.first, g.second) = maze::kGoal;
        out.answer = *maze::canonical_solution(out.question);
        out.path_moves = maze::shortest_path_moves(out.question);
        out.walls = n_walls;
        out.open_cells = n_open;
        return out;
    }

    ProposalResult propose(uint64_t seed, uint64_t index) {
        Rng rng(derive_seed(seed, index));
        draw_layout(rng, true);
        const double u = rng.unit();
        ProposalResult res;
        res.walls = n_walls;
        res.boost = layout_boost;
        FarCount count = count_far_pairs(u, false);
        res.deep = deep;
        res.far_pairs = count.exact;
        if (count.exact <= 0) return res;  // no far pair, or rejected by the bound
        const double pairs = static_cast<double>(n_open) * (n_open - 1);
        res.r = static_cast<double>(count.exact) / pairs;
        res.violation = layout_boost * static_cast<double>(count.exact) > pairs;
        if (!(u * pairs < layout_boost * static_cast<double>(count.exact))) return res;
        // A uniform far pair: the k-th in (source, target) row-major order.
        auto k = static_cast<int64_t>(rng.below(static_cast<uint64_t>(count.exact)));
        size_t i = 0;
        while (k >= far[i].count) k -= far[i++].count;
        Bits partners = far_partners(far[i]);
        for (int r = 0; r < K; ++r)
            for (Row bits = partners.row[r + kPadRows]; bits; bits &= bits - 1) {
                if (k-- > 0) continue;
                res.maze = build(index, far[i].cell, {r, __builtin_ctz(bits)});
                res.maze->far_pairs = count.exact;
                res.maze->r = res.r;
                return res;
            }
        return res;  // unreachable: the far-partner counts add up to K
    }

    // Plain rejection: a uniform ordered pair of distinct open cells, accepted iff more than T apart.
    std::optional<GeneratedMaze> plain_attempt(uint64_t seed, uint64_t index) {
        Rng rng(derive_seed(seed, index));
        draw_layout(rng);
        if (n_open < 2) return std::nullopt;
        auto i = static_cast<int>(bounded(rng, static_cast<uint32_t>(n_open)));
        auto j = static_cast<int>(bounded(rng, static_cast<uint32_t>(n_open - 1)));
        if (j >= i) ++j;
        Cell s, g;
        int seen = 0;
        for (int r = 0; r < K; ++r)
            for (Row bits = open_bits.row[r + kPadRows]; bits; bits &= bits - 1, ++seen) {
                if (seen == i) s = {r, __builtin_ctz(bits)};
                if (seen == j) g = {r, __builtin_ctz(bits)};
            }
        Search within = search(open_bits, s, T);
        if (within.visited.test(g.first, g.second)) return std::nullopt;  // within T moves
        Search all = search(open_bits, s, -1);
        if (!all.visited.test(g.first, g.second)) return std::nullopt;    // unreachable
        return build(index, s, g);
    }
};

MazeSampler::MazeSampler(const MazeGenConfig & cfg) : impl_(std::make_unique<Impl>(cfg)) {}
MazeSampler::~MazeSampler() = default;
MazeSampler::MazeSampler(MazeSampler &&) noexcept = default;
MazeSampler & MazeSampler::operator=(MazeSampler &&) noexcept = default;

ProposalResult MazeSampler::propose(uint64_t seed, uint64_t index) { return impl_->propose(seed, index); }
std::optional<GeneratedMaze> MazeSampler::plain_attempt(uint64_t seed, uint64_t index) {
    return impl_->plain_attempt(seed, index);
}
Grid MazeSampler::layout(uint64_t seed, uint64_t index) {
    Rng rng(derive_seed(seed, index));
    impl_->draw_layout(rng);
    Grid g(impl_->K, impl_->K);
    for (int i = 0; i < impl_->N; ++i)
        g.cells[i] = impl_->open_bits.test(i / impl_->K, i % impl_->K) ? maze::kOpen : maze::kWall;
    return g;
}

int64_t MazeSampler::far_pairs(uint64_t seed, uint64_t index, int * open_cells) {
    Rng rng(derive_seed(seed, index));
    impl_->draw_layout(rng);
    if (open_cells) *open_cells = impl_->n_open;
    return impl_->count_far_pairs(0, true).exact;
}

// ------------------------------------------------------------------------------------------------

int default_maze_min_path(int size) { return static_cast<int>(std::lround(110.0 * size / 30.0)); }

// Largest r = K/(n(n-1)) seen at the default thresholds (exact K for every layout):
//   size     8      10      12      15      20      25      30
//   layouts  4M     4M      4M      4M      4M      4M      52M
//   max r    0.022  0.030   0.048   0.059   0.105   0.071   0.133
// At 30x30, r > 0.1 occurred in 9 and r > 0.125 in 1 of 40M layouts (seed 555); the pi-mass above
// r = 0.125 is 2.5e-4 and clipping it at A = 8 loses 1.5e-5. Smaller boards have lighter tails.
// A = 8 therefore keeps A * r <= 1 but for a few layouts in 1e8 (counted when they happen).
// K(L) only shrinks as T grows, so the boost checked at the default threshold holds above it; below it
// r grows without a measured bound, and the default falls back to A = 1 (exact for any r).
double default_maze_boost(int size, int min_path) {
    if (min_path < default_maze_min_path(size)) return 1;
    return 8;
}

// The wall-count envelope at 30x30, T = 110: m_w in thousandths at knots, linear in between.
// Measured on 80M layouts (seeds 4242 and 9191, 40M each, exact K(L) for every layout); largest r seen
// per 5-wall bin: 0.05-0.08 over 270-289, 0.09-0.14 over 290-364, 0.06-0.09 over 365-389, 0.047
// (390-394), 0.034 (405-409), 0.026 (420-424), 0.004 (430-434), 0.0013 (445-449). The largest r is a
// rare-event estimate that undershoots: a first table 1.2x-2x above these maxima (1/8 only over
// 290..365) met r = 0.112 at 376 walls, where the 80M layouts had shown at most 0.058, within 1,500
// mazes. So the table is m_w = min(1/8, max(0.03, 2 x the largest r seen within 5 walls of w)), made
// non-increasing above the peak, with the knots below on or above that curve: 1/8 (the fixed A = 8)
// up to 391 walls, then falling to 0.03. On the 80M layouts the only layouts with r > m_w are the 3
// with r > 1/8 that A = 8 clips too (pi-mass lost to clipping 2.0e-5). Mean m_w is 0.103 instead of
// 0.125: 1.21x fewer layouts per maze (9,461 -> 7,806 predicted from those layouts).
namespace {
struct EnvelopeKnot {
    int walls;
    int m_millis;
};
constexpr std::array<EnvelopeKnot, 9> kEnvelope30{{{270, 125}, {391, 125}, {399, 95}, {404, 70}, {413, 68},
                                                   {414, 55}, {431, 52}, {432, 30}, {450, 30}}};
}  // namespace

std::vector<uint32_t> default_maze_wall_envelope(int size, int min_path) {
    // K(L) only shrinks as T grows, so r <= m_w measured at T = 110 still holds above it.
    if (size != 30 || min_path < 110) return {};
    std::vector<uint32_t> weights;
    for (size_t k = 0; k + 1 < kEnvelope30.size(); ++k) {
        const auto [w0, m0] = kEnvelope30[k];
        const auto [w1, m1] = kEnvelope30[k + 1];
        for (int w = w0; w < w1 || (w == w1 && k + 2 == kEnvelope30.size()); ++w) {
            // m_w * 2^16 = (m0 (w1 - w) + m1 (w - w0)) / (w1 - w0) / 1000 * 2^16, rounded: integers only.
            const int64_t num = int64_t{kMazeEnvelopeScale} * (int64_t{m0} * (w1 - w) + int64_t{m1} * (w - w0));
            const int64_t den = int64_t{1000} * (w1 - w0);
            weights.push_back(static_cast<uint32_t>((num + den / 2) / den));
        }
    }
    return weights;
}

MazeGenConfig make_maze_gen_config(int size, int min_path, double boost) {
    if (size < 4 || size > kMaxSide)
        throw UsageError("maze size " + std::to_string(size) + " is out of range (4.." + std::to_string(kMaxSide) + ")");
    MazeGenConfig cfg;
    cfg.size = size;
    int cells = size * size;
    cfg.min_walls = cells / 10 * 3;
    cfg.max_walls = cells / 10 * 5;
    cfg.min_path = min_path >= 0 ? min_path : default_maze_min_path(size);
    cfg.boost = boost > 0 ? boost : default_maze_boost(size, cfg.min_path);
    if (boost <= 0) cfg.wall_envelope = default_maze_wall_envelope(size, cfg.min_path);
    // A path of more than min_path moves needs min_path + 2 open cells.
    if (cfg.min_path + 2 > cells - cfg.min_walls)
        throw UsageError(std::string(min_path >= 0 ? "" : "the default ") + "--min-path " +
                         std::to_string(cfg.min_path) + " cannot be reached on a " + std::to_string(size) + "x" +
                         std::to_string(size) + " maze with at least " + std::to_string(cfg.min_walls) +
                         " walls (a path of more than N moves needs N+2 open cells)");
    return cfg;
}

std::string MazeGenStats::summary() const {
    char sampler[80];
    if (envelope)
        std::snprintf(sampler, sizeof sampler, "wall-count envelope, boost A(w) = 1/m_w in %.3g..%.3g", min_boost,
                      max_boost);
    else
        std::snprintf(sampler, sizeof sampler, "boost A=%g", boost);
    char buf[500];
    std::snprintf(buf, sizeof buf,
                  "maze: %lld mazes from %lld layouts (%s; %lld needed landmark BFS, %lld counted exactly); "
                  "max r %.3g, max A*r %.2f; violations (A*r > 1) %lld; duplicate layouts dropped %lld",
                  static_cast<long long>(accepted), static_cast<long long>(layouts), sampler,
                  static_cast<long long>(deep_layouts), static_cast<long long>(counted_layouts), max_r, max_boost_r,
                  static_cast<long long>(violations), static_cast<long long>(duplicate_layouts));
    std::string line = buf;
    if (ambiguous_dropped > 0)
        line += "; dropped " + format_thousands(static_cast<long long>(ambiguous_dropped)) +
                " with several shortest paths (--unique-path)";
    return line;
}

namespace {

int resolve_threads(int threads) {
    if (threads > 0) return threads;
    unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? static_cast<int>(hw) : 1;
}

// The wall layout as a 128-bit key: two independent hashes of the wall bits (16 bytes per maze kept,
// however large the set). A collision (probability ~n^2 / 2^129) could only drop a distinct layout,
// never keep a repeated one.
struct LayoutKey {
    uint64_t a = 0, b = 0;
    bool operator==(const LayoutKey &) const = default;
};
struct LayoutKeyHash {
    size_t operator()(const LayoutKey & k) const { return static_cast<size_t>(k.a ^ (k.b * 0x9e3779b97f4a7c15ULL)); }
};

LayoutKey layout_key(const Grid & question) {
    LayoutKey key{0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL};
    uint64_t word = 0;
    auto mix = [&](uint64_t w) {
        key.a = derive_seed(key.a, w);
        key.b = derive_seed(key.b ^ 0xa4093822299f31d0ULL, w);
    };
    for (size_t i = 0; i < question.size(); ++i) {
        word = (word << 1) | (question.cells[i] == maze::kWall ? 1u : 0u);
        if (i % 64 == 63) mix(word), word = 0;
    }
    mix(word);
    mix(question.size());
    return key;
}

// Runs fn(sampler, index) for every index in [base, base + count) on `samplers.size()` threads,
// in blocks; results land in out[index - base]. Exceptions are rethrown on the calling thread.
template <class Result, class Fn>
void run_chunk(std::vector<MazeSampler> & samplers, uint64_t base, size_t count, std::vector<Result> & out, Fn fn) {
    out.assign(count, Result{});
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&](MazeSampler & sampler) {
        constexpr size_t kBlock = 64;
        try {
            for (size_t start; (start = next.fetch_add(kBlock)) < count;)
                for (size_t i = start; i < std::min(count, start + kBlock); ++i) out[i] = fn(sampler, base + i);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
        }
    };
    if (samplers.size() == 1) {
        worker(samplers[0]);
    } else {
        std::vector<std::thread> pool;
        for (auto & s : samplers) pool.emplace_back(worker, std::ref(s));
        for (auto & t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);
}

// Proposals in index order, chunk by chunk, until n mazes with distinct wall layouts (and, with
// cfg.unique_path, a unique shortest path) are kept.
// take(result) returns the maze of one proposal (if any) and is called in index order up to the
// proposal that completes the set, never beyond.
template <class Result, class Propose, class Take>
std::vector<GeneratedMaze> generate_with(const MazeGenConfig & cfg, int64_t n, int threads, Progress * progress,
                                         int64_t * duplicates, int64_t * ambiguous, Propose propose, Take take) {
    std::vector<GeneratedMaze> out;
    if (n <= 0) return out;
    std::vector<MazeSampler> samplers;
    for (int t = 0; t < resolve_threads(threads); ++t) samplers.emplace_back(cfg);
    std::unordered_set<LayoutKey, LayoutKeyHash> used_layouts;
    std::vector<Result> results;
    const size_t chunk = 1024 * samplers.size();
    uint64_t base = 0;
    while (static_cast<int64_t>(out.size()) < n) {
        if (out.empty() && base >= kGiveUpLayouts)
            throw UsageError("no " + std::to_string(cfg.size) + "x" + std::to_string(cfg.size) +
                             " maze with a " + (cfg.unique_path ? "unique " : "") + "shortest path over " +
                             std::to_string(cfg.min_path) + " moves in " +
                             format_thousands(static_cast<long long>(base)) + " layouts; lower --min-path" +
                             (cfg.unique_path ? " or drop --unique-path" : ""));
        run_chunk(samplers, base, chunk, results, propose);
        for (size_t i = 0; i < chunk && static_cast<int64_t>(out.size()) < n; ++i) {
            std::optional<GeneratedMaze> maze = take(results[i]);
            if (!maze) continue;
            if (!used_layouts.insert(layout_key(maze->question)).second) {  // one maze per layout
                if (duplicates) ++*duplicates;
                continue;
            }
            if (cfg.unique_path && maze::count_shortest_paths(maze->question) != 1) {  // after the layout rule
                if (ambiguous) ++*ambiguous;
                continue;
            }
            out.push_back(std::move(*maze));
        }
        base += chunk;
        if (progress)
            progress->update(static_cast<int64_t>(out.size()),
                             format_thousands(static_cast<long long>(base)) + " layouts");
    }
    return out;
}

}  // namespace

std::vector<GeneratedMaze> generate_mazes(const MazeGenConfig & cfg, int64_t n, uint64_t seed, int threads,
                                          Progress * progress, MazeGenStats * stats) {
    MazeGenStats st;
    st.boost = cfg.boost;
    st.envelope = !cfg.wall_envelope.empty();
    if (st.envelope) {
        const auto [lo, hi] = std::minmax_element(cfg.wall_envelope.begin(), cfg.wall_envelope.end());
        st.min_boost = static_cast<double>(kMazeEnvelopeScale) / *hi;
        st.max_boost = static_cast<double>(kMazeEnvelopeScale) / *lo;
    }
    auto propose = [seed](MazeSampler & s, uint64_t index) { return s.propose(seed, index); };
    auto take = [&st](ProposalResult & r) {
        ++st.layouts;
        st.deep_layouts += r.deep;
        st.counted_layouts += r.far_pairs > 0;
        st.violations += r.violation;
        st.max_r = std::max(st.max_r, r.r);
        st.max_boost_r = std::max(st.max_boost_r, r.boost * r.r);
        return std::move(r.maze);
    };
    auto mazes = generate_with<ProposalResult>(cfg, n, threads, progress, &st.duplicate_layouts,
                                               &st.ambiguous_dropped, propose, take);
    st.accepted = static_cast<int64_t>(mazes.size());
    if (stats) *stats = st;
    return mazes;
}

std::vector<GeneratedMaze> generate_mazes_plain(const MazeGenConfig & cfg, int64_t n, uint64_t seed, int threads) {
    auto propose = [seed](MazeSampler & s, uint64_t index) { return s.plain_attempt(seed, index); };
    auto take = [](std::optional<GeneratedMaze> & m) { return std::move(m); };
    return generate_with<std::optional<GeneratedMaze>>(cfg, n, threads, nullptr, nullptr, nullptr, propose, take);
}

std::string maze_csv(const std::vector<GeneratedMaze> & mazes, uint64_t seed) {
    std::string out = "source,question,answer,rating\n";
    for (const auto & m : mazes) {
        out += "trmbench-maze:seed=" + std::to_string(seed) + ":layout=" + std::to_string(m.layout_index) + ',';
        out += maze::grid_to_string(m.question) + ',' + maze::grid_to_string(m.answer) + ',' +
               std::to_string(m.path_moves) + '\n';
    }
    return out;
}

}  // namespace trmbench
