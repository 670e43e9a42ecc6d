// `trmbench llm batch submit|collect|status`: a dataset through a provider's batch API (OpenAI Batch,
// Anthropic Message Batches; about half the price, results within 24 h).
//
//   trmbench llm batch submit MODEL --task T --dataset D --db FILE [--attempts K] [--limit N] ...
//       renders the prompts, submits every request not already in an open batch, saves the batch
//       ids in FILE (a results database) and exits without waiting.
//   trmbench llm batch collect MODEL --task T --dataset D --db FILE [...]
//       the same items: resumes the open batches in FILE (submits what no batch holds yet), polls
//       until they end, records each attempt (scored) in a run of FILE and prints one JSON line per
//       item (as `llm ask` does). Interrupted, it can be run again: attempts already recorded are
//       not sent again, and nothing is submitted twice while its batch is open.
//   trmbench llm batch status MODEL --db FILE
//       lists the open batches of MODEL saved in FILE (no network).
// Exit status: 0 when every item came back ok (submit: or was submitted), 1 otherwise (2 for usage
// errors, as everywhere).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <span>

#include "adapters/ask.h"
#include "adapters/batch_solver.h"
#include "adapters/catalog.h"
#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "results/reader.h"
#include "results/records.h"
#include "results/store.h"
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

// Records each prediction as an attempt of the run (scored) and prints it as a JSON line as soon as
// it arrives; counts the ones that are not ok.
class RecordingSink final : public PredictionSink {
public:
    RecordingSink(ResultsStore & store, RunId run, const ModelEntry & entry, const Task & task, std::string dataset,
                  const std::map<std::string, const Example *> & examples)
        : store_(store), run_(run), entry_(entry), task_(task), dataset_(std::move(dataset)), examples_(examples) {}

    void put(Prediction && p) override {
        ++count;
        if (p.outcome == Outcome::skipped) ++skipped;
        else if (p.outcome != Outcome::ok) ++failed;
        std::printf("%s\n", prediction_json_line(entry_, p, 0).c_str());
        std::fflush(stdout);
        auto it = examples_.find(p.example_id);
        if (it == examples_.end()) return;  // cannot happen: the solver reports the items it was given
        const Example & ex = *it->second;
        // Skipped items (submit-only, stop, spend cap) stay pending in the run: a later collect does them.
        if (p.outcome == Outcome::skipped) return;
        store_.record_attempt(make_attempt_record(run_, entry_.name, dataset_, ex, p, task_.scorer().score(ex, p.answer)));
    }
    size_t count = 0, skipped = 0, failed = 0;

private:
    ResultsStore & store_;
    RunId run_;
    const ModelEntry & entry_;
    const Task & task_;
    std::string dataset_;
    const std::map<std::string, const Example *> & examples_;
};

// The run of these options in the database: resumed when an unfinished one exists, else a new one.
RunId open_run(ResultsStore & store, const ModelEntry & entry, const Task & task, const BatchCliOptions & o,
               std::span<const Example> examples) {
    nlohmann::json cfg = {{"mode", "llm batch"},
                          {"model", nlohmann::json::parse(entry.to_json(), nullptr, false)},
                          {"task", o.family},
                          {"dataset", o.dataset},
                          {"attempts", o.attempts},
                          {"limit", o.limit}};
    std::string config = cfg.dump();  // keys sorted: the same options give the same hash
    std::string hash = sha256_hex(config);
    // The latest run of these options, finished or not: a finished one has nothing pending, so a
    // repeated collect pays for nothing (use another --db to measure again).
    RunId run = 0;
    for (const auto & r : ResultsReader(store.path()).runs())
        if (r.config_hash == hash && r.shard_count == 1) run = std::max(run, r.id);
    if (run != 0) {
        store.resume_run(run);
    } else {
        RunInfo info;
        info.suite_name = "llm batch " + entry.name;
        info.config_json = config;
        info.config_hash = hash;
        info.price_table_date = entry.pricing.date;
        info.prompt_template_hashes[task.prompt_template().name] = task.prompt_template().hash();
        run = store.begin_run(info);
    }
    std::vector<ItemRecord> items;
    for (size_t i = 0; i < examples.size(); ++i) items.push_back(item_from_example(examples[i], o.dataset, static_cast<int64_t>(i)));
    store.insert_items(run, items);
    return run;
}

void run_batch(const GlobalOptions & g, const BatchCliOptions & o, bool submit_only) {
    Catalog catalog = Catalog::load(o.catalogs);
    ModelEntry entry = catalog.resolve(o.model);
    const Task & task = task_by_family(o.family);
    ResultsStore store(o.db);
    BatchSolverOptions bo;
    bo.store = &store.batch_jobs();
    bo.submit_only = submit_only;
    bo.poll_interval_s = o.poll_s;
    bo.max_poll_interval_s = std::max(o.poll_s, 600.0);
    bo.max_wait_s = o.max_wait_s;
    bo.show_progress = !g.quiet;
    if (o.spend_cap >= 0) bo.budget = std::make_shared<SpendBudget>(o.spend_cap);
    if (!g.quiet) bo.log = [](const std::string & line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    BatchSolver probe(entry, bo);  // checks the batch API and the key before loading anything

    std::vector<Example> examples = task.load(dataset_path(task, resolve_data_dir(g.data_dir), o.dataset));
    if (o.limit > 0 && examples.size() > o.limit) examples.resize(o.limit);
    RunId run = open_run(store, entry, task, o, examples);
    std::unique_ptr<ApiCallSink> calls = store.api_call_sink(run);
    bo.calls = calls.get();
    BatchSolver solver(entry, bo);
    store.register_solver(run, solver.info());

    // Only attempts the run has not recorded yet: a finished item is never paid for twice.
    std::map<std::string, const Example *> by_id;
    for (const auto & e : examples) by_id[e.id] = &e;
    std::vector<WorkItem> items;
    for (const auto & key : store.pending_attempts(run, entry.name, o.attempts, ResumePolicy{}, o.dataset))
        if (auto it = by_id.find(key.example_id); it != by_id.end()) items.push_back({it->second, key.attempt});
    if (!g.quiet)
        std::fprintf(stderr, "run %lld in %s: %zu attempts pending\n", static_cast<long long>(run), o.db.c_str(), items.size());
    RecordingSink sink(store, run, entry, task, o.dataset, by_id);
    solver.solve(task, items, sink);
    bool all_recorded = store.pending_attempts(run, entry.name, o.attempts, ResumePolicy{}, o.dataset).empty();
    store.end_run(run, all_recorded ? kRunCompleted : kRunInterrupted);
    // submit: skipped is the expected outcome (submitted, not waited for); collect: everything must end.
    size_t not_done = sink.failed + (submit_only ? 0 : sink.skipped);
    if (not_done > 0)
        throw Error(std::to_string(sink.failed) + " of " + std::to_string(sink.count) + " items failed, " +
                        std::to_string(sink.skipped) + " not finished (run `trmbench llm batch collect` again)",
                    kExitFailure);
}

void show_status(const BatchCliOptions & o) {
    if (!fs::exists(o.db)) throw UsageError("--db: no such file: " + o.db);
    Catalog catalog = Catalog::load(o.catalogs);
    ModelEntry entry = catalog.resolve(o.model);
    ResultsStore store(o.db);
    std::string text = describe_open_batches(store.batch_jobs(), entry.name);
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
