// One line per task family: TRMBENCH_TASK(family, factory). The factory is defined in
// tasks/<family>/ and returns std::unique_ptr<Task>. Order is the order of `trmbench data list`.
// (No static self-registration: this list is the registry.)
TRMBENCH_TASK(sudoku, make_sudoku_task)
TRMBENCH_TASK(maze, make_maze_task)
TRMBENCH_TASK(arc, make_arc_task)
