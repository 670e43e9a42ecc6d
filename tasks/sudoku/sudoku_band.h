// Easier Sudoku bands: reveal answer digits into a puzzle until at most K blanks remain.
//
// The papers' Sudoku-Extreme puzzles are far out of reach of a model trained for half an hour on a
// CPU, so the small CPU checkpoints train and are evaluated on an easier band with few blanks. Both
// the training-data builder (`trmbench train data build sudoku --max-blanks K`) and the generator
// (`trmbench data generate sudoku --max-blanks K`, suite option "max_blanks") use this one function,
// so a band means the same thing everywhere. Revealing givens of a unique puzzle keeps it unique.
#pragma once

#include <cstdint>

#include "tasks/sudoku/sudoku_board.h"

namespace trmbench::sudoku {

// Fills blanks of `puzzle` from `answer` until at most `max_blanks` remain. Which blanks stay is a
// seeded choice: a partial Fisher-Yates draw of `max_blanks` cells among the blanks in cell order.
// A puzzle with at most `max_blanks` blanks is left as it is.
void reveal_down_to(Cells & puzzle, const Cells & answer, int max_blanks, uint64_t seed);

}  // namespace trmbench::sudoku
