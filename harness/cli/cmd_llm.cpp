// `trmbench llm ask|estimate`: one request to a catalogue model through the full adapter path
// (limits, retries, parsing of the task's answer), and pre-flight cost estimates.
//
//   trmbench llm ask MODEL (--prompt FILE | --task T --example DATASET:ID) [--attempt K] [--catalog F]...
//       prints one JSON line (outcome, answer, usage, cost, latency, retries, request id); exit 0 when
//       the outcome is ok, 1 otherwise. A missing API key is a usage error (exit 2) and sends nothing.
//   trmbench llm estimate MODEL --task T --dataset DATASET [--attempts K] [--limit N] [--catalog F]...
//       prints the estimated tokens and dollars of running the dataset; sends nothing.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "adapters/ask.h"
#include "adapters/catalog.h"
#include "adapters/client.h"
#include "adapters/llm_solver.h"
#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

struct LlmOptions {
    std::string model;
    std::vector<std::string> catalogs;
    std::string prompt_file;
    std::string family;
    std::string example;  // DATASET:ID
    std::string dataset;
    int attempt = 0;
    int attempts = 1;
    size_t limit = 0;
};

// A dataset of `task` by name (as `trmbench data list` shows it), or a path to a file or directory.
fs::path find_dataset(const Task & task, const fs::path & data_dir, const std::string & name) {
    if (fs::exists(name)) return name;
    std::string known;
    if (fs::is_directory(data_dir)) {
        for (const auto & d : task.find_datasets(data_dir)) {
            if (d.name == name) return d.path;
            known += "\n  " + d.name;
        }
    }
    throw UsageError("no " + std::string(task.family()) + " dataset named '" + name + "' in " + data_dir.string() +
                     (known.empty() ? "" : "; known:" + known));
}

// DATASET:ID where ID is an example id or a 0-based index.
Example load_example(const Task & task, const fs::path & data_dir, const std::string & ref) {
    auto colon = ref.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == ref.size())
        throw UsageError("--example: expected DATASET:ID, got '" + ref + "'");
    std::string name = ref.substr(0, colon), id = ref.substr(colon + 1);
    std::vector<Example> examples = task.load(find_dataset(task, data_dir, name));
    for (auto & e : examples)
        if (e.id == id) return e;
    if (std::all_of(id.begin(), id.end(), ::isdigit)) {
        size_t i = std::stoul(id);
        if (i < examples.size()) return examples[i];
    }
    throw UsageError("no example '" + id + "' in " + name + " (" + std::to_string(examples.size()) + " examples)");
}

LlmClientOptions client_options(const GlobalOptions & g) {
    LlmClientOptions o;
    if (!g.quiet) o.log = [](const std::string & line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    return o;
}

void cmd_ask(const GlobalOptions & g, const LlmOptions & o) {
    if (o.prompt_file.empty() == o.example.empty())
        throw UsageError("llm ask: give either --prompt FILE or --task FAMILY --example DATASET:ID");
    if (!o.example.empty() && o.family.empty()) throw UsageError("llm ask: --example needs --task FAMILY");
    Catalog catalog = Catalog::load(o.catalogs);
    ModelEntry entry = catalog.resolve(o.model);
    // Constructing the client checks the API key first: nothing is loaded or sent without it.
    LlmClient client(entry, catalog.provider_limits(entry.provider), client_options(g));
    Prediction p;
    double last_ms = 0;
    if (!o.prompt_file.empty()) {
        std::string prompt;
        try {
            prompt = read_file(o.prompt_file);
        } catch (const IoError & e) {
            throw UsageError(std::string("--prompt: ") + e.what());
        }
        LlmResult r = ask_once(client, fs::path(o.prompt_file).filename().string(), o.attempt, prompt);
        last_ms = r.latency_ms;
        p = prediction_without_task(std::move(r));
    } else {
        const Task & task = task_by_family(o.family);
        Example ex = load_example(task, resolve_data_dir(g.data_dir), o.example);
        LlmResult r = ask_once(client, ex.id, o.attempt, task.render_prompt(ex));
        last_ms = r.latency_ms;
        p = prediction_from_result(task, ex, std::move(r));
    }
    std::printf("%s\n", prediction_json_line(entry, p, last_ms).c_str());
    std::fflush(stdout);
    if (p.outcome != Outcome::ok)
        throw Error("outcome " + std::string(outcome_name(p.outcome)) + (p.error.empty() ? "" : ": " + p.error),
                    kExitFailure);
}

void cmd_estimate(const GlobalOptions & g, const LlmOptions & o) {
    Catalog catalog = Catalog::load(o.catalogs);
    ModelEntry entry = catalog.resolve(o.model);
    const Task & task = task_by_family(o.family);
    std::vector<Example> examples = task.load(find_dataset(task, resolve_data_dir(g.data_dir), o.dataset));
    if (o.limit > 0 && examples.size() > o.limit) examples.resize(o.limit);
    std::vector<WorkItem> items;
    for (const auto & e : examples)
        for (int a = 0; a < o.attempts; ++a) items.push_back({&e, a});
    Preflight pf = preflight_for(entry, task, items);  // sends nothing, needs no key
    std::printf("model:    %s (%s %s), prices of %s\n", entry.name.c_str(), entry.provider.c_str(), entry.model.c_str(),
                entry.pricing.date.c_str());
    std::printf("dataset:  %s, %zu examples x %d attempts\n", o.dataset.c_str(), examples.size(), o.attempts);
    std::printf("estimate: %s\n", pf.to_text().c_str());
    if (!entry.pricing.note.empty()) std::printf("note:     %s\n", entry.pricing.note.c_str());
}

}  // namespace

// `llm batch ...` lives in cmd_llm_batch.cpp.
void setup_llm_batch(CLI::App & llm, const GlobalOptions & g);

void setup_llm(CLI::App & app, const GlobalOptions & g) {
    auto * llm = app.add_subcommand("llm", "Talk to one catalogue model directly (see `trmbench models list`)");
    llm->require_subcommand(1);
    auto o = std::make_shared<LlmOptions>();

    auto * ask = llm->add_subcommand("ask", "Send one prompt through the full adapter path; print one JSON line");
    ask->add_option("model", o->model, "Catalogue entry name")->required();
    ask->add_option("--prompt", o->prompt_file, "File whose text is the prompt");
    ask->add_option("--task", o->family, "Task family of --example (sudoku, maze, arc)");
    ask->add_option("--example", o->example, "DATASET:ID (example id or 0-based index)");
    ask->add_option("--attempt", o->attempt, "Attempt index (changes the seed and the cache key)")->check(CLI::NonNegativeNumber);
    ask->add_option("--catalog", o->catalogs, "Extra catalogue file (repeatable; adds or overrides entries)");
    ask->callback([&g, o] { cmd_ask(g, *o); });

    auto * est = llm->add_subcommand("estimate", "Pre-flight estimate of tokens and dollars for a dataset");
    est->add_option("model", o->model, "Catalogue entry name")->required();
    est->add_option("--task", o->family, "Task family")->required();
    est->add_option("--dataset", o->dataset, "Dataset name (see `trmbench data list`) or path")->required();
    est->add_option("--attempts", o->attempts, "Attempts per example")->check(CLI::PositiveNumber);
    est->add_option("--limit", o->limit, "Only the first N examples");
    est->add_option("--catalog", o->catalogs, "Extra catalogue file (repeatable)");
    est->callback([&g, o] { cmd_estimate(g, *o); });

    setup_llm_batch(*llm, g);
}

}  // namespace trmbench
