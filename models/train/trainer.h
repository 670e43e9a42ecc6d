// The training step and the evaluation pass of the reference recipe (pretrain.py train_batch and
// evaluate; spec §2.2-2.7), on one rank of a possibly data-parallel run.
//
// One train_step(batch) is exactly one reference call:
//   1. one ACT step of the persistent carry in training mode (rows that halted take the batch's
//      row; Q-halting with exploration; HRM's second forward for the Q-continue target);
//   2. the ACT loss (stable-max CE in float64), backward of loss / global_batch_size;
//   3. with several ranks: gradients all-reduced by sum, the puzzle-embedding (grad, id) pairs
//      all-gathered;
//   4. sparse SignSGD on the puzzle table, then AdamATan2 on every parameter, both at the
//      scheduled learning rate of this step (warm-up from step 1);
//   5. gradients dropped; the EMA shadow updated (TRM recipe).
// The carry persists across batches, epochs and evaluations (it is never reset).
//
// Randomness: the initial weights come from a torch CPU generator seeded with the recipe's seed
// (RecursiveReasoningModel(config, seed), the reference's draws). Exploration at step s draws from
// trmbench::Rng(derive_seed(derive_seed(seed, kExplorationStream), s)), one unit() and one
// uniform(2, N) per row of the *global* batch; a rank skips the draws of the rows before its slice.
// So the decisions depend on (seed, step, global row) only: not on the device, the thread count,
// the world size or where a run was resumed. No RNG state needs saving.
//
// Evaluation runs the eval weights (the EMA shadow when the recipe has one) on fresh carries for
// exactly halt_max_steps steps per batch, and reports the reference metrics at the last step, the
// accuracy at every ACT step 1..N of the same pass, and what Q-halting inference would score
// (each row stopping at its first step with q_halt > 0, or q_halt > q_continue for Q-continue
// models, else at N).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/act.h"
#include "models/io/tensor_blob.h"
#include "models/reasoning_model.h"
#include "models/train/batch_source.h"
#include "models/train/distributed.h"
#include "models/train/optimizers.h"
#include "models/train/train_config.h"

namespace trmbench {

inline constexpr uint64_t kExplorationStream = 0x4558504c4f524531ull;  // "EXPLORE1"

// Sums over the global batch (all ranks) of one training call, as the loss head returns them, plus
// the learning rates used.
struct StepMetrics {
    int64_t step = 0;
    double loss = 0;             // total: lm + 0.5·(q_halt + q_continue)
    double lm_loss = 0;
    double q_halt_loss = 0;
    double q_continue_loss = 0;  // 0 without Q-continue
    double count = 0;            // rows that halted in this call (with a label)
    double accuracy = 0;         // Σ per-row token accuracy over those rows
    double exact_accuracy = 0;
    double q_halt_accuracy = 0;
    double steps = 0;            // Σ ACT steps of those rows
    double lr = 0;
    double puzzle_emb_lr = 0;
};

// What one training call computed, for parity checks (train verify-reference) and tests.
struct StepTrace {
    bool capture_grads = false;  // also copy every gradient after backward (and the all-reduce)
    ActOutputs outputs;          // logits, q_halt, q_continue, target_q_continue
    ActCarry carry;              // the carry after the call
    ActLossOutputs loss;         // this rank's loss head outputs
    std::map<std::string, at::Tensor> grads;  // parameter name -> gradient; "puzzle_emb.local_weights"
};

// Evaluation results, already divided by the number of examples (`count`).
struct EvalMetrics {
    int64_t count = 0;              // examples with at least one labelled token
    int64_t batches = 0;
    double accuracy = 0;            // mean per-example token accuracy at the last step
    double exact_accuracy = 0;      // fraction of examples entirely right at the last step
    double q_halt_accuracy = 0;     // (q_halt >= 0) == exactly right, at the last step
    double steps = 0;               // mean ACT steps (= halt_max_steps in evaluation)
    double lm_loss = 0;             // per example
    double q_halt_loss = 0;         // per example
    std::vector<double> step_accuracy;        // [N] token accuracy after ACT step 1..N
    std::vector<double> step_exact_accuracy;  // [N]
    double halted_exact_accuracy = 0;  // Q-halting inference: exact accuracy where each row stops
    double halted_accuracy = 0;
    double halted_mean_steps = 0;      // mean steps Q-halting inference uses
    double seconds = 0;
};

// The model config a dataset asks for: seq_len, vocab_size and num_puzzle_identifiers from the
// dataset, batch_size = the local batch (as pretrain.create_model). Lines describing each change
// go to `notes`.
ModelConfig adapt_model_config(ModelConfig c, const TrainDataInfo & data, int64_t local_batch,
                               std::vector<std::string> * notes = nullptr);

// A host batch as tensors on `device`.
PuzzleBatch to_puzzle_batch(const HostBatch & b, at::Device device);

class Trainer {
public:
    // `total_steps` sizes the LR schedule. `model_config` must already fit the data
    // (adapt_model_config). The communicator must outlive the trainer; with several ranks the
    // initial weights are broadcast from rank 0.
    Trainer(ModelConfig model_config, TrainConfig train, at::Device device, Communicator & comm, int64_t total_steps);

    // One training call on the local batch (see the file comment). Returns the global sums.
    StepMetrics train_step(const PuzzleBatch & batch, StepTrace * trace = nullptr);
    StepMetrics train_step(const HostBatch & batch) { return train_step(to_puzzle_batch(batch, device_)); }

    // One pass over the test stream (at most max_batches when > 0) with the eval weights.
    EvalMetrics evaluate(TestBatchStream & test, int64_t max_batches = 0);

    // The weights that get evaluated and published: the EMA shadow (if any) in place of the
    // parameters, the live buffers (puzzle table, H_init, L_init). Keys are prefixed.
    TensorMap eval_state_dict(const std::string & prefix);

    // Everything needed to continue bit for bit: live weights, AdamATan2 moments, the EMA shadow,
    // the carry (gathered over ranks: rows in global order). `json` receives the scalar state.
    TensorMap export_state(std::string & json);
    // Restores export_state()'s output. InputError naming `origin` and the tensor for any missing,
    // extra or mis-shaped entry (a checkpoint of another config).
    void import_state(const TensorMap & tensors, const std::string & json, const std::string & origin);

    // The learning rates of optimizer step `step` (1-based).
    double lr_at(int64_t step) const;
    double puzzle_emb_lr_at(int64_t step) const;

    RecursiveReasoningModelImpl & model() { return *model_; }
    const ModelConfig & model_config() const { return model_->config; }
    const TrainConfig & train_config() const { return train_; }
    int64_t step() const { return step_; }
    int64_t total_steps() const { return total_steps_; }
    int64_t global_batch() const { return train_.global_batch_size; }
    at::Device device() const { return device_; }
    Communicator & comm() { return comm_; }
    const AdamATan2 & adam() const { return adam_; }
    const ParameterEma * ema() const { return ema_ ? &*ema_ : nullptr; }
    bool has_carry() const { return carry_.has_value(); }

private:
    NamedTensors named_parameters();
    void allreduce_gradients();
    void sparse_embedding_step(double lr);
    Rng exploration_rng(int64_t step, int64_t local_rows) const;

    TrainConfig train_;
    at::Device device_;
    Communicator & comm_;
    int64_t total_steps_;
    RecursiveReasoningModel model_{nullptr};
    AdamATan2 adam_;
    std::optional<ParameterEma> ema_;
    std::optional<ActCarry> carry_;
    int64_t step_ = 0;
};

}  // namespace trmbench
