// The local TRM/HRM solver: a trmbench::Solver that runs a checkpoint (or random weights) on the
// harness's work items. Torch-free header with a factory, so the suite runner can build local
// solvers without including LibTorch.
//
// What solve() does, per call:
//   1. Tokenises each distinct example once with the task's encode() (Sudoku/Maze: one sequence,
//      puzzle id `puzzle_id`, 0 as in the reference builds; ARC: one sequence per augmented variant,
//      see below) and packs the sequences into batches of `batch_size` rows (the last one padded
//      with PAD rows).
//   2. Runs the evaluation ACT loop under inference mode for all halt_max_steps steps (evaluation
//      never halts early, as the reference) and, after every step, takes argmax of the logits and
//      q_halt / q_continue.
//   3. Decodes with the task's decode() and reports one Prediction per work item as soon as its
//      example is done. Prediction::steps holds one StepRecord per ACT step (the decoded answer
//      and the Q logits), so accuracy against recursion depth comes from one run. An undecodable
//      final answer is Outcome::parse_error; a sequence that cannot be encoded is Outcome::error.
//      Items not started when the sink asks to stop are Outcome::skipped.
//
// ARC (spec §3.4, §4.2): a test input is run as N augmented variants (dihedral transform × colour
// permutation). With an identifiers file (identifiers.json of the training build: id -> variant
// name "{task}|||t{t}|||{map}" or HRM's "{task}_t{t}_{map}"), the variants are the ones it lists
// for the example's task, in id order, with their puzzle-embedding ids (N: all of them, or the
// first `arc_variants`). Without one (or for a task it does not list), N = arc_variants (default
// 1000, as the reference build) distinct variants are generated with Rng(arc_seed), the identity
// first, with the blank puzzle id 0; the solver info says so. Every variant's prediction is
// cropped and de-augmented, then the variants vote (count, then mean sigmoid(q_halt)); work item
// attempt a gets the a-th ranked grid (the top grid again when there are fewer candidates, as the
// reference pads its submission), with "votes c/N, mean sigmoid(q_halt) q" in raw_text. Its
// StepRecords hold the a-th ranked grid of each step's vote, with the mean q_halt / q_continue
// logits of the variants that voted for it.
//
// Compute per Prediction: flops = analytic forward FLOPs (flops.h) × steps × sequences of the
// example; act_steps = halt_max_steps; wall_ms = the example's share of the batches it ran in
// (batch wall time / real rows in the batch, summed over its rows; padding rows are not charged);
// device_ms = CUDA-event time measured the same way on a GPU, -1 on the CPU.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "harness/core/solver.h"
#include "models/checkpoint_loader.h"

namespace trmbench {

struct LocalSolverConfig {
    std::string name;                   // the run's name for it; "" = preset or checkpoint file name
    LocalModelSpec model;               // preset / config file / checkpoint / task family
    std::string device = "auto";        // auto (CUDA when available) | cpu | cuda | cuda:N
    std::string dtype = "auto";         // auto (the config's forward_dtype) | float32 | bfloat16
    int batch_size = 0;                 // sequences per forward; 0: 64 (CPU) / 256 (CUDA)
    int threads = 0;                    // intra-op threads; <= 0: every usable core
    bool allow_random_weights = false;  // no checkpoint: random init from init_seed (tests, benchmarks)
    uint64_t init_seed = 0;
    int64_t puzzle_id = 0;              // Sudoku/Maze: the puzzle-embedding row every example uses
    // ARC
    int arc_variants = -1;              // variants per test input; -1: all the identifiers file lists, else 1000
    std::filesystem::path identifiers;  // identifiers.json; "" = looked for next to the checkpoint and one level up
    uint64_t arc_seed = 0;              // generated variants (no identifiers for the task)
    bool quiet = false;                 // no start-up warnings on stderr
};

// Builds the solver: resolves config and checkpoint, builds the model on the device, loads the
// weights. UsageError for configuration errors (unknown preset, impossible config, CUDA on a
// CPU-only build, no checkpoint without allow_random_weights, unsupported dtype), InputError for
// bad files (corrupt or truncated checkpoint, a checkpoint of another architecture, a bad
// identifiers file). Never crashes on bad input.
std::unique_ptr<Solver> make_local_solver(const LocalSolverConfig & config);

// Whether libblas.so.3 in this process is an optimised BLAS (OpenBLAS, BLIS, MKL) and its name;
// fp32 matmuls on the CPU go through it, and the netlib reference BLAS is ~40x slower.
// OpenBLAS's DYNAMIC_ARCH build picks its kernels from the CPUID at load time; on CPUs it does not
// know (e.g. some VMs) it falls back to the SSE3 "Prescott" kernels, 3-6x slower than SkylakeX/Haswell.
// set_torch_threads replaces that fallback (models/threads.h; `replaced_core` names what it replaced);
// `weak_kernels` flags a fallback still in use (e.g. a CPU without AVX2).
struct BlasInfo {
    std::string name;      // "OpenBLAS 0.3.21 ...", "BLIS", "MKL", or "reference (netlib)"
    bool optimised = false;
    std::string core;      // OpenBLAS: the kernel set in use ("SkylakeX", "Haswell", "Prescott", ...)
    bool weak_kernels = false;
    std::string replaced_core;  // the fallback set trmbench replaced at start-up, or ""
};
BlasInfo detect_blas();

}  // namespace trmbench
