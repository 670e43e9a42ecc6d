// Presets, stamps, building into the cache and opening built datasets (see train_data.h).
#include "models/data/train_data.h"

#include <nlohmann/json.hpp>

#include <chrono>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/version.h"
#include "models/data/builders.h"
#include "models/data/split_writer.h"

namespace fs = std::filesystem;

namespace trmbench {

namespace {

bool is_empty_dir(const fs::path & p) {
    std::error_code ec;
    return fs::is_directory(p, ec) && fs::directory_iterator(p, ec) == fs::directory_iterator();
}

// Cheap check that every listed file is there with its recorded size (no hashing).
std::string first_missing_file(const DatasetManifest & m, const fs::path & dir) {
    for (const auto & f : m.files) {
        std::error_code ec;
        auto size = fs::file_size(dir / f.path, ec);
        if (ec) return f.path + " is missing";
        if (size != f.bytes) return f.path + " has " + std::to_string(size) + " bytes, the manifest says " + std::to_string(f.bytes);
    }
    return "";
}

std::string counts_text(const SplitCounts & c) {
    return std::to_string(c.groups) + " groups, " + std::to_string(c.puzzles) + " puzzles, " + std::to_string(c.examples) +
           " examples";
}

void check_split_counts(const PuzzleSplit & s, const SplitCounts & want, const fs::path & dir, const char * split) {
    SplitCounts have{s.num_examples(), s.num_puzzles(), s.num_groups()};
    if (have.examples != want.examples || have.puzzles != want.puzzles || have.groups != want.groups)
        throw InputError(dir.string() + ": " + split + " split holds " + counts_text(have) + ", the manifest says " +
                         counts_text(want));
}

}  // namespace

ArcDataOptions arc_preset(const std::string & preset, const fs::path & data_dir) {
    struct Part {
        const char * subset;
        const char * rel;
    };
    std::vector<Part> parts;
    std::string test;
    if (preset == "arc1") {
        parts = {{"training", "arc-agi-1/training"}, {"evaluation", "arc-agi-1/evaluation"}, {"concept", "conceptarc/corpus"}};
        test = "evaluation";
    } else if (preset == "arc2") {
        parts = {{"training2", "arc-agi-2/training"}, {"evaluation2", "arc-agi-2/evaluation"}, {"concept", "conceptarc/corpus"}};
        test = "evaluation2";
    } else {
        throw UsageError("unknown ARC preset '" + preset + "' (known: arc1, arc2)");
    }
    ArcDataOptions o;
    o.label = preset;
    o.test_subset = test;
    for (const auto & p : parts) {
        fs::path path = data_dir / p.rel;
        if (!fs::is_directory(path))
            throw UsageError("ARC preset " + preset + " needs " + path.string() +
                             " (data directory layout: README \"Data directory\"; set --data-dir or TRMBENCH_DATA)");
        o.subsets.push_back({p.subset, InputDataset{p.rel, path}});
    }
    return o;
}

DatasetStamp make_stamp(const TrainDataOptions & options) {
    return std::visit(
        [](const auto & o) -> DatasetStamp {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, SudokuDataOptions>) return sudoku_stamp(o);
            else if constexpr (std::is_same_v<T, MazeDataOptions>) return maze_stamp(o);
            else return arc_stamp(o);
        },
        options);
}

fs::path default_dataset_dir(const DatasetStamp & stamp, const fs::path & cache_dir) {
    return cache_dir / "train-data" / (stamp.label + "-" + stamp.key().substr(0, 12));
}

BuildResult build_train_data(const TrainDataOptions & options, const fs::path & out_dir, const BuildSettings & settings) {
    const auto start = std::chrono::steady_clock::now();
    BuildResult result;
    const DatasetStamp stamp = make_stamp(options);
    result.dir = out_dir.empty() ? default_dataset_dir(stamp, default_cache_dir()) : out_dir;

    bool replace = false;
    if (fs::exists(result.dir)) {
        if (fs::exists(result.dir / kManifestFileName)) {
            try {
                DatasetManifest m = read_manifest(result.dir);
                check_manifest(m, &stamp, result.dir);
                std::string problem = first_missing_file(m, result.dir);
                if (problem.empty()) {
                    result.manifest = std::move(m);
                    result.reused = true;
                    return result;
                }
                if (!settings.force)
                    throw InputError(result.dir.string() + ": incomplete dataset (" + problem + "); rebuild it with --force");
            } catch (const InputError &) {
                if (!settings.force) throw;
            }
            replace = true;
        } else if (is_empty_dir(result.dir)) {
            replace = true;
        } else {
            throw UsageError(result.dir.string() + " exists and is not a trmbench dataset; choose another --out");
        }
    }

    StagingDir staging(result.dir);
    BuiltContents contents = std::visit(
        [&](const auto & o) -> BuiltContents {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, SudokuDataOptions>) return build_sudoku(o, staging.path(), settings);
            else if constexpr (std::is_same_v<T, MazeDataOptions>) return build_maze(o, staging.path(), settings);
            else return build_arc(o, staging.path(), settings);
        },
        options);

    DatasetManifest& m = result.manifest;
    m.stamp = stamp;
    m.created_by = "trmbench " + harness_version() + " (git " + git_sha() + ")";
    m.train = contents.train;
    m.test = contents.test;
    m.num_puzzle_identifiers = contents.num_puzzle_identifiers;
    m.notes = std::move(contents.notes);
    m.files = std::move(contents.files);
    write_text_file(staging.path(), kManifestFileName, manifest_to_json(m));
    staging.commit(replace);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::vector<std::string> load_identifiers(const fs::path & file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_file(file));
    } catch (const nlohmann::json::exception & e) {
        throw InputError(file.string() + ": not valid JSON: " + e.what());
    }
    if (!j.is_array()) throw InputError(file.string() + ": expected a JSON list of names");
    std::vector<std::string> out;
    out.reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_string()) throw InputError(file.string() + ": entry " + std::to_string(i) + " is not a string");
        out.push_back(j[i].get<std::string>());
    }
    return out;
}

TrainData open_train_data(const fs::path & dir, const DatasetStamp * expected) {
    TrainData d{dir, read_manifest(dir), PuzzleSplit{}, std::nullopt, {}};
    check_manifest(d.manifest, expected, dir);
    if (auto problem = first_missing_file(d.manifest, dir); !problem.empty())
        throw InputError(dir.string() + ": incomplete dataset: " + problem);
    d.train = PuzzleSplit::open(dir / "train");
    check_split_counts(d.train, d.manifest.train, dir, "train");
    if (d.manifest.test.examples > 0) {
        d.test = PuzzleSplit::open(dir / "test");
        check_split_counts(*d.test, d.manifest.test, dir, "test");
        if (d.test->metadata().num_puzzle_identifiers != d.train.metadata().num_puzzle_identifiers)
            throw InputError(dir.string() + ": train and test disagree on num_puzzle_identifiers");
    }
    d.identifiers = load_identifiers(dir / "identifiers.json");
    const int64_t ids = d.train.metadata().num_puzzle_identifiers;
    if (static_cast<int64_t>(d.identifiers.size()) != ids || ids != d.manifest.num_puzzle_identifiers)
        throw InputError(dir.string() + ": identifiers.json has " + std::to_string(d.identifiers.size()) +
                         " names, dataset.json says num_puzzle_identifiers = " + std::to_string(ids));
    return d;
}

}  // namespace trmbench
