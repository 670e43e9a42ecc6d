// MazeTask: the Maze-Hard family as the harness sees it (datasets, loading, scoring, prompts,
// reference tokenisation, terminal rendering, generation and dataset statistics).
//
// Tokens (reference build_maze_dataset.py): PAD 0, '#' 1, ' ' 2, 'S' 3, 'G' 4, 'o' 5, i.e. cell
// value + 1; vocab 6, seq_len 900 for the 30x30 reference mazes. Mazes of another side K encode to
// K*K tokens (token_layout() names the reference 30x30 set and accepts every side 4..30).
#pragma once

#include <memory>

#include "harness/core/task.h"

namespace trmbench {

std::unique_ptr<Task> make_maze_task();

// Token ids of the reference tokenisation.
inline constexpr int32_t kMazePadToken = 0;
inline constexpr int kMazeVocab = 6;

}  // namespace trmbench
