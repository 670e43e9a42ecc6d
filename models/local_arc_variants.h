// The augmented variants the local solver runs for one ARC test input, and their puzzle-embedding
// ids (spec §3.4). Torch-free.
//
// A training build's identifiers.json is a JSON list of names, index = puzzle-embedding row,
// [0] = "<blank>". TRM names variants "{task}|||t{t}|||{10-digit colour map}" and HRM
// "{task}_t{t}_{map}"; a plain name is the task itself (identity). Each test example of a task is
// evaluated once per variant with that variant's row, which is what the embedding was trained on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/core/example.h"
#include "tasks/arc/arc_augment.h"

namespace trmbench {

struct ArcVariant {
    ArcAugmentation aug;
    int64_t puzzle_id = 0;  // row of the puzzle-embedding table; 0 = blank
};

// TRM "|||" names, HRM "_t{t}_{map}" names, or a plain task name (identity). nullopt for a name
// with the TRM separator but a malformed suffix.
std::optional<ParsedVariantName> parse_any_variant_name(std::string_view name);

class ArcIdentifiers {
public:
    // Reads identifiers.json. InputError naming the file for anything but a list of strings, or a
    // malformed variant name (with its index).
    static ArcIdentifiers load(const std::filesystem::path & file);

    // The task's variants in id order (empty when the file does not list the task).
    const std::vector<ArcVariant> & variants(std::string_view task) const;
    size_t num_identifiers() const { return num_identifiers_; }
    size_t num_tasks() const { return by_task_.size(); }
    const std::filesystem::path & file() const { return file_; }

private:
    std::filesystem::path file_;
    size_t num_identifiers_ = 0;
    std::unordered_map<std::string, std::vector<ArcVariant>> by_task_;
};

// `count` distinct variants of an example's task (demonstration pairs + this test input), the
// identity first, drawn with Rng(seed) like the reference builder (arc_augment.h
// generate_variants); puzzle id 0. Fewer when the task has fewer distinct variants.
std::vector<ArcVariant> generated_variants(const Example & ex, int count, uint64_t seed);

}  // namespace trmbench
