// Prompt templates for text models, and their rendering.
//
// Each template is a PromptTemplate {name, version, text}; the whole text, including the layout of
// repeated parts, lives in the string literals below, so any change to what a model sees changes
// the template's hash. Version rule: change the text -> bump the version (the tests pin each
// version's hash and fail until both are updated together). Never reuse a version number.
//
// Placeholders: {name} is replaced by a value; {#list}...{/list} repeats its body once per item of
// a list, with the item's values (e.g. {input}) and the outer ones visible inside (no nesting).
// A '{' not followed by such a tag is literal text.
//
// sudoku-answer-tag v1 (our own): states the rules, shows the board as 9 lines of 9 characters with
//   '.' for blanks (the Sudoku-Extreme convention; 0 never appears, so blanks are unmistakable),
//   allows free reasoning, and asks for the solved grid as 9 lines of 9 digits between a line
//   <answer> and a line </answer>. Parsed by parse_sudoku_answer.
// maze-answer-tag v1 (our own): legend of "# SGo", the move rule (4-neighbour, no walls), the board
//   between <maze> and </maze> (rows are never trimmed: spaces are open cells), the task (draw one
//   shortest path from S to G with 'o', change nothing else; any shortest path), and the answer as
//   the full grid between <answer> and </answer>. Parsed by parse_maze_answer.
// arc-json v1: follows the structure of the ARC Prize harness's prompt (arcprize/arc-agi-benchmarking,
//   src/arc_agi_benchmarking/prompts/system_prompt.txt at 28e67d5, filled by prompt_manager.py):
//   a competition preamble, the instruction to infer the rule from the training pairs and apply it
//   to the test input, "--Training Examples--" with "--Example i--" (0-based) INPUT/OUTPUT grids as
//   JSON lists of rows, "--Test Input--" with the one test input, and "Your response:". The wording
//   is ours. Differences: grids are compact JSON ("[[0,1],[1,0]]", the harness's to_json_rows; the
//   ARC Prize harness writes json.dumps's "[[0, 1], [1, 0]]"), and the prompt says how to format the
//   answer (a JSON list of lists, last in the reply), which the ARC Prize text leaves implicit
//   ("respond in the format of the training output examples"). Parsed by parse_arc_answer.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tasks/text/grid_scan.h"
#include "tasks/text/text_io.h"

namespace trmbench {
namespace {

const PromptTemplate kSudokuTemplate{"sudoku-answer-tag", "1", R"(Solve this Sudoku puzzle.

Fill every empty cell with a digit from 1 to 9 so that each row, each column and each of the nine 3x3 boxes contains every digit from 1 to 9 exactly once. The given digits stay as they are. The puzzle has exactly one solution.

The puzzle is written as 9 lines of 9 characters, one line per row from top to bottom. A digit is a given; a dot (.) is an empty cell.

{board}

You may reason step by step first. Then end your reply with the complete solved grid, all 81 cells with the givens included, in this format:
- a line with <answer>
- the 9 rows of the solved grid, one per line, each written as 9 digits with no spaces or other characters between them
- a line with </answer>

Put nothing else between the two tags. If you write more than one <answer> block, the last valid one is graded.
)"};

const PromptTemplate kMazeTemplate{"maze-answer-tag", "1", R"(Solve this maze.

The maze is a grid of {rows} rows and {cols} columns. It is written below between the lines <maze> and </maze>, one line per row from top to bottom, and every row has exactly {cols} characters:
'#'  a wall
' '  an open cell (a space character)
'S'  the start
'G'  the goal
From any cell you may step up, down, left or right (never diagonally) to a neighbouring cell that is not a wall.

<maze>
{board}
</maze>

Find a shortest path from S to G and draw it: replace every open cell on the path with the letter o. Change nothing else: S, G and all walls stay as they are, and open cells off the path stay spaces. If several paths are equally short, draw any one of them.

You may reason step by step first. Then end your reply with the whole maze with the path drawn, in this format:
- a line with <answer>
- the {rows} rows, one per line, each exactly {cols} characters long (keep every space, including spaces at the start or end of a row)
- a line with </answer>

Put nothing else between the two tags. If you write more than one <answer> block, the last valid one is graded.
)"};

const PromptTemplate kArcTemplate{"arc-json", "1", R"(You are taking part in a puzzle-solving competition, and you are an expert puzzle solver.

Below are pairs of input and output grids that share a hidden pattern. Work out the rule that transforms each training input into its output, then apply that rule to the test input to produce its output.

Each grid is a JSON list of rows, and each row is a list of integers from 0 to 9 (colours).

--Training Examples--
{#train}--Example {n}--
INPUT:
{input}

OUTPUT:
{output}

{/train}--End of Training Examples--

--Test Input--
{test_input}
--End of Test Input--

Reply with the output grid for the test input, written like the training outputs: a JSON list of lists of integers, such as [[0,1],[2,3]]. Make that grid the last thing in your reply.

Your response:)"};

using Vars = std::map<std::string, std::string>;
using Lists = std::map<std::string, std::vector<Vars>>;

// A tag at text[i] ('{' known): "{name}", "{#name}" or "{/name}" with name in [a-z_]; 0 if none.
size_t tag_length(std::string_view text, size_t i) {
    size_t k = i + 1;
    if (k < text.size() && (text[k] == '#' || text[k] == '/')) ++k;
    size_t name_start = k;
    while (k < text.size() && ((text[k] >= 'a' && text[k] <= 'z') || text[k] == '_')) ++k;
    if (k == name_start || k >= text.size() || text[k] != '}') return 0;
    return k + 1 - i;
}

const std::string & lookup(const std::string & name, const Vars & inner, const Vars & outer) {
    if (auto it = inner.find(name); it != inner.end()) return it->second;
    if (auto it = outer.find(name); it != outer.end()) return it->second;
    // Templates are constants of this file: an unknown name is a programming error.
    throw std::logic_error("prompt template: no value for {" + name + "}");
}

std::string render_template(std::string_view text, const Vars & vars, const Lists & lists, const Vars & item = {}) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        size_t len = text[i] == '{' ? tag_length(text, i) : 0;
        if (len == 0) {
            out += text[i++];
            continue;
        }
        std::string_view tag = text.substr(i, len);
        if (tag[1] == '#') {
            std::string name(tag.substr(2, len - 3));
            std::string close = "{/" + name + "}";
            size_t body_end = text.find(close, i + len);
            auto list = lists.find(name);
            if (body_end == std::string_view::npos || list == lists.end())
                throw std::logic_error("prompt template: bad section {#" + name + "}");
            for (const Vars & v : list->second) out += render_template(text.substr(i + len, body_end - i - len), vars, {}, v);
            i = body_end + close.size();
        } else if (tag[1] == '/') {
            throw std::logic_error("prompt template: stray " + std::string(tag));
        } else {
            out += lookup(std::string(tag.substr(1, len - 2)), item, vars);
            i += len;
        }
    }
    return out;
}

std::string sudoku_board(const Grid & g) {
    std::string out;
    for (int r = 0; r < g.rows; ++r) {
        if (r) out += '\n';
        for (int c = 0; c < g.cols; ++c) {
            uint8_t v = g.at(r, c);
            out += v == 0 ? '.' : v <= 9 ? static_cast<char>('0' + v) : '?';
        }
    }
    return out;
}

std::string maze_board(const Grid & g) {
    std::string out;
    for (int r = 0; r < g.rows; ++r) {
        if (r) out += '\n';
        for (int c = 0; c < g.cols; ++c) {
            uint8_t v = g.at(r, c);
            out += v < text::kMazeChars.size() ? text::kMazeChars[v] : '?';
        }
    }
    return out;
}

}  // namespace

const PromptTemplate & sudoku_prompt_template() { return kSudokuTemplate; }
const PromptTemplate & maze_prompt_template() { return kMazeTemplate; }
const PromptTemplate & arc_prompt_template() { return kArcTemplate; }

std::string render_sudoku_prompt(const Example & ex) {
    return render_template(kSudokuTemplate.text, {{"board", sudoku_board(ex.input)}}, {});
}

std::string render_maze_prompt(const Example & ex) {
    return render_template(kMazeTemplate.text,
                           {{"board", maze_board(ex.input)},
                            {"rows", std::to_string(ex.input.rows)},
                            {"cols", std::to_string(ex.input.cols)}},
                           {});
}

std::string render_arc_prompt(const Example & ex) {
    std::vector<Vars> train;
    for (size_t i = 0; i < ex.demos.size(); ++i)
        train.push_back({{"n", std::to_string(i)},
                         {"input", to_json_rows(ex.demos[i].first)},
                         {"output", to_json_rows(ex.demos[i].second)}});
    return render_template(kArcTemplate.text, {{"test_input", to_json_rows(ex.input)}}, {{"train", train}});
}

}  // namespace trmbench
