// Text models' side of every task: versioned prompt templates and robust answer parsers.
//
// The Task classes of tasks/sudoku, tasks/maze and tasks/arc delegate render_prompt() and
// parse_answer() to these functions, so all prompt text and parsing rules live in this folder.
// Parsers never throw on model output: they return a grid, or a reason why nothing parsed.
#pragma once

#include <string>
#include <string_view>

#include "harness/core/example.h"
#include "harness/core/task.h"

namespace trmbench {

const PromptTemplate & sudoku_prompt_template();
const PromptTemplate & maze_prompt_template();
const PromptTemplate & arc_prompt_template();

std::string render_sudoku_prompt(const Example & ex);
std::string render_maze_prompt(const Example & ex);
std::string render_arc_prompt(const Example & ex);  // ARC Prize template: train pairs + one test input

// Sudoku: a 9x9 grid of values 1..9. Maze: a grid over "# SGo" with the input's shape.
// ARC: any rectangular grid 1..30 x 1..30 of colours 0..9.
ParsedAnswer parse_sudoku_answer(std::string_view text);
ParsedAnswer parse_maze_answer(std::string_view text, const Example & ex);
ParsedAnswer parse_arc_answer(std::string_view text);

// Splits "<think>...</think>" (and unterminated "<think>..." prefixes) off a reply: returns the
// answer part and appends the reasoning to *reasoning when given.
std::string strip_think(std::string_view text, std::string * reasoning = nullptr);

}  // namespace trmbench
