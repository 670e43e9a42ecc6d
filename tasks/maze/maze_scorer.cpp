// Maze scoring (see maze_scorer.h).
#include "tasks/maze/maze_scorer.h"

#include "tasks/maze/maze_core.h"

namespace trmbench {

Score MazeScorer::score(const Example & ex, const std::optional<Grid> & answer) const {
    bool exact = false, valid = false, optimal = false;
    if (answer) {
        exact = !ex.target.empty() && *answer == ex.target;
        maze::PathCheck check = maze::check_path(ex.input, *answer);
        valid = check.valid;
        optimal = valid && check.moves == maze::shortest_path_moves(ex.input);
    }
    return Score{{{"exact", exact}, {"valid", valid}, {"optimal", optimal}}};
}

}  // namespace trmbench
