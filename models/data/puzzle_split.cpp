// Reading and validating one split of a puzzle dataset (see puzzle_split.h).
#include "models/data/puzzle_split.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "harness/core/error.h"
#include "harness/core/paths.h"

namespace trmbench {

namespace {

using ordered_json = nlohmann::ordered_json;

int64_t require_int(const nlohmann::json & j, const char * key, const std::string & name) {
    if (!j.contains(key)) throw InputError(name + ": missing key '" + key + "'");
    const auto & v = j.at(key);
    if (!v.is_number_integer()) throw InputError(name + ": '" + key + "' must be an integer");
    return v.get<int64_t>();
}

int32_t require_int32(const nlohmann::json & j, const char * key, const std::string & name) {
    int64_t v = require_int(j, key, name);
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
        throw InputError(name + ": '" + key + "' out of the int32 range");
    return static_cast<int32_t>(v);
}

// An index array (1-D, integers fitting int32) as a vector.
std::vector<int32_t> load_index_array(const std::filesystem::path & path) {
    NpyArray a = NpyArray::open(path);
    if (a.shape().size() != 1) throw InputError(path.string() + ": expected a 1-D array");
    auto [lo, hi] = a.min_max();
    if (lo < std::numeric_limits<int32_t>::min() || hi > std::numeric_limits<int32_t>::max())
        throw InputError(path.string() + ": values outside the int32 range");
    std::vector<int32_t> out(a.count());
    a.copy_to_int32(0, out);
    return out;
}

// CSR offsets: start at 0, strictly increasing, end at `total`.
void check_csr(std::span<const int32_t> offsets, int64_t total, const std::string & what) {
    if (offsets.empty()) throw InputError(what + ": empty offsets array (needs at least [0])");
    if (offsets.front() != 0) throw InputError(what + ": offsets must start at 0, found " + std::to_string(offsets.front()));
    for (size_t i = 1; i < offsets.size(); ++i)
        if (offsets[i] <= offsets[i - 1])
            throw InputError(what + ": offsets not strictly increasing at index " + std::to_string(i) + " (" +
                             std::to_string(offsets[i - 1]) + " then " + std::to_string(offsets[i]) + ")");
    if (offsets.back() != total)
        throw InputError(what + ": last offset " + std::to_string(offsets.back()) + " != " + std::to_string(total));
}

}  // namespace

std::string metadata_to_json(const PuzzleDatasetMetadata & m) {
    ordered_json j;
    j["pad_id"] = m.pad_id;
    j["ignore_label_id"] = m.ignore_label_id ? ordered_json(*m.ignore_label_id) : ordered_json(nullptr);
    j["blank_identifier_id"] = m.blank_identifier_id;
    j["vocab_size"] = m.vocab_size;
    j["seq_len"] = m.seq_len;
    j["num_puzzle_identifiers"] = m.num_puzzle_identifiers;
    j["total_groups"] = m.total_groups;
    j["mean_puzzle_examples"] = m.mean_puzzle_examples;
    j["total_puzzles"] = m.total_puzzles;
    j["sets"] = m.sets;
    return j.dump();
}

PuzzleDatasetMetadata metadata_from_json(std::string_view text, const std::string & name, bool * has_total_puzzles) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception & e) {
        throw InputError(name + ": not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw InputError(name + ": expected a JSON object");
    PuzzleDatasetMetadata m;
    m.pad_id = require_int32(j, "pad_id", name);
    if (!j.contains("ignore_label_id")) throw InputError(name + ": missing key 'ignore_label_id'");
    m.ignore_label_id = j.at("ignore_label_id").is_null() ? std::nullopt
                                                           : std::optional<int32_t>(require_int32(j, "ignore_label_id", name));
    m.blank_identifier_id = require_int32(j, "blank_identifier_id", name);
    m.vocab_size = require_int32(j, "vocab_size", name);
    m.seq_len = require_int32(j, "seq_len", name);
    m.num_puzzle_identifiers = require_int(j, "num_puzzle_identifiers", name);
    m.total_groups = require_int(j, "total_groups", name);
    if (!j.contains("mean_puzzle_examples") || !j.at("mean_puzzle_examples").is_number())
        throw InputError(name + ": 'mean_puzzle_examples' must be a number");
    m.mean_puzzle_examples = j.at("mean_puzzle_examples").get<double>();
    bool has_total = j.contains("total_puzzles");
    if (has_total) m.total_puzzles = require_int(j, "total_puzzles", name);
    if (has_total_puzzles) *has_total_puzzles = has_total;
    if (!j.contains("sets") || !j.at("sets").is_array()) throw InputError(name + ": 'sets' must be a list of names");
    m.sets.clear();
    for (const auto & s : j.at("sets")) {
        if (!s.is_string()) throw InputError(name + ": 'sets' must be a list of names");
        m.sets.push_back(s.get<std::string>());
    }
    if (m.seq_len <= 0 || m.vocab_size <= 0 || m.vocab_size > 256)
        throw InputError(name + ": seq_len must be positive and vocab_size in 1..256");
    if (m.num_puzzle_identifiers <= 0 || m.num_puzzle_identifiers > std::numeric_limits<int32_t>::max())
        throw InputError(name + ": num_puzzle_identifiers out of range");
    return m;
}

PuzzleSplit PuzzleSplit::open(const std::filesystem::path & dir) {
    const auto meta_path = dir / "dataset.json";
    if (!std::filesystem::is_regular_file(meta_path)) throw InputError(meta_path.string() + ": no such file");
    PuzzleSplit s;
    s.dir_ = dir;
    bool has_total = false;
    s.meta_ = metadata_from_json(read_file(meta_path), meta_path.string(), &has_total);
    if (s.meta_.sets.size() != 1)
        throw InputError(meta_path.string() + ": 'sets' must name exactly one set (trmbench reads single-set datasets)");
    const std::string & set = s.meta_.sets.front();
    if (set.empty() || set.find('/') != std::string::npos || set.find("..") != std::string::npos)
        throw InputError(meta_path.string() + ": bad set name '" + set + "'");
    auto file = [&](const char * field) { return dir / (set + "__" + field + ".npy"); };
    s.inputs_ = NpyArray::open(file("inputs"));
    s.labels_ = NpyArray::open(file("labels"));
    s.puzzle_identifiers_ = load_index_array(file("puzzle_identifiers"));
    s.puzzle_indices_ = load_index_array(file("puzzle_indices"));
    s.group_indices_ = load_index_array(file("group_indices"));
    s.validate(dir.string(), has_total);
    return s;
}

PuzzleSplit PuzzleSplit::from_memory(PuzzleDatasetMetadata meta, std::vector<uint8_t> inputs, std::vector<uint8_t> labels,
                                     std::vector<int32_t> puzzle_identifiers, std::vector<int32_t> puzzle_indices,
                                     std::vector<int32_t> group_indices) {
    PuzzleSplit s;
    s.meta_ = std::move(meta);
    if (s.meta_.seq_len <= 0) throw InputError("in-memory split: seq_len must be positive");
    const uint64_t L = static_cast<uint64_t>(s.meta_.seq_len);
    if (inputs.size() % L != 0 || labels.size() != inputs.size())
        throw InputError("in-memory split: token arrays are not [N, seq_len] rows of equal count");
    const uint64_t rows = inputs.size() / L;
    s.inputs_ = NpyArray::from_bytes(NpyDtype::u8, {rows, L}, std::move(inputs));
    s.labels_ = NpyArray::from_bytes(NpyDtype::u8, {rows, L}, std::move(labels));
    s.puzzle_identifiers_ = std::move(puzzle_identifiers);
    s.puzzle_indices_ = std::move(puzzle_indices);
    s.group_indices_ = std::move(group_indices);
    s.validate("in-memory split", true);
    return s;
}

void PuzzleSplit::validate(const std::string & where, bool has_total_puzzles) {
    const auto & in_shape = inputs_.shape();
    const auto & lab_shape = labels_.shape();
    const uint64_t L = static_cast<uint64_t>(meta_.seq_len);
    if (in_shape.size() != 2 || in_shape[1] != L)
        throw InputError(where + ": inputs must have shape [N, " + std::to_string(L) + "]");
    if (lab_shape != in_shape) throw InputError(where + ": labels must have the shape of inputs");
    if (in_shape[0] >= static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
        throw InputError(where + ": more examples than int32 offsets can address");
    num_examples_ = static_cast<int64_t>(in_shape[0]);

    check_csr(puzzle_indices_, num_examples_, where + ": puzzle_indices");
    if (puzzle_identifiers_.size() + 1 != puzzle_indices_.size())
        throw InputError(where + ": puzzle_identifiers has " + std::to_string(puzzle_identifiers_.size()) +
                         " entries, puzzle_indices describes " + std::to_string(puzzle_indices_.size() - 1) + " puzzles");
    check_csr(group_indices_, num_puzzles(), where + ": group_indices");
    for (size_t i = 0; i < puzzle_identifiers_.size(); ++i)
        if (puzzle_identifiers_[i] < 0 || puzzle_identifiers_[i] >= meta_.num_puzzle_identifiers)
            throw InputError(where + ": puzzle_identifiers[" + std::to_string(i) + "] = " +
                             std::to_string(puzzle_identifiers_[i]) + " outside [0, num_puzzle_identifiers = " +
                             std::to_string(meta_.num_puzzle_identifiers) + ")");
    if (meta_.blank_identifier_id < 0 || meta_.blank_identifier_id >= meta_.num_puzzle_identifiers)
        throw InputError(where + ": blank_identifier_id outside [0, num_puzzle_identifiers)");
    if (meta_.pad_id < 0 || meta_.pad_id >= meta_.vocab_size) throw InputError(where + ": pad_id outside the vocabulary");

    for (const NpyArray * a : {&inputs_, &labels_}) {
        auto [lo, hi] = a->min_max();
        if (num_examples_ > 0 && (lo < 0 || hi >= meta_.vocab_size))
            throw InputError(where + ": " + (a == &inputs_ ? std::string("input") : std::string("label")) +
                             " tokens span [" + std::to_string(lo) + ", " + std::to_string(hi) +
                             "], outside the vocabulary [0, " + std::to_string(meta_.vocab_size) + ")");
    }

    if (meta_.total_groups != num_groups())
        throw InputError(where + ": total_groups = " + std::to_string(meta_.total_groups) + " but group_indices has " +
                         std::to_string(num_groups()) + " groups");
    if (!has_total_puzzles) meta_.total_puzzles = num_puzzles();
    if (meta_.total_puzzles != num_puzzles())
        throw InputError(where + ": total_puzzles = " + std::to_string(meta_.total_puzzles) + " but the arrays hold " +
                         std::to_string(num_puzzles()) + " puzzles");
}

int64_t PuzzleSplit::puzzle_of_example(int64_t example) const {
    auto it = std::upper_bound(puzzle_indices_.begin(), puzzle_indices_.end(), static_cast<int32_t>(example));
    return static_cast<int64_t>(it - puzzle_indices_.begin()) - 1;
}

void PuzzleSplit::copy_input(int64_t example, std::span<int32_t> out) const {
    inputs_.copy_to_int32(static_cast<uint64_t>(example) * static_cast<uint64_t>(meta_.seq_len), out);
}

void PuzzleSplit::copy_label(int64_t example, std::span<int32_t> out) const {
    labels_.copy_to_int32(static_cast<uint64_t>(example) * static_cast<uint64_t>(meta_.seq_len), out);
}

}  // namespace trmbench
