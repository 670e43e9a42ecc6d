// Table-driven test of the answer parsers on recorded-style model replies: every
// tests/data/text/<task>/NNN_name.txt is parsed and compared with NNN_name.expected.json beside it.
//
// expected.json keys:
//   "grid": [[...]]            the grid the parser must return (Sudoku, ARC)
//   "rows": ["#S o#", ...]     the same for a maze, as rows of "# SGo"
//   "method": "answer_tag"     optional: the rule that must have matched
//   "error_contains": "..."    instead of a grid: nothing parses and the reason contains this text
//   "shape": [rows, cols]      maze only: the shape of the example's input maze
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include "harness/core/paths.h"
#include "tasks/text/text_io.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

Grid grid_from_json(const nlohmann::json & j) {
    Grid g(static_cast<int>(j.size()), static_cast<int>(j.at(0).size()));
    for (int r = 0; r < g.rows; ++r)
        for (int c = 0; c < g.cols; ++c) g.at(r, c) = j.at(r).at(c).get<uint8_t>();
    return g;
}

Grid grid_from_maze_rows(const nlohmann::json & j) {
    const std::string chars = "# SGo";
    Grid g(static_cast<int>(j.size()), static_cast<int>(j.at(0).get<std::string>().size()));
    for (int r = 0; r < g.rows; ++r) {
        std::string row = j.at(r).get<std::string>();
        REQUIRE(row.size() == static_cast<size_t>(g.cols));
        for (int c = 0; c < g.cols; ++c) g.at(r, c) = static_cast<uint8_t>(chars.find(row[c]));
    }
    return g;
}

bool printable_ascii(const std::string & s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Runs every case of one task; returns how many there were.
size_t run_cases(const std::string & task) {
    fs::path dir = test::source_dir() / "tests" / "data" / "text" / task;
    std::vector<fs::path> replies;
    for (const auto & e : fs::directory_iterator(dir))
        if (e.path().extension() == ".txt") replies.push_back(e.path());
    std::sort(replies.begin(), replies.end());
    for (const fs::path & reply_path : replies) {
        fs::path expected_path = reply_path;
        expected_path.replace_extension(".expected.json");
        INFO("case " << task << "/" << reply_path.filename().string());
        REQUIRE(fs::exists(expected_path));
        auto expected = nlohmann::json::parse(read_file(expected_path));
        std::string reply = read_file(reply_path);

        Example ex;
        ex.family = task;
        if (task == "maze") ex.input = Grid(expected.at("shape").at(0).get<int>(), expected.at("shape").at(1).get<int>());
        ParsedAnswer got = parse_answer_for(task, reply, ex);
        INFO("method: " << got.method << "; reason: " << got.reason);

        if (expected.contains("error_contains")) {
            CHECK_FALSE(got.grid.has_value());
            CHECK_THAT(got.reason, Catch::Contains(expected.at("error_contains").get<std::string>()));
            CHECK(printable_ascii(got.reason));
            continue;
        }
        REQUIRE(got.grid.has_value());
        CHECK(got.reason.empty());
        Grid want = task == "maze" ? grid_from_maze_rows(expected.at("rows")) : grid_from_json(expected.at("grid"));
        CHECK(*got.grid == want);
        if (expected.contains("method")) CHECK(got.method == expected.at("method").get<std::string>());
    }
    return replies.size();
}

}  // namespace

TEST_CASE("sudoku answers: recorded replies parse as expected", "[text][parse]") {
    CHECK(run_cases("sudoku") >= 30);
}

TEST_CASE("maze answers: recorded replies parse as expected", "[text][parse]") {
    CHECK(run_cases("maze") >= 30);
}

TEST_CASE("arc answers: recorded replies parse as expected", "[text][parse]") {
    CHECK(run_cases("arc") >= 30);
}
