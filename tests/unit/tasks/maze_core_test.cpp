// Maze basics: "# SGo" conversions, BFS, the canonical shortest-path label and its tie-break, path
// checks, scoring (exact / valid / optimal) and the dihedral transforms.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "tasks/maze/maze_augment.h"
#include "tasks/maze/maze_core.h"
#include "tasks/maze/maze_scorer.h"

using namespace trmbench;
using namespace trmbench::maze;

namespace {

// Rows written with '.' for open cells (easier to read than spaces).
Grid rows_to_grid(const std::vector<std::string> & rows) {
    std::string s;
    for (const auto & r : rows)
        for (char c : r) s += c == '.' ? ' ' : c;
    std::string why;
    auto g = grid_from_string(s, &why);
    INFO(why);
    REQUIRE(g);
    return *g;
}

// Every cell (r, c) -> r * 10 + c: values that show where each cell went.
Grid numbered(int rows, int cols) {
    Grid g(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) g.at(r, c) = static_cast<uint8_t>(r * 10 + c);
    return g;
}

Grid from_values(int rows, int cols, const std::vector<int> & v) {
    Grid g(rows, cols);
    for (size_t i = 0; i < v.size(); ++i) g.cells[i] = static_cast<uint8_t>(v[i]);
    return g;
}

}  // namespace

TEST_CASE("maze grids convert to and from \"# SGo\" strings", "[maze]") {
    std::string s = "#S  G#o  ";
    auto g = grid_from_string(s);
    REQUIRE(g);
    CHECK(g->rows == 3);
    CHECK(g->cols == 3);
    CHECK(g->cells == std::vector<uint8_t>{kWall, kStart, kOpen, kOpen, kGoal, kWall, kPath, kOpen, kOpen});
    CHECK(grid_to_string(*g) == s);

    std::string why;
    CHECK(grid_from_string("#S G"));  // 2x2
    CHECK_FALSE(grid_from_string("#S  G", &why));
    CHECK(why.find("not a positive square") != std::string::npos);
    CHECK_FALSE(grid_from_string("#S.G", &why));
    CHECK(why.find("character 2") != std::string::npos);
    CHECK_FALSE(grid_from_string("", &why));
}

TEST_CASE("BFS distances count moves through non-wall cells", "[maze]") {
    Grid g = rows_to_grid({"S.#",
                           "#.#",
                           "..G"});
    auto d = bfs_distances(g, 0);
    CHECK(d[0] == 0);
    CHECK(d[1] == 1);
    CHECK(d[4] == 2);
    CHECK(d[8] == 4);
    CHECK(d[2] == -1);  // wall
    CHECK(shortest_path_moves(g) == 4);
    CHECK(bfs_distances(g, 99) == std::vector<int>(9, -1));

    Grid cut = rows_to_grid({"S#.",
                             "##.",
                             "..G"});
    CHECK(shortest_path_moves(cut) == -1);
    Grid two_starts = rows_to_grid({"S.S", "...", "..G"});
    CHECK(find_unique(two_starts, kStart) == -2);
    CHECK(shortest_path_moves(two_starts) == -1);
}

TEST_CASE("count_shortest_paths counts distinct shortest S-G paths, capped", "[maze]") {
    // Open 3x3 corner to corner: C(4, 2) = 6 shortest paths.
    Grid open = rows_to_grid({"S..",
                              "...",
                              "..G"});
    CHECK(count_shortest_paths(open, 100) == 6);
    CHECK(count_shortest_paths(open) == 2);  // the default cap answers "one or several"
    CHECK(count_shortest_paths(open, 5) == 5);
    // A corridor: one path; a wall block that leaves two equal detours: two.
    CHECK(count_shortest_paths(rows_to_grid({"S.#",
                                             "#.#",
                                             "..G"}), 100) == 1);
    CHECK(count_shortest_paths(rows_to_grid({"...",
                                             "S#G",
                                             "..."}), 100) == 2);
    // A longer detour does not count: only the 2-move path over the top row is shortest.
    CHECK(count_shortest_paths(rows_to_grid({"S.G",
                                             "...",
                                             "..."}), 100) == 1);
    // Path marks in the question are walkable like open cells.
    CHECK(count_shortest_paths(rows_to_grid({"So#",
                                             "#o#",
                                             "ooG"}), 100) == 1);
    // No path, or no unique S / G: 0.
    CHECK(count_shortest_paths(rows_to_grid({"S#.",
                                             "##.",
                                             "..G"})) == 0);
    CHECK(count_shortest_paths(rows_to_grid({"S.S", "...", "..G"})) == 0);
    CHECK(count_shortest_paths(rows_to_grid({"S..", "...", "..."})) == 0);
    // A 30x30 open grid has C(58, 29) ~ 3e16 paths: the cap keeps the count exact up to it, no overflow.
    std::string big(900, ' ');
    big[0] = 'S';
    big[899] = 'G';
    CHECK(count_shortest_paths(*grid_from_string(big), 1000000) == 1000000);
}

TEST_CASE("canonical label: BFS from G, walk from S preferring up, down, left, right", "[maze]") {
    // Open 3x3: six shortest paths. Down is preferred over right at S, so the walk goes down first.
    Grid q = rows_to_grid({"S..",
                           "...",
                           "..G"});
    auto a = canonical_solution(q);
    REQUIRE(a);
    CHECK(*a == rows_to_grid({"S..",
                              "o..",
                              "ooG"}));
    // From the bottom-right corner, up is preferred over left.
    Grid q2 = rows_to_grid({"G..",
                            "...",
                            "..S"});
    CHECK(*canonical_solution(q2) == rows_to_grid({"Goo",
                                                   "..o",
                                                   "..S"}));
    // Existing path marks in the question are ignored; unreachable goal -> nullopt.
    Grid marked = rows_to_grid({"So.", "...", "..G"});
    CHECK(*canonical_solution(marked) == *a);
    CHECK_FALSE(canonical_solution(rows_to_grid({"S#.", "##.", "..G"})));
}

TEST_CASE("check_path accepts simple S-G paths and nothing else", "[maze]") {
    Grid q = rows_to_grid({"S....",
                           ".#.#.",
                           ".....",
                           ".#.#.",
                           "....G"});
    SECTION("a shortest path") {
        auto c = check_path(q, rows_to_grid({"Soooo",
                                             ".#.#o",
                                             "....o",
                                             ".#.#o",
                                             "....G"}));
        CHECK(c.valid);
        CHECK(c.moves == 8);
    }
    SECTION("an extra path cell off the path") {
        auto c = check_path(q, rows_to_grid({"Soooo",
                                             ".#.#o",
                                             "o...o",
                                             ".#.#o",
                                             "....G"}));
        CHECK_FALSE(c.valid);
    }
    SECTION("a gap") {
        CHECK_FALSE(check_path(q, rows_to_grid({"Soo.o",
                                                ".#.#o",
                                                "....o",
                                                ".#.#o",
                                                "....G"}))
                        .valid);
    }
    SECTION("a path cell on a wall, a changed wall, a moved goal") {
        Grid a = rows_to_grid({"Soooo", ".#.#o", "....o", ".#.#o", "....G"});
        Grid on_wall = a;
        on_wall.at(1, 1) = kPath;
        CHECK_FALSE(check_path(q, on_wall).valid);
        Grid wall_opened = a;
        wall_opened.at(3, 3) = kOpen;
        CHECK_FALSE(check_path(q, wall_opened).valid);
        Grid goal_moved = a;
        goal_moved.at(4, 4) = kOpen;
        goal_moved.at(4, 3) = kGoal;
        CHECK_FALSE(check_path(q, goal_moved).valid);
    }
    SECTION("a separate loop next to a valid path") {
        Grid big = rows_to_grid({"S.......",
                                 "o.......",
                                 "o..oo...",
                                 "o..oo...",
                                 "o.......",
                                 "o.......",
                                 "o.......",
                                 "oooooooG"});
        // The 2x2 block of 'o' has every cell with two marked neighbours: degrees alone would pass.
        Grid open8 = big;
        for (auto & v : open8.cells)
            if (v == kPath) v = kOpen;
        auto c = check_path(open8, big);
        CHECK_FALSE(c.valid);
        CHECK(c.reason.find("one path") != std::string::npos);
    }
    SECTION("a path that touches itself is ambiguous and invalid") {
        Grid open4 = rows_to_grid({"S...", "....", "....", "...G"});
        CHECK_FALSE(check_path(open4, rows_to_grid({"Soo.", "ooo.", "o...", "oooG"})).valid);
    }
    SECTION("adjacent S and G need no path cells") {
        auto c = check_path(rows_to_grid({"SG", ".."}), rows_to_grid({"SG", ".."}));
        CHECK(c.valid);
        CHECK(c.moves == 1);
    }
    SECTION("shape mismatch") {
        CHECK_FALSE(check_path(q, rows_to_grid({"SoG", "...", "..."})).valid);
    }
}

TEST_CASE("scoring separates exact, valid and optimal", "[maze]") {
    Example ex;
    ex.input = rows_to_grid({"S....",
                             ".#.#.",
                             ".....",
                             ".#.#.",
                             "....G"});
    ex.target = *canonical_solution(ex.input);  // down the left column, then along the bottom
    REQUIRE(ex.target == rows_to_grid({"S....", "o#.#.", "o....", "o#.#.", "ooooG"}));
    MazeScorer scorer;
    REQUIRE(scorer.measure_names() == std::vector<std::string>{"exact", "valid", "optimal"});
    auto score = [&](const std::optional<Grid> & a) {
        Score s = scorer.score(ex, a);
        return std::vector<bool>{s.get("exact"), s.get("valid"), s.get("optimal")};
    };
    CHECK(score(ex.target) == std::vector<bool>{true, true, true});
    // The other shortest path (along the top, down the right): valid and optimal, not the label.
    CHECK(score(rows_to_grid({"Soooo", ".#.#o", "....o", ".#.#o", "....G"})) == std::vector<bool>{false, true, true});
    // A 12-move detour through the middle row: valid, not optimal.
    CHECK(score(rows_to_grid({"Soo..", ".#o#.", "ooo..", "o#.#.", "ooooG"})) == std::vector<bool>{false, true, false});
    // A broken path, a missing answer, a wrong shape.
    CHECK(score(rows_to_grid({"S....", "o#.#.", ".....", "o#.#.", "ooooG"})) == std::vector<bool>{false, false, false});
    CHECK(score(std::nullopt) == std::vector<bool>{false, false, false});
    CHECK(score(Grid(3, 3, kOpen)) == std::vector<bool>{false, false, false});
    CHECK(scorer.score(ex, ex.target).correct());
    // Without a label, a right answer is still valid and optimal.
    Example unlabelled = ex;
    unlabelled.target = Grid();
    Score s = scorer.score(unlabelled, ex.target);
    CHECK_FALSE(s.get("exact"));
    CHECK(s.get("optimal"));
}

TEST_CASE("dihedral transforms follow numpy's conventions", "[maze][augment]") {
    // a = [[1,2,3],[4,5,6]]; expected results written out from numpy's definitions:
    // rot90 is counter-clockwise, rot90(a, 3) clockwise, fliplr reverses columns, flipud rows.
    Grid a = from_values(2, 3, {1, 2, 3, 4, 5, 6});
    CHECK(dihedral(a, 0) == a);
    CHECK(dihedral(a, 1) == from_values(3, 2, {3, 6, 2, 5, 1, 4}));        // np.rot90(a)
    CHECK(dihedral(a, 2) == from_values(2, 3, {6, 5, 4, 3, 2, 1}));        // np.rot90(a, 2)
    CHECK(dihedral(a, 3) == from_values(3, 2, {4, 1, 5, 2, 6, 3}));        // np.rot90(a, 3)
    CHECK(dihedral(a, 4) == from_values(2, 3, {3, 2, 1, 6, 5, 4}));        // np.fliplr(a)
    CHECK(dihedral(a, 5) == from_values(2, 3, {4, 5, 6, 1, 2, 3}));        // np.flipud(a)
    CHECK(dihedral(a, 6) == from_values(3, 2, {1, 4, 2, 5, 3, 6}));        // a.T
    CHECK(dihedral(a, 7) == from_values(3, 2, {6, 3, 5, 2, 4, 1}));        // np.fliplr(np.rot90(a))
    CHECK_THROWS_AS(dihedral(a, 8), std::out_of_range);
    CHECK_THROWS_AS(dihedral_inverse(-1), std::out_of_range);
}

TEST_CASE("dihedral transforms are distinct and undone by their inverses", "[maze][augment]") {
    std::vector<int> inverse;
    for (int id = 0; id < kNumDihedral; ++id) inverse.push_back(dihedral_inverse(id));
    CHECK(inverse == std::vector<int>{0, 3, 2, 1, 4, 5, 6, 7});
    for (Grid g : {numbered(4, 4), numbered(3, 5), numbered(1, 6)}) {
        std::set<std::vector<uint8_t>> images;
        for (int id = 0; id < kNumDihedral; ++id) {
            Grid t = dihedral(g, id);
            CHECK(dihedral(t, dihedral_inverse(id)) == g);
            images.insert(t.cells);
        }
        if (g.rows == g.cols) CHECK(images.size() == 8);  // a grid with distinct cells has 8 images
    }
    // On mazes: a transformed label stays a valid shortest path of the transformed maze.
    Grid q = rows_to_grid({"S..#.", "..#..", ".#...", "....#", "#...G"});
    Grid label = *canonical_solution(q);
    for (int id = 0; id < kNumDihedral; ++id) {
        auto c = check_path(dihedral(q, id), dihedral(label, id));
        CHECK(c.valid);
        CHECK(c.moves == shortest_path_moves(q));
    }
}
