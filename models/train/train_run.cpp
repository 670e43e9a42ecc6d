// The training job: the reference's pretrain.py launch loop (iterations of eval_interval epochs,
// evaluation after each, checkpoints), with resume, step-based evaluation/checkpoint cadence,
// training curves, a progress line and a clean stop on request (see train_api.h).
//
// Output directory (rank 0 writes it):
//   run.json                 the spec as run (model adapted to the data, recipe), dataset, world size
//   metrics.jsonl            every curve point: {"series": "train"|"eval", "step", "wall_time_s", ...}
//   train_metrics.csv        the train points as CSV (step, wall_time_s, then the values)
//   eval_metrics.csv         the eval points as CSV
//   checkpoints/step_N/      see train_checkpoint.h; checkpoints/latest
// A resumed run drops curve points after the checkpoint's step, so curves never hold two values
// for one step.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/progress.h"
#include "harness/core/strings.h"
#include "harness/core/version.h"
#include "models/device.h"
#include "models/state_dict.h"
#include "models/cpu_gemm.h"
#include "models/threads.h"
#include "models/train/train_api.h"
#include "models/train/train_checkpoint.h"
#include "models/train/trainer.h"

namespace fs = std::filesystem;

namespace trmbench {

using json = nlohmann::json;
using Values = std::vector<std::pair<std::string, double>>;

namespace {

// Keeps the lines of `path` for which `keep` is true (atomic rewrite; a missing file is fine).
template <class Keep>
void filter_lines(const fs::path & path, Keep keep) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return;
    std::ifstream in(path);
    std::string line, out;
    bool first = true;
    while (std::getline(in, line)) {
        if (keep(line, first)) out += line + "\n";
        first = false;
    }
    write_file_atomic(path, out);
}

// Curve files under OUT (rank 0 only).
class MetricsLog {
public:
    MetricsLog(const fs::path & out_dir, int64_t resume_step) : dir_(out_dir) {
        if (resume_step < 0) {
            for (const char * f : {"metrics.jsonl", "train_metrics.csv", "eval_metrics.csv"}) {
                std::error_code ec;
                fs::remove(dir_ / f, ec);
            }
            return;
        }
        filter_lines(dir_ / "metrics.jsonl", [&](const std::string & line, bool) {
            try {
                return json::parse(line).value("step", int64_t{0}) <= resume_step;
            } catch (const json::exception &) {
                return false;  // a line cut off by a crash
            }
        });
        for (const char * f : {"train_metrics.csv", "eval_metrics.csv"})
            filter_lines(dir_ / f, [&](const std::string & line, bool header) {
                if (header) return true;
                char * end = nullptr;
                long long step = std::strtoll(line.c_str(), &end, 10);
                return end != line.c_str() && step <= resume_step;
            });
    }

    void write(const std::string & series, int64_t step, double wall, const Values & values) {
        json j = {{"series", series}, {"step", step}, {"wall_time_s", wall}};
        for (const auto & [k, v] : values) j[k] = std::isfinite(v) ? json(v) : json(nullptr);
        append(dir_ / "metrics.jsonl", j.dump() + "\n");
        const fs::path csv = dir_ / (series + "_metrics.csv");
        std::error_code ec;
        if (!fs::exists(csv, ec) || fs::file_size(csv, ec) == 0) {
            std::string header = "step,wall_time_s";
            for (const auto & [k, v] : values) header += "," + k;
            append(csv, header + "\n");
        }
        std::ostringstream row;
        row.precision(9);
        row << step << "," << wall;
        for (const auto & [k, v] : values) row << "," << v;
        append(csv, row.str() + "\n");
    }

private:
    static void append(const fs::path & path, const std::string & text) {
        std::ofstream f(path, std::ios::app);
        f << text;
        if (!f) throw IoError("writing " + path.string() + " failed");
    }
    fs::path dir_;
};

// Sums of a window of training steps, turned into one curve point (the reference's train logging:
// losses per example of the global batch, other metrics per halted row).
struct TrainWindow {
    StepMetrics sum;
    int64_t steps = 0;
    double seconds = 0;

    void add(const StepMetrics & m, double s) {
        sum.loss += m.loss;
        sum.lm_loss += m.lm_loss;
        sum.q_halt_loss += m.q_halt_loss;
        sum.q_continue_loss += m.q_continue_loss;
        sum.count += m.count;
        sum.accuracy += m.accuracy;
        sum.exact_accuracy += m.exact_accuracy;
        sum.q_halt_accuracy += m.q_halt_accuracy;
        sum.steps += m.steps;
        sum.lr = m.lr;
        sum.puzzle_emb_lr = m.puzzle_emb_lr;
        ++steps;
        seconds += s;
    }
    Values values(int64_t global_batch, bool q_continue) const {
        const double per_example = 1.0 / (static_cast<double>(global_batch) * static_cast<double>(std::max<int64_t>(steps, 1)));
        const double per_row = 1.0 / std::max(sum.count, 1.0);
        Values v = {{"loss", sum.loss * per_example},
                    {"lm_loss", sum.lm_loss * per_example},
                    {"q_halt_loss", sum.q_halt_loss * per_example}};
        if (q_continue) v.emplace_back("q_continue_loss", sum.q_continue_loss * per_example);
        v.insert(v.end(), {{"accuracy", sum.accuracy * per_row},
                           {"exact_accuracy", sum.exact_accuracy * per_row},
                           {"q_halt_accuracy", sum.q_halt_accuracy * per_row},
                           {"steps", sum.steps * per_row},
                           {"count", sum.count / static_cast<double>(std::max<int64_t>(steps, 1))},
                           {"lr", sum.lr},
                           {"puzzle_emb_lr", sum.puzzle_emb_lr},
                           {"samples_per_s", seconds > 0 ? static_cast<double>(global_batch * steps) / seconds : 0.0}});
        return v;
    }
};

Values eval_values(const EvalMetrics & e) {
    Values v = {{"accuracy", e.accuracy},
                {"exact_accuracy", e.exact_accuracy},
                {"q_halt_accuracy", e.q_halt_accuracy},
                {"steps", e.steps},
                {"lm_loss", e.lm_loss},
                {"q_halt_loss", e.q_halt_loss},
                {"halted_accuracy", e.halted_accuracy},
                {"halted_exact_accuracy", e.halted_exact_accuracy},
                {"halted_mean_steps", e.halted_mean_steps},
                {"count", static_cast<double>(e.count)},
                {"seconds", e.seconds}};
    for (size_t s = 0; s < e.step_accuracy.size(); ++s) v.emplace_back("step_accuracy." + std::to_string(s + 1), e.step_accuracy[s]);
    for (size_t s = 0; s < e.step_exact_accuracy.size(); ++s)
        v.emplace_back("step_exact_accuracy." + std::to_string(s + 1), e.step_exact_accuracy[s]);
    return v;
}

std::string values_json(const Values & v) {
    json j = json::object();
    for (const auto & [k, x] : v) j[k] = std::isfinite(x) ? json(x) : json(nullptr);
    return j.dump();
}

// Every rank stops at the same step: a stop seen by any rank counts.
bool agree_stop(const std::atomic<bool> * flag, Communicator & comm) {
    const bool mine = flag && flag->load();
    if (comm.world_size() <= 1) return mine;
    std::vector<at::Tensor> t{at::tensor({mine ? 1.0 : 0.0}, at::kDouble)};
    comm.allreduce_sum(t);
    return t[0].item<double>() > 0;
}

std::string device_for_rank(const std::string & device, const DistributedSettings & d) {
    if (d.world_size <= 1 || device.rfind("cuda", 0) != 0) return device;
    if (device != "cuda") throw UsageError("--device " + device + ": data-parallel ranks each take their own GPU; use --device cuda");
    int local = d.rank;
    if (const char * lr = std::getenv("LOCAL_RANK"); lr && *lr) local = std::atoi(lr);
    return "cuda:" + std::to_string(local);
}

}  // namespace

TrainRunResult run_training(const TrainRunOptions & o) {
    TrainRunResult res;
    if (!o.data) throw UsageError("no training data given");
    set_torch_threads(o.threads);
    DistributedSettings dist = o.dist;
    const std::string device_name = device_for_rank(o.device, dist);
    dist.cuda = device_name.rfind("cuda", 0) == 0;
    const at::Device device = parse_device(device_name);
    std::unique_ptr<Communicator> comm = make_communicator(dist);
    const bool rank0 = comm->rank() == 0;
    res.rank = comm->rank();
    const TrainDataInfo & info = o.data->info();

    // The spec, and the checkpoint to continue from.
    TrainSpec spec = o.spec;
    std::optional<LoadedTrainCheckpoint> ck;
    if (o.resume) {
        const fs::path dir = resolve_checkpoint(*o.resume);
        ck = read_checkpoint(dir);
        if (!o.spec_given) spec = ck->meta.spec;
    }
    validate(spec.train);
    StreamOptions so{spec.train.global_batch_size, comm->rank(), comm->world_size(), 1, spec.train.seed};
    check_stream_options(so);
    const int64_t local_batch = spec.train.global_batch_size / comm->world_size();
    ModelConfig model_config = adapt_model_config(spec.model, info, local_batch, &res.notes);
    spec.model = model_config;
    if (device.is_cpu() && model_config.forward_dtype == ForwardDType::bfloat16)
        res.notes.push_back("bf16 matmuls on the CPU: " + to_string(bf16_cpu_gemm()) + " (TRMBENCH_BF16_CPU_GEMM, models/cpu_gemm.h)");
    if (ck) {
        std::vector<std::string> problems = resume_incompatibilities(ck->meta, spec, info.key);
        if (!problems.empty())
            throw InputError(ck->dir.string() + ": cannot continue this run from the checkpoint:\n  " + join(problems, "\n  "));
    }

    const int64_t epochs_per_iter = spec.train.eval_interval > 0 ? spec.train.eval_interval : spec.train.epochs;
    const int64_t total_steps =
        spec.train.max_steps > 0
            ? spec.train.max_steps
            : reference_total_steps(spec.train.epochs, info.total_groups, info.mean_puzzle_examples, spec.train.global_batch_size);
    if (total_steps <= 0)
        throw UsageError("the recipe gives 0 training steps (" + std::to_string(spec.train.epochs) + " epochs of " +
                         std::to_string(info.train_examples) + " examples at batch " +
                         std::to_string(spec.train.global_batch_size) + "); use more epochs, --steps or a smaller batch");
    const int64_t total_iters =
        spec.train.max_steps > 0 ? std::numeric_limits<int64_t>::max() : spec.train.epochs / epochs_per_iter;
    res.total_steps = total_steps;

    Trainer trainer(model_config, spec.train, device, *comm, total_steps);
    int64_t iteration = 1, batches_done = 0;
    double wall_offset = 0;
    if (ck) {
        trainer.import_state(ck->train_state, ck->meta.trainer_state_json, ck->dir.string());
        iteration = ck->meta.iteration + (ck->meta.iteration_finished ? 1 : 0);
        batches_done = ck->meta.iteration_finished ? 0 : ck->meta.batches_done;
        wall_offset = ck->meta.wall_time_s;
        if (ck->meta.world_size != comm->world_size())
            res.notes.push_back("resumed with world size " + std::to_string(comm->world_size()) + " (checkpoint: " +
                                std::to_string(ck->meta.world_size) + "); the global batch and its order are unchanged");
    }

    so.epochs_per_iter = epochs_per_iter;
    std::unique_ptr<TrainBatchStream> stream = o.data->train_stream(so);
    std::unique_ptr<TestBatchStream> test = o.data->test_stream({spec.train.global_batch_size, comm->rank(), comm->world_size(), 1, 0});

    std::optional<MetricsLog> log;
    if (rank0) {
        fs::create_directories(o.out_dir);
        json run = json::parse(train_spec_to_json(spec));
        run["dataset"] = {{"name", info.name}, {"key", info.key}, {"train_examples", info.train_examples},
                          {"test_examples", info.test_examples}, {"total_groups", info.total_groups},
                          {"mean_puzzle_examples", info.mean_puzzle_examples}};
        run["world_size"] = comm->world_size();
        run["device"] = device_name;
        run["total_steps"] = total_steps;
        run["created_by"] = "trmbench " + harness_version() + " (git " + git_sha() + ")";
        run["notes"] = res.notes;
        write_file_atomic(o.out_dir / "run.json", run.dump(1) + "\n");
        log.emplace(o.out_dir, ck ? ck->meta.step : -1);
    }

    const auto start = std::chrono::steady_clock::now();
    auto wall = [&] { return wall_offset + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    const bool q_continue = uses_q_continue(model_config);
    int64_t last_saved = ck ? ck->meta.step : -1, last_eval = -1;
    bool iteration_finished = false;

    auto emit = [&](const std::string & series, const Values & values) {
        if (!rank0) return;
        log->write(series, trainer.step(), wall(), values);
        if (o.observer) o.observer->on_metrics(series, trainer.step(), wall(), values);
    };
    auto evaluate = [&] {
        if (!test || last_eval == trainer.step()) return;
        EvalMetrics e = trainer.evaluate(*test, spec.train.eval_max_batches);
        last_eval = trainer.step();
        Values v = eval_values(e);
        res.last_eval_json = values_json(v);
        emit("eval", v);
    };
    auto save = [&] {
        if (last_saved == trainer.step()) return;
        CheckpointFiles files;
        std::string state_json;
        files.train_state = trainer.export_state(state_json);  // collective (gathers the carry)
        std::string error;
        if (rank0) {
            files.eval_weights = trainer.eval_state_dict(kReferenceKeyPrefix);
            files.model_config_json = model_config_to_json(model_config);
            CheckpointMeta & m = files.meta;
            m.step = trainer.step();
            m.total_steps = total_steps;
            m.iteration = iteration;
            m.batches_done = batches_done;
            m.iteration_finished = iteration_finished;
            m.spec = spec;
            m.dataset_name = info.name;
            m.dataset_key = info.key;
            m.world_size = comm->world_size();
            m.wall_time_s = wall();
            m.trainer_state_json = state_json;
            m.created_by = "trmbench " + harness_version() + " (git " + git_sha() + ")";
            m.last_eval_json = res.last_eval_json;
            try {
                res.last_checkpoint = write_checkpoint(o.out_dir, files, spec.train.keep_last);
                if (o.observer) o.observer->on_checkpoint(trainer.step(), res.last_checkpoint);
            } catch (const Error & e) {
                error = e.what();
            }
        }
        std::vector<at::Tensor> failed{at::tensor({error.empty() ? 0.0 : 1.0}, at::kDouble)};
        comm->allreduce_sum(failed);
        if (!error.empty()) throw IoError(error);
        if (failed[0].item<double>() > 0) throw IoError("rank 0 could not write the checkpoint at step " + std::to_string(trainer.step()));
        last_saved = trainer.step();
    };

    Progress progress("train", total_steps, stderr);
    progress.set_quiet(o.quiet || !rank0);
    progress.update(trainer.step());
    TrainWindow window;
    const int64_t start_step = trainer.step();
    bool done = trainer.step() >= total_steps;
    HostBatch batch;
    for (; !done && iteration <= total_iters && !res.interrupted; ++iteration, batches_done = 0) {
        iteration_finished = false;
        stream->start_iteration(iteration);
        if (batches_done > 0 && !stream->skip(batches_done))
            throw InputError("the checkpoint's data position (iteration " + std::to_string(iteration) + ", batch " +
                             std::to_string(batches_done) + ") is past the end of that iteration in this dataset");
        while (true) {
            if (trainer.step() >= total_steps) {
                done = true;
                break;
            }
            if (!stream->next(batch)) break;
            const auto t0 = std::chrono::steady_clock::now();
            StepMetrics m = trainer.train_step(batch);
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            res.train_seconds += dt;
            ++batches_done;
            window.add(m, dt);
            if (trainer.step() % spec.train.log_every_steps == 0 || trainer.step() == total_steps) {
                Values v = window.values(spec.train.global_batch_size, q_continue);
                emit("train", v);
                char suffix[160];
                std::snprintf(suffix, sizeof suffix, "loss %.4f acc %.3f exact %.3f steps %.1f lr %.2e %.1f samples/s", v[0].second,
                              window.sum.accuracy / std::max(window.sum.count, 1.0),
                              window.sum.exact_accuracy / std::max(window.sum.count, 1.0),
                              window.sum.steps / std::max(window.sum.count, 1.0), m.lr,
                              window.seconds > 0 ? static_cast<double>(spec.train.global_batch_size * window.steps) / window.seconds : 0.0);
                progress.update(trainer.step(), suffix);
                window = TrainWindow{};
            }
            const bool stop = agree_stop(o.stop, *comm);
            const int64_t s = trainer.step();
            const bool eval_now = spec.train.eval_every_steps > 0 && s % spec.train.eval_every_steps == 0;
            const bool save_now = eval_now || (spec.train.checkpoint_every_steps > 0 && s % spec.train.checkpoint_every_steps == 0);
            if (eval_now) evaluate();
            if (save_now || stop) save();
            if (stop) {
                res.interrupted = true;
                break;
            }
        }
        if (res.interrupted || done) break;
        // The iteration is exhausted: the reference evaluates (and may checkpoint) here.
        iteration_finished = true;
        if (spec.train.eval_every_steps == 0 && iteration - 1 >= spec.train.min_eval_interval) {
            evaluate();
            save();
        }
    }
    if (!res.interrupted) {
        if (iteration > total_iters) {
            iteration = total_iters;  // ended with the last iteration: a resume starts no new one
            iteration_finished = true;
        }
        evaluate();
        save();
    }
    progress.finish();
    res.steps = trainer.step();
    res.steps_this_run = trainer.step() - start_step;
    res.samples_per_second =
        res.train_seconds > 0 ? static_cast<double>(res.steps_this_run * spec.train.global_batch_size) / res.train_seconds : 0;
    return res;
}

}  // namespace trmbench
