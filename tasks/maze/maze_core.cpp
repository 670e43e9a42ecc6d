// Maze basics: alphabet, conversions, BFS, canonical label and path checks (see maze_core.h).
#include "tasks/maze/maze_core.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace trmbench::maze {
namespace {

// Up, down, left, right: the documented tie-break order of the canonical label.
constexpr std::array<int, 4> kDr = {-1, 1, 0, 0};
constexpr std::array<int, 4> kDc = {0, 0, -1, 1};

bool walkable(uint8_t v) { return v != kWall && v < kNumCellValues; }

int side_of(size_t len) {
    auto side = static_cast<size_t>(std::llround(std::sqrt(static_cast<double>(len))));
    return side * side == len ? static_cast<int>(side) : -1;
}

// Marked cells of an answer: S, G and kPath.
bool marked(uint8_t v) { return v == kStart || v == kGoal || v == kPath; }

}  // namespace

std::optional<Grid> grid_from_string(std::string_view s, std::string * why) {
    int side = s.empty() ? -1 : side_of(s.size());
    if (side < 0) {
        if (why) *why = "length " + std::to_string(s.size()) + " is not a positive square (N*N cells)";
        return std::nullopt;
    }
    Grid g(side, side);
    for (size_t i = 0; i < s.size(); ++i) {
        size_t v = kCharset.find(s[i]);
        if (v == std::string_view::npos) {
            if (why) {
                unsigned code = static_cast<unsigned char>(s[i]);
                *why = "character " + std::to_string(i) + " (row " + std::to_string(i / side) + ", column " +
                       std::to_string(i % side) + ") is code " + std::to_string(code) + ", not one of \"# SGo\"";
            }
            return std::nullopt;
        }
        g.cells[i] = static_cast<uint8_t>(v);
    }
    return g;
}

std::string grid_to_string(const Grid & g) {
    std::string s(g.size(), '?');
    for (size_t i = 0; i < g.size(); ++i)
        if (g.cells[i] < kNumCellValues) s[i] = kCharset[g.cells[i]];
    return s;
}

int find_unique(const Grid & g, uint8_t value) {
    int found = -1;
    for (size_t i = 0; i < g.size(); ++i) {
        if (g.cells[i] != value) continue;
        if (found >= 0) return -2;
        found = static_cast<int>(i);
    }
    return found;
}

std::vector<int> bfs_distances(const Grid & g, int source) {
    std::vector<int> dist(g.size(), -1);
    if (source < 0 || static_cast<size_t>(source) >= g.size() || !walkable(g.cells[source])) return dist;
    std::vector<int> queue;
    queue.reserve(g.size());
    dist[source] = 0;
    queue.push_back(source);
    for (size_t head = 0; head < queue.size(); ++head) {
        int p = queue[head];
        int r = p / g.cols, c = p % g.cols;
        for (int k = 0; k < 4; ++k) {
            int nr = r + kDr[k], nc = c + kDc[k];
            if (nr < 0 || nr >= g.rows || nc < 0 || nc >= g.cols) continue;
            int q = nr * g.cols + nc;
            if (dist[q] >= 0 || !walkable(g.cells[q])) continue;
            dist[q] = dist[p] + 1;
            queue.push_back(q);
        }
    }
    return dist;
}

int shortest_path_moves(const Grid & g) {
    int s = find_unique(g, kStart), t = find_unique(g, kGoal);
    if (s < 0 || t < 0) return -1;
    return bfs_distances(g, s)[t];
}

int64_t count_shortest_paths(const Grid & g, int64_t cap) {
    cap = std::max<int64_t>(cap, 1);
    int s = find_unique(g, kStart), t = find_unique(g, kGoal);
    if (s < 0 || t < 0) return 0;
    std::vector<int> dist = bfs_distances(g, s);
    if (dist[t] < 0) return 0;
    // Cells in BFS order (by distance), so every cell's predecessors are counted before it.
    std::vector<int> order;
    for (size_t i = 0; i < g.size(); ++i)
        if (dist[i] >= 0 && dist[i] <= dist[t]) order.push_back(static_cast<int>(i));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return dist[a] < dist[b]; });
    std::vector<int64_t> paths(g.size(), 0);
    paths[s] = 1;
    for (int p : order) {
        if (p == s) continue;
        int r = p / g.cols, c = p % g.cols;
        int64_t sum = 0;
        for (int k = 0; k < 4; ++k) {
            int nr = r + kDr[k], nc = c + kDc[k];
            if (nr < 0 || nr >= g.rows || nc < 0 || nc >= g.cols) continue;
            int q = nr * g.cols + nc;
            if (dist[q] == dist[p] - 1) sum = std::min(cap, sum + paths[q]);
        }
        paths[p] = sum;
    }
    return paths[t];
}

std::optional<Grid> canonical_solution(const Grid & question) {
    int s = find_unique(question, kStart), t = find_unique(question, kGoal);
    if (s < 0 || t < 0) return std::nullopt;
    std::vector<int> dist = bfs_distances(question, t);
    if (dist[s] < 0) return std::nullopt;
    Grid answer = question;
    for (auto & v : answer.cells)
        if (v == kPath) v = kOpen;
    int p = s;
    while (dist[p] > 0) {
        int r = p / question.cols, c = p % question.cols, next = -1;
        for (int k = 0; k < 4 && next < 0; ++k) {
            int nr = r + kDr[k], nc = c + kDc[k];
            if (nr < 0 || nr >= question.rows || nc < 0 || nc >= question.cols) continue;
            int q = nr * question.cols + nc;
            if (dist[q] == dist[p] - 1) next = q;
        }
        p = next;  // BFS guarantees a neighbour at distance d-1 exists
        if (p != t) answer.cells[p] = kPath;
    }
    return answer;
}

PathCheck check_path(const Grid & question, const Grid & answer) {
    PathCheck out;
    if (answer.rows != question.rows || answer.cols != question.cols || answer.size() != question.size()) {
        out.reason = "answer is " + std::to_string(answer.rows) + "x" + std::to_string(answer.cols) + ", maze is " +
                     std::to_string(question.rows) + "x" + std::to_string(question.cols);
        return out;
    }
    int s = find_unique(question, kStart), t = find_unique(question, kGoal);
    if (s < 0 || t < 0) {
        out.reason = "question has no unique start and goal";
        return out;
    }
    int n_marked = 0;
    for (size_t i = 0; i < answer.size(); ++i) {
        uint8_t a = answer.cells[i], q = question.cells[i];
        if (a == kPath) {
            if (q != kOpen) {
                out.reason = "path cell " + std::to_string(i) + " is not on an open cell";
                return out;
            }
        } else if (a != q) {
            out.reason = "cell " + std::to_string(i) + " differs from the maze";
            return out;
        }
        if (marked(a)) ++n_marked;
    }
    // Degree check: S and G one marked neighbour, path cells two.
    for (size_t i = 0; i < answer.size(); ++i) {
        if (!marked(answer.cells[i])) continue;
        int r = static_cast<int>(i) / answer.cols, c = static_cast<int>(i) % answer.cols, degree = 0;
        for (int k = 0; k < 4; ++k) {
            int nr = r + kDr[k], nc = c + kDc[k];
            if (nr >= 0 && nr < answer.rows && nc >= 0 && nc < answer.cols && marked(answer.at(nr, nc))) ++degree;
        }
        int want = answer.cells[i] == kPath ? 2 : 1;
        if (degree != want) {
            out.reason = "cell " + std::to_string(i) + " has " + std::to_string(degree) + " marked neighbours, expected " +
                         std::to_string(want);
            return out;
        }
    }
    // Walk from S: with the degrees above, the marked cells holding S form a simple path that ends in
    // G; any marked cell the walk does not reach lies on a separate loop.
    std::vector<char> seen(answer.size(), 0);
    int p = s, prev = -1, reached = 1;
    seen[p] = 1;
    while (p != t) {
        int r = p / answer.cols, c = p % answer.cols, next = -1;
        for (int k = 0; k < 4; ++k) {
            int nr = r + kDr[k], nc = c + kDc[k];
            if (nr < 0 || nr >= answer.rows || nc < 0 || nc >= answer.cols) continue;
            int q = nr * answer.cols + nc;
            if (q != prev && marked(answer.cells[q]) && !seen[q]) next = q;
        }
        if (next < 0) break;
        prev = p;
        p = next;
        seen[p] = 1;
        ++reached;
    }
    if (p != t || reached != n_marked) {
        out.reason = "marked cells do not form one path from S to G";
        return out;
    }
    out.valid = true;
    out.moves = n_marked - 1;
    return out;
}

}  // namespace trmbench::maze
