// Reference tokenisation of Sudoku for TRM/HRM (trm-hrm-spec.md §3.2): 81 tokens, row-major,
// PAD = 0, blank = 1, digit d (1..9) = d + 1 (2..10); vocabulary 11.
//
// decode() of a predicted sequence:
//   - wrong length, a PAD token (0) or a token outside 0..10  -> nullopt (not a board at all);
//   - a blank token (1)                                       -> a grid with 0 in that cell.
// A grid with a blank is never scored correct (exact needs the target's digit, valid needs a complete
// grid), but it is kept so that reports can show how far the model got.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "harness/core/grid.h"

namespace trmbench::sudoku {

inline constexpr int kSeqLen = 81;
inline constexpr int kVocabSize = 11;
inline constexpr int32_t kPadToken = 0;
inline constexpr int32_t kBlankToken = 1;

// Throws InputError unless g is 9x9 with values 0..9.
std::vector<int32_t> encode(const Grid & g);
std::optional<Grid> decode(std::span<const int32_t> tokens);

}  // namespace trmbench::sudoku
