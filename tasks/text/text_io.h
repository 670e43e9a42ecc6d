// Text models' side of every task: versioned prompt templates and robust answer parsers.
//
// The Task classes of tasks/sudoku, tasks/maze and tasks/arc delegate render_prompt() and
// parse_answer() to these functions, so all prompt text and parsing rules live in this folder.
// Parsers never throw on model output: they return a grid, or a reason why nothing parsed.
//
// Templates (prompts.cpp; each documents its origin and what it asks):
//   sudoku-answer-tag  board as 9 lines of 9 characters, '.' = blank; answer: 9 lines of 9 digits
//                      between <answer> and </answer>.
//   maze-answer-tag    board as rows of "# SGo" between <maze> and </maze>; answer: the same rows
//                      with the shortest path drawn as 'o', between <answer> and </answer>.
//   arc-json           the ARC Prize layout (arc-agi-benchmarking): JSON grids, every train pair as
//                      INPUT/OUTPUT, then the one test input; answer: a JSON list of lists, last.
// Version rule: any change to a template's text bumps its version; tests pin every (version, hash)
// pair, so a text change without a bump fails the build's tests. The hash (sha256 of name, version,
// text) goes into the results store with every run.
//
// Parsing rules, in order (answer_parser.cpp):
//   0. Reasoning is removed first: <think>/<thinking>/<reasoning> blocks, an unterminated opening
//      tag (the rest is reasoning), and everything before an orphan closing tag (see think.h).
//      Grids inside the reasoning are never scored; the failure reason says when one was there.
//   1. <answer>...</answer> blocks (case-insensitive; an unterminated one runs to the end).
//   2. \boxed{...} / \fbox{...} with nested braces; LaTeX matrices inside (bmatrix, pmatrix, array:
//      "&" separates cells, "\\" rows).
//   3. Fenced code blocks (``` or ~~~, any info string such as json or text).
//   4. The rest of the text (outside the blocks above): JSON lists of lists found by scanning the
//      whole text (the ARC Prize back-scan, generalised to every candidate), LaTeX matrix
//      environments, and plain rows: Sudoku 9 lines of 9 digits (spaces, |, -+- rulers, blank lines
//      and box-drawing characters allowed; "Row 1:" labels dropped) or 81 digits in a row, ARC rows
//      of digits (at least two rows here), maze rows of "# SGo" matched by exact width (spaces are
//      cells: nothing is trimmed; rows that lost trailing spaces are padded back when at least one
//      row of the grid has the full width; "# # S o" with one space between cells is read too).
//   Inside the blocks of rules 1-3 the same readers run (JSON, LaTeX, rows).
//   Within rules 1-3 the blocks are tried from the last to the first, and the first block holding a
//   valid grid wins; within a block, and in rule 4, the valid grid that ends last wins ("the last
//   answer given is the answer"). A candidate is valid only with exactly the expected shape and
//   values: Sudoku 9x9 of 1..9 (a blank is an error), maze the input's shape over "# SGo", ARC
//   rectangular 1..30 x 1..30 of 0..9 (ragged rows are an error).
//   Bounds that only pathological replies reach: the last 256 <answer>/fenced blocks and the last 64
//   \boxed{} are read (earlier ones count as text), a grid has at most 256 rows or columns, and a
//   run of lines is cut after 1024 rows. Every step is linear in the reply's length.
//   ParsedAnswer::method is the rule that matched: answer_tag | boxed | fenced for rules 1-3, and
//   json | latex | digit_rows | maze_rows for rule 4.
//   When nothing is valid, `reason` names what was found and where, e.g. "found a 9x8 grid in a
//   fenced code block (expected 9x9)", or says "no grid-like text"; it notes grids seen only inside
//   the reasoning and replies that look cut off.
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

// The parser of a family by name ("sudoku", "maze", "arc"); throws UsageError for any other name.
ParsedAnswer parse_answer_for(std::string_view family, std::string_view text, const Example & ex);

// Splits "<think>...</think>" (and unterminated "<think>..." prefixes) off a reply: returns the
// answer part and appends the reasoning to *reasoning when given.
std::string strip_think(std::string_view text, std::string * reasoning = nullptr);

}  // namespace trmbench
