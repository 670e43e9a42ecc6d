// Sudoku tokenisation (see sudoku_tokens.h).
#include "tasks/sudoku/sudoku_tokens.h"

#include <string>

#include "harness/core/error.h"
#include "tasks/sudoku/sudoku_board.h"

namespace trmbench::sudoku {

std::vector<int32_t> encode(const Grid & g) {
    auto cells = to_cells(g);
    if (!cells)
        throw InputError("sudoku encode: expected a 9x9 grid of values 0..9, got " + std::to_string(g.rows) + "x" +
                         std::to_string(g.cols));
    std::vector<int32_t> tokens(kSeqLen);
    for (int i = 0; i < kSeqLen; ++i) tokens[static_cast<size_t>(i)] = (*cells)[i] + 1;
    return tokens;
}

std::optional<Grid> decode(std::span<const int32_t> tokens) {
    if (tokens.size() != static_cast<size_t>(kSeqLen)) return std::nullopt;
    Grid g(9, 9);
    for (size_t i = 0; i < tokens.size(); ++i) {
        int32_t t = tokens[i];
        if (t < kBlankToken || t >= kVocabSize) return std::nullopt;  // PAD or out of vocabulary
        g.cells[i] = static_cast<uint8_t>(t - 1);
    }
    return g;
}

}  // namespace trmbench::sudoku
