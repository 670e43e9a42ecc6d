// `trmbench parse` end to end: files and stdin in, one JSON line out, exit codes 0/1/2/3/4.
#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

std::string exe() { return test::trmbench_exe().string(); }

// Runs trmbench with `args`, stdout only (stderr dropped), and returns the exit status.
int parse_cmd(const std::string & args, std::string & out) {
    // run_command adds "2>&1"; the subshell keeps stderr out of `out` all the same.
    return test::run_command("(" + exe() + " parse " + args + " 2>/dev/null)", out);
}

}  // namespace

TEST_CASE("trmbench parse prints the grid and method as JSON and exits 0", "[cli][parse]") {
    test::TempDir d;
    test::write_text(d / "arc.txt", "Thinking...\n\\boxed{[[1, 2], [3, 4]]}\n");
    std::string out;
    CHECK(parse_cmd("--task arc " + (d / "arc.txt").string(), out) == 0);
    CHECK(out == "{\"grid\":[[1,2],[3,4]],\"method\":\"boxed\"}\n");

    std::string rows;
    const char * solution = "621943758783615492594728361142879635357461289869532174238197546916354827475286913";
    for (int r = 0; r < 9; ++r) rows += std::string(solution + 9 * r, 9) + "\n";
    test::write_text(d / "sudoku.txt", "<think>no idea yet</think>\n<answer>\n" + rows + "</answer>\n");
    CHECK(parse_cmd("--task sudoku " + (d / "sudoku.txt").string(), out) == 0);
    CHECK(out.rfind("{\"grid\":[[6,2,1,9,4,3,7,5,8],", 0) == 0);
    CHECK(out.find("\"method\":\"answer_tag\"") != std::string::npos);
}

TEST_CASE("trmbench parse reports why nothing parsed and exits 1", "[cli][parse]") {
    test::TempDir d;
    test::write_text(d / "bad.txt", "```\n12345678\n12345678\n12345678\n12345678\n12345678\n12345678\n12345678\n12345678\n12345678\n```\n");
    std::string out;
    CHECK(parse_cmd("--task sudoku " + (d / "bad.txt").string(), out) == 1);
    CHECK(out == "{\"error\":\"found a 9x8 grid in a fenced code block (expected 9x9)\"}\n");
    test::write_text(d / "empty.txt", "");
    CHECK(parse_cmd("--task arc " + (d / "empty.txt").string(), out) == 1);
    CHECK(out == "{\"error\":\"empty reply\"}\n");
}

TEST_CASE("trmbench parse reads standard input with '-'", "[cli][parse]") {
    test::TempDir d;
    test::write_text(d / "reply.txt", "Output:\n0 1\n1 0\n");
    std::string out;
    CHECK(test::run_command("cat " + (d / "reply.txt").string() + " | " + exe() + " parse --task arc - 2>/dev/null", out) == 0);
    CHECK(out == "{\"grid\":[[0,1],[1,0]],\"method\":\"digit_rows\"}\n");
}

TEST_CASE("trmbench parse takes the maze shape from --example-input or --rows/--cols", "[cli][parse]") {
    test::TempDir d;
    test::write_text(d / "maze.txt", "  #S#\n#   #\nG#   \n");
    test::write_text(d / "reply.txt", "<answer>\n  #S#\n#ooo#\nG#   \n</answer>\n");
    std::string out;
    CHECK(parse_cmd("--task maze " + (d / "reply.txt").string() + " --example-input " + (d / "maze.txt").string(), out) == 0);
    CHECK(out == "{\"grid\":[[1,1,0,2,0],[0,4,4,4,0],[3,0,1,1,1]],\"method\":\"answer_tag\",\"rows\":[\"  #S#\",\"#ooo#\",\"G#   \"]}\n");
    // The dataset's one-line layout (rows*cols characters, square) works as an example input too.
    test::write_text(d / "maze_line.txt", "#S #  G  \n");
    test::write_text(d / "reply3.txt", "<answer>\n#So\n# o\nGoo\n</answer>\n");
    CHECK(parse_cmd("--task maze " + (d / "reply3.txt").string() + " --example-input " + (d / "maze_line.txt").string(), out) == 0);
    CHECK(out.find("\"rows\":[\"#So\",\"# o\",\"Goo\"]") != std::string::npos);
    CHECK(parse_cmd("--task maze " + (d / "reply.txt").string() + " --rows 3 --cols 5", out) == 0);
    // Default shape 30x30: this reply is the wrong size.
    CHECK(parse_cmd("--task maze " + (d / "reply.txt").string(), out) == 1);
    CHECK(out.find("expected 30x30") != std::string::npos);
}

TEST_CASE("trmbench parse exit codes for bad usage and bad files", "[cli][parse]") {
    test::TempDir d;
    test::write_text(d / "reply.txt", "[[1]]");
    std::string out;
    CHECK(parse_cmd("--task chess " + (d / "reply.txt").string(), out) == 2);
    CHECK(parse_cmd((d / "reply.txt").string(), out) == 2);                              // --task missing
    CHECK(parse_cmd("--task arc " + (d / "missing.txt").string(), out) == 4);            // unreadable reply
    test::write_text(d / "bad_maze.txt", "#S#\n#G\n");
    CHECK(parse_cmd("--task maze " + (d / "reply.txt").string() + " --example-input " + (d / "bad_maze.txt").string(), out) == 3);
    CHECK(test::run_command(exe() + " --data-dir " + d.path().string() + " parse --task maze " + (d / "reply.txt").string() +
                                " --example-input nodataset:7 2>/dev/null",
                            out) == 2);
    CHECK(parse_cmd("--task maze " + (d / "reply.txt").string() + " --example-input " + (d / "bad_maze.txt").string() +
                        " --rows 3",
                    out) == 2);
}
