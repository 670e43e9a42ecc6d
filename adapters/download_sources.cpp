// The table of fetchable datasets and checkpoints (see download_sources.h). Commits, mappings and
// licenses follow shared/data/SOURCES.md; the pinned content hashes were computed from the files
// that SOURCES.md documents as byte-identical to the upstream blobs at those commits.
#include "adapters/download_sources.h"

#include <cstdio>

#include "harness/core/error.h"
#include "harness/core/paths.h"

namespace trmbench {
namespace {

std::vector<DataSource> make_sources() {
    std::vector<DataSource> v;
    auto hf = [&](std::string name, std::string category, std::string description, std::string repo, bool dataset,
                  std::vector<RemoteFile> files, std::string license, int64_t bytes, std::string dir) {
        DataSource s;
        s.name = std::move(name), s.category = std::move(category), s.description = std::move(description);
        s.kind = SourceKind::huggingface, s.repo = std::move(repo), s.revision = "main", s.hf_dataset = dataset;
        s.files = std::move(files), s.license = std::move(license), s.approx_bytes = bytes;
        s.local_dirs = {std::move(dir)};
        v.push_back(std::move(s));
    };
    auto gh = [&](std::string name, std::string description, std::string repo, std::string commit,
                  std::vector<ArchiveRule> rules, std::string license, int64_t bytes, std::string sha,
                  std::vector<std::string> dirs) {
        DataSource s;
        s.name = std::move(name), s.category = "dataset", s.description = std::move(description);
        s.kind = SourceKind::github_archive, s.repo = std::move(repo), s.revision = std::move(commit);
        s.rules = std::move(rules), s.license = std::move(license), s.approx_bytes = bytes;
        s.content_sha256 = std::move(sha), s.local_dirs = std::move(dirs);
        v.push_back(std::move(s));
    };

    gh("arc-agi-1", "ARC-AGI-1: 400 training + 400 evaluation tasks", "fchollet/ARC-AGI",
       "399030444e0ab0cc8b4e199870fb20b863846f34",
       {{"data/training/", "arc-agi-1/training/", ".json"},
        {"data/evaluation/", "arc-agi-1/evaluation/", ".json"},
        {"LICENSE", "arc-agi-1/LICENSE", ""}},
       "Apache-2.0", 3'793'358, "651f2c8f0984c07ebfe7fe6d4bdbb7226105da5736260a1c8192f41cdb9642ea",
       {"arc-agi-1/training", "arc-agi-1/evaluation"});
    gh("arc-agi-2", "ARC-AGI-2: 1,000 training + 120 evaluation tasks and the task-id lists", "arcprize/ARC-AGI-2",
       "f3283f727488ad98fe575ea6a5ac981e4a188e49",
       {{"data/training/", "arc-agi-2/training/", ".json"},
        {"data/evaluation/", "arc-agi-2/evaluation/", ".json"},
        {"data/training.txt", "arc-agi-2/training.txt", ""},
        {"data/evaluation.txt", "arc-agi-2/evaluation.txt", ""},
        {"LICENSE", "arc-agi-2/LICENSE", ""}},
       "Apache-2.0", 6'037'661, "7f6c065a239ca7a0157c850fa411ddaa0918b5e75626e560c1f97a2e60c6fbef",
       {"arc-agi-2/training", "arc-agi-2/evaluation"});
    gh("conceptarc", "ConceptARC: 16 concepts x 10 tasks (corpus/) and 16 minimal tasks", "victorvikram/ConceptARC",
       "b22ef526b4656679816b7811e78f55cc24d736d7",
       {{"corpus/", "conceptarc/corpus/", ".json", true},
        {"MinimalTasks/", "conceptarc/MinimalTasks/", ".json"},
        {"LICENSE", "conceptarc/LICENSE", ""}},
       "MIT (cite the repository and arXiv:2305.07141)", 456'539,
       "43633b689eb756bf1d2d6e63b349aaeac4be6fcd7d5566b63c9cda066b13bb2e",
       {"conceptarc/corpus", "conceptarc/MinimalTasks"});

    hf("sudoku-extreme", "dataset", "Sudoku-Extreme: train.csv (3.83M rows) and test.csv (423k rows)",
       "sapientinc/sudoku-extreme", true,
       {{"train.csv", "sudoku/sudoku-extreme/train.csv"}, {"test.csv", "sudoku/sudoku-extreme/test.csv"}},
       "not stated on the dataset card", 830'000'000, "sudoku/sudoku-extreme");
    hf("maze-30x30-hard-1k", "dataset", "Maze-Hard: 1,000 train + 1,000 test 30x30 mazes", "sapientinc/maze-30x30-hard-1k",
       true, {{"train.csv", "maze/maze-30x30-hard-1k/train.csv"}, {"test.csv", "maze/maze-30x30-hard-1k/test.csv"}},
       "not stated on the dataset card", 3'700'000, "maze/maze-30x30-hard-1k");

    hf("hrm-arc-2", "checkpoint", "official HRM checkpoint trained on ARC-AGI-2 (Sapient)", "sapientinc/HRM-checkpoint-ARC-2",
       false, {{"checkpoint", "checkpoints/hrm-arc-2/checkpoint"}, {"all_config.yaml", "checkpoints/hrm-arc-2/all_config.yaml"}},
       "see the model card (HRM code: Apache-2.0)", 2'500'000'000, "checkpoints/hrm-arc-2");
    hf("hrm-sudoku-extreme", "checkpoint", "official HRM checkpoint trained on Sudoku-Extreme 1k (Sapient)",
       "sapientinc/HRM-checkpoint-sudoku-extreme", false,
       {{"checkpoint", "checkpoints/hrm-sudoku-extreme/checkpoint"},
        {"all_config.yaml", "checkpoints/hrm-sudoku-extreme/all_config.yaml"}},
       "see the model card (HRM code: Apache-2.0)", 109'000'000, "checkpoints/hrm-sudoku-extreme");
    hf("hrm-maze-30x30-hard", "checkpoint", "official HRM checkpoint trained on Maze-Hard 30x30 (Sapient)",
       "sapientinc/HRM-checkpoint-maze-30x30-hard", false,
       {{"checkpoint", "checkpoints/hrm-maze-30x30-hard/checkpoint"},
        {"all_config.yaml", "checkpoints/hrm-maze-30x30-hard/all_config.yaml"}},
       "see the model card (HRM code: Apache-2.0)", 110'000'000, "checkpoints/hrm-maze-30x30-hard");
    return v;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether `path` falls under a rule whose prefix is `prefix` (member or local side).
bool rule_matches(const ArchiveRule & r, std::string_view prefix, std::string_view path) {
    if (prefix.empty() || prefix.back() != '/') return path == prefix;
    if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
    std::string_view rest = path.substr(prefix.size());
    if (!r.recursive && rest.find('/') != std::string_view::npos) return false;
    return ends_with(rest, r.suffix);
}

}  // namespace

const std::vector<DataSource> & data_sources() {
    static const std::vector<DataSource> sources = make_sources();
    return sources;
}

const DataSource * find_data_source(std::string_view name) {
    for (const auto & s : data_sources())
        if (s.name == name) return &s;
    return nullptr;
}

std::vector<const DataSource *> resolve_source_names(const std::vector<std::string> & names) {
    std::vector<const DataSource *> out;
    auto add = [&out](const DataSource * s) {
        for (auto * have : out)
            if (have == s) return;
        out.push_back(s);
    };
    for (const auto & name : names) {
        bool group = name == "all" || name == "datasets" || name == "checkpoints" || name == "arc";
        if (group) {
            for (const auto & s : data_sources()) {
                bool in = name == "all" || (name == "datasets" && s.category == "dataset") ||
                          (name == "checkpoints" && s.category == "checkpoint") ||
                          (name == "arc" && s.kind == SourceKind::github_archive);
                if (in) add(&s);
            }
        } else if (const DataSource * s = find_data_source(name)) {
            add(s);
        } else {
            std::string known;
            for (const auto & src : data_sources()) known += " " + src.name;
            throw UsageError("unknown fetch name '" + name + "'; known:" + known +
                             " (groups: arc datasets checkpoints all; see `trmbench data fetch --list`)");
        }
    }
    // Keep the table's order so that output and manifests do not depend on the command line.
    std::vector<const DataSource *> ordered;
    for (const auto & s : data_sources())
        for (auto * p : out)
            if (p == &s) ordered.push_back(p);
    return ordered;
}

std::string default_base_url(const DataSource & s) {
    if (s.kind == SourceKind::github_archive) return "https://github.com";
    if (auto endpoint = env("HF_ENDPOINT")) return *endpoint;
    return "https://huggingface.co";
}

static std::string strip_slash(std::string base) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

std::string archive_url(const DataSource & s, const std::string & base_url) {
    return strip_slash(base_url) + "/" + s.repo + "/archive/" + s.revision + ".tar.gz";
}

std::string file_url(const DataSource & s, const RemoteFile & f, const std::string & base_url, const std::string & revision) {
    return strip_slash(base_url) + (s.hf_dataset ? "/datasets/" : "/") + s.repo + "/resolve/" +
           (revision.empty() ? s.revision : revision) + "/" + f.remote;
}

std::optional<std::string> map_archive_member(const DataSource & s, const std::string & member) {
    for (const auto & r : s.rules) {
        if (!rule_matches(r, r.member_prefix, member)) continue;
        bool exact = r.member_prefix.back() != '/';
        return exact ? r.local_prefix : r.local_prefix + member.substr(r.member_prefix.size());
    }
    return std::nullopt;
}

bool is_source_file(const DataSource & s, const std::string & local) {
    for (const auto & r : s.rules)
        if (rule_matches(r, r.local_prefix, local)) return true;
    for (const auto & f : s.files)
        if (f.local == local) return true;
    return false;
}

std::string format_bytes(int64_t bytes) {
    static const char * units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1000 && u < 4) v /= 1000, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u > 0 && v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

}  // namespace trmbench
