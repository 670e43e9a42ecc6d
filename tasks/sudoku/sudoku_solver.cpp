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
    uint32_t touched = 0;
    for (int e = 0; e < 9; ++e) {
        touched |= static_cast<uint32_t>((s.cand[e] & b).any()) << e;
        s.cand[e] = s.cand[e].without(b);
    }
    touched &= ~(1u << d);
    if ((s.cand[d] & kT.peers[c]).any()) touched |= 1u << d;
    s.cand[d] = s.cand[d].without(kT.peers[c]) | b;
    s.open = s.open.without(b);
    s.dirty_hidden |= touched;
    s.dirty_locked |= touched;
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
// A naked single holds no other digit, so placing digit d on all of its singles at once only takes d
// from their peers; two singles of d that see each other are a contradiction.
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
    for (int d = 0; d < 9; ++d) {
        Bits cells = singles & s.cand[d];
        if (cells.none()) continue;
        Bits seen{};
        for (Bits m = cells; m.any(); m.clear_lowest()) seen |= kT.peers[m.lowest()];
        if ((seen & cells).any()) return false;
        if ((s.cand[d] & seen).any()) {
            s.cand[d] = s.cand[d].without(seen);
            s.mark_dirty(d);
        }
        s.open = s.open.without(cells);
    }
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

// Locked candidates work on triads: the three cells where a box meets a row (or a column). For one
// digit and one band (or stack) the triads form a 3x3 matrix, bit 3 * line + box. Pointing: a box whose
// triads lie on a single line clears that line's triads in the other boxes. Claiming: a line whose
// triads lie in a single box clears that box's triads on the other lines. Both only ever remove
// whole triads, so the fixpoint of every matrix can be tabulated.
constexpr uint16_t locked_fixpoint(uint16_t m) {
    for (;;) {
        uint16_t before = m;
        for (int box = 0; box < 3; ++box) {
            uint16_t lines = 0;
            for (int line = 0; line < 3; ++line) lines |= ((m >> (3 * line + box)) & 1) << line;
            if (single_bit(lines)) {
                int line = std::countr_zero(lines);
                m &= ~(7u << (3 * line)) | (1u << (3 * line + box));
            }
        }
        for (int line = 0; line < 3; ++line) {
            uint16_t boxes = (m >> (3 * line)) & 7;
            if (single_bit(boxes)) {
                int box = std::countr_zero(boxes);
                m &= ~(0x49u << box) | (1u << (3 * line + box));  // 0x49: bits 0, 3, 6 (one box, all lines)
            }
        }
        if (m == before) return m;
    }
}

struct TriadTables {
    uint16_t locked[512];   // matrix -> its locked-candidates fixpoint
    uint8_t presence[512];  // the 9 cells of a row -> which of its 3 triads hold a candidate

    constexpr TriadTables() : locked{}, presence{} {
        for (uint16_t m = 0; m < 512; ++m) {
            locked[m] = locked_fixpoint(m);
            presence[m] = static_cast<uint8_t>((m & 7 ? 1 : 0) | (m & 070 ? 2 : 0) | (m & 0700 ? 4 : 0));
        }
    }
};

constexpr TriadTables kTriads{};

// Triads 0..2 of one row -> its cells (triad s = cells 3s..3s+2).
constexpr uint32_t triad_cells(uint32_t triads) { return (triads & 1) * 7u | (triads & 2) * 28u | (triads & 4) * 112u; }
// Bits 0..2 -> bits 0, 3, 6 (a column of the matrix) and back.
constexpr uint32_t spread3(uint32_t x) { return (x & 1) | (x & 2) << 2 | (x & 4) << 4; }
constexpr uint32_t gather3(uint32_t x) { return (x & 1) | (x >> 2 & 2) | (x >> 4 & 4); }

// Locked candidates for one digit: rows of every band, then columns of every stack.
inline Bits locked_candidates_of(const Bits & cand) {
    uint32_t w[3] = {cand.band(0), cand.band(1), cand.band(2)};
    for (auto & band : w) {  // lines = the band's rows, boxes = its boxes
        uint32_t m = 0;
        for (int k = 0; k < 3; ++k) m |= uint32_t{kTriads.presence[(band >> (9 * k)) & 0x1FFu]} << (3 * k);
        uint32_t kept = kTriads.locked[m];
        if (kept == m) continue;
        uint32_t keep = 0;
        for (int k = 0; k < 3; ++k) keep |= triad_cells((kept >> (3 * k)) & 7) << (9 * k);
        band &= keep;
    }
    uint32_t fold[3];  // per band: which of the 9 columns hold a candidate
    for (int b = 0; b < 3; ++b) fold[b] = (w[b] | w[b] >> 9 | w[b] >> 18) & 0x1FFu;
    for (int s = 0; s < 3; ++s) {  // lines = the stack's columns, boxes = its boxes (one per band)
        uint32_t m = 0;
        for (int b = 0; b < 3; ++b) m |= spread3((fold[b] >> (3 * s)) & 7) << b;
        uint32_t kept = kTriads.locked[m];
        if (kept == m) continue;
        for (int b = 0; b < 3; ++b) {
            uint32_t dropped = (gather3(m >> b) & ~gather3(kept >> b) & 7) << (3 * s);
            w[b] &= ~(dropped | dropped << 9 | dropped << 18);
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
