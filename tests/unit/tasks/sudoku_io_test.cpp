// Sudoku line parser and loaders: the Sudoku-Extreme CSV, tdoku puzzle lists and solution files,
// including malformed inputs, each of which must fail with a message naming file and line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "harness/core/error.h"
#include "harness/core/rng.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace trmbench;
using namespace trmbench::sudoku;

namespace {

// First row of Sudoku-Extreme's train.csv (datasets.md §3.1), rating 18.
const std::string kQ = "5...27..9..41......1..5.3...92.6.8...5......66..7..29.8...7...2.......8...9..36..";
const std::string kA = "583427169974136528216859374792364851351298746648715293865971432137642985429583617";

std::string csv(const std::string & rows) { return std::string(kCsvHeader) + "\n" + rows; }

// Runs the parser and returns the InputError message ("" when it did not throw InputError).
template <class F>
std::string input_error(F && f) {
    try {
        f();
    } catch (const InputError & e) {
        return e.what();
    }
    return "";
}

std::string with_char(std::string s, size_t pos, char ch) {
    s[pos] = ch;
    return s;
}

}  // namespace

TEST_CASE("sudoku parse_line accepts puzzles and solved grids", "[sudoku][io]") {
    std::string err;
    auto q = parse_line(kQ, LineKind::puzzle, &err);
    REQUIRE(q);
    CHECK((*q)[0] == 5);
    CHECK((*q)[1] == 0);
    CHECK(count_givens(*q) == static_cast<int>(std::count_if(kQ.begin(), kQ.end(), [](char c) { return c != '.'; })));
    CHECK(to_line(*q) == kQ);

    std::string zeros = kQ;
    std::replace(zeros.begin(), zeros.end(), '.', '0');
    auto qz = parse_line(zeros, LineKind::puzzle, &err);
    REQUIRE(qz);
    CHECK(*qz == *q);

    auto a = parse_line(kA, LineKind::solution, &err);
    REQUIRE(a);
    CHECK(is_complete_valid(*a));
    CHECK(keeps_givens(*q, *a));
}

TEST_CASE("sudoku parse_line rejects bad lines with a position", "[sudoku][io]") {
    std::string err;
    CHECK_FALSE(parse_line(kQ.substr(0, 80), LineKind::puzzle, &err));
    CHECK(err == "has 80 characters, expected 81");
    CHECK_FALSE(parse_line(kQ + ".", LineKind::puzzle, &err));
    CHECK(err == "has 82 characters, expected 81");
    CHECK_FALSE(parse_line(with_char(kQ, 11, 'x'), LineKind::puzzle, &err));
    CHECK_THAT(err, Catch::Contains("position 12: bad character 'x'"));
    CHECK_FALSE(parse_line(with_char(kQ, 3, '\x01'), LineKind::puzzle, &err));
    CHECK_THAT(err, Catch::Contains("position 4: bad character byte 0x01"));
    // A blank is not allowed in a solved grid.
    CHECK_FALSE(parse_line(with_char(kA, 40, '.'), LineKind::solution, &err));
    CHECK_THAT(err, Catch::Contains("position 41"));
    // Givens that repeat: r1c1 = 5 and a 5 at r1c4.
    CHECK_FALSE(parse_line(with_char(kQ, 3, '5'), LineKind::puzzle, &err));
    CHECK_THAT(err, Catch::Contains("givens conflict: digit 5 repeats in row 1: r1c1 and r1c4"));
    // Swapping two cells of a solved grid across rows breaks a column or box.
    std::string broken = kA;
    std::swap(broken[0], broken[10]);
    CHECK_FALSE(parse_line(broken, LineKind::solution, &err));
    CHECK_THAT(err, Catch::StartsWith("not a valid grid: digit"));
}

TEST_CASE("sudoku CSV loads rows with ids, ratings and sources", "[sudoku][io]") {
    std::string text = csv("src_a," + kQ + "," + kA + ",18\r\nsrc_b," + kQ + "," + kA + ",\r\n");
    auto ex = parse_csv(text, "mem.csv");
    REQUIRE(ex.size() == 2);
    CHECK(ex[0].id == "0");
    CHECK(ex[1].id == "1");
    CHECK(ex[0].family == "sudoku");
    CHECK(ex[0].difficulty == 18);
    CHECK(ex[1].difficulty == -1);  // empty rating
    CHECK(ex[0].meta.at("source") == "src_a");
    CHECK(ex[0].input.rows == 9);
    CHECK(ex[0].input.cols == 9);
    CHECK(to_line(*to_cells(ex[0].input)) == kQ);
    CHECK(to_line(*to_cells(ex[0].target)) == kA);

    // No final newline, a UTF-8 BOM and a blank line are fine too.
    auto ex2 = parse_csv("\xEF\xBB\xBF" + csv("s," + kQ + "," + kA + ",3\n\ns," + kQ + "," + kA + ",4"), "mem.csv");
    REQUIRE(ex2.size() == 2);
    CHECK(ex2[1].difficulty == 4);
}

TEST_CASE("sudoku CSV: malformed inputs name file, line and field", "[sudoku][io]") {
    const std::string good = "s," + kQ + "," + kA + ",1\n";
    auto err = [](const std::string & text) { return input_error([&] { parse_csv(text, "bad.csv"); }); };

    SECTION("missing or wrong header") {
        CHECK_THAT(err("s," + kQ + "," + kA + ",1\n"), Catch::StartsWith("bad.csv:1: expected the header"));
        CHECK_THAT(err(""), Catch::Contains("bad.csv:1:") && Catch::Contains("an empty file"));
        CHECK_THAT(err("source,question,answer\n"), Catch::StartsWith("bad.csv:1:"));
    }
    SECTION("wrong question length") {
        CHECK(err(csv(good + "s," + kQ.substr(1) + "," + kA + ",1\n")) ==
              "bad.csv:3: question: has 80 characters, expected 81");
    }
    SECTION("bad character") {
        CHECK_THAT(err(csv("s," + with_char(kQ, 20, 'a') + "," + kA + ",1\n")),
                   Catch::StartsWith("bad.csv:2: question: position 21: bad character 'a'"));
    }
    SECTION("a given disagrees with the answer") {
        // r1c1 given as 3 while the answer says 5 (3 does not repeat among the givens of its row,
        // column or box, so only the comparison with the answer can catch it).
        std::string q = with_char(kQ, 0, '3');
        std::string msg = err(csv("s," + q + "," + kA + ",1\n"));
        CHECK(msg == "bad.csv:2: answer: r1c1 (position 1) is 5 but the question gives 3");
    }
    SECTION("invalid answer grid") {
        std::string a = kA;
        std::swap(a[0], a[1]);  // row stays a permutation, columns 1 and 2 break
        CHECK_THAT(err(csv("s," + kQ + "," + a + ",1\n")),
                   Catch::StartsWith("bad.csv:2: answer: not a valid grid: digit"));
        CHECK_THAT(err(csv("s," + kQ + "," + kA.substr(0, 80) + ".,1\n")),
                   Catch::StartsWith("bad.csv:2: answer: position 81: bad character '.'"));
    }
    SECTION("bad rating field") {
        CHECK(err(csv("s," + kQ + "," + kA + ",abc\n")) == "bad.csv:2: rating: 'abc' is not a non-negative integer");
        CHECK_THAT(err(csv("s," + kQ + "," + kA + ",-3\n")), Catch::StartsWith("bad.csv:2: rating: '-3'"));
        CHECK_THAT(err(csv("s," + kQ + "," + kA + ",1.5\n")), Catch::StartsWith("bad.csv:2: rating: '1.5'"));
        CHECK_THAT(err(csv("s," + kQ + "," + kA + ",99999999999\n")), Catch::StartsWith("bad.csv:2: rating:"));
    }
    SECTION("wrong number of fields") {
        CHECK(err(csv(good + good + "s," + kQ + "," + kA + "\n")) ==
              "bad.csv:4: expected 4 comma-separated fields (source,question,answer,rating), got 3");
        CHECK_THAT(err(csv("s," + kQ + "," + kA + ",1,extra\n")), Catch::Contains("got 5"));
    }
}

TEST_CASE("sudoku CSV file errors carry the path", "[sudoku][io]") {
    test::TempDir dir;
    fs::path p = dir / "x.csv";
    test::write_text(p, csv("s," + kQ + ",12," + "1\n"));
    std::string msg = input_error([&] { load_csv(p); });
    CHECK_THAT(msg, Catch::StartsWith(p.string() + ":2: answer: has 2 characters"));
    CHECK_THROWS_AS(load_csv(dir / "missing.csv"), IoError);
}

TEST_CASE("sudoku puzzle list: solves each puzzle, reports non-unique ones", "[sudoku][io]") {
    std::string puzzles = "# comment\n\n" + kQ + "\r\n" + kQ + "  trailing note\n";
    auto ex = parse_puzzle_list(puzzles, "dir/list.txt");
    REQUIRE(ex.size() == 2);
    CHECK(ex[0].id == "0");
    CHECK(ex[1].id == "1");
    CHECK(to_line(*to_cells(ex[0].target)) == kA);
    CHECK(ex[0].meta.at("source") == "list");
    CHECK(ex[0].meta.at("rating_by") == "trmbench");
    CHECK(ex[0].difficulty >= 0);

    // Remove givens until two solutions exist; add a wrong given (no local conflict) for zero.
    std::string open = std::string(81, '.');
    std::string wrong = kQ;
    // r1c2 is blank in kQ and its solution digit is 8; 6 does not repeat in row 1, column 2 or box 1.
    REQUIRE(kQ[1] == '.');
    wrong[1] = '6';
    std::string err;
    REQUIRE(parse_line(wrong, LineKind::puzzle, &err));
    std::string text = kQ + "\n" + open + "\n# c\n" + wrong + "\n";
    std::string msg = input_error([&] { parse_puzzle_list(text, "l.txt"); });
    CHECK_THAT(msg, Catch::StartsWith("l.txt: 2 puzzle(s) without a unique solution"));
    CHECK_THAT(msg, Catch::Contains("l.txt:2: puzzle has more than one solution"));
    CHECK_THAT(msg, Catch::Contains("l.txt:4: puzzle has no solution"));

    CHECK(input_error([&] { parse_puzzle_list("#\n" + kQ.substr(0, 79) + "\n", "l.txt"); }) ==
          "l.txt:2: puzzle: has 79 characters, expected 81");
    CHECK_THAT(input_error([&] { parse_puzzle_list(with_char(kQ, 0, '5') + "x\n", "l.txt"); }),
               Catch::StartsWith("l.txt:1: puzzle: has 82 characters"));
}

TEST_CASE("sudoku puzzle list: the tdoku raw files match the rated CSVs", "[sudoku][io]") {
    fs::path data = test::shared_dir() / "data" / "sudoku";
    for (const char * name : {"puzzles6_forum_hardest_1106", "puzzles3_magictour_top1465"}) {
        auto raw = load_puzzle_list(data / "tdoku-raw" / name);
        auto rated = load_csv(data / "rated" / (std::string(name) + ".csv"));
        REQUIRE(raw.size() == rated.size());
        for (size_t i = 0; i < raw.size(); ++i) {
            CHECK(raw[i].input == rated[i].input);
            CHECK(raw[i].target == rated[i].target);
        }
    }
}

TEST_CASE("sudoku solution files", "[sudoku][io]") {
    auto grids = parse_solutions("# key\n" + kA + "\r\n\n" + kA + "\n", "key.txt");
    REQUIRE(grids.size() == 2);
    CHECK(to_line(grids[1]) == kA);
    CHECK_THAT(input_error([&] { parse_solutions(kA + "\n" + kQ + "\n", "key.txt"); }),
               Catch::StartsWith("key.txt:2: solution: position 2: bad character '.'"));
    std::string a = kA;
    std::swap(a[0], a[9]);
    CHECK_THAT(input_error([&] { parse_solutions(a + "\n", "key.txt"); }),
               Catch::StartsWith("key.txt:1: solution: not a valid grid"));
}

TEST_CASE("sudoku loaders: mutated inputs load or fail with InputError, never otherwise", "[sudoku][io]") {
    const std::string base = csv("s," + kQ + "," + kA + ",18\ns," + kQ + "," + kA + ",\n");
    const std::string list = "# c\n" + kQ + "\n" + kQ + "\n";
    const char alphabet[] = ",.0123456789\r\n#x \xff";
    Rng rng(12345);
    int loaded = 0, rejected = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string text = i % 2 ? base : list;
        int edits = 1 + static_cast<int>(rng.below(4));
        for (int e = 0; e < edits; ++e) {
            size_t pos = rng.below(text.size());
            char ch = alphabet[rng.below(sizeof alphabet - 1)];
            switch (rng.below(3)) {
                case 0: text[pos] = ch; break;
                case 1: text.insert(pos, 1, ch); break;
                default: text.erase(pos, 1); break;
            }
        }
        try {
            auto ex = i % 2 ? parse_csv(text, "m.csv") : parse_puzzle_list(text, "m.txt");
            for (const auto & x : ex) {
                auto q = to_cells(x.input), a = to_cells(x.target);
                REQUIRE(q);
                REQUIRE(a);
                CHECK(is_complete_valid(*a));
                CHECK(keeps_givens(*q, *a));
            }
            ++loaded;
        } catch (const InputError & err) {
            CHECK_THAT(std::string(err.what()), Catch::StartsWith(i % 2 ? "m.csv:" : "m.txt:"));
            ++rejected;
        }
    }
    CHECK(loaded > 0);
    CHECK(rejected > 0);
}
