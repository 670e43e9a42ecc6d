// Prompt templates: golden renders of small examples (tests/data/text/prompts/*.golden.txt), pinned
// (version, hash) pairs, and prompt/parser agreement (an answer written as the prompt asks parses).
//
// If a template's text changes on purpose: bump its version in tasks/text/prompts.cpp, regenerate
// the golden file, and update the pinned hash below. A text change without a version bump fails here.
#include <catch2/catch.hpp>

#include <regex>

#include "harness/core/paths.h"
#include "tasks/text/text_io.h"
#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

std::string golden(const std::string & name) {
    return read_file(test::source_dir() / "tests" / "data" / "text" / "prompts" / (name + ".golden.txt"));
}

Grid grid_of(std::initializer_list<std::initializer_list<int>> rows) {
    Grid g(static_cast<int>(rows.size()), static_cast<int>(rows.begin()->size()));
    int r = 0;
    for (const auto & row : rows) {
        int c = 0;
        for (int v : row) g.at(r, c++) = static_cast<uint8_t>(v);
        ++r;
    }
    return g;
}

Grid maze_of(const std::vector<std::string> & rows) {
    const std::string chars = "# SGo";
    Grid g(static_cast<int>(rows.size()), static_cast<int>(rows[0].size()));
    for (int r = 0; r < g.rows; ++r)
        for (int c = 0; c < g.cols; ++c) g.at(r, c) = static_cast<uint8_t>(chars.find(rows[r][c]));
    return g;
}

const char * kPuzzle = "........8..3...4...9..2..6.....79.......612...6.5.2.7...8...5...1.....2.4.5.....3";
const char * kSolution = "621943758783615492594728361142879635357461289869532174238197546916354827475286913";

Example sudoku_example() {
    Example ex;
    ex.family = "sudoku";
    ex.input = Grid(9, 9);
    ex.target = Grid(9, 9);
    for (int k = 0; k < 81; ++k) {
        ex.input.cells[k] = kPuzzle[k] == '.' ? 0 : static_cast<uint8_t>(kPuzzle[k] - '0');
        ex.target.cells[k] = static_cast<uint8_t>(kSolution[k] - '0');
    }
    return ex;
}

Example maze_example() {
    Example ex;
    ex.family = "maze";
    ex.input = maze_of({"  #S#", "#   #", "G#   "});
    ex.target = maze_of({"  #S#", "#ooo#", "G#   "});  // not a real path: only the format matters here
    return ex;
}

Example arc_example() {
    Example ex;
    ex.family = "arc";
    ex.demos = {{grid_of({{8, 6}, {6, 4}}), grid_of({{8, 6, 8}, {6, 4, 6}})},
                {grid_of({{7, 9}, {4, 3}}), grid_of({{7, 9, 7}, {4, 3, 4}})}};
    ex.input = grid_of({{3, 2}, {7, 8}});
    ex.target = grid_of({{3, 2, 3}, {7, 8, 7}});
    return ex;
}

bool has_placeholder(const std::string & s) { return std::regex_search(s, std::regex(R"(\{[#/]?[a-z_]+\})")); }

}  // namespace

TEST_CASE("prompt templates render the golden text for small examples", "[text][prompt]") {
    CHECK(render_sudoku_prompt(sudoku_example()) == golden("sudoku_small"));
    CHECK(render_maze_prompt(maze_example()) == golden("maze_small"));
    CHECK(render_arc_prompt(arc_example()) == golden("arc_small"));
}

TEST_CASE("prompt templates have pinned versions and hashes", "[text][prompt]") {
    // Changing a template's text changes its hash: bump the version and update both lines.
    CHECK(sudoku_prompt_template().name == "sudoku-answer-tag");
    CHECK(sudoku_prompt_template().version == "1");
    CHECK(sudoku_prompt_template().hash() == "a1a4e4d7218631ef069f6d1b6b8b8bd87209157ccad1f9288e8660b298164950");
    CHECK(maze_prompt_template().name == "maze-answer-tag");
    CHECK(maze_prompt_template().version == "1");
    CHECK(maze_prompt_template().hash() == "20f705e86986ddb79250f455328f8fdd3b4ae51b82400cd0b5080b1523c84899");
    CHECK(arc_prompt_template().name == "arc-json");
    CHECK(arc_prompt_template().version == "1");
    CHECK(arc_prompt_template().hash() == "268df02bea6626abf5df9afb34c5a8c36810e51f6d1058a7a8ab7ca0b0cc5a5f");
}

TEST_CASE("a template's hash covers its name, version and every character of its text", "[text][prompt]") {
    for (const PromptTemplate * t : {&sudoku_prompt_template(), &maze_prompt_template(), &arc_prompt_template()}) {
        INFO(t->name);
        PromptTemplate edited = *t;
        edited.text.back() = edited.text.back() == ' ' ? '_' : ' ';
        CHECK(edited.hash() != t->hash());
        PromptTemplate bumped = *t;
        bumped.version += ".1";
        CHECK(bumped.hash() != t->hash());
        PromptTemplate renamed = *t;
        renamed.name += "x";
        CHECK(renamed.hash() != t->hash());
        CHECK(t->hash() == PromptTemplate(*t).hash());
    }
}

TEST_CASE("rendered prompts are deterministic and fill every placeholder", "[text][prompt]") {
    CHECK(render_arc_prompt(arc_example()) == render_arc_prompt(arc_example()));
    CHECK_FALSE(has_placeholder(render_sudoku_prompt(sudoku_example())));
    CHECK_FALSE(has_placeholder(render_maze_prompt(maze_example())));
    CHECK_FALSE(has_placeholder(render_arc_prompt(arc_example())));
    CHECK(has_placeholder(arc_prompt_template().text));
    // ARC: one block per demonstration pair, then the one test input.
    Example ex = arc_example();
    ex.demos.push_back(ex.demos[0]);
    std::string prompt = render_arc_prompt(ex);
    CHECK(prompt.find("--Example 2--") != std::string::npos);
    CHECK(prompt.find("--Example 3--") == std::string::npos);
    CHECK(prompt.find("--Test Input--\n[[3,2],[7,8]]\n--End of Test Input--") != std::string::npos);
}

TEST_CASE("an answer written as each prompt asks parses back to the grid", "[text][prompt]") {
    Example s = sudoku_example();
    std::string rows;
    for (int r = 0; r < 9; ++r) rows += std::string(kSolution + 9 * r, 9) + "\n";
    ParsedAnswer got = parse_sudoku_answer("Reasoning...\n<answer>\n" + rows + "</answer>");
    REQUIRE(got.grid);
    CHECK(*got.grid == s.target);
    CHECK(got.method == "answer_tag");

    Example m = maze_example();
    got = parse_maze_answer("<answer>\n  #S#\n#ooo#\nG#   \n</answer>", m);
    REQUIRE(got.grid);
    CHECK(*got.grid == m.target);

    Example a = arc_example();
    got = parse_arc_answer("The rule tiles the rows.\n" + to_json_rows(a.target));
    REQUIRE(got.grid);
    CHECK(*got.grid == a.target);
}
