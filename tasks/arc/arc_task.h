// The ARC-AGI task family: ARC-AGI-1/2 and ConceptARC as a trmbench Task (family "arc").
//
// One Example per test input (group = task id, index = test-pair index). Scoring is exact whole-grid
// equality; prompts and answer parsing are the ARC Prize ones in tasks/text; the token layout is
// the reference 30x30 canvas (arc_canvas.h). Task-level scoring conventions and pass@k are in
// arc_scoring.h, augmentation in arc_augment.h, voting in arc_vote.h.
#pragma once

#include <memory>
#include <string>

#include "harness/core/grid.h"
#include "harness/core/task.h"

namespace trmbench {

std::unique_ptr<Task> make_arc_task();

// Rows of coloured blocks in the ARC palette (24-bit ANSI colours), or digits when colour is false.
std::string pretty_arc_grid(const Grid & g, bool colour);

}  // namespace trmbench
