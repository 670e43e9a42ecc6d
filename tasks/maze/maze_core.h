// Maze-Hard basics shared by the loader, generator, scorer and BFS solver: the "# SGo" cell
// alphabet, grid <-> string conversion, BFS distances, the canonical shortest-path label and the
// path checks behind the "valid" and "optimal" measures.
//
// Cell values of a maze Grid are indices into "# SGo": 0 wall, 1 open, 2 start, 3 goal, 4 path.
// Moves are 4-neighbour steps; every non-wall cell (open, S, G, path) can be walked on.
// Path lengths are counted in moves (a path S, o, o, G has 3 moves).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/grid.h"

namespace trmbench::maze {

inline constexpr std::string_view kCharset = "# SGo";
enum Cell : uint8_t { kWall = 0, kOpen = 1, kStart = 2, kGoal = 3, kPath = 4 };
inline constexpr int kNumCellValues = 5;

// Row-major string of side*side characters over kCharset -> Grid. Returns nullopt and sets *why
// when the length is not a square (or zero) or a character is outside the alphabet.
std::optional<Grid> grid_from_string(std::string_view s, std::string * why = nullptr);
// Inverse of grid_from_string; values outside 0..4 print as '?'.
std::string grid_to_string(const Grid & g);

// Row-major index of the unique cell with `value`, -1 when there is none, -2 when there are several.
int find_unique(const Grid & g, uint8_t value);

// BFS distances in moves from flat index `source` over non-wall cells; -1 where unreachable.
// An out-of-range source gives all -1.
std::vector<int> bfs_distances(const Grid & g, int source);

// Shortest S->G distance in moves; -1 when S or G is missing/duplicated or G is unreachable.
int shortest_path_moves(const Grid & g);

// Number of distinct shortest S->G paths, counted by BFS layers (paths into a cell = the sum over its
// neighbours one move closer to S) and capped at `cap` (>= 1) so that open grids cannot overflow.
// 0 when S or G is missing/duplicated or G is unreachable. A maze with exactly one has an unambiguous
// shortest-path label; with more, the label is the tie-break's pick among them.
int64_t count_shortest_paths(const Grid & g, int64_t cap = 2);

// The canonical label of a question: one shortest S->G path written as kPath on the cells strictly
// between S and G. Tie-break (documented, deterministic): BFS distances from G, then walk from S,
// each step moving to the first neighbour with distance d-1 in the order up, down, left, right.
// Path cells in the question (kPath) are treated as open. nullopt when there is no S->G path.
std::optional<Grid> canonical_solution(const Grid & question);

// Result of checking an answer grid against its question.
struct PathCheck {
    bool valid = false;  // the marked cells trace one simple S->G path and nothing else changed
    int moves = -1;      // path length in moves when valid
    std::string reason;  // why not valid
};

// "valid": the answer has the question's shape; every cell that is not kPath in the answer equals the
// question; every kPath cell sits on an open question cell; and the kPath cells plus S and G form one
// 4-connected simple path from S to G that does not touch itself: S and G have exactly one marked
// neighbour each, every kPath cell exactly two, and all marked cells are connected. (A path that
// touches itself is ambiguous as a set of cells; every shortest path is such an induced path, so
// "optimal" loses nothing.) Never throws.
PathCheck check_path(const Grid & question, const Grid & answer);

}  // namespace trmbench::maze
