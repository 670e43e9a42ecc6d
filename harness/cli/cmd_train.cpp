// `trmbench train`: training TRM/HRM with the papers' recipe, and its parity check.
//
//   train run (--preset NAME | --config FILE | --resume DIR) --data DATASET_OR_CACHE [--out DIR]
//             [--epochs E] [--steps N] [--global-batch B] [--lr X] [--puzzle-emb-lr X] [--seed S]
//             [--eval-every N] [--eval-batches N] [--checkpoint-every N] [--keep-last K] [--log-every N]
//             [--device cpu|cuda] [--dtype float32|bfloat16] [--world-size W] [--db FILE] [--print-config]
//   train verify-reference DIR [--device D] [--json]
//   train data build|info     (cmd_train_data.cpp, models/data)
//
// SIGINT finishes the current step, writes a checkpoint and exits with 130 and a resume hint (a
// second SIGINT quits at once). `--world-size W` on one machine starts W-1 more processes of this
// executable (ranks 1..W-1, Gloo over loopback); under torchrun-style launchers (RANK, WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT in the environment) every process is started by the launcher instead.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"
#include "models/train/dataset_source.h"
#include "models/train/train_api.h"
#include "models/train/train_checkpoint.h"

#include "results/store.h"

namespace fs = std::filesystem;

namespace trmbench {


namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_sigint(int) {
    if (g_stop.exchange(true)) {
        // Second Ctrl-C: no more waiting for the step to end.
        std::signal(SIGINT, SIG_DFL);
        std::raise(SIGINT);
    }
}

struct RunArgs {
    std::string preset, config, data, out, resume, device = "cpu", dtype, db;
    int64_t epochs = 0, steps = 0, global_batch = 0, eval_every = -1, eval_batches = -1, checkpoint_every = -1,
            keep_last = 0, log_every = 0;
    double lr = -1, puzzle_emb_lr = -1;
    int64_t seed = -1;
    int world_size = 0;
    bool print_config = false;
};

// The spec: from --preset/--config, or the checkpoint's when only --resume is given; then the
// command-line overrides.
TrainSpec resolve_spec(const RunArgs & a, bool & spec_given) {
    const int sources = !a.preset.empty() + !a.config.empty();
    if (sources > 1) throw UsageError("give --preset or --config, not both");
    TrainSpec spec;
    spec_given = sources == 1;
    if (!a.preset.empty()) spec = load_train_preset(a.preset);
    else if (!a.config.empty()) spec = load_train_spec(a.config);
    else if (!a.resume.empty()) {
        spec = read_checkpoint(resolve_checkpoint(a.resume)).meta.spec;
        spec_given = true;  // the checkpoint's spec with this command line's overrides
    } else throw UsageError("train run needs --preset NAME, --config FILE or --resume DIR");
    TrainConfig & t = spec.train;
    if (a.epochs > 0) t.epochs = a.epochs;
    if (a.epochs > 0 && t.eval_interval > 0 && t.epochs % t.eval_interval != 0) t.eval_interval = t.epochs;
    if (a.steps > 0) t.max_steps = a.steps;
    if (a.global_batch > 0) t.global_batch_size = a.global_batch;
    if (a.lr >= 0) t.lr = a.lr;
    if (a.puzzle_emb_lr >= 0) t.puzzle_emb_lr = a.puzzle_emb_lr;
    if (a.seed >= 0) t.seed = static_cast<uint64_t>(a.seed);
    if (a.eval_every >= 0) t.eval_every_steps = a.eval_every;
    if (a.eval_batches >= 0) t.eval_max_batches = a.eval_batches;
    if (a.checkpoint_every >= 0) t.checkpoint_every_steps = a.checkpoint_every;
    if (a.keep_last > 0) t.keep_last = a.keep_last;
    if (a.log_every > 0) t.log_every_steps = a.log_every;
    if (!a.dtype.empty()) spec.model.forward_dtype = parse_forward_dtype(a.dtype, "--dtype");
    validate(spec.train);
    return spec;
}

int free_local_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw IoError("no socket for the local rendezvous port");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        ::close(fd);
        throw IoError("cannot find a free local port for the rendezvous");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

// This process's own command line (/proc/self/cmdline), to start the other local ranks with it.
std::vector<std::string> own_command_line() {
    std::string raw = read_file("/proc/self/cmdline");
    std::vector<std::string> args;
    size_t start = 0;
    for (size_t i = 0; i < raw.size(); ++i)
        if (raw[i] == '\0') {
            args.push_back(raw.substr(start, i - start));
            start = i + 1;
        }
    if (args.empty()) throw IoError("cannot read this process's command line to start the other ranks");
    return args;
}

// Starts ranks 1..W-1 as copies of this process (same arguments) with the rendezvous environment;
// this process becomes rank 0.
std::vector<pid_t> spawn_local_ranks(int world, int port) {
    const std::vector<std::string> args = own_command_line();
    std::vector<pid_t> pids;
    auto set_env = [&](std::vector<std::string> & env, int rank) {
        for (const auto & [k, v] : std::vector<std::pair<std::string, std::string>>{
                 {"RANK", std::to_string(rank)}, {"LOCAL_RANK", std::to_string(rank)}, {"WORLD_SIZE", std::to_string(world)},
                 {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", std::to_string(port)}})
            env.push_back(k + "=" + v);
    };
    for (int rank = 1; rank < world; ++rank) {
        // Everything exec needs is prepared before fork: the child only calls execve.
        std::vector<std::string> env;
        for (char ** e = environ; *e; ++e) {
            std::string kv = *e;
            const std::string key = kv.substr(0, kv.find('='));
            if (key != "RANK" && key != "LOCAL_RANK" && key != "WORLD_SIZE" && key != "MASTER_ADDR" && key != "MASTER_PORT")
                env.push_back(kv);
        }
        set_env(env, rank);
        std::vector<char *> argv_c, envp_c;
        for (const auto & x : args) argv_c.push_back(const_cast<char *>(x.c_str()));
        argv_c.push_back(nullptr);
        for (const auto & x : env) envp_c.push_back(const_cast<char *>(x.c_str()));
        envp_c.push_back(nullptr);
        pid_t pid = ::fork();
        if (pid < 0) throw IoError("cannot start rank " + std::to_string(rank) + " (fork failed)");
        if (pid == 0) {
            ::execve("/proc/self/exe", argv_c.data(), envp_c.data());
            std::_Exit(kExitIo);
        }
        pids.push_back(pid);
    }
    ::setenv("RANK", "0", 1);
    ::setenv("LOCAL_RANK", "0", 1);
    ::setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
    return pids;
}

// Waits for the local ranks; the worst exit status.
int wait_ranks(const std::vector<pid_t> & pids) {
    int worst = 0;
    for (pid_t p : pids) {
        int status = 0;
        while (::waitpid(p, &status, 0) < 0 && errno == EINTR) {
        }
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : kExitFailure;
        if (code != 0 && (worst == 0 || code != kExitInterrupted)) worst = code;
    }
    return worst;
}

// Training curves into the results database: one run per training job (resumed jobs continue it).
class DbObserver : public TrainObserver {
public:
    DbObserver(const fs::path & db, const TrainSpec & spec, const std::string & dataset_name, const std::string & dataset_key)
        : store_(db) {
        RunInfo info;
        info.suite_name = "train " + spec.model.name;
        info.config_json = train_spec_to_json(spec);
        info.config_hash = sha256_hex("train\n" + info.config_json + "\n" + dataset_key);
        info.dataset_hashes[dataset_name] = dataset_key;
        info.seeds["train"] = spec.train.seed;
        if (auto found = store_.find_resumable_run(info.config_hash)) {
            run_ = found->id;
            store_.resume_run(run_);
        } else {
            run_ = store_.begin_run(info);
        }
    }
    void on_metrics(const std::string & series, int64_t step, double wall, const std::vector<std::pair<std::string, double>> & values) override {
        for (const auto & [name, value] : values) store_.record_train_metric({run_, series, step, wall, name, value});
    }
    void finish(std::string_view status) { store_.end_run(run_, status); }

private:
    ResultsStore store_;
    RunId run_ = 0;
};

void run_command(const RunArgs & a, const GlobalOptions & g) {
    bool spec_given = false;
    TrainSpec spec = resolve_spec(a, spec_given);
    if (a.print_config) {
        std::printf("%s", train_spec_to_json(spec).c_str());
        return;
    }
    if (a.data.empty()) throw UsageError("train run needs --data DATASET_OR_CACHE");
    const std::string out = !a.out.empty() ? a.out : !a.resume.empty() ? a.resume : "";
    if (out.empty()) throw UsageError("train run needs --out DIR (or --resume DIR to continue in that directory)");

    DistributedSettings dist = distributed_settings_from_env();
    std::vector<pid_t> children;
    if (a.world_size > 1 && std::getenv("WORLD_SIZE") == nullptr) {
        if (distributed_backends().empty())
            throw UsageError("--world-size " + std::to_string(a.world_size) +
                             ": this build of trmbench has no c10d backend (Gloo/NCCL); on Debian install libgloo-dev and rebuild");
        children = spawn_local_ranks(a.world_size, free_local_port());
        dist = distributed_settings_from_env();
    } else if (a.world_size > 0 && a.world_size != dist.world_size) {
        throw UsageError("--world-size " + std::to_string(a.world_size) + " differs from WORLD_SIZE=" + std::to_string(dist.world_size));
    }
    const bool rank0 = dist.rank == 0;

    DataOpenSettings ds;
    ds.data_dir = resolve_data_dir(g.data_dir);
    ds.threads = g.threads;
    ds.quiet = g.quiet || !rank0;
    TrainRunOptions o;
    o.spec = spec;
    o.spec_given = spec_given;
    o.data = open_batch_source(a.data, ds);
    o.out_dir = out;
    if (!a.resume.empty()) o.resume = fs::path(a.resume);
    o.device = a.device;
    o.threads = g.threads;
    o.quiet = g.quiet;
    o.dist = dist;
    o.stop = &g_stop;

    std::unique_ptr<DbObserver> db;
    if (!a.db.empty() && rank0) {
        db = std::make_unique<DbObserver>(a.db, spec, o.data->info().name, o.data->info().key);
        o.observer = db.get();
    }

    std::signal(SIGINT, on_sigint);
    TrainRunResult r;
    try {
        r = run_training(o);
    } catch (...) {
        if (db) db->finish(kRunFailed);
        if (!children.empty()) wait_ranks(children);
        throw;
    }
    std::signal(SIGINT, SIG_DFL);
    if (db) db->finish(r.interrupted ? kRunInterrupted : kRunCompleted);
    const int children_status = children.empty() ? 0 : wait_ranks(children);
    if (!rank0) {
        if (r.interrupted) throw Error("rank " + std::to_string(dist.rank) + " interrupted", kExitInterrupted);
        return;
    }
    for (const auto & n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
    std::printf("trained %lld of %lld steps (%lld in this run) in %s: %.1f samples/s\n", static_cast<long long>(r.steps),
                static_cast<long long>(r.total_steps), static_cast<long long>(r.steps_this_run),
                format_duration(r.train_seconds).c_str(), r.samples_per_second);
    if (!r.last_eval_json.empty()) {
        auto e = nlohmann::json::parse(r.last_eval_json);
        std::printf("last evaluation: exact_accuracy %.4f, accuracy %.4f, q_halt_accuracy %.4f, Q-halting exact %.4f at %.2f steps\n",
                    e.value("exact_accuracy", 0.0), e.value("accuracy", 0.0), e.value("q_halt_accuracy", 0.0),
                    e.value("halted_exact_accuracy", 0.0), e.value("halted_mean_steps", 0.0));
    }
    if (!r.last_checkpoint.empty()) std::printf("checkpoint: %s\n", r.last_checkpoint.string().c_str());
    std::fflush(stdout);
    if (r.interrupted)
        throw Error("interrupted at step " + std::to_string(r.steps) + "; the checkpoint " + r.last_checkpoint.string() +
                        " holds everything to continue: trmbench train run --resume " + out + " --data " + a.data,
                    kExitInterrupted);
    if (children_status != 0) throw Error("a data-parallel rank failed (exit " + std::to_string(children_status) + ")", children_status);
}

void add_run(CLI::App * train, const GlobalOptions & g) {
    auto a = std::make_shared<RunArgs>();
    auto * cmd = train->add_subcommand("run", "Train a TRM/HRM model with the paper recipe (or continue a run)");
    cmd->add_option("--preset", a->preset, "Model preset with its paper recipe (trmbench models info lists them)");
    cmd->add_option("--config", a->config, "Spec file: a model config with an optional \"train\" object");
    cmd->add_option("--data", a->data,
                    "Built dataset directory (trmbench train data build), reference-layout directory, sudoku/... or maze/... "
                    "dataset name, or arc1/arc2");
    cmd->add_option("--out", a->out, "Run directory: checkpoints, metrics.jsonl, CSV curves (default with --resume: that directory)");
    cmd->add_option("--resume", a->resume, "Continue from a run directory's latest checkpoint, or from a checkpoint directory");
    cmd->add_option("--epochs", a->epochs, "Epochs (recipe: 50000 TRM Sudoku/Maze)")->check(CLI::PositiveNumber);
    cmd->add_option("--steps", a->steps, "Optimizer steps (overrides the epoch-derived count; the schedule spans them)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--global-batch", a->global_batch, "Global batch size (recipe: 768)")->check(CLI::PositiveNumber);
    cmd->add_option("--lr", a->lr, "Learning rate of AdamATan2")->check(CLI::NonNegativeNumber);
    cmd->add_option("--puzzle-emb-lr", a->puzzle_emb_lr, "Learning rate of the puzzle-embedding SignSGD")->check(CLI::NonNegativeNumber);
    cmd->add_option("--seed", a->seed, "Seed of initialisation, sampling and exploration")->check(CLI::NonNegativeNumber);
    cmd->add_option("--eval-every", a->eval_every, "Evaluate every N steps (default: after each eval_interval of epochs)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--eval-batches", a->eval_batches, "Evaluate on at most N test batches (0: all)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--checkpoint-every", a->checkpoint_every, "Also checkpoint every N steps")->check(CLI::NonNegativeNumber);
    cmd->add_option("--keep-last", a->keep_last, "Checkpoints to keep (default 3)")->check(CLI::PositiveNumber);
    cmd->add_option("--log-every", a->log_every, "Steps per training-curve point (default 10)")->check(CLI::PositiveNumber);
    cmd->add_option("--device", a->device, "cpu, cuda or cuda:N");
    cmd->add_option("--dtype", a->dtype, "Forward dtype (default: the preset's, bfloat16 for the paper presets)")
        ->check(CLI::IsMember({"float32", "bfloat16"}));
    cmd->add_option("--world-size", a->world_size, "Data-parallel processes on this machine (Gloo on CPU, NCCL on CUDA)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--db", a->db, "Results database: the training curves go into its train_metrics table");
    cmd->add_flag("--print-config", a->print_config, "Print the resolved spec (model + recipe) as JSON and exit");
    cmd->callback([a, &g] { run_command(*a, g); });
}

void add_verify(CLI::App * train, const GlobalOptions & g) {
    struct Opts {
        std::string dir;
        TrainVerifyOptions verify;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    auto * cmd = train->add_subcommand(
        "verify-reference",
        "Replay a fixture's training calls (train.safetensors, train.json) and compare losses, metrics, gradients and "
        "the final weights with the reference; exit 1 outside tolerance");
    cmd->add_option("dir", o->dir, "Fixture directory, e.g. shared/fixtures/reference/trm_att_f32")->required();
    cmd->add_option("--device", o->verify.device, "cpu, cuda or cuda:N");
    cmd->add_flag("--json", o->json, "Machine-readable report");
    cmd->callback([o, &g] {
        o->verify.threads = g.threads;
        TrainVerifyReport r = verify_train_reference(o->dir, o->verify);
        std::printf("%s", o->json ? train_verify_report_json(r).c_str() : format_train_verify_report(r).c_str());
        std::fflush(stdout);
        if (!r.pass) throw Error("train verify-reference: " + o->dir + ": outside tolerance (see the report above)", kExitFailure);
    });
}

}  // namespace

void setup_train(CLI::App & app, const GlobalOptions & g) {
    auto * train = app.add_subcommand("train", "Train TRM/HRM models with the papers' recipe; training parity");
    train->require_subcommand(1);
    add_run(train, g);
    add_verify(train, g);
    add_train_data(train, g);
}

}  // namespace trmbench
