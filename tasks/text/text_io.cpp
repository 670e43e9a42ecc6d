// PLACEHOLDER until the prompts-and-parsers work lands: every parser reports that it is missing.
#include "tasks/text/text_io.h"

namespace trmbench {
namespace {
const PromptTemplate kPlaceholder{"placeholder", "0", ""};
ParsedAnswer missing() { return ParsedAnswer{std::nullopt, "", "parser not implemented yet"}; }
}  // namespace

const PromptTemplate & sudoku_prompt_template() { return kPlaceholder; }
const PromptTemplate & maze_prompt_template() { return kPlaceholder; }
const PromptTemplate & arc_prompt_template() { return kPlaceholder; }
std::string render_sudoku_prompt(const Example &) { return ""; }
std::string render_maze_prompt(const Example &) { return ""; }
std::string render_arc_prompt(const Example &) { return ""; }
ParsedAnswer parse_sudoku_answer(std::string_view) { return missing(); }
ParsedAnswer parse_maze_answer(std::string_view, const Example &) { return missing(); }
ParsedAnswer parse_arc_answer(std::string_view) { return missing(); }
std::string strip_think(std::string_view text, std::string *) { return std::string(text); }

}  // namespace trmbench
