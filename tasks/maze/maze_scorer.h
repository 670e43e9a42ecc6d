// Scoring of maze answers: three measures, headline first.
//   exact:   the answer grid equals the labelled answer (how HRM/TRM score Maze-Hard);
//   valid:   the 'o' cells plus S and G trace one simple 4-connected S->G path of open cells and no
//            other cell differs from the question (maze::check_path);
//   optimal: valid, and the path has as many moves as the BFS shortest path.
// A different shortest path is valid and optimal but not exact; a detour is valid, not optimal.
#pragma once

#include "harness/core/task.h"

namespace trmbench {

class MazeScorer : public Scorer {
public:
    std::vector<std::string> measure_names() const override { return {"exact", "valid", "optimal"}; }
    Score score(const Example & ex, const std::optional<Grid> & answer) const override;
};

}  // namespace trmbench
