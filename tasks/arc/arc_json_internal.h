// JSON helpers shared by the ARC loader and the submission reader/writer. Internal to tasks/arc:
// it includes nlohmann/json, so no header outside this folder may include it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "harness/core/grid.h"

namespace trmbench::arc_json {

// Why a JSON value is not an ARC grid: `where` is the path below the value ("", "[3]", "[3][7]")
// and `what` the reason. Empty `what` means the value is a valid grid.
struct GridProblem {
    std::string where;
    std::string what;
    bool ok() const { return what.empty(); }
};

// Reads a grid: a list of 1..30 rows, each a list of 1..30 integers 0..9, all rows equally long.
GridProblem read_grid(const nlohmann::json & v, Grid & out);

// A grid as a JSON list of lists.
nlohmann::json grid_to_json(const Grid & g);

// Short name of a JSON value's type for messages ("string", "object", ...).
std::string type_name(const nlohmann::json & v);

}  // namespace trmbench::arc_json
