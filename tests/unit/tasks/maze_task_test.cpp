// MazeTask (registry entry, datasets, tokenisation, rendering, generation, statistics) and the BFS
// baseline solver.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/solver.h"
#include "tasks/maze/maze_bfs_solver.h"
#include "tasks/maze/maze_core.h"
#include "tasks/maze/maze_generator.h"
#include "tasks/maze/maze_task.h"
#include "tasks/registry.h"
#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

const Task & maze_task() { return task_by_family("maze"); }

Example example_from(const GeneratedMaze & m) {
    Example ex;
    ex.id = std::to_string(m.layout_index);
    ex.family = "maze";
    ex.input = m.question;
    ex.target = m.answer;
    ex.difficulty = m.path_moves;
    return ex;
}

struct CollectSink : PredictionSink {
    std::vector<Prediction> got;
    bool stop = false;
    void put(Prediction && p) override { got.push_back(std::move(p)); }
    bool stop_requested() const override { return stop; }
};

}  // namespace

TEST_CASE("the maze task is registered", "[maze][task]") {
    const Task & t = maze_task();
    CHECK(t.family() == "maze");
    CHECK_FALSE(t.version().empty());
    CHECK(t.scorer().measure_names() == std::vector<std::string>{"exact", "valid", "optimal"});
    CHECK(t.token_layout().seq_len == 900);
    CHECK(t.token_layout().vocab_size == 6);
}

TEST_CASE("maze models of every generated side read the maze task", "[maze][task]") {
    const TokenLayout l = maze_task().token_layout();
    for (int n = 4; n <= 30; ++n) {
        INFO(n);
        CHECK(l.accepts(n * n, 6));
        (void)make_maze_gen_config(n, /*min_path=*/2);  // the generator makes every accepted side
    }
    CHECK_FALSE(l.accepts(3 * 3, 6));    // below the generator's range
    CHECK_FALSE(l.accepts(31 * 31, 6));  // above what the CLI and suites generate
    CHECK_FALSE(l.accepts(35, 6));       // not a square
    CHECK_FALSE(l.accepts(36, 7));       // another vocabulary
    CHECK_THROWS(make_maze_gen_config(3));
    CHECK_THROWS(make_maze_gen_config(33));
}

TEST_CASE("maze tokens are cell value + 1 with PAD 0", "[maze][task]") {
    const Task & t = maze_task();
    std::string why;
    Grid g = *maze::grid_from_string("# SGo    ", &why);  // 3x3
    auto tokens = t.encode(g);
    CHECK(tokens == std::vector<int32_t>{1, 2, 3, 4, 5, 2, 2, 2, 2});
    Example ex;
    ex.input = g;
    auto back = t.decode(tokens, ex);
    REQUIRE(back);
    CHECK(*back == g);
    // PAD or an out-of-vocabulary token is not a grid; nor is a wrong length.
    auto with_pad = tokens;
    with_pad[4] = kMazePadToken;
    CHECK_FALSE(t.decode(with_pad, ex));
    auto with_big = tokens;
    with_big[0] = 6;
    CHECK_FALSE(t.decode(with_big, ex));
    CHECK_FALSE(t.decode(std::vector<int32_t>(8, 2), ex));
    // Without an example shape, a square token count decodes as a square grid.
    CHECK(t.decode(tokens, Example{}) == g);
    // A 30x30 maze is 900 tokens in row-major order.
    auto m = generate_mazes(make_maze_gen_config(30), 1, 4, 1);
    auto t30 = t.encode(m[0].answer);
    REQUIRE(t30.size() == 900);
    CHECK(t30[31] == m[0].answer.at(1, 1) + 1);
}

TEST_CASE("maze datasets are the CSV files under <data>/maze", "[maze][task]") {
    test::TempDir dir;
    test::write_text(dir / "maze/test.csv", "");
    test::write_text(dir / "maze/hard/maze_train.csv", "");
    test::write_text(dir / "maze/hard/readme.txt", "");
    test::write_text(dir / "sudoku/test.csv", "");
    auto found = maze_task().find_datasets(dir.path());
    REQUIRE(found.size() == 2);
    CHECK(found[0].name == "maze/hard/maze_train");
    CHECK(found[0].split == "train");
    CHECK(found[1].name == "maze/test");
    CHECK(found[1].split == "test");
    CHECK(found[1].path == dir / "maze/test.csv");
    CHECK(maze_task().find_datasets(dir / "nowhere").empty());
}

TEST_CASE("maze task generates, renders and describes datasets", "[maze][task]") {
    test::TempDir dir;
    GenerateOptions opts;
    opts.n = 6;
    opts.seed = 3;
    opts.size = 12;
    opts.min_path = 30;
    opts.quiet = true;
    opts.threads = 1;
    maze_task().generate(opts, dir / "maze/small.csv");
    auto ex = maze_task().load(dir / "maze/small.csv");
    REQUIRE(ex.size() == 6);
    CHECK(ex[0].input.rows == 12);
    CHECK(ex[0].difficulty > 30);
    CHECK(ex[0].meta.at("rating") == std::to_string(static_cast<int>(ex[0].difficulty)));

    ::setenv("NO_COLOR", "1", 1);  // plain text even when the tests run on a terminal
    std::string shown = maze_task().pretty(ex[0].target);
    CHECK(shown.size() == 12 * 13 - 1);
    CHECK(shown.find('S') != std::string::npos);
    CHECK(shown.find('o') != std::string::npos);
    CHECK(shown.find('\033') == std::string::npos);

    auto lines = maze_task().extra_stats(ex);
    std::string all;
    for (auto & l : lines) all += l + "\n";
    CHECK_THAT(all, Catch::Contains("maze side: 12"));
    CHECK_THAT(all, Catch::Contains("wall fraction: mean 0."));
    CHECK_THAT(all, Catch::Contains("path length (moves): mean"));
    CHECK_THAT(all, Catch::Contains("open cells: mean"));
    CHECK_THAT(all, Catch::Contains("labels: 6, valid paths 6, optimal 6, equal to the BFS up/down/left/right tie-break 6"));
    CHECK_THAT(all, Catch::Contains("rating: 6 rows; equals BFS moves in 6"));

    // --unique-path: every maze has one shortest path, so its label is the only right answer.
    opts.unique_path = true;
    maze_task().generate(opts, dir / "maze/unique.csv");
    auto unique = maze_task().load(dir / "maze/unique.csv");
    REQUIRE(unique.size() == 6);
    for (const auto & u : unique) CHECK(maze::count_shortest_paths(u.input, 100) == 1);
    opts.unique_path = false;

    opts.min_rating = 3;
    CHECK_THROWS_AS(maze_task().generate(opts, dir / "x.csv"), UsageError);
    opts.min_rating = -1;
    opts.size = 40;
    CHECK_THROWS_AS(maze_task().generate(opts, dir / "x.csv"), UsageError);
}

TEST_CASE("the BFS baseline answers with the canonical shortest path", "[maze][solver]") {
    auto solver = make_maze_bfs_solver();
    SolverInfo info = solver->info();
    CHECK(info.name == "maze-bfs");
    CHECK(info.kind == "baseline");
    CHECK(info.provider == "classical");
    CHECK(info.n_params == 0);
    CHECK(solver->supports(maze_task()));

    auto mazes = generate_mazes(make_maze_gen_config(12, 34, 4), 4, 9, 1);
    std::vector<Example> examples;
    for (auto & m : mazes) examples.push_back(example_from(m));
    Example broken = examples[0];
    broken.id = "cut";
    broken.input = *maze::grid_from_string("S#  ##      G   ");
    examples.push_back(broken);
    std::vector<WorkItem> items;
    for (auto & e : examples) items.push_back(WorkItem{&e, 0});

    CollectSink sink;
    solver->solve(maze_task(), items, sink);
    REQUIRE(sink.got.size() == examples.size());
    for (size_t i = 0; i < mazes.size(); ++i) {
        const Prediction & p = sink.got[i];
        CHECK(p.example_id == examples[i].id);
        CHECK(p.outcome == Outcome::ok);
        REQUIRE(p.answer);
        Score s = maze_task().scorer().score(examples[i], p.answer);
        CHECK(s.get("exact"));
        CHECK(s.get("optimal"));
        CHECK(p.compute.wall_ms >= 0);
    }
    CHECK(sink.got.back().outcome == Outcome::error);
    CHECK_FALSE(sink.got.back().answer);

    CollectSink stopped;
    stopped.stop = true;
    solver->solve(maze_task(), items, stopped);
    REQUIRE(stopped.got.size() == items.size());
    CHECK(stopped.got[0].outcome == Outcome::skipped);
}
