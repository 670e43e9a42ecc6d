// `trmbench train data build|info`: the TRM/HRM training datasets (models/data/).
//
//   train data build sudoku [--source DATASET] [--test-source DATASET] [--n 1000] [--aug 1000]
//                           [--min-difficulty R] [--max-blanks K] [--test-n N] [--seed S] [--out DIR] [--force]
//   train data build maze   [--source DATASET] [--test-source DATASET] [--n N] [--dihedral] ...
//   train data build arc1|arc2 [--aug 1000] [--seed S] [--out DIR] [--force]
//   train data build arc --subset NAME=DATASET ... --test-subset NAME [--aug 1000] ...
//   train data info DIR [--verify] [--json]
//
// DATASET is a dataset name of the family in the data directory (`trmbench data list`) or a path.
// Without --source, Sudoku and Maze use the family's train/test pair in the data directory (the
// Sudoku-Extreme / Maze-Hard layout: <family>/<dir>/train.csv + test.csv) when there is exactly one.
// Without --test-source the test split is the source's rows not drawn for training.
// The default output is <cache dir>/train-data/<label>-<key>, so equal options reuse one build.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "models/data/dataset_stamp.h"
#include "models/data/puzzle_split.h"
#include "models/data/train_data.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

struct BuildArgs {
    std::string kind;
    std::string source;
    std::string test_source;
    std::vector<std::string> subsets;  // NAME=DATASET
    std::string test_subset;
    int64_t n = -1;  // -1: the kind's default
    int aug = -1;    // -1: the kind's default
    int64_t min_difficulty = -1;
    bool has_min_difficulty = false;
    int64_t test_n = 0;
    uint64_t seed = 0;
    bool dihedral = false;
    int max_blanks = 0;  // sudoku: 0 = keep every blank
    std::string out;
    bool force = false;
};

struct InfoArgs {
    std::string dir;
    bool verify = false;
    bool json = false;
};

std::string format_bytes(uint64_t b) {
    char buf[32];
    if (b >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1ull << 30));
    else if (b >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1ull << 20));
    else std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024.0);
    return buf;
}

// A dataset given by name (in the data directory) or by path.
InputDataset resolve_source(const std::string & family, const std::string & name_or_path, const fs::path & data_dir) {
    std::error_code ec;
    if (fs::exists(name_or_path, ec)) return InputDataset{name_or_path, fs::path(name_or_path)};
    const Task & task = task_by_family(family);
    std::vector<DatasetInfo> known;
    if (fs::is_directory(data_dir, ec)) known = task.find_datasets(data_dir);
    for (const auto & d : known)
        if (d.name == name_or_path) return InputDataset{d.name, d.path};
    std::string list;
    for (const auto & d : known) list += "\n  " + d.name;
    throw UsageError("no " + family + " dataset or path '" + name_or_path + "' (data directory " + data_dir.string() + ")" +
                     (list.empty() ? std::string() : "; known:" + list));
}

// The family's single train/test pair in the data directory (Sudoku-Extreme / Maze-Hard layout).
std::pair<InputDataset, InputDataset> default_pair(const std::string & family, const fs::path & data_dir) {
    const Task & task = task_by_family(family);
    std::error_code ec;
    std::vector<DatasetInfo> known;
    if (fs::is_directory(data_dir, ec)) known = task.find_datasets(data_dir);
    std::vector<std::pair<InputDataset, InputDataset>> pairs;
    for (const auto & tr : known) {
        if (tr.split != "train") continue;
        for (const auto & te : known)
            if (te.split == "test" && fs::path(te.name).parent_path() == fs::path(tr.name).parent_path())
                pairs.push_back({InputDataset{tr.name, tr.path}, InputDataset{te.name, te.path}});
    }
    if (pairs.size() == 1) return pairs.front();
    std::string list;
    for (const auto & d : known) list += "\n  " + d.name;
    throw UsageError(std::string(pairs.empty() ? "no" : "more than one") + " " + family +
                     " train/test pair (<" + family + ">/<dir>/train.csv + test.csv) in the data directory " +
                     data_dir.string() + "; choose the training puzzles with --source DATASET (and optionally --test-source)" +
                     (list.empty() ? std::string() : "; " + family + " datasets:" + list));
}

TrainDataOptions options_from(const BuildArgs & a, const GlobalOptions & g) {
    const fs::path data_dir = resolve_data_dir(g.data_dir);
    if (a.kind == "sudoku" || a.kind == "maze") {
        if (!a.subsets.empty() || !a.test_subset.empty()) throw UsageError("--subset/--test-subset are for arc builds");
        InputDataset train;
        std::optional<InputDataset> test;
        if (a.source.empty()) {
            if (!a.test_source.empty()) throw UsageError("--test-source needs --source");
            auto [tr, te] = default_pair(a.kind, data_dir);
            train = tr;
            test = te;
        } else {
            train = resolve_source(a.kind, a.source, data_dir);
            if (!a.test_source.empty()) test = resolve_source(a.kind, a.test_source, data_dir);
        }
        if (a.kind == "sudoku") {
            if (a.dihedral) throw UsageError("--dihedral is for maze builds");
            SudokuDataOptions o;
            o.train = train;
            o.test = test;
            if (a.n >= 0) o.n = a.n;
            if (a.aug >= 0) o.num_aug = a.aug;
            if (a.has_min_difficulty) o.min_difficulty = a.min_difficulty;
            o.test_n = a.test_n;
            o.seed = a.seed;
            o.max_blanks = a.max_blanks;
            return o;
        }
        if (a.max_blanks > 0) throw UsageError("--max-blanks is for sudoku builds");
        if (a.aug >= 0) throw UsageError("maze builds take --dihedral (8 dihedral puzzles per group), not --aug");
        if (a.has_min_difficulty) throw UsageError("--min-difficulty is for sudoku builds");
        MazeDataOptions o;
        o.train = train;
        o.test = test;
        if (a.n >= 0) o.n = a.n;
        o.dihedral = a.dihedral;
        o.test_n = a.test_n;
        o.seed = a.seed;
        return o;
    }
    if (!a.source.empty() || !a.test_source.empty() || a.n >= 0 || a.has_min_difficulty || a.dihedral || a.test_n)
        throw UsageError("arc builds take --subset/--test-subset/--aug/--seed only");
    ArcDataOptions o;
    if (a.kind == "arc") {
        if (a.subsets.empty() || a.test_subset.empty())
            throw UsageError("`train data build arc` needs --subset NAME=DATASET (repeated) and --test-subset NAME");
        for (const auto & spec : a.subsets) {
            auto eq = spec.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
                throw UsageError("--subset expects NAME=DATASET, got '" + spec + "'");
            o.subsets.push_back({spec.substr(0, eq), resolve_source("arc", spec.substr(eq + 1), data_dir)});
        }
        o.test_subset = a.test_subset;
        o.label = "arc";
    } else {
        if (!a.subsets.empty() || !a.test_subset.empty())
            throw UsageError("the " + a.kind + " preset fixes its subsets; use `train data build arc` for others");
        o = arc_preset(a.kind, data_dir);
    }
    if (a.aug >= 0) o.num_aug = a.aug;
    o.seed = a.seed;
    return o;
}

void print_counts(const char * split, const SplitCounts & c) {
    std::printf("  %-5s  %s groups, %s puzzles, %s examples\n", split, format_thousands(c.groups).c_str(),
                format_thousands(c.puzzles).c_str(), format_thousands(c.examples).c_str());
}

void print_manifest(const DatasetManifest & m) {
    std::printf("  builder %s v%d, key %s, param hash %s\n", m.stamp.builder.c_str(), m.stamp.builder_version,
                m.stamp.key().substr(0, 16).c_str(), m.stamp.param_hash().substr(0, 16).c_str());
    std::printf("  params %s\n", m.stamp.params_json.c_str());
    for (const auto & in : m.stamp.inputs)
        std::printf("  input %s: %s (sha256 %s)\n", in.role.c_str(), in.name.c_str(), in.sha256.substr(0, 16).c_str());
    print_counts("train", m.train);
    print_counts("test", m.test);
    std::printf("  puzzle identifiers %s (incl. <blank>)\n", format_thousands(m.num_puzzle_identifiers).c_str());
    for (const auto & [k, v] : m.notes) std::printf("  %s: %s\n", k.c_str(), v.c_str());
    std::printf("  size %s in %zu files\n", format_bytes(m.total_bytes()).c_str(), m.files.size());
}

void run_build(const BuildArgs & a, const GlobalOptions & g) {
    TrainDataOptions options = options_from(a, g);
    BuildSettings s;
    s.threads = g.threads;
    s.quiet = g.quiet;
    s.force = a.force;
    BuildResult r = build_train_data(options, a.out.empty() ? fs::path() : fs::path(a.out), s);
    if (r.reused)
        std::printf("dataset already built (same key): %s\n", r.dir.string().c_str());
    else
        std::printf("built %s dataset in %s (%s)\n", r.manifest.stamp.label.c_str(), r.dir.string().c_str(),
                    format_duration(r.seconds).c_str());
    print_manifest(r.manifest);
}

void print_split(const fs::path & dir, const char * split) {
    std::error_code ec;
    const fs::path meta_path = dir / split / "dataset.json";
    if (!fs::is_regular_file(meta_path, ec)) {
        std::printf("  %s: (no %s)\n", split, meta_path.string().c_str());
        return;
    }
    auto meta = metadata_from_json(read_file(meta_path), meta_path.string());
    std::printf("  %s/dataset.json: seq_len %d, vocab_size %d, pad_id %d, ignore_label_id %s, blank_identifier_id %d,\n"
                "    num_puzzle_identifiers %s, total_groups %s, total_puzzles %s, mean_puzzle_examples %.4f\n",
                split, meta.seq_len, meta.vocab_size, meta.pad_id,
                meta.ignore_label_id ? std::to_string(*meta.ignore_label_id).c_str() : "null", meta.blank_identifier_id,
                format_thousands(meta.num_puzzle_identifiers).c_str(), format_thousands(meta.total_groups).c_str(),
                format_thousands(meta.total_puzzles).c_str(), meta.mean_puzzle_examples);
}

void run_info(const InfoArgs & a) {
    const fs::path dir(a.dir);
    if (!fs::is_directory(dir)) throw UsageError("no such directory: " + a.dir);
    DatasetManifest m = read_manifest(dir);
    if (a.json) {
        std::fputs(read_file(dir / kManifestFileName).c_str(), stdout);
    } else {
        std::printf("%s\n", dir.string().c_str());
        std::printf("  format version %d, created by %s\n", m.format_version, m.created_by.c_str());
        print_manifest(m);
        print_split(dir, "train");
        print_split(dir, "test");
    }
    check_manifest_version(m, dir);  // after printing, so that an old cache can still be looked at
    if (!a.verify) return;
    auto problems = verify_files(m, dir);
    if (!problems.empty()) throw InputError(dir.string() + ": verification failed:\n  " + join(problems, "\n  "));
    TrainData data = open_train_data(dir);  // full structural validation
    if (!a.json) std::printf("verified: %zu files match their SHA-256; both splits pass the structural checks\n", m.files.size());
}

}  // namespace

void add_train_data(CLI::App * train, const GlobalOptions & g) {
    auto * data = train->add_subcommand("data", "Build and inspect TRM/HRM training datasets (reference .npy layout)");
    data->require_subcommand(1);

    auto a = std::make_shared<BuildArgs>();
    auto * build = data->add_subcommand("build", "Build a training dataset into the cache (or --out DIR)");
    build->add_option("kind", a->kind, "sudoku | maze | arc1 | arc2 | arc")
        ->required()
        ->check(CLI::IsMember({"sudoku", "maze", "arc1", "arc2", "arc"}));
    build->add_option("--source", a->source, "Sudoku/Maze: training puzzles (dataset name or path)");
    build->add_option("--test-source", a->test_source, "Sudoku/Maze: test puzzles (default: rows of --source not drawn)");
    build->add_option("--n", a->n, "Sudoku/Maze: training puzzles, 0 = all (default: sudoku 1000, maze all)")
        ->check(CLI::NonNegativeNumber);
    build->add_option("--aug", a->aug, "Sudoku/ARC: augmented variants per puzzle besides the original (default 1000)")
        ->check(CLI::NonNegativeNumber);
    auto * min_difficulty =
        build->add_option("--min-difficulty", a->min_difficulty, "Sudoku: keep puzzles rated at least this (both splits)");
    build->add_option("--test-n", a->test_n, "Sudoku/Maze: test puzzles, seeded subsample, 0 = all")->check(CLI::NonNegativeNumber);
    build->add_option("--max-blanks", a->max_blanks,
                      "Sudoku: an easier band: at most this many blanks per puzzle (seeded reveal from the solution; 0 = all)")
        ->check(CLI::Range(0, 81));
    build->add_flag("--dihedral", a->dihedral, "Maze: 8 dihedral puzzles per group (the reference default is off)");
    build->add_option("--subset", a->subsets, "ARC (kind arc): NAME=DATASET, in order; repeat");
    build->add_option("--test-subset", a->test_subset, "ARC (kind arc): the subset whose test pairs form the test split");
    build->add_option("--seed", a->seed, "Seed (same seed, same bytes; default 0)");
    build->add_option("--out", a->out, "Output directory (default: <cache>/train-data/<label>-<key>)");
    build->add_flag("--force", a->force, "Replace a dataset with other parameters or version in --out");
    build->callback([a, min_difficulty, &g] {
        a->has_min_difficulty = min_difficulty->count() > 0;
        run_build(*a, g);
    });

    auto i = std::make_shared<InfoArgs>();
    auto * info = data->add_subcommand("info", "Print a built dataset's metadata and counts");
    info->add_option("dir", i->dir, "Dataset directory")->required();
    info->add_flag("--verify", i->verify, "Re-hash every file and validate both splits");
    info->add_flag("--json", i->json, "Print the manifest (trmbench_dataset.json)");
    info->callback([i] { run_info(*i); });
}

}  // namespace trmbench
