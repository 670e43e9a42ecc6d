// The torch-free face of the trainer for the CLI: run a training job (`trmbench train run`), replay
// the training case of a reference fixture (`trmbench train verify-reference`), and the
// data-parallel settings. Nothing here includes LibTorch, CLI11 or nlohmann_json.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/train/batch_source.h"
#include "models/train/train_config.h"

namespace trmbench {

// ---------------------------------------------------------------------------------------------
// Data parallelism (models/train/distributed.h has the communicator itself)

struct DistributedSettings {
    int rank = 0;
    int world_size = 1;
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
    bool cuda = false;      // NCCL on the rank's CUDA device instead of Gloo on the CPU
    int timeout_s = 1800;   // collective and rendezvous timeout
};

// The settings from RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (the torchrun environment); world
// size 1 when WORLD_SIZE is unset. UsageError for malformed values.
DistributedSettings distributed_settings_from_env();

// The c10d backends this build has: "gloo" (CPU), "nccl" (CUDA); empty when it has none.
std::vector<std::string> distributed_backends();

// ---------------------------------------------------------------------------------------------
// Training runs

// Receives the training curves (the CLI writes them into the results database).
class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    // series "train" or "eval"; values by name (loss, accuracy, exact_accuracy, lr, ...).
    virtual void on_metrics(const std::string & series, int64_t step, double wall_time_s,
                            const std::vector<std::pair<std::string, double>> & values) = 0;
    virtual void on_checkpoint(int64_t step, const std::filesystem::path & dir) {}
};

struct TrainRunOptions {
    TrainSpec spec;
    bool spec_given = true;           // false: take model and recipe from the --resume checkpoint
    std::shared_ptr<const BatchSource> data;
    std::filesystem::path out_dir;
    std::optional<std::filesystem::path> resume;  // a checkpoint or a run directory
    std::string device = "cpu";       // cpu | cuda | cuda:N (data-parallel CUDA ranks use cuda:LOCAL_RANK)
    int threads = 0;                  // intra-op threads (0 = all usable cores)
    bool quiet = false;
    DistributedSettings dist;
    TrainObserver * observer = nullptr;
    const std::atomic<bool> * stop = nullptr;  // set (e.g. by SIGINT): finish the step, save, return
};

struct TrainRunResult {
    int64_t steps = 0;              // optimizer steps done in total (including before a resume)
    int64_t steps_this_run = 0;
    int64_t total_steps = 0;
    bool interrupted = false;
    std::filesystem::path last_checkpoint;
    double train_seconds = 0;       // training only (evaluations and checkpoints excluded)
    double samples_per_second = 0;  // global samples per training second in this run
    std::string last_eval_json;     // metrics of the latest evaluation ("" when none ran)
    std::vector<std::string> notes; // config adaptations, resume remarks
    int rank = 0;
};

// Runs (or resumes) training; see models/train/README.md. Throws UsageError/InputError/IoError;
// a stop request returns normally with `interrupted`.
TrainRunResult run_training(const TrainRunOptions & options);

// ---------------------------------------------------------------------------------------------
// Reference parity of training (fixtures README §5, §7)

struct TrainVerifyOptions {
    std::string device = "cpu";
    int threads = 0;
};

struct TrainCheck {
    int call = -1;           // -1: the final state
    std::string quantity;    // loss, metrics.<name>, logits, q_halt, q_continue, target_q_continue, steps,
                             // halted, current.<field>, grad.<key>, final.<key>, final.carry.z_H, ...
    double max_abs = 0;      // max |ours - reference| (mismatch count for exact quantities)
    double tolerance = 0;    // atol (0: exact)
    double rtol = 0;
    int64_t elements = 0;
    int64_t outliers = 0;    // final state: elements beyond atol (allowed: <= 0.1% and each <= 5e-3)
    bool pass = true;
};

struct TrainVerifyReport {
    std::filesystem::path dir;
    std::string model;       // family-variant, dtype
    int calls = 0;
    int64_t batch = 0;
    std::vector<TrainCheck> checks;
    std::vector<double> losses;      // ours, per call
    std::vector<double> ref_losses;  // the reference's (train.json)
    double final_max_abs = 0;        // over every final-state tensor
    double grad_max_abs = 0;         // over every call-0 gradient
    bool pass = false;
};

// Loads DIR/config.json, DIR/checkpoint.safetensors, DIR/train.safetensors (+ train.json), replays the
// training calls and compares everything with the README §7 tolerances. Usage/Input/IoError for an
// unusable fixture; a numerical mismatch is pass == false.
TrainVerifyReport verify_train_reference(const std::filesystem::path & dir, const TrainVerifyOptions & options = {});
std::string format_train_verify_report(const TrainVerifyReport & report);
std::string train_verify_report_json(const TrainVerifyReport & report);

}  // namespace trmbench
