// Robustness of the answer parsers: random bytes, random mutations of the recorded replies in
// tests/data/text, and megabyte-sized pathological inputs. Whatever comes in, the parsers return
// (no throw, no crash) either a grid that satisfies the task's spec or a printable-ASCII reason.
// Speed on large inputs is measured in tests/bench/bench_text_parse.cpp, not here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "harness/core/paths.h"
#include "harness/core/rng.h"
#include "tasks/text/grid_scan.h"
#include "tasks/text/text_io.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

Example maze_example(int rows, int cols) {
    Example ex;
    ex.family = "maze";
    ex.input = Grid(rows, cols);
    return ex;
}

// The invariant every parser result must hold.
void check_result(const ParsedAnswer & got, const text::GridSpec & spec) {
    if (got.grid) {
        CHECK(text::check_grid(*got.grid, spec) == "");
        CHECK(got.reason.empty());
        CHECK_FALSE(got.method.empty());
    } else {
        CHECK_FALSE(got.reason.empty());
        CHECK(std::all_of(got.reason.begin(), got.reason.end(), [](char c) { return c >= 0x20 && c < 0x7f; }));
        CHECK(got.reason.find("parser failed") == std::string::npos);
    }
}

void parse_all(const std::string & reply) {
    check_result(parse_sudoku_answer(reply), {text::GridKind::sudoku, 9, 9});
    check_result(parse_arc_answer(reply), {text::GridKind::arc, 0, 0});
    check_result(parse_maze_answer(reply, maze_example(7, 9)), {text::GridKind::maze, 7, 9});
    check_result(parse_maze_answer(reply, maze_example(30, 30)), {text::GridKind::maze, 30, 30});
}

std::string random_text(Rng & rng, size_t length, std::string_view alphabet) {
    std::string s(length, ' ');
    for (char & c : s) c = alphabet.empty() ? static_cast<char>(rng.below(256)) : alphabet[rng.below(alphabet.size())];
    return s;
}

std::vector<std::string> recorded_replies() {
    std::vector<std::string> out;
    for (const char * task : {"sudoku", "maze", "arc"})
        for (const auto & e : fs::directory_iterator(test::source_dir() / "tests" / "data" / "text" / task))
            if (e.path().extension() == ".txt") out.push_back(read_file(e.path()));
    return out;
}

// One random edit: flip a byte, delete, duplicate or insert a stretch, or truncate.
void mutate(Rng & rng, std::string & s) {
    static const std::string tokens[] = {"[", "]", "[[", "]]", ",", "\n", "\r\n", "<think>", "</think>", "<answer>",
                                         "</answer>", "```", "\\boxed{", "}", "{", "\\\\", "&", "o", " ", "#", "S",
                                         "G", ".", "0", "9", "10", "-", "|", "'", "\"", "\xff", "\xe2\x94\x82"};
    size_t pos = s.empty() ? 0 : rng.below(s.size() + 1);
    switch (rng.below(6)) {
        case 0:
            if (!s.empty()) s[rng.below(s.size())] = static_cast<char>(rng.below(256));
            break;
        case 1:
            s.erase(pos, rng.below(64));
            break;
        case 2:
            if (pos < s.size()) s.insert(pos, s.substr(pos, rng.below(200)));
            break;
        case 3:
            s.insert(pos, tokens[rng.below(std::size(tokens))]);
            break;
        case 4:
            s.resize(pos);
            break;
        default:
            s.insert(pos, random_text(rng, rng.below(16), ""));
            break;
    }
}

}  // namespace

TEST_CASE("parsers survive random bytes", "[text][fuzz]") {
    Rng rng(20240601);
    const std::string_view grid_alphabet = "[]{},0123456789 \n\r\t#SGo.|-+<>/\\`'\"abkhinorstwx";
    for (int i = 0; i < 1500; ++i) {
        size_t length = rng.below(i < 1000 ? 400 : 4000);
        parse_all(random_text(rng, length, i % 2 ? grid_alphabet : ""));
    }
}

TEST_CASE("parsers survive random mutations of recorded replies", "[text][fuzz]") {
    Rng rng(7);
    auto replies = recorded_replies();
    REQUIRE(replies.size() >= 90);
    for (const std::string & original : replies) {
        for (int round = 0; round < 12; ++round) {
            std::string s = original;
            for (int k = 1 + static_cast<int>(rng.below(4)); k > 0; --k) mutate(rng, s);
            parse_all(s);
        }
    }
}

// Replies built to defeat naive scanners: unclosed brackets, 10^6-deep nesting, endless tags and
// fences, a million grid-like lines. `size` bytes each.
std::vector<std::string> pathological_inputs(size_t size) {
    Rng rng(3);
    std::vector<std::string> inputs = {
        random_text(rng, size, ""),
        std::string(size, '['),
        std::string(size / 2, '[') + std::string(size / 2, ']'),
        std::string(size, '{'),
    };
    for (const char * unit : {"[[1,", "[[1],", "[['a'] ", "<think>", "</think>x", "<answer>", "\\boxed{", "```\n",
                              "123456789\n", "# S G o\n", "\\begin{bmatrix}1&2\\\\", "[\"", "\n", "\r"}) {
        std::string s;
        while (s.size() < size) s += unit;
        inputs.push_back(std::move(s));
    }
    return inputs;
}

TEST_CASE("parsers survive pathological inputs of a megabyte", "[text][fuzz]") {
    for (const auto & input : pathological_inputs(1u << 20)) {
        INFO("input starts with: " << text::printable(input.substr(0, 24)));
        parse_all(input);
    }
}

TEST_CASE("parsers survive 10 MB of random garbage", "[text][fuzz]") {
    Rng rng(11);
    std::string garbage = random_text(rng, 10u << 20, "");
    check_result(parse_sudoku_answer(garbage), {text::GridKind::sudoku, 9, 9});
    check_result(parse_arc_answer(garbage), {text::GridKind::arc, 0, 0});
    check_result(parse_maze_answer(garbage, maze_example(30, 30)), {text::GridKind::maze, 30, 30});
}

TEST_CASE("parsers survive pathological inputs of 10 MB", "[text][fuzz][.slow]") {
    for (const auto & input : pathological_inputs(10u << 20)) {
        INFO("input starts with: " << text::printable(input.substr(0, 24)));
        parse_all(input);
    }
}

TEST_CASE("a valid answer is still found behind megabytes of noise", "[text][fuzz]") {
    std::string noise(4u << 20, 'x');
    for (size_t i = 0; i < noise.size(); i += 70) noise[i] = '\n';
    ParsedAnswer got = parse_arc_answer(noise + "\n[[1, 2], [3, 4]]\n" + noise);
    REQUIRE(got.grid);
    CHECK(to_json_rows(*got.grid) == "[[1,2],[3,4]]");
    // Brackets that never close do not hide a later answer block.
    got = parse_arc_answer(std::string(1u << 20, '[') + "\n<answer>[[5]]</answer>");
    REQUIRE(got.grid);
    CHECK(got.method == "answer_tag");
}
