// Maze-Hard CSV loader: header detection, column names, quoting, ids, difficulty vs rating, and
// malformed rows reported as InputError with file, line and field.
#include <catch2/catch.hpp>

#include <string>

#include "harness/core/error.h"
#include "harness/core/rng.h"
#include "tasks/maze/maze_core.h"
#include "tasks/maze/maze_csv.h"
#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

// A 4x4 maze: S top-left, G bottom-right, one wall; shortest path 6 moves.
const std::string kQ = "S   "
                       " #  "
                       "    "
                       "   G";
// Its canonical label (down the left column, then along the bottom).
const std::string kA = "S   "
                       "o#  "
                       "o   "
                       "oooG";

std::string write_csv(const test::TempDir & dir, const std::string & name, const std::string & content) {
    test::write_text(dir / name, content);
    return (dir / name).string();
}

// The InputError message of loading `content`, or "" when it loads.
std::string load_error(const std::string & content) {
    test::TempDir dir;
    std::string path = write_csv(dir, "bad.csv", content);
    try {
        load_maze_csv(path);
    } catch (const InputError & e) {
        return e.what();
    }
    return "";
}

std::string replace_at(std::string s, size_t i, char c) {
    s[i] = c;
    return s;
}

}  // namespace

TEST_CASE("maze CSV with the HF header loads with stable ids and BFS difficulty", "[maze][loader]") {
    test::TempDir dir;
    std::string path = write_csv(dir, "train.csv",
                                 "source,question,answer,rating\n"
                                 "gen," + kQ + "," + kA + ",6\n"
                                 "gen2," + kQ + "," + kA + ",7\n");
    auto ex = load_maze_csv(path);
    REQUIRE(ex.size() == 2);
    CHECK(ex[0].id == "0");
    CHECK(ex[1].id == "1");
    CHECK(ex[0].family == "maze");
    CHECK(ex[0].group == "0");
    CHECK(ex[0].input.rows == 4);
    CHECK(maze::grid_to_string(ex[0].input) == kQ);
    CHECK(maze::grid_to_string(ex[0].target) == kA);
    CHECK(ex[0].difficulty == 6);
    CHECK(ex[0].meta.at("source") == "gen");
    CHECK(ex[0].meta.at("rating") == "6");
    // A rating that disagrees with BFS (here "cells" instead of "moves") is recorded, not rejected.
    CHECK(ex[1].difficulty == 6);
    CHECK(ex[1].meta.at("rating") == "7");
}

TEST_CASE("maze CSV without a header, with other column names, quotes and CRLF", "[maze][loader]") {
    test::TempDir dir;
    SECTION("no header: source,question,answer,rating by position") {
        auto ex = load_maze_csv(write_csv(dir, "a.csv", "x," + kQ + "," + kA + ",6\n"));
        REQUIRE(ex.size() == 1);
        CHECK(ex[0].difficulty == 6);
    }
    SECTION("HRM's names in another order, unknown columns ignored") {
        auto ex = load_maze_csv(write_csv(dir, "b.csv", "a,q,difficulty,note\n" + kA + "," + kQ + ",6,hello\n"));
        REQUIRE(ex.size() == 1);
        CHECK(maze::grid_to_string(ex[0].input) == kQ);
        CHECK(maze::grid_to_string(ex[0].target) == kA);
        CHECK(ex[0].meta.at("rating") == "6");
        CHECK(ex[0].meta.count("source") == 0);
    }
    SECTION("quoted fields, CRLF line ends, blank lines, '114.0' ratings, empty answer") {
        auto ex = load_maze_csv(write_csv(dir, "c.csv",
                                          "source,question,answer,rating\r\n\r\n"
                                          "\"a,\"\"b\"\"\",\"" + kQ + "\",\"" + kA + "\",6.0\r\n"
                                          "d," + kQ + ",,\r\n"));
        REQUIRE(ex.size() == 2);
        CHECK(ex[0].meta.at("source") == "a,\"b\"");
        CHECK(ex[0].meta.at("rating") == "6");
        CHECK(ex[1].target.empty());
        CHECK(ex[1].meta.count("rating") == 0);
        CHECK(ex[1].id == "1");
    }
    SECTION("a first row whose fields all look like names is still data when it is a valid maze") {
        std::string q = "SG  "
                        "    "
                        "    "
                        "    ";  // trimmed: "SG", like a column name
        auto ex = load_maze_csv(write_csv(dir, "d.csv", "src," + q + "," + q + "\n"));
        REQUIRE(ex.size() == 1);
        CHECK(ex[0].difficulty == 1);
        CHECK(ex[0].target == ex[0].input);
    }
    SECTION("an unreachable goal loads with difficulty -1") {
        std::string q = "S#  "
                        "##  "
                        "    "
                        "   G";
        auto ex = load_maze_csv(write_csv(dir, "e.csv", "s," + q + ",,\n"));
        CHECK(ex.at(0).difficulty == -1);
    }
}

TEST_CASE("malformed maze rows are InputErrors naming file, line and field", "[maze][loader]") {
    const std::string header = "source,question,answer,rating\n";
    const std::string good = "s," + kQ + "," + kA + ",6\n";
    struct Case {
        std::string name, content, expect;
    };
    std::vector<Case> cases = {
        {"bad length", header + good + "s," + kQ + " ," + kA + ",6\n", "bad.csv:3: question: length 17 is not a positive square"},
        {"bad character", header + "s," + replace_at(kQ, 5, 'x') + "," + kA + ",6\n", "bad.csv:2: question: character 5"},
        {"two starts", header + "s," + replace_at(kQ, 2, 'S') + ",,6\n", "bad.csv:2: question: 2 start cells"},
        {"no goal", header + "s," + replace_at(kQ, 15, ' ') + ",,\n", "bad.csv:2: question: 0 goal cells"},
        {"path in question", header + "s," + replace_at(kQ, 4, 'o') + ",,\n", "bad.csv:2: question: cell 4"},
        {"answer changes a wall", header + "s," + kQ + "," + replace_at(kA, 5, 'o') + ",6\n",
         "bad.csv:2: answer: cell 5 (row 1, column 1) is '#' in the question"},
        {"answer moves the goal", header + "s," + kQ + "," + replace_at(replace_at(kA, 15, ' '), 14, 'G') + ",6\n",
         "bad.csv:2: answer: cell 14"},
        {"answer length", header + "s," + kQ + "," + kA + "  ,6\n", "bad.csv:2: answer: length 18 differs"},
        {"rating not an integer", header + good + good + "s," + kQ + "," + kA + ",six\n", "bad.csv:4: rating: 'six'"},
        {"fractional rating", header + "s," + kQ + "," + kA + ",6.5\n", "bad.csv:2: rating"},
        {"too few fields", header + "s," + kQ + "\n", "bad.csv:2: row: expected 4 fields, found 2"},
        {"unterminated quote", header + "s,\"" + kQ + "," + kA + ",6\n", "bad.csv:2: row: unterminated quoted field"},
        {"side mismatch", header + good + "s,S  G,,\n", "bad.csv:3: question: side 2 differs from side 4"},
        {"header without a question column", "foo,bar\n", "bad.csv:1: header: no question column"},
        {"one field", "just-one-field\n", "bad.csv:1: header: no question column"},
    };
    for (const auto & c : cases) {
        INFO(c.name);
        std::string err = load_error(c.content);
        CHECK_THAT(err, Catch::Contains(c.expect));
    }
    // A good file loads (the cases above fail for their own reason).
    CHECK(load_error(header + good) == "");
}

TEST_CASE("maze loader reports unreadable files as IoError", "[maze][loader]") {
    CHECK_THROWS_AS(load_maze_csv("/nonexistent/maze.csv"), IoError);
}

TEST_CASE("randomly damaged maze CSVs load or fail with InputError, never crash", "[maze][loader]") {
    const std::string good = "source,question,answer,rating\ns," + kQ + "," + kA + ",6\nt," + kQ + ",," + "\n";
    const std::string alphabet = "# SGo,\"\r\n0x.-";
    Rng rng(2024);
    int loaded = 0, rejected = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        std::string text = good;
        for (int k = 1 + static_cast<int>(rng.below(4)); k > 0; --k) {
            size_t at = rng.below(text.size() + 1);
            switch (rng.below(3)) {
                case 0: if (at < text.size()) text[at] = alphabet[rng.below(alphabet.size())]; break;
                case 1: text.insert(at, 1, alphabet[rng.below(alphabet.size())]); break;
                default: if (at < text.size()) text.erase(at, 1); break;
            }
        }
        try {
            auto ex = parse_maze_csv(text, "fuzz.csv");
            ++loaded;
            for (const auto & e : ex) {
                REQUIRE(e.input.rows == e.input.cols);
                REQUIRE(maze::find_unique(e.input, maze::kStart) >= 0);
                REQUIRE(maze::find_unique(e.input, maze::kGoal) >= 0);
            }
        } catch (const InputError & e) {
            ++rejected;
            REQUIRE_THAT(std::string(e.what()), Catch::StartsWith("fuzz.csv:"));
        }
    }
    CHECK(loaded > 0);
    CHECK(rejected > 0);
}
