// The local TRM/HRM solver (see local_solver.h for what it does and how compute is charged).
#include "models/local_solver.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#if __has_include(<ATen/cuda/CUDAConfig.h>)
#include <ATen/cuda/CUDAEvent.h>
#define TRMBENCH_CUDA_EVENTS 1
#endif

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "models/act.h"
#include "models/api.h"
#include "models/cpu_gemm.h"
#include "models/device.h"
#include "models/cpu_kernels.h"
#include "models/flops.h"
#include "models/local_arc_variants.h"
#include "models/state_dict.h"
#include "models/threads.h"
#include "tasks/arc/arc_canvas.h"
#include "tasks/arc/arc_vote.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {

// ---------------------------------------------------------------------------------------------
// BLAS detection

BlasInfo detect_blas() {
    using ConfigFn = const char * (*)();
    if (auto fn = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
        BlasInfo info{std::string("OpenBLAS (") + fn() + ")", true, "", false, ""};
        using CoreFn = char * (*)();
        if (auto core = reinterpret_cast<CoreFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename")); core && core()) info.core = core();
        // Pre-AVX kernel sets on a machine that has AVX2 are the fallback for an unrecognised CPU.
        info.weak_kernels = is_fallback_blas_core(info.core) && __builtin_cpu_supports("avx2");
        info.replaced_core = replaced_blas_kernels();
        return info;
    }
    if (dlsym(RTLD_DEFAULT, "bli_info_get_version_str")) return {"BLIS", true, "", false, ""};
    if (dlsym(RTLD_DEFAULT, "mkl_get_max_threads")) return {"MKL", true, "", false, ""};
    return {"reference (netlib) BLAS or unknown", false, "", false, ""};
}

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Outputs of one model batch over all ACT steps, on the CPU.
struct BatchOutputs {
    at::Tensor preds;       // [steps, B, L] int32
    at::Tensor q_halt;      // [steps, B] float32
    at::Tensor q_continue;  // [steps, B] float32
    double wall_ms = 0;
    double device_ms = -1;
};

// One sequence of a model batch.
struct Row {
    size_t example = 0;  // index into the call's examples
    size_t variant = 0;  // ARC variant (0 otherwise)
};

// What one example of a solve() call needs and collects.
struct ExampleWork {
    const Example * ex = nullptr;
    std::vector<int> attempts;                     // the attempts asked for this example, ascending
    std::vector<std::vector<int32_t>> tokens;      // one per variant
    std::vector<int64_t> puzzle_ids;
    std::vector<ArcAugmentation> augs;             // ARC
    std::string variant_note;                      // ARC: where the variants came from
    std::string error;                             // could not be encoded -> Outcome::error
    // Per variant, per step: the decoded (de-augmented) answer and the Q logits.
    std::vector<std::vector<std::optional<Grid>>> answers;
    std::vector<std::vector<float>> q_halt, q_continue;
    size_t rows_done = 0;
    double wall_ms = 0, device_ms = -1;
    bool emitted = false;
};

// The ranked candidates of one ARC vote, with the mean Q logits of their voters.
struct RankedCandidate {
    Grid grid;
    int count = 0;
    double mean_sigmoid_q = 0;
    float mean_q_halt = 0, mean_q_continue = 0;
};

class LocalSolver final : public Solver {
public:
    explicit LocalSolver(const LocalSolverConfig & cfg);

    SolverInfo info() const override { return info_; }
    bool supports(const Task & task) const override;
    size_t preferred_batch_size() const override;
    void solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) override;

private:
    void prepare(const Task & task, ExampleWork & w) const;
    BatchOutputs run_batch(const at::Tensor & inputs, const at::Tensor & puzzle_ids);
    void collect(const Task & task, const BatchOutputs & out, const std::vector<Row> & rows, std::vector<ExampleWork> & work);
    void emit(ExampleWork & w, PredictionSink & sink);
    std::vector<RankedCandidate> rank(const ExampleWork & w, size_t step, int top_k) const;

    LocalSolverConfig cfg_;
    ResolvedLocalModel resolved_;
    ModelConfig model_config_;
    std::string family_;
    c10::Device device_{c10::kCPU};
    RecursiveReasoningModel model_{nullptr};
    int64_t batch_size_ = 64;
    int64_t flops_per_step_ = 0;
    std::optional<ArcIdentifiers> identifiers_;
    SolverInfo info_;
};

// A seed stream per ARC task, the same on every platform (std::hash is not).
uint64_t fnv1a(const std::string & s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
    return h;
}

std::string resolve_device_name(const std::string & requested) {
    if (requested == "auto" || requested.empty()) return cuda_available() ? "cuda" : "cpu";
    return requested;
}

ForwardDType resolve_dtype(const std::string & requested, ForwardDType config_dtype) {
    if (requested == "auto" || requested.empty()) return config_dtype;
    if (requested == "float32" || requested == "bfloat16") return parse_forward_dtype(requested, "dtype");
    if (requested == "float16")
        throw UsageError("dtype float16: not supported by the TRM/HRM port (the reference runs bfloat16; use float32 or bfloat16)");
    throw UsageError("dtype '" + requested + "': expected auto, float32 or bfloat16");
}

std::optional<fs::path> find_identifiers(const LocalSolverConfig & cfg, const ResolvedLocalModel & r) {
    if (!cfg.identifiers.empty()) {
        std::error_code ec;
        if (!fs::is_regular_file(cfg.identifiers, ec)) throw UsageError(cfg.identifiers.string() + ": no such identifiers file");
        return cfg.identifiers;
    }
    if (r.checkpoint_file.empty()) return std::nullopt;
    const fs::path dir = r.checkpoint_file.parent_path();
    for (const fs::path & candidate : {dir / "identifiers.json", dir.parent_path() / "identifiers.json"}) {
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) return candidate;
    }
    return std::nullopt;
}

LocalSolver::LocalSolver(const LocalSolverConfig & cfg) : cfg_(cfg) {
    if (cfg_.model.checkpoint.empty() && !cfg_.allow_random_weights)
        throw UsageError("local model " + (cfg_.name.empty() ? cfg_.model.preset : cfg_.name) +
                         ": no checkpoint given (random weights only when asked for explicitly)");
    if (cfg_.batch_size < 0) throw UsageError("batch_size: must be positive (0: the default)");
    // Device and dtype first: cheap configuration errors before reading a 2 GB checkpoint.
    const std::string device_name = resolve_device_name(cfg_.device);
    device_ = parse_device(device_name);
    if (!cfg_.dtype.empty() && cfg_.dtype != "auto") (void)resolve_dtype(cfg_.dtype, ForwardDType::bfloat16);

    resolved_ = resolve_local_model(cfg_.model);
    model_config_ = resolved_.config;
    model_config_.forward_dtype = resolve_dtype(cfg_.dtype, resolved_.config.forward_dtype);
    family_ = resolved_.task_family;
    if (family_.empty())
        throw UsageError(resolved_.config_source + ": seq_len " + std::to_string(model_config_.seq_len) + " and vocab_size " +
                         std::to_string(model_config_.vocab_size) + " match no task family (sudoku, maze, arc)");
    if (model_config_.puzzle_emb_ndim > 0 && family_ != "arc" &&
        (cfg_.puzzle_id < 0 || cfg_.puzzle_id >= model_config_.num_puzzle_identifiers))
        throw UsageError("puzzle_id " + std::to_string(cfg_.puzzle_id) + ": outside the puzzle table [0, " +
                         std::to_string(model_config_.num_puzzle_identifiers) + ")");
    if (family_ == "arc") {
        if (auto file = find_identifiers(cfg_, resolved_)) {
            identifiers_ = ArcIdentifiers::load(*file);
            if (model_config_.puzzle_emb_ndim > 0 &&
                identifiers_->num_identifiers() != static_cast<size_t>(model_config_.num_puzzle_identifiers))
                throw InputError(file->string() + ": lists " + std::to_string(identifiers_->num_identifiers()) +
                                 " identifiers but the puzzle table of " +
                                 (resolved_.checkpoint_file.empty() ? std::string("the config") : resolved_.checkpoint_file.string()) +
                                 " has " + std::to_string(model_config_.num_puzzle_identifiers) + " rows: not the build it was trained on");
        }
    }
    batch_size_ = cfg_.batch_size > 0 ? cfg_.batch_size : (device_.is_cuda() ? 256 : 64);

    const int threads = set_torch_threads(cfg_.threads);  // OpenBLAS too
    const BlasInfo blas = detect_blas();
    const bool fp32_cpu = device_.is_cpu() && model_config_.forward_dtype == ForwardDType::float32;
    if (fp32_cpu && !blas.optimised && !cfg_.quiet)
        std::fprintf(stderr,
                     "\n*** WARNING: libblas.so.3 is the netlib reference BLAS (or unknown): float32 matmuls of the local "
                     "model will run ~40x slower.\n*** Install OpenBLAS (scripts/setup.sh installs libopenblas0-pthread) or "
                     "run in bfloat16 (oneDNN).\n\n");
    if (fp32_cpu && blas.weak_kernels && !cfg_.quiet)
        std::fprintf(stderr,
                     "\n*** WARNING: OpenBLAS did not recognise this CPU and uses its %s kernels: float32 matmuls run ~3x "
                     "slower.\n*** Set OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2) in the environment.\n\n",
                     blas.core.c_str());

    {
        at::NoGradGuard no_grad;
        {
            // With a checkpoint every value is overwritten below, so nothing is drawn.
            std::optional<ScopedSkipRandomInit> no_draws;
            if (!resolved_.tensors.empty()) no_draws.emplace();
            model_ = RecursiveReasoningModel(model_config_, cfg_.init_seed);
        }
        if (!resolved_.tensors.empty()) {
            load_state_dict(*model_, resolved_.tensors, resolved_.checkpoint_file.string());
            resolved_.tensors.clear();  // the model holds the weights now
        }
        model_->to(device_);
        model_->eval();
    }
    flops_per_step_ = flops_per_act_step(model_config_);

    info_.name = !cfg_.name.empty() ? cfg_.name
                 : !cfg_.model.preset.empty() ? cfg_.model.preset
                 : !resolved_.checkpoint_file.empty() ? resolved_.checkpoint_file.filename().string()
                                                       : model_config_.name;
    info_.kind = "local";
    info_.provider = "torch";
    info_.model_id = resolved_.checkpoint_file.empty() ? "random-init:seed=" + std::to_string(cfg_.init_seed)
                                                       : resolved_.checkpoint_file.string();
    info_.n_params = count_params(model_config_);
    info_.device = device_.str();
    info_.dtype = to_string(model_config_.forward_dtype);
    info_.checkpoint_sha256 = resolved_.checkpoint_sha256;

    json j;
    j["model"] = json::parse(model_config_to_json(model_config_));
    j["config_source"] = resolved_.config_source;
    j["checkpoint"] = resolved_.checkpoint_file.string();
    j["checkpoint_format"] = resolved_.checkpoint_format;
    j["task_family"] = family_;
    j["notes"] = resolved_.notes;
    j["batch_size"] = batch_size_;
    j["threads"] = threads;
    j["blas"] = blas.name;
    j["blas_core"] = blas.core;
    if (!blas.replaced_core.empty()) j["blas_core_replaced"] = blas.replaced_core;
    // Same bits either way (cpu_kernels.h); recorded, and a bad TRMBENCH_CPU_KERNELS fails here.
    if (device_.is_cpu()) j["cpu_kernels"] = cpu_kernels::fused_cpu_kernels() ? "fused" : "aten";
    // bf16 on the CPU: which kernels ran the matmuls (cpu_gemm.h). Resolved now, so that a bad
    // TRMBENCH_BF16_CPU_GEMM is a usage error before any work, and auto calibrates once, here.
    if (device_.is_cpu() && model_config_.forward_dtype == ForwardDType::bfloat16)
        j["bf16_cpu_gemm"] = to_string(bf16_cpu_gemm());
    j["flops_per_act_step"] = flops_per_step_;
    j["act_steps"] = model_config_.halt_max_steps;
    j["flops_per_sequence"] = flops_per_puzzle(model_config_);
    if (resolved_.checkpoint_file.empty()) j["random_init_seed"] = cfg_.init_seed;
    if (family_ == "arc") {
        j["arc_variants"] = cfg_.arc_variants;
        j["arc_seed"] = cfg_.arc_seed;
        j["identifiers"] = identifiers_ ? identifiers_->file().string() : "";
        j["arc_variant_source"] = identifiers_ ? "identifiers file (puzzle ids of the training build)"
                                               : "generated with Rng(arc_seed); no identifiers file, so every variant "
                                                 "uses the blank puzzle id 0";
    } else {
        j["puzzle_id"] = cfg_.puzzle_id;
    }
    info_.config_json = j.dump();
}

bool LocalSolver::supports(const Task & task) const {
    // A task of several board sizes (mazes) is supported when the model reads one of them; boards of
    // another size than the model's reach prepare() and become per-example errors there.
    return task.family() == family_ && task.token_layout().accepts(model_config_.seq_len, model_config_.vocab_size);
}

size_t LocalSolver::preferred_batch_size() const {
    if (family_ != "arc") return static_cast<size_t>(batch_size_);
    const int64_t variants = cfg_.arc_variants > 0 ? cfg_.arc_variants : 1000;
    return static_cast<size_t>(std::max<int64_t>(1, batch_size_ / variants));
}

// Tokenises one example: one sequence (Sudoku, Maze) or one per ARC variant.
void LocalSolver::prepare(const Task & task, ExampleWork & w) const {
    const Example & ex = *w.ex;
    auto check_tokens = [&](const std::vector<int32_t> & t) -> bool {
        if (static_cast<int64_t>(t.size()) != model_config_.seq_len) {
            w.error = "the task encodes this example as " + std::to_string(t.size()) + " tokens; the model takes " +
                      std::to_string(model_config_.seq_len);
            return false;
        }
        for (int32_t v : t)
            if (v < 0 || v >= model_config_.vocab_size) {
                w.error = "token " + std::to_string(v) + " outside the model's vocabulary of " + std::to_string(model_config_.vocab_size);
                return false;
            }
        return true;
    };
    try {
        if (family_ != "arc") {
            std::vector<int32_t> t = task.encode(ex.input);
            if (!check_tokens(t)) return;
            w.tokens.push_back(std::move(t));
            w.puzzle_ids.push_back(cfg_.puzzle_id);
            w.augs.emplace_back();
            return;
        }
        std::vector<ArcVariant> variants;
        if (identifiers_ && !identifiers_->variants(ex.group).empty()) {
            variants = identifiers_->variants(ex.group);
            if (cfg_.arc_variants > 0 && variants.size() > static_cast<size_t>(cfg_.arc_variants)) variants.resize(cfg_.arc_variants);
            w.variant_note = std::to_string(variants.size()) + " variants from " + identifiers_->file().filename().string();
        } else {
            const int n = cfg_.arc_variants > 0 ? cfg_.arc_variants : 1000;
            variants = generated_variants(ex, n, derive_seed(cfg_.arc_seed, fnv1a(ex.group)));
            w.variant_note = std::to_string(variants.size()) + " generated variants, blank puzzle id" +
                             (identifiers_ ? " (task " + ex.group + " is not in " + identifiers_->file().filename().string() + ")" : "");
        }
        if (ex.input.empty() || ex.input.rows > kArcCanvas || ex.input.cols > kArcCanvas) {
            w.error = "input grid " + std::to_string(ex.input.rows) + "x" + std::to_string(ex.input.cols) +
                      " does not fit the 30x30 canvas";
            return;
        }
        for (const ArcVariant & v : variants) {
            std::vector<int32_t> t = encode_arc_canvas(apply_augmentation(ex.input, v.aug));
            if (!check_tokens(t)) return;
            w.tokens.push_back(std::move(t));
            w.puzzle_ids.push_back(v.puzzle_id);
            w.augs.push_back(v.aug);
        }
    } catch (const std::exception & e) {
        w.tokens.clear();
        w.error = std::string("could not encode the example: ") + e.what();
    }
}

BatchOutputs LocalSolver::run_batch(const at::Tensor & inputs, const at::Tensor & puzzle_ids) {
    BatchOutputs out;
    const auto t0 = Clock::now();
#ifdef TRMBENCH_CUDA_EVENTS
    std::optional<at::cuda::CUDAEvent> start, stop;
    if (device_.is_cuda()) {
        start.emplace(cudaEventDefault);
        stop.emplace(cudaEventDefault);
        start->record();
    }
#endif
    {
        c10::InferenceMode guard;
        PuzzleBatch batch{inputs.to(device_), at::zeros_like(inputs).to(device_), puzzle_ids.to(device_)};
        ActCarry carry = initial_carry(*model_, batch);
        std::vector<at::Tensor> preds, qh, qc;
        for (int64_t s = 0; s < model_config_.halt_max_steps; ++s) {
            auto [next, o] = act_step(*model_, carry, batch);
            preds.push_back(o.logits.argmax(-1).to(at::kInt));
            qh.push_back(o.q_halt);
            qc.push_back(o.q_continue);
            carry = std::move(next);
        }
        out.preds = at::stack(preds).to(at::kCPU);
        out.q_halt = at::stack(qh).to(at::kCPU).to(at::kFloat);
        out.q_continue = at::stack(qc).to(at::kCPU).to(at::kFloat);
    }
#ifdef TRMBENCH_CUDA_EVENTS
    if (device_.is_cuda()) {
        stop->record();
        stop->synchronize();
        out.device_ms = start->elapsed_time(*stop);
    }
#endif
    out.wall_ms = ms_since(t0);
    return out;
}

void LocalSolver::collect(const Task & task, const BatchOutputs & out, const std::vector<Row> & rows,
                          std::vector<ExampleWork> & work) {
    const int64_t steps = out.preds.size(0), L = out.preds.size(2);
    const double share = out.wall_ms / static_cast<double>(rows.size());
    const double device_share = out.device_ms < 0 ? -1 : out.device_ms / static_cast<double>(rows.size());
    const int32_t * preds = out.preds.data_ptr<int32_t>();
    const float * qh = out.q_halt.data_ptr<float>();
    const float * qc = out.q_continue.data_ptr<float>();
    const int64_t B = out.preds.size(1);
    for (size_t r = 0; r < rows.size(); ++r) {
        ExampleWork & w = work[rows[r].example];
        const size_t v = rows[r].variant;
        for (int64_t s = 0; s < steps; ++s) {
            std::span<const int32_t> tokens(preds + (s * B + static_cast<int64_t>(r)) * L, static_cast<size_t>(L));
            w.answers[v][s] = family_ == "arc" ? decode_arc_prediction(tokens, w.augs[v]) : task.decode(tokens, *w.ex);
            w.q_halt[v][s] = qh[s * B + static_cast<int64_t>(r)];
            w.q_continue[v][s] = qc[s * B + static_cast<int64_t>(r)];
        }
        w.wall_ms += share;
        if (device_share >= 0) w.device_ms = (w.device_ms < 0 ? 0 : w.device_ms) + device_share;
        ++w.rows_done;
    }
}

std::vector<RankedCandidate> LocalSolver::rank(const ExampleWork & w, size_t step, int top_k) const {
    std::vector<ArcVoteInput> votes;
    votes.reserve(w.answers.size());
    for (size_t v = 0; v < w.answers.size(); ++v) votes.push_back({w.answers[v][step].value_or(Grid{}), w.q_halt[v][step]});
    std::vector<RankedCandidate> out;
    for (const ArcVoteResult & r : vote_arc(votes, top_k)) {
        RankedCandidate c{r.grid, r.count, r.mean_q, 0, 0};
        double sum_h = 0, sum_c = 0;
        int n = 0;
        for (size_t v = 0; v < w.answers.size(); ++v)
            if (votes[v].grid == r.grid) {
                sum_h += w.q_halt[v][step];
                sum_c += w.q_continue[v][step];
                ++n;
            }
        c.mean_q_halt = static_cast<float>(sum_h / std::max(n, 1));
        c.mean_q_continue = static_cast<float>(sum_c / std::max(n, 1));
        out.push_back(std::move(c));
    }
    return out;
}

void LocalSolver::emit(ExampleWork & w, PredictionSink & sink) {
    w.emitted = true;
    if (w.tokens.empty() && w.error.empty()) w.error = "no sequence to run for this example";
    const int64_t steps = model_config_.halt_max_steps;
    const size_t sequences = std::max<size_t>(w.tokens.size(), 1);
    bool charged = false;
    auto compute_for = [&](Prediction & p) {
        p.compute.act_steps = static_cast<int>(steps);
        // One run answers every attempt of the example: its cost is charged once.
        if (charged) {
            p.compute.flops = 0;
            p.compute.wall_ms = 0;
            p.compute.device_ms = w.device_ms < 0 ? -1 : 0;
            return;
        }
        charged = true;
        p.compute.flops = flops_per_puzzle(model_config_, steps, static_cast<int64_t>(sequences));
        p.compute.wall_ms = w.wall_ms;
        p.compute.device_ms = w.device_ms;
    };
    if (!w.error.empty()) {
        for (int a : w.attempts) {
            Prediction p;
            p.example_id = w.ex->id;
            p.attempt = a;
            p.outcome = Outcome::error;
            p.error = w.error;
            sink.put(std::move(p));
        }
        return;
    }
    if (family_ != "arc") {
        for (int a : w.attempts) {
            Prediction p;
            p.example_id = w.ex->id;
            p.attempt = a;
            for (int64_t s = 0; s < steps; ++s)
                p.steps.push_back({w.answers[0][s].value_or(Grid{}), w.q_halt[0][s], w.q_continue[0][s]});
            if (w.answers[0][steps - 1]) {
                p.answer = *w.answers[0][steps - 1];
            } else {
                p.outcome = Outcome::parse_error;
                p.error = "the model's final tokens do not decode to a " + std::string(w.ex->family) + " grid";
            }
            compute_for(p);
            sink.put(std::move(p));
        }
        return;
    }
    const int top_k = w.attempts.back() + 1;
    std::vector<std::vector<RankedCandidate>> ranked(static_cast<size_t>(steps));
    for (int64_t s = 0; s < steps; ++s) ranked[s] = rank(w, static_cast<size_t>(s), top_k);
    for (int a : w.attempts) {
        Prediction p;
        p.example_id = w.ex->id;
        p.attempt = a;
        for (int64_t s = 0; s < steps; ++s) {
            const auto & list = ranked[s];
            const RankedCandidate & c = list[std::min<size_t>(static_cast<size_t>(a), list.size() - 1)];
            p.steps.push_back({c.grid, c.mean_q_halt, c.mean_q_continue});
        }
        const auto & final_list = ranked[steps - 1];
        const bool padded = static_cast<size_t>(a) >= final_list.size();
        const RankedCandidate & c = padded ? final_list.front() : final_list[static_cast<size_t>(a)];
        char text[256];
        std::snprintf(text, sizeof text, "votes %d/%zu, mean sigmoid(q_halt) %.4f; rank %d of %zu candidates%s", c.count,
                      w.answers.size(), c.mean_sigmoid_q, padded ? 1 : a + 1, final_list.size(),
                      padded ? " (fewer candidates than attempts: the top grid again, as the reference pads)" : "");
        p.raw_text = std::string(text) + "; " + w.variant_note;
        if (!c.grid.empty()) {
            p.answer = c.grid;
        } else {
            p.outcome = Outcome::parse_error;
            p.error = "the voted prediction does not crop to a grid (no colour at the top-left of the canvas)";
        }
        compute_for(p);
        sink.put(std::move(p));
    }
}

void LocalSolver::solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) {
    if (!supports(task))
        throw UsageError("local model " + info_.name + " (" + family_ + ", seq_len " + std::to_string(model_config_.seq_len) +
                         ", vocab " + std::to_string(model_config_.vocab_size) + ") cannot run task family " +
                         std::string(task.family()));
    // One unit of work per distinct example; its attempts are answered from one run.
    std::vector<ExampleWork> work;
    std::map<std::string, size_t> index;
    for (const WorkItem & item : items) {
        if (!item.example) throw std::invalid_argument("LocalSolver::solve: work item without an example");
        auto [it, fresh] = index.emplace(item.example->id, work.size());
        if (fresh) {
            work.emplace_back();
            work.back().ex = item.example;
        }
        work[it->second].attempts.push_back(item.attempt);
    }
    for (auto & w : work) std::sort(w.attempts.begin(), w.attempts.end());

    const int64_t L = model_config_.seq_len, steps = model_config_.halt_max_steps;
    size_t next_example = 0, next_variant = 0;
    auto skip_rest = [&] {
        for (auto & w : work)
            if (!w.emitted)
                for (int a : w.attempts) {
                    Prediction p;
                    p.example_id = w.ex->id;
                    p.attempt = a;
                    p.outcome = Outcome::skipped;
                    p.error = "stop requested before this example ran";
                    sink.put(std::move(p));
                }
    };
    while (true) {
        // Fill one batch with the next rows in example order (encoding examples as they come).
        std::vector<Row> rows;
        while (rows.size() < static_cast<size_t>(batch_size_) && next_example < work.size()) {
            ExampleWork & w = work[next_example];
            if (next_variant == 0 && w.tokens.empty() && w.error.empty()) {
                prepare(task, w);
                w.answers.assign(w.tokens.size(), std::vector<std::optional<Grid>>(static_cast<size_t>(steps)));
                w.q_halt.assign(w.tokens.size(), std::vector<float>(static_cast<size_t>(steps)));
                w.q_continue = w.q_halt;
            }
            if (next_variant < w.tokens.size()) rows.push_back({next_example, next_variant++});
            if (next_variant >= w.tokens.size()) {
                ++next_example;
                next_variant = 0;
            }
        }
        // Examples that need no model run (encoding errors) go out at once.
        for (auto & w : work)
            if (!w.emitted && !w.error.empty()) emit(w, sink);
        if (rows.empty()) break;
        if (sink.stop_requested()) {
            skip_rest();
            return;
        }
        at::Tensor inputs = at::zeros({batch_size_, L}, at::kInt);  // PAD rows fill the rest
        at::Tensor ids = at::zeros({batch_size_}, at::kInt);
        int32_t * input_data = inputs.data_ptr<int32_t>();
        int32_t * id_data = ids.data_ptr<int32_t>();
        for (size_t r = 0; r < rows.size(); ++r) {
            const ExampleWork & w = work[rows[r].example];
            std::memcpy(input_data + r * static_cast<size_t>(L), w.tokens[rows[r].variant].data(), static_cast<size_t>(L) * sizeof(int32_t));
            id_data[r] = static_cast<int32_t>(w.puzzle_ids[rows[r].variant]);
        }
        BatchOutputs out = run_batch(inputs, ids);
        out.preds = out.preds.slice(1, 0, static_cast<int64_t>(rows.size())).contiguous();
        out.q_halt = out.q_halt.slice(1, 0, static_cast<int64_t>(rows.size())).contiguous();
        out.q_continue = out.q_continue.slice(1, 0, static_cast<int64_t>(rows.size())).contiguous();
        collect(task, out, rows, work);
        for (auto & w : work)
            if (!w.emitted && w.error.empty() && !w.tokens.empty() && w.rows_done == w.tokens.size()) emit(w, sink);
    }
    for (auto & w : work)
        if (!w.emitted) emit(w, sink);  // nothing left to run (e.g. no variants)
}

}  // namespace

std::unique_ptr<Solver> make_local_solver(const LocalSolverConfig & config) { return std::make_unique<LocalSolver>(config); }

}  // namespace trmbench
