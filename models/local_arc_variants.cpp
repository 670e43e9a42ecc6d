// ARC variants and their puzzle ids for the local solver (see local_arc_variants.h).
#include "models/local_arc_variants.h"

#include <nlohmann/json.hpp>

#include "harness/core/error.h"
#include "harness/core/paths.h"

namespace trmbench {

namespace {

// HRM: "{task}_t{t}_{10 digits}" with a colour permutation; nullopt when the name is not of
// that form (then it is a plain task name).
std::optional<ParsedVariantName> parse_hrm_variant_name(std::string_view name) {
    if (name.size() < 1 + 4 + 10) return std::nullopt;
    const std::string_view digits = name.substr(name.size() - 10);
    const std::string_view t = name.substr(name.size() - 14, 4);  // "_t{d}_"
    if (t[0] != '_' || t[1] != 't' || t[2] < '0' || t[2] > '7' || t[3] != '_') return std::nullopt;
    ParsedVariantName out{std::string(name.substr(0, name.size() - 14)), ArcAugmentation{}};
    out.aug.dihedral = t[2] - '0';
    for (size_t i = 0; i < 10; ++i) {
        if (digits[i] < '0' || digits[i] > '9') return std::nullopt;
        out.aug.colours[i] = static_cast<uint8_t>(digits[i] - '0');
    }
    if (!is_colour_permutation(out.aug.colours)) return std::nullopt;
    return out;
}

}  // namespace

std::optional<ParsedVariantName> parse_any_variant_name(std::string_view name) {
    if (name.find(kVariantSeparator) != std::string_view::npos) return parse_variant_name(name);
    if (auto hrm = parse_hrm_variant_name(name)) return hrm;
    return ParsedVariantName{std::string(name), ArcAugmentation{}};
}

ArcIdentifiers ArcIdentifiers::load(const std::filesystem::path & file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_file(file));
    } catch (const nlohmann::json::exception & e) {
        throw InputError(file.string() + ": not valid JSON: " + e.what());
    }
    if (!j.is_array()) throw InputError(file.string() + ": expected a JSON list of identifier names (identifiers.json)");
    ArcIdentifiers ids;
    ids.file_ = file;
    ids.num_identifiers_ = j.size();
    for (size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_string()) throw InputError(file.string() + ": entry " + std::to_string(i) + " is not a string");
        const std::string name = j[i].get<std::string>();
        if (i == 0 || name == "<blank>") continue;  // the blank identifier
        auto parsed = parse_any_variant_name(name);
        if (!parsed || parsed->task_id.empty())
            throw InputError(file.string() + ": entry " + std::to_string(i) + " '" + name + "' is not a variant name");
        ids.by_task_[parsed->task_id].push_back({parsed->aug, static_cast<int64_t>(i)});
    }
    return ids;
}

const std::vector<ArcVariant> & ArcIdentifiers::variants(std::string_view task) const {
    static const std::vector<ArcVariant> none;
    auto it = by_task_.find(std::string(task));
    return it == by_task_.end() ? none : it->second;
}

std::vector<ArcVariant> generated_variants(const Example & ex, int count, uint64_t seed) {
    ArcTaskGrids grids;
    grids.train = ex.demos;
    grids.test.push_back({ex.input, Grid{}});  // the answer is not looked at
    ArcVariants v = generate_variants(grids, std::max(count, 1) - 1, seed);
    std::vector<ArcVariant> out;
    for (const auto & aug : v.augmentations) out.push_back({aug, 0});
    return out;
}

}  // namespace trmbench
