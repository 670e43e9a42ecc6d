// `trmbench llm batch submit|collect|status`: a dataset through a provider's batch API (OpenAI Batch,
// Anthropic Message Batches; about half the price, results within 24 h).
//
//   trmbench llm batch submit MODEL --task T --dataset D --db FILE [--attempts K] [--limit N] ...
//       renders the prompts, submits every request not already in an open batch, saves the batch
//       ids in FILE (a results database) and exits without waiting.
//   trmbench llm batch collect MODEL --task T --dataset D --db FILE [...]
//       the same items: resumes the open batches in FILE (submits what no batch holds yet), polls
//       until they end, and prints one JSON line per item (as `llm ask` does). Interrupted, it can
//       be run again: nothing is submitted twice while its batch is open.
//   trmbench llm batch status MODEL --db FILE
//       lists the open batches of MODEL saved in FILE (no network).
// Exit status: 0 when every item came back ok, 1 otherwise (2 for usage errors, as everywhere).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "adapters/ask.h"
#include "adapters/batch_solver.h"
#include "adapters/catalog.h"
#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "results/cache.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

struct BatchCliOptions {
    std::string model;
    std::vector<std::string> catalogs;
    std::string family;
    std::string dataset;
    std::string db;
    int attempts = 1;
    size_t limit = 0;
    double poll_s = 60;
    double max_wait_s = 26 * 3600;
    double spend_cap = -1;
};

// A dataset of `task` by name (as `trmbench data list` shows it), or a path to a file or directory.
fs::path dataset_path(const Task & task, const fs::path & data_dir, const std::string & name) {
    if (fs::exists(name)) return name;
    if (fs::is_directory(data_dir))
        for (const auto & d : task.find_datasets(data_dir))
            if (d.name == name) return d.path;
    throw UsageError("--dataset: no " + std::string(task.family()) + " dataset named '" + name + "' in " +
                     data_dir.string() + " (see `trmbench data list`)");
}

// Prints each prediction as a JSON line as soon as it arrives; counts the ones that are not ok.
class JsonLineSink final : public PredictionSink {
public:
    explicit JsonLineSink(const ModelEntry & entry) : entry_(entry) {}
    void put(Prediction && p) override {
        if (p.outcome != Outcome::ok) ++not_ok;
        ++count;
        std::printf("%s\n", prediction_json_line(entry_, p, 0).c_str());
        std::fflush(stdout);
    }
    size_t count = 0, not_ok = 0;

private:
    const ModelEntry & entry_;
};

void run_batch(const GlobalOptions & g, const BatchCliOptions & o, bool submit_only) {
    Catalog catalog = Catalog::load(o.catalogs);
    ModelEntry entry = catalog.resolve(o.model);
    const Task & task = task_by_family(o.family);
    SqliteBatchJobStore store(o.db);
    BatchSolverOptions bo;
    bo.store = &store;
    bo.submit_only = submit_only;
    bo.poll_interval_s = o.poll_s;
    bo.max_poll_interval_s = std::max(o.poll_s, 600.0);
    bo.max_wait_s = o.max_wait_s;
    bo.show_progress = !g.quiet;
    if (o.spend_cap >= 0) bo.budget = std::make_shared<SpendBudget>(o.spend_cap);
    if (!g.quiet) bo.log = [](const std::string & line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    BatchSolver solver(entry, bo);  // checks the batch API and the key before loading anything

    std::vector<Example> examples = task.load(dataset_path(task, resolve_data_dir(g.data_dir), o.dataset));
    if (o.limit > 0 && examples.size() > o.limit) examples.resize(o.limit);
    std::vector<WorkItem> items;
    for (const auto & e : examples)
        for (int a = 0; a < o.attempts; ++a) items.push_back({&e, a});
    JsonLineSink sink(entry);
    solver.solve(task, items, sink);
    if (sink.not_ok > 0)
        throw Error(std::to_string(sink.not_ok) + " of " + std::to_string(sink.count) + " items not ok" +
                        (submit_only ? " (submitted: run `trmbench llm batch collect` with the same options)" : ""),
                    kExitFailure);
}

void show_status(const BatchCliOptions & o) {
    if (!fs::exists(o.db)) throw UsageError("--db: no such file: " + o.db);
    Catalog catalog = Catalog::load(o.catalogs);
    ModelEntry entry = catalog.resolve(o.model);
    SqliteBatchJobStore store(o.db);
    std::string text = describe_open_batches(store, entry.name);
    std::printf("%s", text.empty() ? ("no open batches of " + entry.name + "\n").c_str() : text.c_str());
}

void add_item_options(CLI::App * cmd, BatchCliOptions & o) {
    cmd->add_option("model", o.model, "Catalogue entry name (OpenAI or Anthropic)")->required();
    cmd->add_option("--task", o.family, "Task family (sudoku, maze, arc)")->required();
    cmd->add_option("--dataset", o.dataset, "Dataset name (see `trmbench data list`) or path")->required();
    cmd->add_option("--db", o.db, "Results database that keeps the batch ids (created if missing)")->required();
    cmd->add_option("--attempts", o.attempts, "Attempts per example")->check(CLI::PositiveNumber);
    cmd->add_option("--limit", o.limit, "Only the first N examples");
    cmd->add_option("--spend-cap", o.spend_cap, "Submit only what fits this many USD (worst case, batch price)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--catalog", o.catalogs, "Extra catalogue file (repeatable)");
}

}  // namespace

void setup_llm_batch(CLI::App & llm, const GlobalOptions & g) {
    auto * batch = llm.add_subcommand("batch", "Run a dataset through the provider's batch API (about half price)");
    batch->require_subcommand(1);
    auto o = std::make_shared<BatchCliOptions>();

    auto * submit = batch->add_subcommand("submit", "Submit the dataset's requests, save the batch ids, do not wait");
    add_item_options(submit, *o);
    submit->callback([&g, o] { run_batch(g, *o, true); });

    auto * collect = batch->add_subcommand("collect", "Resume (or submit) the batches, wait, print one JSON line per item");
    add_item_options(collect, *o);
    collect->add_option("--poll", o->poll_s, "Seconds before the first poll (then backing off to 10 min)")
        ->check(CLI::PositiveNumber);
    collect->add_option("--max-wait", o->max_wait_s, "Stop waiting after this many seconds (batches stay open)")
        ->check(CLI::PositiveNumber);
    collect->callback([&g, o] { run_batch(g, *o, false); });

    auto * status = batch->add_subcommand("status", "List the open batches of a model saved in a results database");
    status->add_option("model", o->model, "Catalogue entry name")->required();
    status->add_option("--db", o->db, "Results database")->required();
    status->add_option("--catalog", o->catalogs, "Extra catalogue file (repeatable)");
    status->callback([o] { show_status(*o); });
}

}  // namespace trmbench
