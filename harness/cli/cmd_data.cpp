// `trmbench data list|stats|show|generate`: look at and make datasets in a data directory.
//
// Dataset names are paths relative to the data directory without extension, as each task family
// reports them (e.g. "sudoku/rated/puzzles6_forum_hardest_1106", "arc-agi-1/evaluation").
// An example is addressed as DATASET:EXAMPLE, where EXAMPLE is an example id or a 0-based index.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "harness/cli/cmd_data_fetch.h"
#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

struct FoundDataset {
    const Task * task = nullptr;
    DatasetInfo info;
};

std::vector<FoundDataset> find_all(const fs::path & data_dir) {
    std::vector<FoundDataset> out;
    for (const Task * t : all_tasks())
        for (auto & d : t->find_datasets(data_dir)) out.push_back({t, std::move(d)});
    return out;
}

// A dataset by name, or a file/directory path with --task naming its family.
FoundDataset resolve_dataset(const fs::path & data_dir, const std::string & name, const std::string & family) {
    if (!family.empty() && fs::exists(name)) {
        const Task & t = task_by_family(family);
        return {&t, DatasetInfo{name, fs::path(name), ""}};
    }
    if (!fs::is_directory(data_dir))
        throw UsageError("data directory " + data_dir.string() + " does not exist (set --data-dir or TRMBENCH_DATA)");
    auto all = find_all(data_dir);
    for (auto & d : all)
        if (d.info.name == name && (family.empty() || d.task->family() == family)) return d;
    std::string known;
    for (auto & d : all) known += "\n  " + d.info.name;
    throw UsageError("no dataset named '" + name + "' in " + data_dir.string() +
                     (known.empty() ? " (it has no datasets)" : "; known:" + known));
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    double pos = p * static_cast<double>(v.size() - 1);
    size_t lo = static_cast<size_t>(std::floor(pos));
    size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

void cmd_list(const GlobalOptions & g) {
    fs::path dir = resolve_data_dir(g.data_dir);
    if (!fs::is_directory(dir))
        throw UsageError("data directory " + dir.string() + " does not exist (set --data-dir or TRMBENCH_DATA)");
    auto all = find_all(dir);
    std::printf("data directory: %s\n", dir.string().c_str());
    if (all.empty()) std::printf("(no datasets found)\n");
    for (auto & d : all)
        std::printf("  %-8s %-50s %s\n", std::string(d.task->family()).c_str(), d.info.name.c_str(), d.info.split.c_str());
}

void cmd_stats(const GlobalOptions & g, const std::string & name, const std::string & family) {
    auto d = resolve_dataset(resolve_data_dir(g.data_dir), name, family);
    auto examples = d.task->load(d.info.path);
    std::vector<double> diff;
    size_t groups = 0;
    std::string last_group;
    for (auto & e : examples) {
        if (e.difficulty >= 0) diff.push_back(e.difficulty);
        if (e.group != last_group) ++groups, last_group = e.group;
    }
    std::printf("dataset:   %s (%s)\n", d.info.name.c_str(), std::string(d.task->family()).c_str());
    std::printf("path:      %s\n", d.info.path.string().c_str());
    std::printf("examples:  %zu\n", examples.size());
    if (groups != examples.size()) std::printf("groups:    %zu\n", groups);
    if (!diff.empty()) {
        double sum = 0;
        for (double x : diff) sum += x;
        std::printf("difficulty (%s): n %zu mean %.2f min %.0f p10 %.0f p50 %.0f p90 %.0f p99 %.0f max %.0f\n",
                    d.task->family() == "maze" ? "shortest path, moves" : "rating",
                    diff.size(), sum / static_cast<double>(diff.size()), percentile(diff, 0), percentile(diff, 0.1),
                    percentile(diff, 0.5), percentile(diff, 0.9), percentile(diff, 0.99), percentile(diff, 1));
    }
    for (const auto & line : d.task->extra_stats(examples)) std::printf("%s\n", line.c_str());
    std::printf("sha256:    %s\n", sha256_tree(d.info.path).c_str());
}

void cmd_show(const GlobalOptions & g, const std::string & ref, const std::string & family) {
    std::string name = ref, which;
    if (auto pos = ref.rfind(':'); pos != std::string::npos) {
        name = ref.substr(0, pos);
        which = ref.substr(pos + 1);
    }
    auto d = resolve_dataset(resolve_data_dir(g.data_dir), name, family);
    auto examples = d.task->load(d.info.path);
    if (examples.empty()) throw InputError(d.info.path.string() + ": dataset is empty");
    const Example * ex = nullptr;
    if (which.empty()) {
        ex = &examples.front();
    } else {
        for (auto & e : examples)
            if (e.id == which) { ex = &e; break; }
        if (!ex && !which.empty() && std::all_of(which.begin(), which.end(), ::isdigit)) {
            size_t i = std::stoul(which);
            if (i < examples.size()) ex = &examples[i];
        }
    }
    if (!ex) throw UsageError("no example '" + which + "' in " + d.info.name + " (" + std::to_string(examples.size()) + " examples)");
    std::printf("%s:%s", d.info.name.c_str(), ex->id.c_str());
    if (ex->difficulty >= 0) std::printf("  difficulty %.0f", ex->difficulty);
    for (auto & [k, v] : ex->meta) std::printf("  %s=%s", k.c_str(), v.c_str());
    std::printf("\n");
    for (size_t i = 0; i < ex->demos.size(); ++i) {
        std::printf("\ndemo %zu input:\n%s\ndemo %zu output:\n%s\n", i, d.task->pretty(ex->demos[i].first).c_str(), i,
                    d.task->pretty(ex->demos[i].second).c_str());
    }
    std::printf("\ninput:\n%s\n", d.task->pretty(ex->input).c_str());
    if (!ex->target.empty()) std::printf("\nsolution:\n%s\n", d.task->pretty(ex->target).c_str());
}

}  // namespace

void setup_data(CLI::App & app, const GlobalOptions & g) {
    auto * data = app.add_subcommand("data", "List, inspect and generate datasets");
    data->require_subcommand(1);

    auto * list = data->add_subcommand("list", "List the datasets in the data directory");
    list->callback([&g] { cmd_list(g); });

    struct Opts {
        std::string name, family;
        std::string out;
        GenerateOptions gen;
    };
    auto o = std::make_shared<Opts>();

    auto * stats = data->add_subcommand("stats", "Counts, difficulty distribution and SHA-256 of a dataset");
    stats->add_option("dataset", o->name, "Dataset name (see `data list`), or a path with --task")->required();
    stats->add_option("--task", o->family, "Task family of a dataset given as a path");
    stats->callback([&g, o] { cmd_stats(g, o->name, o->family); });

    auto * show = data->add_subcommand("show", "Pretty-print one puzzle: DATASET[:EXAMPLE_ID_OR_INDEX]");
    show->add_option("id", o->name, "DATASET or DATASET:EXAMPLE")->required();
    show->add_option("--task", o->family, "Task family of a dataset given as a path");
    show->callback([&g, o] { cmd_show(g, o->name, o->family); });

    auto * gen = data->add_subcommand("generate", "Generate a dataset (sudoku, maze) in the Sudoku-Extreme CSV layout");
    gen->add_option("family", o->family, "sudoku | maze")->required();
    gen->add_option("--n", o->gen.n, "Number of puzzles")->check(CLI::PositiveNumber);
    gen->add_option("--seed", o->gen.seed, "Random seed (same seed, same file)");
    gen->add_option("--min-rating", o->gen.min_rating, "Sudoku: minimum rating (guesses)");
    gen->add_option("--max-rating", o->gen.max_rating, "Sudoku: maximum rating (guesses)");
    gen->add_option("--max-blanks", o->gen.max_blanks,
                    "Sudoku: an easier band: reveal answer digits (seeded) until at most this many blanks remain")
        ->check(CLI::Range(0, 81));
    gen->add_option("--size", o->gen.size, "Maze: side length")->check(CLI::Range(4, 30));
    gen->add_option("--min-path", o->gen.min_path, "Maze: shortest path must be longer than this many moves");
    gen->add_flag("--unique-path", o->gen.unique_path,
                  "Maze: keep only mazes with exactly one shortest path (the others' label is a tie-break)");
    gen->add_option("--out", o->out, "Output CSV file")->required();
    gen->callback([&g, o] {
        o->gen.threads = g.threads;
        o->gen.quiet = g.quiet;
        task_by_family(o->family).generate(o->gen, o->out);
    });

    add_data_fetch(data, g);
}

}  // namespace trmbench
