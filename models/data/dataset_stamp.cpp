// Stamps, keys and the manifest of a built dataset (see dataset_stamp.h).
#include "models/data/dataset_stamp.h"

#include <nlohmann/json.hpp>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "models/data/builders.h"

namespace trmbench {

namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

template <class T>
T get_field(const json & j, const char * key, const std::string & name) {
    if (!j.is_object() || !j.contains(key)) throw InputError(name + ": missing key '" + key + "'");
    try {
        return j.at(key).get<T>();
    } catch (const json::exception &) {
        throw InputError(name + ": key '" + key + "' has the wrong type");
    }
}

ordered_json counts_json(const SplitCounts & c) {
    return ordered_json{{"examples", c.examples}, {"puzzles", c.puzzles}, {"groups", c.groups}};
}

SplitCounts counts_from(const json & j, const std::string & name) {
    SplitCounts c;
    c.examples = get_field<int64_t>(j, "examples", name);
    c.puzzles = get_field<int64_t>(j, "puzzles", name);
    c.groups = get_field<int64_t>(j, "groups", name);
    return c;
}

// "a: 1 -> 2" lines for the parameters that differ between two canonical JSON objects.
std::string param_differences(const std::string & found_json, const std::string & expected_json) {
    json found, expected;
    try {
        found = json::parse(found_json);
        expected = json::parse(expected_json);
    } catch (const json::exception &) {
        return "";
    }
    if (!found.is_object() || !expected.is_object()) return "";
    std::string out;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        std::string was = found.contains(it.key()) ? found.at(it.key()).dump() : "(absent)";
        if (was != it.value().dump()) out += "; " + it.key() + ": cache has " + was + ", requested " + it.value().dump();
    }
    for (auto it = found.begin(); it != found.end(); ++it)
        if (!expected.contains(it.key())) out += "; " + it.key() + ": cache has " + it.value().dump() + ", requested (absent)";
    return out;
}

}  // namespace

std::string DatasetStamp::param_hash() const {
    return sha256_hex(builder + "\n" + std::to_string(builder_version) + "\n" + params_json);
}

std::string DatasetStamp::key() const {
    std::string text = "trmbench-dataset-key\n" + param_hash() + "\n";
    for (const auto & in : inputs) text += in.role + "=" + in.sha256 + "\n";
    return sha256_hex(text);
}

uint64_t DatasetManifest::total_bytes() const {
    uint64_t n = 0;
    for (const auto & f : files) n += f.bytes;
    return n;
}

std::string manifest_to_json(const DatasetManifest & m) {
    ordered_json j;
    j["format"] = "trmbench-puzzle-dataset";
    j["format_version"] = m.format_version;
    j["builder"] = m.stamp.builder;
    j["builder_version"] = m.stamp.builder_version;
    j["label"] = m.stamp.label;
    j["key"] = m.stamp.key();
    j["param_hash"] = m.stamp.param_hash();
    j["params"] = ordered_json::parse(m.stamp.params_json.empty() ? "{}" : m.stamp.params_json);
    ordered_json inputs = ordered_json::array();
    for (const auto & in : m.stamp.inputs) inputs.push_back({{"role", in.role}, {"name", in.name}, {"sha256", in.sha256}});
    j["inputs"] = inputs;
    j["created_by"] = m.created_by;
    j["counts"] = {{"train", counts_json(m.train)}, {"test", counts_json(m.test)},
                   {"num_puzzle_identifiers", m.num_puzzle_identifiers}};
    ordered_json notes = ordered_json::object();
    for (const auto & [k, v] : m.notes) notes[k] = v;
    j["notes"] = notes;
    ordered_json files = ordered_json::array();
    for (const auto & f : m.files) files.push_back({{"path", f.path}, {"bytes", f.bytes}, {"sha256", f.sha256}});
    j["files"] = files;
    return j.dump(2) + "\n";
}

DatasetManifest manifest_from_json(std::string_view text, const std::string & name) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception & e) {
        throw InputError(name + ": not valid JSON: " + e.what());
    }
    if (!j.is_object() || get_field<std::string>(j, "format", name) != "trmbench-puzzle-dataset")
        throw InputError(name + ": not a trmbench dataset manifest (format != trmbench-puzzle-dataset)");
    DatasetManifest m;
    m.format_version = get_field<int>(j, "format_version", name);
    m.stamp.builder = get_field<std::string>(j, "builder", name);
    m.stamp.builder_version = get_field<int>(j, "builder_version", name);
    m.stamp.label = get_field<std::string>(j, "label", name);
    if (!j.contains("params") || !j.at("params").is_object()) throw InputError(name + ": 'params' must be an object");
    m.stamp.params_json = j.at("params").dump();  // json (not ordered) dumps keys sorted: canonical again
    if (!j.contains("inputs") || !j.at("inputs").is_array()) throw InputError(name + ": 'inputs' must be a list");
    for (const auto & in : j.at("inputs"))
        m.stamp.inputs.push_back({get_field<std::string>(in, "role", name + ": inputs"),
                                  get_field<std::string>(in, "name", name + ": inputs"),
                                  get_field<std::string>(in, "sha256", name + ": inputs")});
    m.created_by = get_field<std::string>(j, "created_by", name);
    if (!j.contains("counts")) throw InputError(name + ": missing key 'counts'");
    const auto & counts = j.at("counts");
    if (!counts.contains("train") || !counts.contains("test")) throw InputError(name + ": counts needs train and test");
    m.train = counts_from(counts.at("train"), name + ": counts.train");
    m.test = counts_from(counts.at("test"), name + ": counts.test");
    m.num_puzzle_identifiers = get_field<int64_t>(counts, "num_puzzle_identifiers", name + ": counts");
    if (j.contains("notes") && j.at("notes").is_object())
        for (auto it = j.at("notes").begin(); it != j.at("notes").end(); ++it)
            m.notes.emplace_back(it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    if (!j.contains("files") || !j.at("files").is_array()) throw InputError(name + ": 'files' must be a list");
    for (const auto & f : j.at("files")) {
        StampFile sf{get_field<std::string>(f, "path", name + ": files"), get_field<uint64_t>(f, "bytes", name + ": files"),
                     get_field<std::string>(f, "sha256", name + ": files")};
        if (sf.path.empty() || sf.path.front() == '/' || sf.path.find("..") != std::string::npos)
            throw InputError(name + ": files: bad path '" + sf.path + "'");
        m.files.push_back(std::move(sf));
    }
    // The stored key must be the one the stored stamp hashes to (a hand-edited manifest is not trusted).
    std::string stored_key = get_field<std::string>(j, "key", name);
    if (stored_key != m.stamp.key())
        throw InputError(name + ": the stored key does not match its parameters and inputs (edited manifest?)");
    return m;
}

DatasetManifest read_manifest(const std::filesystem::path & dataset_dir) {
    const auto path = dataset_dir / kManifestFileName;
    if (!std::filesystem::is_regular_file(path))
        throw InputError(dataset_dir.string() + ": not a trmbench dataset directory (no " + kManifestFileName + ")");
    return manifest_from_json(read_file(path), path.string());
}

int current_builder_version(const std::string & builder) {
    if (builder == "sudoku") return kSudokuBuilderVersion;
    if (builder == "maze") return kMazeBuilderVersion;
    if (builder == "arc") return kArcBuilderVersion;
    return -1;
}

void check_manifest_version(const DatasetManifest & m, const std::filesystem::path & dir) {
    if (m.format_version != kDatasetFormatVersion)
        throw InputError("dataset cache from another version: " + dir.string() + " has format version " +
                         std::to_string(m.format_version) + ", this trmbench reads version " +
                         std::to_string(kDatasetFormatVersion) + "; rebuild it with `trmbench train data build`");
    const int current = current_builder_version(m.stamp.builder);
    if (current < 0) throw InputError(dir.string() + ": unknown dataset builder '" + m.stamp.builder + "'");
    if (m.stamp.builder_version != current)
        throw InputError("dataset cache from another version: " + dir.string() + " was built by the " + m.stamp.builder +
                         " builder version " + std::to_string(m.stamp.builder_version) + ", this trmbench has version " +
                         std::to_string(current) + "; rebuild it with `trmbench train data build`");
}

void check_manifest(const DatasetManifest & m, const DatasetStamp * expected, const std::filesystem::path & dir) {
    check_manifest_version(m, dir);
    if (!expected) return;
    if (m.stamp.builder != expected->builder)
        throw InputError("dataset cache with other parameters: " + dir.string() + " holds a " + m.stamp.builder +
                         " dataset, a " + expected->builder + " dataset was requested");
    if (m.stamp.key() == expected->key()) return;
    std::string diff = param_differences(m.stamp.params_json, expected->params_json);
    for (const auto & want : expected->inputs) {
        bool same = false;
        for (const auto & have : m.stamp.inputs)
            if (have.role == want.role && have.sha256 == want.sha256) same = true;
        if (!same) diff += "; input " + want.role + " (" + want.name + ") differs in content";
    }
    if (m.stamp.inputs.size() != expected->inputs.size()) diff += "; different number of inputs";
    if (m.stamp.builder_version != expected->builder_version) diff += "; builder version differs";
    throw InputError("dataset cache with other parameters: " + dir.string() + " (param hash " +
                     m.stamp.param_hash().substr(0, 12) + ", requested " + expected->param_hash().substr(0, 12) + ")" +
                     (diff.empty() ? std::string() : ": " + diff.substr(2)) +
                     "; rebuild it (`trmbench train data build ... --force`) or use another directory");
}

std::vector<std::string> verify_files(const DatasetManifest & m, const std::filesystem::path & dir) {
    std::vector<std::string> problems;
    for (const auto & f : m.files) {
        const auto path = dir / f.path;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) {
            problems.push_back(f.path + ": missing");
            continue;
        }
        const auto size = std::filesystem::file_size(path, ec);
        if (ec || size != f.bytes) {
            problems.push_back(f.path + ": " + std::to_string(size) + " bytes, manifest says " + std::to_string(f.bytes));
            continue;
        }
        if (sha256_file(path) != f.sha256) problems.push_back(f.path + ": SHA-256 differs from the manifest");
    }
    return problems;
}

}  // namespace trmbench
