// `trmbench models info`, `trmbench models verify-reference` and `trmbench models solve`: model
// presets and parameter counts, the parity check of the C++ TRM/HRM against the reference
// fixtures, and a quick run of a checkpoint on a dataset (accuracy per ACT step, speed, FLOPs).
//
// Kept apart from cmd_models.cpp (inspect/convert of checkpoint files) so that the two can grow
// independently; setup_models() registers both through the add_models_* functions.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/progress.h"
#include "harness/core/strings.h"
#include "models/api.h"
#include "models/local_solver.h"
#include "tasks/registry.h"

namespace trmbench {

namespace {

void print_preset_table() {
    std::printf("%-16s %-9s %12s  %s\n", "preset", "model", "parameters", "description");
    for (const auto & name : preset_names()) {
        ModelConfig c = load_preset(name);
        std::string notes = preset_notes(name);
        std::string first_line = notes.substr(0, notes.find('\n'));
        std::printf("%-16s %-9s %12s  %s\n", name.c_str(), (to_string(c.family) + "-" + variant_name(c)).c_str(),
                    format_thousands(count_params(c)).c_str(), first_line.c_str());
    }
    std::printf("\n`trmbench models info --preset NAME` shows one in full.\n");
}

// {"exact": {"correct": k, "of": n}, ...} for every measure of the scorer.
nlohmann::json measures_json(const std::vector<std::string> & names, const std::map<std::string, int64_t> & hits, size_t n) {
    nlohmann::json j = nlohmann::json::object();
    for (const std::string & m : names) {
        auto it = hits.find(m);
        j[m] = {{"correct", it == hits.end() ? 0 : it->second}, {"of", n}};
    }
    return j;
}

std::string info_json(const ModelConfig & c) {
    nlohmann::json j = nlohmann::json::parse(model_config_to_json(c));
    ParamCount p = count_params_detail(c);
    j["derived"] = {{"puzzle_emb_len", puzzle_prefix_len(c)}, {"total_seq_len", total_seq_len(c)},
                    {"head_dim", head_dim(c)},                {"channel_inter", channel_inter(c)},
                    {"token_inter", token_inter(c)},          {"num_blocks", num_blocks(c)}};
    j["num_params"] = p.trainable;
    j["param_counts"] = {{"embeddings", p.embeddings},     {"heads", p.heads},
                         {"per_block", p.per_block},       {"blocks", p.blocks},
                         {"puzzle_table", p.puzzle_table}, {"init_states", p.init_states},
                         {"state_dict", p.state_dict}};
    return j.dump(1);
}

}  // namespace

void add_models_info(CLI::App * models, const GlobalOptions & g) {
    struct Opts {
        std::string preset, config;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    auto * info = models->add_subcommand("info", "A preset's or config file's settings, derived sizes and parameter count "
                                                 "(no option: list the presets)");
    auto * preset = info->add_option("--preset", o->preset, "Preset name (trm-att-sudoku, hrm-arc, ...)");
    info->add_option("--config", o->config, "Model config JSON file (reference config dict, or a fixture config.json)")
        ->excludes(preset);
    info->add_flag("--json", o->json, "Machine-readable output");
    info->callback([o] {
        if (o->preset.empty() && o->config.empty()) {
            print_preset_table();
            return;
        }
        ModelConfig c = o->preset.empty() ? load_model_config(o->config) : load_preset(o->preset);
        if (o->json) {
            std::printf("%s\n", info_json(c).c_str());
            return;
        }
        std::printf("%s", describe_model_config(c).c_str());
        if (!o->preset.empty()) std::printf("\n%s", preset_notes(o->preset).c_str());
    });
    (void)g;
}

void add_models_verify_reference(CLI::App * models, const GlobalOptions & g) {
    struct Opts {
        std::string dir;
        VerifyOptions verify;
        bool json = false;
        bool no_teacher = false;
    };
    auto o = std::make_shared<Opts>();
    auto * cmd = models->add_subcommand(
        "verify-reference",
        "Run a reference parity fixture (config.json, checkpoint.safetensors or checkpoint.pt, case.safetensors) and compare every "
        "ACT step with the stored outputs; exit 1 outside tolerance");
    cmd->add_option("dir", o->dir, "Fixture directory, e.g. shared/fixtures/reference/trm_att_f32")->required();
    cmd->add_option("--dtype", o->verify.dtype, "Forward dtype: auto (the fixture's), float32 or bfloat16")
        ->check(CLI::IsMember({"auto", "float32", "bfloat16"}));
    cmd->add_option("--device", o->verify.device, "cpu, cuda or cuda:N");
    cmd->add_flag("--no-teacher-forced", o->no_teacher, "Skip the per-step teacher-forced check");
    cmd->add_flag("--json", o->json, "Machine-readable report");
    cmd->callback([o, &g] {
        o->verify.threads = g.threads;
        o->verify.teacher_forced = !o->no_teacher;
        VerifyReport r = verify_reference(o->dir, o->verify);
        std::printf("%s", o->json ? verify_report_json(r).c_str() : format_verify_report(r).c_str());
        std::fflush(stdout);
        if (!r.pass) throw Error("verify-reference: " + o->dir + ": outside tolerance (see the report above)", kExitFailure);
    });
}

// ---------------------------------------------------------------------------------------------
// models solve

namespace {

namespace fs = std::filesystem;

struct SolveOpts {
    LocalSolverConfig solver;
    std::string dataset, family;
    int64_t limit = 0;
    int attempts = 0;
    bool json = false;
};

// A dataset by name in the data directory, or a file/directory path (the family from --task or the model).
std::pair<const Task *, fs::path> find_dataset(const fs::path & data_dir, const std::string & name, const std::string & family) {
    std::error_code ec;
    if (fs::exists(name, ec)) return {&task_by_family(family), fs::path(name)};
    if (!fs::is_directory(data_dir, ec))
        throw UsageError("no file '" + name + "', and data directory " + data_dir.string() + " does not exist (set --data-dir)");
    std::string known;
    for (const DatasetInfo & d : task_by_family(family).find_datasets(data_dir)) {
        if (d.name == name) return {&task_by_family(family), d.path};
        known += "\n  " + d.name;
    }
    throw UsageError("no " + family + " dataset named '" + name + "' in " + data_dir.string() +
                     (known.empty() ? " (it has none)" : "; known:" + known));
}

class CollectSink : public PredictionSink {
public:
    explicit CollectSink(Progress & p) : progress_(p) {}
    void put(Prediction && p) override {
        progress_.add(p.attempt == 0 ? 1 : 0);
        predictions.push_back(std::move(p));
    }
    std::vector<Prediction> predictions;

private:
    Progress & progress_;
};

void run_models_solve(const SolveOpts & o, const GlobalOptions & g) {
    LocalSolverConfig cfg = o.solver;
    cfg.threads = g.threads;
    // With --json the start-up warnings stay out of the output; blas/blas_core in it tell the same.
    cfg.quiet = g.quiet || o.json;
    cfg.model.task_family = o.family;
    std::unique_ptr<Solver> solver = make_local_solver(cfg);
    const SolverInfo info = solver->info();
    const auto model_json = nlohmann::json::parse(info.config_json);
    const std::string family = model_json.value("task_family", o.family);
    auto [task, path] = find_dataset(resolve_data_dir(g.data_dir), o.dataset, family);
    if (!solver->supports(*task)) throw UsageError("the model cannot run " + std::string(task->family()) + " puzzles");
    std::vector<Example> examples = task->load(path);
    const size_t total = examples.size();
    if (o.limit > 0 && static_cast<size_t>(o.limit) < examples.size()) examples.resize(static_cast<size_t>(o.limit));
    if (examples.empty()) throw InputError(path.string() + ": dataset is empty");
    const int attempts = o.attempts > 0 ? o.attempts : (family == "arc" ? 2 : 1);

    std::vector<WorkItem> items;
    for (const Example & ex : examples)
        for (int a = 0; a < attempts; ++a) items.push_back({&ex, a});
    Progress progress("solve " + info.name, static_cast<int64_t>(examples.size()));
    progress.set_quiet(g.quiet || o.json);
    CollectSink sink(progress);
    const size_t chunk = std::max<size_t>(1, solver->preferred_batch_size()) * static_cast<size_t>(attempts);
    for (size_t pos = 0; pos < items.size(); pos += chunk)
        solver->solve(*task, std::span<const WorkItem>(items).subspan(pos, std::min(chunk, items.size() - pos)), sink);
    progress.finish();

    // Correct per example: any attempt (pass@attempts), per step and at the end.
    std::map<std::string, const Example *> by_id;
    for (const Example & ex : examples) by_id[ex.id] = &ex;
    const size_t steps = static_cast<size_t>(model_json["act_steps"].get<int64_t>());
    std::map<std::string, std::vector<bool>> step_ok;
    std::map<std::string, bool> top1_ok, any_ok;
    // Attempt 1 on every measure of the task's scorer (maze: exact, valid, optimal), in scorer order.
    const std::vector<std::string> measure_names = task->scorer().measure_names();
    std::map<std::string, int64_t> measure_hits;
    double flops = 0, wall_ms = 0;
    std::map<std::string, int> outcomes;
    for (const Prediction & p : sink.predictions) {
        const Example & ex = *by_id.at(p.example_id);
        const Scorer & scorer = task->scorer();
        auto & per_step = step_ok[p.example_id];
        per_step.resize(steps, false);
        for (size_t s = 0; s < p.steps.size() && s < steps; ++s)
            if (!p.steps[s].answer.empty() && scorer.score(ex, p.steps[s].answer).correct()) per_step[s] = true;
        const Score score = scorer.score(ex, p.answer);
        const bool ok = p.answer && score.correct();
        any_ok[p.example_id] = any_ok[p.example_id] || ok;
        if (p.attempt == 0) {
            top1_ok[p.example_id] = ok;
            for (const Measure & m : score.measures) measure_hits[m.name] += m.value ? 1 : 0;  // a missing answer scores false
        }
        flops += std::max(0.0, p.compute.flops);
        wall_ms += std::max(0.0, p.compute.wall_ms);
        ++outcomes[std::string(outcome_name(p.outcome))];
    }
    const double n = static_cast<double>(examples.size());
    std::vector<double> step_acc(steps, 0.0);
    for (const auto & [id, v] : step_ok)
        for (size_t s = 0; s < steps; ++s) step_acc[s] += v[s] ? 1.0 / n : 0.0;
    double top1 = 0, any = 0;
    for (const auto & [id, v] : top1_ok) top1 += v ? 1.0 / n : 0.0;
    for (const auto & [id, v] : any_ok) any += v ? 1.0 / n : 0.0;
    const double flops_per_step = model_json["flops_per_act_step"].get<double>();
    const double per_puzzle = flops / n;
    const double seconds = progress.elapsed_s();

    if (o.json) {
        nlohmann::json j = {{"solver", model_json},
                            {"name", info.name},
                            {"n_params", info.n_params},
                            {"device", info.device},
                            {"dtype", info.dtype},
                            {"checkpoint_sha256", info.checkpoint_sha256},
                            {"dataset", path.string()},
                            {"examples", examples.size()},
                            {"attempts", attempts},
                            {"accuracy_per_step", step_acc},
                            {"accuracy", top1},
                            {"measures", measures_json(measure_names, measure_hits, examples.size())},
                            {"pass_at_attempts", any},
                            {"outcomes", outcomes},
                            {"flops_per_puzzle", per_puzzle},
                            {"flops_per_act_step", flops_per_step},
                            {"wall_ms_per_puzzle", wall_ms / n},
                            {"seconds", seconds}};
        std::printf("%s\n", j.dump(1).c_str());
        return;
    }
    std::printf("model     %s: %s parameters, %s %s, checkpoint %s\n", info.name.c_str(), format_thousands(info.n_params).c_str(),
                info.device.c_str(), info.dtype.c_str(), info.model_id.c_str());
    if (!info.checkpoint_sha256.empty()) std::printf("sha256    %s\n", info.checkpoint_sha256.c_str());
    std::printf("dataset   %s: %zu of %zu puzzles, %d attempt(s) each\n", path.string().c_str(), examples.size(), total, attempts);
    std::printf("\n%5s %10s %16s\n", "step", "accuracy", "GFLOP/sequence");
    for (size_t s = 0; s < steps; ++s)
        std::printf("%5zu %9.2f%% %16.2f\n", s + 1, 100 * step_acc[s], flops_per_step * static_cast<double>(s + 1) / 1e9);
    std::printf("\nexact     %.2f%% (attempt 1)", 100 * top1);
    if (attempts > 1) std::printf(", pass@%d %.2f%%", attempts, 100 * any);
    if (measure_names.size() > 1) {
        std::printf("\nmeasures ");
        for (const std::string & m : measure_names)
            std::printf(" %s %lld/%zu", m.c_str(), static_cast<long long>(measure_hits[m]), examples.size());
        std::printf(" (attempt 1)");
    }
    std::printf("\noutcomes ");
    for (const auto & [name, count] : outcomes) std::printf(" %s %d", name.c_str(), count);
    std::printf("\ncompute   %s FLOPs per puzzle, %.1f ms wall per puzzle, %.2f puzzles/s, %.1f GFLOP/s\n", format_sci(per_puzzle).c_str(),
                wall_ms / n, n / std::max(seconds, 1e-9), flops / std::max(wall_ms / 1e3, 1e-9) / 1e9);
}

}  // namespace

void add_models_solve(CLI::App * models, const GlobalOptions & g) {
    auto o = std::make_shared<SolveOpts>();
    auto * cmd = models->add_subcommand("solve", "Run a local TRM/HRM checkpoint on a dataset: accuracy per ACT step, speed and FLOPs");
    auto * preset = cmd->add_option("--preset", o->solver.model.preset, "Model preset (see `models info`)");
    cmd->add_option("--config", o->solver.model.config, "Model config: JSON (models info layout) or the run's all_config.yaml")
        ->excludes(preset);
    cmd->add_option("--checkpoint", o->solver.model.checkpoint,
                    "Weights: .pt / official file / .safetensors, a trainer checkpoint or run directory");
    cmd->add_option("dataset", o->dataset, "Dataset name (see `data list`) or a file/directory path")->required();
    cmd->add_option("--task", o->family, "Task family (sudoku, maze, arc); default: the model's");
    cmd->add_option("--limit", o->limit, "Only the first N puzzles (0: all)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--attempts", o->attempts, "Attempts per puzzle (ARC: the top-k voted grids; default 2 for ARC, else 1)")
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--device", o->solver.device, "auto, cpu, cuda or cuda:N");
    cmd->add_option("--dtype", o->solver.dtype, "auto (the config's forward dtype), float32 or bfloat16");
    cmd->add_option("--batch-size", o->solver.batch_size, "Sequences per forward (0: 64 on CPU, 256 on CUDA)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--puzzle-id", o->solver.puzzle_id, "Sudoku/Maze: the puzzle-embedding row (reference builds: 0)");
    cmd->add_option("--arc-variants", o->solver.arc_variants,
                    "ARC: augmented variants per test input (-1: all in identifiers.json, else 1000)");
    cmd->add_option("--identifiers", o->solver.identifiers, "ARC: the training build's identifiers.json");
    cmd->add_option("--arc-seed", o->solver.arc_seed, "ARC: seed of generated variants (no identifiers file)");
    cmd->add_flag("--random-weights", o->solver.allow_random_weights, "Run without a checkpoint (random init; for timing)");
    cmd->add_option("--seed", o->solver.init_seed, "Seed of the random init (--random-weights)");
    cmd->add_flag("--json", o->json, "Machine-readable output");
    cmd->callback([o, &g] { run_models_solve(*o, g); });
}

}  // namespace trmbench
