// SudokuTask (datasets, loading, scoring, rendering, stats, delegation to tasks/text) and the
// classical baseline solver sudoku-exact.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "tasks/registry.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_exact_solver.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tasks/sudoku/sudoku_task.h"
#include "tasks/text/text_io.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

const std::string kQ = "5...27..9..41......1..5.3...92.6.8...5......66..7..29.8...7...2.......8...9..36..";
const std::string kA = "583427169974136528216859374792364851351298746648715293865971432137642985429583617";

const Task & task() { return task_by_family("sudoku"); }

Example example() {
    return sudoku::parse_csv(std::string(sudoku::kCsvHeader) + "\ns," + kQ + "," + kA + ",18\n", "mem.csv").front();
}

struct CollectingSink : PredictionSink {
    std::vector<Prediction> got;
    bool stop = false;
    void put(Prediction && p) override { got.push_back(std::move(p)); }
    bool stop_requested() const override { return stop; }
};

}  // namespace

TEST_CASE("sudoku task: identity and layout", "[sudoku][task]") {
    CHECK(task().family() == "sudoku");
    CHECK_FALSE(task().version().empty());
    CHECK(make_sudoku_task()->family() == "sudoku");
    TokenLayout layout = task().token_layout();
    CHECK(layout.seq_len == 81);
    CHECK(layout.vocab_size == 11);
    CHECK(layout.accepts(81, 11));
    CHECK_FALSE(layout.accepts(64, 11));  // one board size only
    CHECK_FALSE(layout.accepts(81, 10));
    Example ex = example();
    auto tokens = task().encode(ex.input);
    CHECK(tokens.size() == 81);
    CHECK(task().decode(tokens, ex) == ex.input);
    CHECK(task().scorer().measure_names() == std::vector<std::string>{"exact", "valid"});
}

TEST_CASE("sudoku task: scorer on hand-built answers", "[sudoku][task]") {
    Example ex = example();
    const Scorer & s = task().scorer();
    auto score = [&](const std::optional<Grid> & a) { return s.score(ex, a); };

    Score right = score(ex.target);
    CHECK(right.correct());
    CHECK(right.get("exact"));
    CHECK(right.get("valid"));

    CHECK_FALSE(score(std::nullopt).get("exact"));
    CHECK_FALSE(score(std::nullopt).get("valid"));
    CHECK_FALSE(score(Grid(4, 4, 1)).get("valid"));
    CHECK_FALSE(score(ex.input).get("valid"));  // the puzzle itself has blanks
    CHECK_FALSE(score(ex.input).get("exact"));

    // One wrong cell: neither exact nor valid.
    Grid one_off = ex.target;
    one_off.cells[40] = static_cast<uint8_t>(one_off.cells[40] % 9 + 1);
    CHECK_FALSE(score(one_off).get("exact"));
    CHECK_FALSE(score(one_off).get("valid"));

    // A blank in an otherwise right answer.
    Grid blank = ex.target;
    blank.cells[1] = 0;
    CHECK_FALSE(score(blank).get("exact"));
    CHECK_FALSE(score(blank).get("valid"));

    // A valid complete grid that breaks a given (relabel digits 1 <-> 2 of the solution).
    Grid relabeled = ex.target;
    for (auto & v : relabeled.cells) v = v == 1 ? 2 : v == 2 ? 1 : v;
    CHECK(sudoku::is_complete_valid(*sudoku::to_cells(relabeled)));
    CHECK_FALSE(score(relabeled).get("valid"));
    CHECK_FALSE(score(relabeled).get("exact"));

    // A puzzle with two solutions: the other solution is valid but not exact.
    Example two = ex;
    two.input = ex.target;
    // Unavoidable rectangle in this grid: r1c1=5, r1c5=2 / r3c1=2, r3c5=5 (rows 1 and 3 of band 1,
    // columns 1 and 5 in different stacks).
    REQUIRE(ex.target.at(0, 0) == 5);
    REQUIRE(ex.target.at(0, 4) == 2);
    REQUIRE(ex.target.at(2, 0) == 2);
    REQUIRE(ex.target.at(2, 4) == 5);
    for (auto [r, c] : {std::pair{0, 0}, {0, 4}, {2, 0}, {2, 4}}) two.input.at(r, c) = 0;
    Grid other = ex.target;
    other.at(0, 0) = 2, other.at(0, 4) = 5, other.at(2, 0) = 5, other.at(2, 4) = 2;
    Score s2 = s.score(two, other);
    CHECK_FALSE(s2.get("exact"));
    CHECK(s2.get("valid"));

    // No target: never exact, validity still judged.
    Example unknown = ex;
    unknown.target = Grid();
    CHECK_FALSE(s.score(unknown, ex.target).get("exact"));
    CHECK(s.score(unknown, ex.target).get("valid"));
}

TEST_CASE("sudoku task: finds datasets with names and splits", "[sudoku][task]") {
    test::TempDir dir;
    std::string row = std::string(sudoku::kCsvHeader) + "\ns," + kQ + "," + kA + ",1\n";
    test::write_text(dir / "sudoku/extreme/train.csv", row);
    test::write_text(dir / "sudoku/extreme/test.csv", row);
    test::write_text(dir / "sudoku/extreme/test_hard.csv", row);
    test::write_text(dir / "sudoku/lists/mine.txt", "# x\n" + kQ + "\n");
    test::write_text(dir / "sudoku/raw/puzzles9", "# tdoku style\n#\n" + kQ + "\n");
    test::write_text(dir / "sudoku/LICENSE-x", "BSD 2-Clause License\n");
    test::write_text(dir / "sudoku/.tmp.csv", row);
    test::write_text(dir / "maze/other.csv", row);

    auto found = task().find_datasets(dir.path());
    std::vector<std::string> names, splits;
    for (const auto & d : found) {
        names.push_back(d.name);
        splits.push_back(d.split);
    }
    CHECK(names == std::vector<std::string>{"sudoku/extreme/test", "sudoku/extreme/test_hard", "sudoku/extreme/train",
                                            "sudoku/lists/mine", "sudoku/raw/puzzles9"});
    CHECK(splits == std::vector<std::string>{"test", "test", "train", "", ""});
    for (const auto & d : found) {
        auto ex = task().load(d.path);
        REQUIRE(ex.size() == 1);
        CHECK(sudoku::to_line(*sudoku::to_cells(ex[0].target)) == kA);
    }
    CHECK(task().find_datasets(dir / "nowhere").empty());
    CHECK_THROWS_AS(task().load(dir / "sudoku"), InputError);
}

TEST_CASE("sudoku task: the shared data directory", "[sudoku][task]") {
    auto found = task().find_datasets(test::shared_dir() / "data");
    std::vector<std::string> names;
    for (const auto & d : found) names.push_back(d.name);
    CHECK(std::count(names.begin(), names.end(), "sudoku/rated/puzzles6_forum_hardest_1106") == 1);
    CHECK(std::count(names.begin(), names.end(), "sudoku/tdoku-raw/puzzles6_forum_hardest_1106") == 1);
    CHECK(names.size() == 8);  // 4 rated CSVs + 4 tdoku lists; LICENSE-tdoku is not a dataset
}

TEST_CASE("sudoku task: pretty and extra stats", "[sudoku][task]") {
    Example ex = example();
    std::string p = task().pretty(ex.input);
    CHECK(p ==
          "5 . . | . 2 7 | . . 9\n"
          ". . 4 | 1 . . | . . .\n"
          ". 1 . | . 5 . | 3 . .\n"
          "------+-------+------\n"
          ". 9 2 | . 6 . | 8 . .\n"
          ". 5 . | . . . | . . 6\n"
          "6 . . | 7 . . | 2 9 .\n"
          "------+-------+------\n"
          "8 . . | . 7 . | . . 2\n"
          ". . . | . . . | . 8 .\n"
          ". . 9 | . . 3 | 6 . .");
    CHECK(task().pretty(Grid(2, 2, 3)) == to_digit_rows(Grid(2, 2, 3)));

    std::vector<Example> exs{ex, ex};
    exs[1].meta["source"] = "other";
    exs[1].input.cells[1] = 8;  // one more clue
    auto lines = task().extra_stats(exs);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "clues:     min 26 mean 26.50 max 27");
    CHECK(lines[1] == "clue counts: 26: 1, 27: 1");
    CHECK(lines[2] == "sources:   other 1, s 1");
}

TEST_CASE("sudoku task: text models go through tasks/text", "[sudoku][task]") {
    Example ex = example();
    CHECK(task().render_prompt(ex) == render_sudoku_prompt(ex));
    CHECK(task().prompt_template().hash() == sudoku_prompt_template().hash());
    const std::string reply = "The answer is\n" + kA;
    ParsedAnswer mine = task().parse_answer(reply, ex), theirs = parse_sudoku_answer(reply);
    CHECK(mine.grid == theirs.grid);
    CHECK(mine.method == theirs.method);
    CHECK(mine.reason == theirs.reason);
}

TEST_CASE("sudoku-exact baseline solver", "[sudoku][task][baseline]") {
    auto solver = make_sudoku_exact_solver();
    SolverInfo info = solver->info();
    CHECK(info.name == "sudoku-exact");
    CHECK(info.kind == "baseline");
    CHECK(info.provider == "classical");
    CHECK(info.n_params == 0);
    CHECK(solver->supports(task()));

    Example good = example();
    Example no_solution = good;
    no_solution.id = "nosol";
    no_solution.input.cells[1] = 6;  // locally consistent, but the unique solution has 8 there
    Example not_board = good;
    not_board.id = "small";
    not_board.input = Grid(4, 4);
    std::vector<WorkItem> items{{&good, 0}, {&no_solution, 0}, {&not_board, 1}, {&good, 2}};

    CollectingSink sink;
    solver->solve(task(), items, sink);
    REQUIRE(sink.got.size() == 4);
    CHECK(sink.got[0].example_id == good.id);
    CHECK(sink.got[0].outcome == Outcome::ok);
    REQUIRE(sink.got[0].answer);
    CHECK(task().scorer().score(good, sink.got[0].answer).correct());
    CHECK(sink.got[0].compute.wall_ms >= 0);
    CHECK(sink.got[1].outcome == Outcome::error);
    CHECK(sink.got[1].error == "puzzle has no solution");
    CHECK_FALSE(sink.got[1].answer);
    CHECK(sink.got[2].outcome == Outcome::error);
    CHECK(sink.got[2].attempt == 1);
    CHECK_THAT(sink.got[2].error, Catch::Contains("not a 9x9"));
    CHECK(sink.got[3].attempt == 2);
    CHECK(sink.got[3].outcome == Outcome::ok);

    CollectingSink stopped;
    stopped.stop = true;
    solver->solve(task(), items, stopped);
    REQUIRE(stopped.got.size() == 4);
    for (const auto & p : stopped.got) CHECK(p.outcome == Outcome::skipped);
}
