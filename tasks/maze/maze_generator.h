// Maze-Hard generator: samples the HRM/Searchformer maze distribution (datasets.md §4.2-4.4) several
// times faster than plain rejection, with the same distribution.
//
// The procedure being reproduced ("plain rejection", one attempt):
//   1. walls w ~ uniform integer in [N/10*3, N/10*5] (integer division; [270, 450] for N = 900 cells),
//      wall cells = a uniformly random w-subset of the K*K cells;
//   2. (S, G) = a uniform ordered pair of distinct open cells;
//   3. accept iff the BFS distance d(S, G) > T moves (T = 110 for 30x30).
// An accepted attempt is a maze; at most one maze per wall layout. At 30x30 plain rejection accepts
// one attempt in ~77,000 (E[r] = 1.29e-5 over 12M layouts; §4.3 says 1.2e-5), so the accepted mazes
// follow
//     pi(L, S, G)  ∝  P(L) * 1[d_L(S,G) > T] / (n_L (n_L - 1)),
// where P(L) is the layout distribution of step 1 and n_L the number of open cells of L.
//
// The fast sampler (MazeSampler::propose) draws the layout the same way and accepts it with
// probability A * r(L), where
//     K(L) = #{ordered pairs (x, y) of open cells with d_L(x, y) > T},   r(L) = K(L) / (n_L (n_L - 1)),
// and A is a constant boost; then it picks (S, G) uniformly among the K(L) far pairs. An accepted
// proposal therefore has probability
//     P(L) * A * r(L) * 1[d_L(S,G) > T] / K(L)  =  A * P(L) * 1[d_L(S,G) > T] / (n_L (n_L - 1)),
// proportional to pi: exact rejection sampling from the proposal P(L) x Uniform(far pairs of L) with
// envelope 1/A, provided A * r(L) <= 1 for every layout. Equivalently, each proposal stands for A plain
// attempts on independent layouts. Each output is an independent draw (proposals are independent), and
// each comes from its own layout.
//
// Choice of A. With proposals from P and at most one maze per layout, no exact sampler can accept more
// often than E[r] / max_L r(L) per layout, so A is capped by the largest r that occurs. r is not tiny:
// half of the pi-mass comes from layouts with r > 0.01 (a boost of 100 would under-weight them and
// lose ~25% of the mass), and over 132M 30x30 layouts the largest r was 0.141. The default A = 8 at
// the default thresholds keeps A * r <= 1 up to r = 0.125: r > 0.125 occurred in 4 of 120M layouts,
// and clipping such layouts loses 1.5e-5 to 2.0e-5 of the pi-mass (measured on 40M and on 80M
// layouts; see default_maze_boost in the .cpp for the other sizes). K(L) can only shrink as T grows,
// so a boost measured at the default T stays valid above it; below it the default is A = 1 (plain
// rejection's rate, exact since r <= 1).
// A layout with A * r(L) > 1 is accepted with probability 1 (too rarely): the output is then biased by
// at most the pi-mass lost by that clipping. Every such layout is detected and counted
// (MazeGenStats::violations, reported by the CLI), never silent.
//
// Wall-count envelope (the default at 30x30 with T >= 110). r(L) depends strongly on the wall count w:
// a far pair needs a long, winding component, common near the percolation threshold (w ~ 330) and rare
// with many walls (E[r | w] is 80 times smaller at w = 405 than at w = 335, and the largest r seen falls
// from 0.14 to 0.03; 2.7% of the pi-mass lies at 380 walls or more, 1% at 390 or more). With one A
// for every w, most proposals at such w are wasted. So the sampler draws w with probability
// q(w) = m_w / sum_v m_v, L uniform among the w-subsets, and accepts L with probability r(L) / m_w
// (that is, A(w) = 1/m_w), then (S, G) uniform among the far pairs. An accepted proposal has
// probability
//     q(w) P(L | w) (r(L) / m_w) 1[d_L(S,G) > T] / K(L)  =  P(L | w) 1[d_L(S,G) > T] / (n_L (n_L - 1) sum_v m_v),
// and P(L) = P(L | w) / (number of w values) since w is uniform in step 1, so this is again
// proportional to pi: the same law, provided r(L) <= m_w for every layout (the fixed-A argument above
// is the case m_w = 1/A). Per proposal the acceptance rate is E[r] / mean_w(m_w) instead of A * E[r].
// The table (default_maze_wall_envelope in the .cpp, with how it was measured) keeps m_w = 1/8 up to
// 391 walls (so clipping there is the fixed A = 8's) and above that falls to 0.03, staying at least
// twice the largest r seen within 5 walls over 80M layouts; mean m_w = 0.103, so ~1.21x fewer layouts
// per maze. The margin matters: the largest r seen in a few million layouts undershoots the real tail
// (see the .cpp). Layouts with r > m_w are clipped and counted exactly as above. K(L) only shrinks
// as T grows, so the table also holds for T > 110; other sizes and thresholds, and any explicit
// boost, use the fixed A.
//
// Cost. K(L) is needed only as far as the acceptance test u * n(n-1) < A * K decides, with u drawn
// before the analysis. Almost every layout is settled by bitboard BFS (whole rows per SIMD operation):
// a component with <= T+1 cells holds no far pair; if some cell of a component has eccentricity <= T/2,
// its diameter is <= T; a component of c cells holds at most c(c-1-T) far pairs. Landmark bounds
// d(x,y) <= d(x,l) + d(l,y) bound K for the rest, and only when A * bound > u * n(n-1) is K counted
// exactly (so every violation is seen). Before the union-find over the other components, only those
// meeting rows or columns 10 and 21 are kept (with T >= 99 only they can hold a far pair), which
// often lets the size bound settle the test. About 9,500 layouts per maze at 30x30 with A = 8
// (~77,000 plain attempts), ~7,800 with the envelope.
// Per layout (perf, 30x30 with the envelope, ~2.5 us, before the row/column filter, which saved ~6%):
// the other components' union-find and the bookkeeping around it ~47% (union-find runs on ~46% of
// layouts, over ~170 row runs: below the percolation threshold the centre's component leaves
// hundreds of cells), bitboard floods ~25%, drawing ~19%, the landmark stage ~7%.
// How much of this is spent changes no decision: every shortcut only settles a test that the exact
// count would settle the same way, and every random value used is exactly uniform, so the accepted
// mazes keep the law pi above. Which cell starts a component's searches, and in which order far pairs
// are enumerated, differ between versions and change which maze a seed gives, never the law.
//
// Determinism: proposal i uses Rng(derive_seed(seed, i)) only, and mazes are kept in proposal order, so
// the output depends on the seed and options, never on the thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/grid.h"
#include "harness/core/rng.h"

namespace trmbench {

class Progress;

struct MazeGenConfig {
    int size = 30;        // side length K
    int min_path = 110;   // accept iff the shortest S->G path has more than this many moves
    int min_walls = 270;  // (K*K/10)*3
    int max_walls = 450;  // (K*K/10)*5
    double boost = 8;     // A: one proposal stands for A plain attempts (1 = plain rejection's rate)
    // Wall-count envelope (see above): entry w - min_walls is m_w * kMazeEnvelopeScale, every entry > 0.
    // Empty: walls uniform and the one boost A for every layout. Not empty: `boost` is unused.
    std::vector<uint32_t> wall_envelope;
    // Keep only mazes with exactly one shortest S->G path (an unambiguous label). Applied after the
    // one-maze-per-layout rule, so the output is the unfiltered output with the other mazes left out:
    // the law pi above conditioned on a unique shortest path.
    bool unique_path = false;
};

// m_w = wall_envelope[w - min_walls] / kMazeEnvelopeScale exactly (a power of two).
constexpr uint32_t kMazeEnvelopeScale = 1u << 16;

// Default min_path for side K: round(110 * K / 30).
int default_maze_min_path(int size);
// Default boost A for side K and threshold T (see above): 1 below the default threshold.
double default_maze_boost(int size, int min_path);
// The measured wall-count envelope for side K and threshold T: 30x30 with T >= 110 only, else empty.
std::vector<uint32_t> default_maze_wall_envelope(int size, int min_path);

// Config for side `size` (4..32) with the Maze-Hard rules scaled: walls in [(K²/10)*3, (K²/10)*5],
// min path default_maze_min_path unless `min_path` >= 0, boost default_maze_boost unless `boost` > 0.
// Without an explicit boost it takes default_maze_wall_envelope (30x30, T >= 110); an explicit boost
// always means the fixed-A sampler.
// Throws UsageError for a size out of range or a path threshold no layout can reach.
MazeGenConfig make_maze_gen_config(int size, int min_path = -1, double boost = 0);

struct GeneratedMaze {
    uint64_t layout_index = 0;  // proposal index i (its Rng stream is derive_seed(seed, i))
    Grid question;              // "# SG" cell values
    Grid answer;                // question plus the canonical shortest path (maze::canonical_solution)
    int path_moves = 0;         // BFS shortest-path length in moves (> min_path)
    int walls = 0;
    int open_cells = 0;
    int64_t far_pairs = 0;      // K(L); 0 for plain-rejection attempts (not computed)
    double r = 0;               // K(L) / (n (n-1)); 0 for plain-rejection attempts
};

// What one proposal found, for statistics.
struct ProposalResult {
    int walls = 0;             // w of the layout
    double boost = 0;          // A for this layout: cfg.boost, or 1 / m_w with a wall-count envelope
    bool deep = false;         // needed the landmark stage (quick filters did not settle it)
    int64_t far_pairs = 0;     // K(L); -1 when the bound rejected the layout without counting
    double r = 0;              // K(L) / (n (n-1)) when counted
    bool violation = false;    // boost * r > 1 (accepted with probability 1: see above)
    std::optional<GeneratedMaze> maze;
};

// Counters over the proposals a run used (index order, up to the proposal of the last maze kept).
struct MazeGenStats {
    double boost = 0;               // the fixed A; with a wall-count envelope, the range of A(w) = 1/m_w:
    bool envelope = false;
    double min_boost = 0, max_boost = 0;
    int64_t layouts = 0;            // proposals examined
    int64_t deep_layouts = 0;       // needed the landmark stage
    int64_t counted_layouts = 0;    // K counted exactly and > 0
    int64_t accepted = 0;           // mazes kept
    int64_t duplicate_layouts = 0;  // accepted proposals dropped because their wall layout was already used
    int64_t ambiguous_dropped = 0;  // with unique_path: mazes dropped for having several shortest paths
    int64_t violations = 0;         // layouts with boost * r > 1
    double max_r = 0;               // largest r counted (layouts rejected by the bound have r < 1/boost)
    double max_boost_r = 0;         // largest A * r counted (<= 1 unless there were violations)
    std::string summary() const;    // one line for the CLI
};

// Scratch buffers for one thread; proposals are independent given (seed, index).
class MazeSampler {
public:
    explicit MazeSampler(const MazeGenConfig & cfg);
    ~MazeSampler();
    MazeSampler(MazeSampler &&) noexcept;
    MazeSampler & operator=(MazeSampler &&) noexcept;

    // The fast sampler: layout `index` of `seed` (walls from the envelope when the config has one),
    // accepted with probability A * r(L).
    ProposalResult propose(uint64_t seed, uint64_t index);
    // One plain-rejection attempt (the reference sampler): layout, uniform ordered pair, BFS.
    std::optional<GeneratedMaze> plain_attempt(uint64_t seed, uint64_t index);
    // Exact far-pair count K(L) of layout `index` (for measuring r); `open_cells` gets n_L. Layouts
    // here and in `layout` follow the plain law (w uniform), whatever the envelope.
    int64_t far_pairs(uint64_t seed, uint64_t index, int * open_cells = nullptr);
    // The wall layout of attempt `index` (kWall / kOpen cells), as plain_attempt draws it.
    Grid layout(uint64_t seed, uint64_t index);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Generates `n` mazes (unique-path ones with cfg.unique_path) with the fast sampler on `threads` threads (<= 0: all cores). Same seed and
// config -> same mazes. `progress` (may be null) counts mazes; `stats` (may be null) gets the counters.
// Throws UsageError when no maze turns up in 50M layouts (threshold out of reach).
std::vector<GeneratedMaze> generate_mazes(const MazeGenConfig & cfg, int64_t n, uint64_t seed, int threads,
                                          Progress * progress = nullptr, MazeGenStats * stats = nullptr);

// The same with plain rejection (one attempt per layout): the reference the fast sampler is tested
// against. Practical for small sizes and low thresholds only.
std::vector<GeneratedMaze> generate_mazes_plain(const MazeGenConfig & cfg, int64_t n, uint64_t seed, int threads);

// The Maze-Hard CSV ("source,question,answer,rating", rating = shortest path in moves).
std::string maze_csv(const std::vector<GeneratedMaze> & mazes, uint64_t seed);

}  // namespace trmbench
