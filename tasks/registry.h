// The task registry: every task family trmbench knows, built from the explicit list in task_list.h.
#pragma once

#include <string_view>
#include <vector>

#include "harness/core/task.h"

namespace trmbench {

// All task families, in task_list.h order. The instances live for the whole program.
const std::vector<const Task *> & all_tasks();
// The family with this name ("sudoku", "maze", "arc"); throws UsageError listing the known names.
const Task & task_by_family(std::string_view family);

}  // namespace trmbench
