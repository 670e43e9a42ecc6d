// Sudoku generator for `trmbench data generate sudoku`: unique-solution puzzles with their ratings, in
// the Sudoku-Extreme CSV layout (source column "trmbench-gen").
//
// Candidate k (k = 0, 1, 2, ...) is made from its own seed derive_seed(seed, k):
//   random complete grid (seeded randomized backtracking) -> remove clues in a random order, keeping a
//   removal only while the solution stays unique (the result is a minimal puzzle) -> rate it.
// With max_blanks = K >= 0, answer digits are then revealed (a seeded draw, sudoku_band.h) until at most
// K blanks remain, and the rating is that of the revealed puzzle: an easier band for small models.
// Candidates are accepted in k order when their rating is inside [min_rating, max_rating], until n are
// accepted. Worker threads evaluate candidates in batches whose size depends only on the counts so far,
// so the file is byte-identical for a given (n, seed, band) whatever the thread count.
//
// Minimal puzzles made by random removal are easy: ratings 0-2 almost always, rarely above 10. Truly
// hard puzzles (Sudoku-Extreme's hard part) are far too rare to generate this way; use the rated
// collections (datasets.md §3.5). A band that accepts too few candidates stops with a UsageError saying
// what was reached instead of running for hours.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/core/task.h"
#include "tasks/sudoku/sudoku_board.h"

namespace trmbench::sudoku {

struct GeneratedPuzzle {
    uint64_t candidate = 0;  // k: the candidate index it came from
    Cells question{};
    Cells answer{};
    int64_t rating = 0;
};

// Candidate k of `seed`: deterministic, independent of every other candidate. max_blanks >= 0 reveals
// answer digits until at most that many blanks remain (-1: the minimal puzzle as it is).
GeneratedPuzzle generate_candidate(uint64_t seed, uint64_t k, int max_blanks = -1);

// Limits that decide when a rating band is declared unreachable.
struct GenerateLimits {
    int64_t batch = 256;                // most candidates evaluated per parallel batch
    int64_t min_candidates = 20000;     // never give up before this many candidates
    int64_t candidates_per_puzzle = 200;  // give up when the projected need exceeds n times this
};

// The accepted puzzles, in order. Throws UsageError for bad options or an unreachable band.
std::vector<GeneratedPuzzle> generate_puzzles(const GenerateOptions & opts, const GenerateLimits & limits = {});

// CSV text (header included) for generated puzzles.
std::string to_csv(const std::vector<GeneratedPuzzle> & puzzles);

// generate_puzzles + to_csv + an atomic write to `out`.
void generate_file(const GenerateOptions & opts, const std::filesystem::path & out);

}  // namespace trmbench::sudoku
