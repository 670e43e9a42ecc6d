// Bitboard DPLL Sudoku solver and rater (see sudoku_solver.h for the rules it follows).
#include "tasks/sudoku/sudoku_solver.h"

#include <bit>

namespace trmbench::sudoku {
namespace {

// 81 cells in three bands of 27 bits (band = 3 rows, row-major inside): band 0 at bits 0..26 of lo,
// band 1 at bits 32..58 of lo, band 2 at bits 0..26 of hi. Rows and boxes never straddle a word, so
// unit checks are a shift and a mask.
constexpr uint32_t kBand = (uint32_t{1} << 27) - 1;

constexpr int bit_of_cell(int c) { return c / 27 * 32 + c % 27; }
constexpr int cell_of_bit(int p) { return p / 32 * 27 + p % 32; }

struct Bits {
    uint64_t lo = 0, hi = 0;

    static constexpr Bits cell(int c) {
        int p = bit_of_cell(c);
        return p < 64 ? Bits{uint64_t{1} << p, 0} : Bits{0, uint64_t{1} << (p - 64)};
    }
    static constexpr Bits from_bands(uint32_t b0, uint32_t b1, uint32_t b2) {
        return Bits{uint64_t{b0} | uint64_t{b1} << 32, uint64_t{b2}};
    }
    static constexpr Bits all() { return from_bands(kBand, kBand, kBand); }
    constexpr uint32_t band(int b) const {
        return static_cast<uint32_t>(b == 0 ? lo : b == 1 ? lo >> 32 : hi) & kBand;
    }

    constexpr Bits operator&(Bits o) const { return {lo & o.lo, hi & o.hi}; }
    constexpr Bits operator|(Bits o) const { return {lo | o.lo, hi | o.hi}; }
    constexpr Bits operator^(Bits o) const { return {lo ^ o.lo, hi ^ o.hi}; }
    constexpr Bits without(Bits o) const { return {lo & ~o.lo, hi & ~o.hi}; }
    constexpr Bits & operator&=(Bits o) { return *this = *this & o; }
    constexpr Bits & operator|=(Bits o) { return *this = *this | o; }
    constexpr bool operator==(const Bits & o) const = default;
    constexpr bool any() const { return (lo | hi) != 0; }
    constexpr bool none() const { return (lo | hi) == 0; }
    constexpr bool test(int c) const { return (*this & cell(c)).any(); }
    int count() const { return std::popcount(lo) + std::popcount(hi); }
    // Cell index of the lowest set bit (the lowest cell index, since bands are in cell order).
    int lowest() const { return cell_of_bit(lo ? std::countr_zero(lo) : 64 + std::countr_zero(hi)); }
    void clear_lowest() {
        if (lo) lo &= lo - 1;
        else hi &= hi - 1;
    }
    // Cell index of the n-th set bit (0-based, n < count()).
    int nth(int n) const {
        Bits b = *this;
        for (int i = 0; i < n; ++i) b.clear_lowest();
        return b.lowest();
    }
};

struct Tables {
    Bits peers[kCells];  // the 20 cells sharing a row, column or box, excluding the cell itself

    constexpr Tables() : peers{} {
        for (int c = 0; c < kCells; ++c) {
            for (int o = 0; o < kCells; ++o) {
                bool same_box = c / 27 == o / 27 && c % 9 / 3 == o % 9 / 3;
                if (o != c && (c / 9 == o / 9 || c % 9 == o % 9 || same_box)) peers[c] |= Bits::cell(o);
            }
        }
    }
};

constexpr Tables kT{};

// Masks inside one 27-bit band word.
constexpr uint32_t kRow[3] = {0x1FFu, 0x1FFu << 9, 0x1FFu << 18};
constexpr uint32_t kBox[3] = {0x1C0E07u, 0x1C0E07u << 3, 0x1C0E07u << 6};
constexpr uint32_t kColumn(int j) { return (1u | 1u << 9 | 1u << 18) << j; }

constexpr bool single_bit(uint32_t x) { return x && !(x & (x - 1)); }

struct State {
    Bits cand[9];  // cand[d]: cells where digit d+1 may still go (a filled cell keeps its own digit)
    Bits open;     // cells not yet filled
    // Digits whose candidates changed since the hidden-single / locked-candidate scan last looked at
    // them; the scans skip the others, which cannot have changed their verdict.
    uint32_t dirty_hidden = 0x1FF, dirty_locked = 0x1FF;

    void mark_dirty(int d) {
        dirty_hidden |= 1u << d;
        dirty_locked |= 1u << d;
    }
    void eliminate(int d, int c) {
        cand[d] = cand[d].without(Bits::cell(c));
        mark_dirty(d);
    }
};

inline void place(State & s, int d, int c) {
    Bits b = Bits::cell(c);
    for (int e = 0; e < 9; ++e) {
        if (e != d && (s.cand[e] & b).any()) {
            s.cand[e] = s.cand[e].without(b);
            s.mark_dirty(e);
        }
    }
    if ((s.cand[d] & kT.peers[c]).any()) {
        s.cand[d] = s.cand[d].without(kT.peers[c]);
        s.mark_dirty(d);
    }
    s.open = s.open.without(b);
}

// Places every cell of `cells` as digit d. False when one of them lost d meanwhile (the forced
// placements contradict each other).
inline bool place_all(State & s, int d, Bits cells) {
    while (cells.any()) {
        int c = cells.lowest();
        cells.clear_lowest();
        if (!s.cand[d].test(c)) return false;
        place(s, d, c);
    }
    return true;
}

// Naked singles and empty cells. Returns false on a contradiction; sets *changed when it placed.
inline bool naked_singles(State & s, bool * changed) {
    Bits ones{}, twos{};
    for (const auto & x : s.cand) {
        Bits y = x & s.open;
        twos |= ones & y;
        ones |= y;
    }
    if (s.open.without(ones).any()) return false;  // an open cell with no candidate
    Bits singles = ones.without(twos);
    if (singles.none()) return true;
    *changed = true;
    for (int d = 0; d < 9; ++d)
        if (!place_all(s, d, singles & s.cand[d])) return false;
    return true;
}

// Cells where digit d is the only candidate of a row, column or box; false when a unit has no
// place left for d.
inline bool hidden_singles_of(const Bits & cand, Bits * singles) {
    uint32_t w[3] = {cand.band(0), cand.band(1), cand.band(2)};
    uint32_t found[3] = {0, 0, 0};
    uint32_t ones = 0, twos = 0;  // columns holding d in at least one / two rows
    for (int b = 0; b < 3; ++b) {
        for (int k = 0; k < 3; ++k) {
            uint32_t row = (w[b] >> (9 * k)) & 0x1FFu;
            if (!row) return false;
            if (single_bit(row)) found[b] |= row << (9 * k);
            twos |= ones & row;
            ones |= row;
            uint32_t box = w[b] & kBox[k];
            if (!box) return false;
            if (single_bit(box)) found[b] |= box;
        }
    }
    if (ones != 0x1FFu) return false;
    for (uint32_t cols = ones & ~twos; cols; cols &= cols - 1) {
        uint32_t mask = kColumn(std::countr_zero(cols));
        for (int b = 0; b < 3; ++b) found[b] |= w[b] & mask;
    }
    *singles = Bits::from_bands(found[0], found[1], found[2]);
    return true;
}

inline bool hidden_singles(State & s, bool * changed) {
    for (int d = 0; d < 9; ++d) {
        if (!(s.dirty_hidden & (1u << d))) continue;
        s.dirty_hidden &= ~(1u << d);
        Bits singles;
        if (!hidden_singles_of(s.cand[d], &singles)) return false;
        singles &= s.open;
        if (singles.none()) continue;
        *changed = true;
        if (!place_all(s, d, singles)) return false;
    }
    return true;
}

// Pointing (a box's candidates for a digit lie in one row or column: the rest of that line loses
// the digit) and claiming (a line's candidates lie in one box: the rest of the box loses it).
inline Bits locked_candidates_of(const Bits & cand) {
    uint32_t w[3] = {cand.band(0), cand.band(1), cand.band(2)};
    for (int b = 0; b < 3; ++b) {
        for (int s = 0; s < 3; ++s) {  // box (b, s) pointing along a row
            uint32_t box = w[b] & kBox[s];
            int rows = ((box & kRow[0]) != 0) + ((box & kRow[1]) != 0) + ((box & kRow[2]) != 0);
            if (rows == 1)
                for (int k = 0; k < 3; ++k)
                    if (box & kRow[k]) w[b] &= ~(kRow[k] & ~kBox[s]);
        }
        for (int k = 0; k < 3; ++k) {  // row claiming a box
            uint32_t row = w[b] & kRow[k];
            int boxes = ((row & kBox[0]) != 0) + ((row & kBox[1]) != 0) + ((row & kBox[2]) != 0);
            if (boxes == 1)
                for (int s = 0; s < 3; ++s)
                    if (row & kBox[s]) w[b] &= ~(kBox[s] & ~kRow[k]);
        }
    }
    for (int s = 0; s < 3; ++s) {
        for (int b = 0; b < 3; ++b) {  // box (b, s) pointing along a column
            uint32_t box = w[b] & kBox[s];
            uint32_t cols = (box | box >> 9 | box >> 18) & 0x1FFu;
            if (single_bit(cols)) {
                uint32_t mask = kColumn(std::countr_zero(cols));
                for (int o = 0; o < 3; ++o)
                    if (o != b) w[o] &= ~mask;
            }
        }
        for (int j = 3 * s; j < 3 * s + 3; ++j) {  // column claiming a box
            uint32_t mask = kColumn(j);
            int bands = ((w[0] & mask) != 0) + ((w[1] & mask) != 0) + ((w[2] & mask) != 0);
            if (bands == 1)
                for (int b = 0; b < 3; ++b)
                    if (w[b] & mask) w[b] &= ~(kBox[s] & ~mask);
        }
    }
    return Bits::from_bands(w[0], w[1], w[2]);
}

inline void locked_candidates(State & s, bool * changed) {
    for (int d = 0; d < 9; ++d) {
        if (!(s.dirty_locked & (1u << d))) continue;
        s.dirty_locked &= ~(1u << d);
        Bits reduced = locked_candidates_of(s.cand[d]);
        if (!(reduced == s.cand[d])) {
            s.cand[d] = reduced;
            s.mark_dirty(d);
            *changed = true;
        }
    }
}

bool propagate(State & s) {
    for (;;) {
        bool changed = false;
        if (!naked_singles(s, &changed)) return false;
        if (changed) continue;
        if (!hidden_singles(s, &changed)) return false;
        if (changed) continue;
        locked_candidates(s, &changed);
        if (!changed) return true;
    }
}

// Open cells with the fewest candidates (never empty when s.open is not: propagation leaves every
// open cell with at least two candidates).
Bits fewest_candidate_cells(const State & s) {
    // Bit-sliced 4-bit counter of candidates per cell.
    Bits c0{}, c1{}, c2{}, c3{};
    for (const auto & x : s.cand) {
        Bits y = x & s.open;
        Bits k0 = c0 & y;
        c0 = c0 ^ y;
        Bits k1 = c1 & k0;
        c1 = c1 ^ k0;
        Bits k2 = c2 & k1;
        c2 = c2 ^ k1;
        c3 |= k2;
    }
    for (int n = 2; n <= 9; ++n) {
        Bits m = s.open;
        m &= (n & 1) ? c0 : Bits::all().without(c0);
        m &= (n & 2) ? c1 : Bits::all().without(c1);
        m &= (n & 4) ? c2 : Bits::all().without(c2);
        m &= (n & 8) ? c3 : Bits::all().without(c3);
        if (m.any()) return m;
    }
    return s.open;
}

struct Search {
    int limit = 1;
    int solutions = 0;
    int64_t guesses = 0;
    int64_t rating = -1;
    Cells first{};
    Rng * rng = nullptr;  // random branching (grid generation) when set

    void record(const State & s) {
        if (solutions++ == 0) {
            rating = guesses;
            for (int d = 0; d < 9; ++d) {
                Bits m = s.cand[d];
                while (m.any()) {
                    first[m.lowest()] = static_cast<uint8_t>(d + 1);
                    m.clear_lowest();
                }
            }
        }
    }

    void choose(const State & s, int * cell, int * digit) {
        Bits cells = fewest_candidate_cells(s);
        *cell = rng ? cells.nth(static_cast<int>(rng->below(static_cast<uint64_t>(cells.count())))) : cells.lowest();
        int options[9], n = 0;
        for (int d = 0; d < 9; ++d)
            if (s.cand[d].test(*cell)) options[n++] = d;
        *digit = rng ? options[rng->below(static_cast<uint64_t>(n))] : options[0];
    }

    // DPLL: propagate, then branch "cell = digit" versus "cell != digit"; the negative branch is
    // handled by looping in this frame.
    void run(State & s) {
        for (;;) {
            if (!propagate(s)) return;
            if (s.open.none()) {
                record(s);
                return;
            }
            int cell, digit;
            choose(s, &cell, &digit);
            ++guesses;
            State child = s;
            place(child, digit, cell);
            run(child);
            if (solutions >= limit) return;
            s.eliminate(digit, cell);
        }
    }
};

// Initial state from givens; false when the givens contradict each other or a value is out of range.
bool init_state(const Cells & puzzle, State & s) {
    for (auto & x : s.cand) x = Bits::all();
    s.open = Bits::all();
    for (int c = 0; c < kCells; ++c) {
        int v = puzzle[c];
        if (v == 0) continue;
        if (v > 9 || !s.cand[v - 1].test(c)) return false;
        place(s, v - 1, c);
    }
    return true;
}

}  // namespace

SolveResult solve(const Cells & puzzle, int limit) {
    Search search;
    search.limit = limit < 1 ? 1 : limit;
    State s;
    if (init_state(puzzle, s)) search.run(s);
    return SolveResult{search.solutions, search.first, search.guesses, search.rating};
}

int count_solutions(const Cells & puzzle, int limit) { return solve(puzzle, limit).solutions; }

int64_t rate(const Cells & puzzle) { return solve(puzzle, 1).rating; }

Cells random_solution(Rng & rng) {
    Search search;
    search.rng = &rng;
    State s;
    init_state(Cells{}, s);
    search.run(s);
    return search.first;
}

}  // namespace trmbench::sudoku
