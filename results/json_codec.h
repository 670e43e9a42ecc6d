// Text encodings of the structured parts of a record (grids, measures, ACT steps, hash maps), shared
// by the store, the reader and merge. Kept out of records.h so that no public header needs a JSON
// library. Parsers throw InputError naming `what` (the field) when the stored text is malformed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/grid.h"
#include "harness/core/task.h"
#include "results/records.h"

namespace trmbench::results {

// "[[1,2],[3,4]]"; "[]" for a 0x0 grid. Cells must be integers 0..255 and rows equally long.
std::string grid_to_json(const Grid & g);
Grid grid_from_json(std::string_view text, std::string_view what);

// {"exact":true,"valid":false} in the scorer's order (headline first).
std::string measures_to_json(const std::vector<Measure> & measures);
std::vector<Measure> measures_from_json(std::string_view text, std::string_view what);

// Steps as [{"answer":[[...]],"q_halt":x,"q_continue":y}, ...] ("answer" left out when it equals
// the previous step's) plus a "0110" string of per-step
// headline correctness (a separate column, so accuracy-vs-steps needs no JSON parsing). An empty
// `correct` leaves every step's correctness false.
std::string steps_to_json(const std::vector<StepResult> & steps);
std::string steps_correct_string(const std::vector<StepResult> & steps);
std::vector<StepResult> steps_from_json(std::string_view json, std::string_view correct, std::string_view what);

std::string string_map_to_json(const std::map<std::string, std::string> & m);
std::map<std::string, std::string> string_map_from_json(std::string_view text, std::string_view what);
std::string seed_map_to_json(const std::map<std::string, uint64_t> & m);
std::map<std::string, uint64_t> seed_map_from_json(std::string_view text, std::string_view what);

// Cuts `s` to at most `limit` bytes without splitting a UTF-8 sequence; true when it cut.
bool truncate_utf8(std::string & s, size_t limit);

}  // namespace trmbench::results
