// The training step and evaluation pass (see trainer.h).
#include "models/train/trainer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <set>

#include "harness/core/error.h"
#include "models/io/torch_convert.h"
#include "models/state_dict.h"

namespace trmbench {

using json = nlohmann::json;

ModelConfig adapt_model_config(ModelConfig c, const TrainDataInfo & data, int64_t local_batch, std::vector<std::string> * notes) {
    auto set = [&](int64_t & field, int64_t value, const char * name) {
        if (field != value && notes)
            notes->push_back(std::string(name) + " " + std::to_string(field) + " -> " + std::to_string(value) + " (from the dataset)");
        field = value;
    };
    set(c.seq_len, data.seq_len, "seq_len");
    set(c.vocab_size, data.vocab_size, "vocab_size");
    set(c.num_puzzle_identifiers, data.num_puzzle_identifiers, "num_puzzle_identifiers");
    c.batch_size = local_batch;
    return c;
}

PuzzleBatch to_puzzle_batch(const HostBatch & b, at::Device device) {
    if (b.rows <= 0 || b.seq_len <= 0 || b.inputs.size() != static_cast<size_t>(b.rows * b.seq_len) ||
        b.labels.size() != b.inputs.size() || b.puzzle_identifiers.size() != static_cast<size_t>(b.rows))
        throw std::logic_error("to_puzzle_batch: inconsistent host batch");
    auto i32 = at::TensorOptions().dtype(at::kInt);
    PuzzleBatch p;
    p.inputs = at::from_blob(const_cast<int32_t *>(b.inputs.data()), {b.rows, b.seq_len}, i32).clone();
    p.labels = at::from_blob(const_cast<int32_t *>(b.labels.data()), {b.rows, b.seq_len}, i32).clone();
    p.puzzle_identifiers = at::from_blob(const_cast<int32_t *>(b.puzzle_identifiers.data()), {b.rows}, i32).clone();
    return device.is_cpu() ? p : p.to(device);
}

namespace {

AdamATan2Options adam_options(const TrainConfig & t) { return {t.beta1, t.beta2, t.weight_decay}; }

NamedTensors parameters_of(RecursiveReasoningModelImpl & m) {
    NamedTensors out;
    for (const auto & p : m.named_parameters(true)) out.emplace_back(p.key(), p.value());
    return out;
}

RecursiveReasoningModel build_model(const ModelConfig & c, uint64_t seed, at::Device device) {
    RecursiveReasoningModel m(c, seed);
    if (!device.is_cpu()) m->to(device);
    return m;
}

// Rows of `t` [global, ...] belonging to `rank` of `world`.
at::Tensor rank_rows(const at::Tensor & t, int rank, int world) {
    const int64_t local = t.size(0) / world;
    return t.narrow(0, rank * local, local);
}

}  // namespace

Trainer::Trainer(ModelConfig model_config, TrainConfig train, at::Device device, Communicator & comm, int64_t total_steps)
    : train_(std::move(train)),
      device_(device),
      comm_(comm),
      total_steps_(total_steps),
      model_(build_model(model_config, train_.seed, device)),
      adam_(parameters_of(*model_), adam_options(train_)) {
    validate(train_);
    if (comm_.world_size() > 1) {
        // Every rank builds the same seeded weights; the broadcast makes that a guarantee.
        std::vector<at::Tensor> all;
        for (auto & p : model_->parameters()) all.push_back(p.detach());
        for (auto & b : model_->buffers()) all.push_back(b.detach());
        comm_.broadcast(all, 0);
    }
    if (train_.ema) ema_.emplace(parameters_of(*model_), train_.ema_rate);
}

NamedTensors Trainer::named_parameters() { return parameters_of(*model_); }

double Trainer::lr_at(int64_t step) const {
    return scheduled_lr(step, train_.lr, train_.lr_warmup_steps, total_steps_, train_.lr_min_ratio);
}

double Trainer::puzzle_emb_lr_at(int64_t step) const {
    return scheduled_lr(step, train_.puzzle_emb_lr, train_.lr_warmup_steps, total_steps_, train_.lr_min_ratio);
}

Rng Trainer::exploration_rng(int64_t step, int64_t local_rows) const {
    Rng rng(derive_seed(derive_seed(train_.seed, kExplorationStream), static_cast<uint64_t>(step)));
    // Skip the rows of the ranks before this one: act_step draws unit() then uniform(2, N) per row.
    const int64_t skip = static_cast<int64_t>(comm_.rank()) * local_rows;
    for (int64_t i = 0; i < skip; ++i) {
        rng.unit();
        rng.uniform(2, model_->config.halt_max_steps);
    }
    return rng;
}

void Trainer::allreduce_gradients() {
    if (comm_.world_size() <= 1) return;
    std::vector<at::Tensor> grads;
    for (auto & p : model_->parameters())
        if (p.grad().defined()) grads.push_back(p.grad());
    if (grads.empty()) return;
    // One flat buffer: one collective instead of one per tensor.
    std::vector<at::Tensor> flat{at::cat([&] {
        std::vector<at::Tensor> views;
        for (auto & g : grads) views.push_back(g.reshape({-1}));
        return views;
    }())};
    comm_.allreduce_sum(flat);
    int64_t offset = 0;
    at::NoGradGuard no_grad;
    for (auto & g : grads) {
        g.copy_(flat[0].narrow(0, offset, g.numel()).view(g.sizes()));
        offset += g.numel();
    }
}

void Trainer::sparse_embedding_step(double lr) {
    if (!model_->puzzle_emb) return;
    auto & emb = *model_->puzzle_emb;
    if (!emb.local_weights.defined() || !emb.local_weights.grad().defined()) return;
    at::Tensor grad = emb.local_weights.grad();
    at::Tensor ids = emb.local_ids.to(at::kLong);
    if (comm_.world_size() > 1) {
        grad = comm_.allgather_cat(grad);
        ids = comm_.allgather_cat(ids);
    }
    sparse_signsgd_step(emb.weights, grad, ids, lr, train_.puzzle_emb_weight_decay);
    emb.local_weights.mutable_grad() = at::Tensor();
}

StepMetrics Trainer::train_step(const PuzzleBatch & batch, StepTrace * trace) {
    step_ += 1;
    StepMetrics m;
    m.step = step_;
    m.lr = lr_at(step_);
    m.puzzle_emb_lr = puzzle_emb_lr_at(step_);

    model_->train();
    if (!carry_) carry_ = initial_carry(*model_, batch);
    Rng exploration = exploration_rng(step_, batch.inputs.size(0));
    auto [next, out] = act_step(*model_, *carry_, batch, &exploration);
    ActLossOutputs loss =
        act_step_loss(next, out, train_.loss == LossKind::stablemax ? LossType::stablemax : LossType::softmax);
    (loss.total * (1.0 / static_cast<double>(train_.global_batch_size))).backward();
    carry_ = next;

    allreduce_gradients();
    if (trace) {
        trace->outputs = out;
        trace->carry = next;
        trace->loss = loss;
        if (trace->capture_grads) {
            for (const auto & p : model_->named_parameters(true))
                if (p.value().grad().defined()) trace->grads[p.key()] = p.value().grad().detach().clone();
            if (model_->puzzle_emb && model_->puzzle_emb->local_weights.defined() &&
                model_->puzzle_emb->local_weights.grad().defined())
                trace->grads["puzzle_emb.local_weights"] = model_->puzzle_emb->local_weights.grad().detach().clone();
        }
    }
    sparse_embedding_step(m.puzzle_emb_lr);
    adam_.step(m.lr);
    adam_.zero_grad();
    if (ema_) ema_->update(named_parameters());

    // Metrics: one reduction of every sum (the reference reduces to rank 0; all-reduce is simpler).
    at::NoGradGuard no_grad;
    auto as_double = [](const at::Tensor & t) { return t.defined() ? t.detach().to(at::kDouble).reshape({1}) : at::zeros({1}, at::kDouble); };
    std::vector<at::Tensor> sums{at::cat({as_double(loss.total), as_double(loss.lm_loss), as_double(loss.q_halt_loss),
                                          as_double(loss.q_continue_loss), as_double(loss.count), as_double(loss.accuracy),
                                          as_double(loss.exact_accuracy), as_double(loss.q_halt_accuracy),
                                          as_double(loss.steps)})
                                     .to(at::kCPU)};
    comm_.allreduce_sum(sums);
    const double * v = sums[0].data_ptr<double>();
    m.loss = v[0];
    m.lm_loss = v[1];
    m.q_halt_loss = v[2];
    m.q_continue_loss = v[3];
    m.count = v[4];
    m.accuracy = v[5];
    m.exact_accuracy = v[6];
    m.q_halt_accuracy = v[7];
    m.steps = v[8];
    return m;
}

EvalMetrics Trainer::evaluate(TestBatchStream & test, int64_t max_batches) {
    const auto start = std::chrono::steady_clock::now();
    const int64_t N = model_->config.halt_max_steps;
    const bool q_continue = uses_q_continue(model_->config);

    // Swap the EMA weights in (bit-exact restore afterwards).
    NamedTensors params = named_parameters();
    std::vector<at::Tensor> saved;
    if (ema_) {
        at::NoGradGuard no_grad;
        for (auto & [name, p] : params) saved.push_back(p.detach().clone());
        ema_->copy_to(params);
    }
    const bool was_training = model_->is_training();
    model_->eval();

    // Sums: 0 count, 1 accuracy, 2 exact, 3 q_halt_acc, 4 steps, 5 lm_loss, 6 q_halt_loss,
    // 7 halted exact, 8 halted accuracy, 9 halted steps, then N step accuracies and N step exacts.
    std::vector<double> sums(static_cast<size_t>(10 + 2 * N), 0.0);
    int64_t batches = 0;
    {
        at::NoGradGuard no_grad;
        test.reset();
        HostBatch host;
        while ((max_batches <= 0 || batches < max_batches) && test.next(host)) {
            ++batches;
            PuzzleBatch batch = to_puzzle_batch(host, device_);
            ActCarry carry = initial_carry(*model_, batch);
            at::Tensor mask = batch.labels != kIgnoreLabel;
            at::Tensor n_valid = mask.sum(-1);
            at::Tensor valid_row = n_valid > 0;
            at::Tensor divisor = n_valid.clamp_min(1).to(at::kDouble);
            at::Tensor stopped = at::zeros_like(valid_row);
            for (int64_t s = 1; s <= N; ++s) {
                auto [next, out] = act_step(*model_, carry, batch);
                at::Tensor preds = at::argmax(out.logits, -1);
                at::Tensor correct = (mask & (preds == batch.labels)).sum(-1);
                at::Tensor row_acc = at::where(valid_row, correct.to(at::kDouble) / divisor, at::zeros({}, at::kDouble));
                at::Tensor row_exact = valid_row & (correct == n_valid);
                sums[static_cast<size_t>(10 + s - 1)] += row_acc.sum().item<double>();
                sums[static_cast<size_t>(10 + N + s - 1)] += row_exact.sum().item<double>();

                at::Tensor wants_halt = q_continue ? (out.q_halt > out.q_continue) : (out.q_halt > 0);
                at::Tensor stop_now = valid_row & ~stopped & (s == N ? at::ones_like(wants_halt) : wants_halt);
                sums[7] += (stop_now & row_exact).sum().item<double>();
                sums[8] += at::where(stop_now, row_acc, at::zeros({}, at::kDouble)).sum().item<double>();
                sums[9] += static_cast<double>(s) * stop_now.sum().item<double>();
                stopped = stopped | stop_now;

                if (s == N) {
                    ActLossOutputs l = act_step_loss(next, out, train_.loss == LossKind::stablemax ? LossType::stablemax : LossType::softmax);
                    sums[0] += l.count.item<double>();
                    sums[1] += l.accuracy.item<double>();
                    sums[2] += l.exact_accuracy.item<double>();
                    sums[3] += l.q_halt_accuracy.item<double>();
                    sums[4] += l.steps.item<double>();
                    sums[5] += l.lm_loss.item<double>();
                    sums[6] += l.q_halt_loss.item<double>();
                }
                carry = next;
            }
        }
    }
    std::vector<at::Tensor> reduced{at::tensor(sums, at::kDouble)};
    comm_.allreduce_sum(reduced);
    const double * r = reduced[0].data_ptr<double>();

    if (ema_) {
        at::NoGradGuard no_grad;
        for (size_t i = 0; i < params.size(); ++i) params[i].second.detach().copy_(saved[i]);
    }
    if (was_training) model_->train();

    EvalMetrics e;
    e.batches = batches;
    e.count = static_cast<int64_t>(std::llround(r[0]));
    const double c = std::max(r[0], 1.0);
    e.accuracy = r[1] / c;
    e.exact_accuracy = r[2] / c;
    e.q_halt_accuracy = r[3] / c;
    e.steps = r[4] / c;
    e.lm_loss = r[5] / c;
    e.q_halt_loss = r[6] / c;
    e.halted_exact_accuracy = r[7] / c;
    e.halted_accuracy = r[8] / c;
    e.halted_mean_steps = r[9] / c;
    for (int64_t s = 0; s < N; ++s) {
        e.step_accuracy.push_back(r[10 + s] / c);
        e.step_exact_accuracy.push_back(r[10 + N + s] / c);
    }
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return e;
}

TensorMap Trainer::eval_state_dict(const std::string & prefix) {
    if (!ema_) return export_state_dict(*model_, prefix);
    NamedTensors params = named_parameters();
    std::vector<at::Tensor> saved;
    at::NoGradGuard no_grad;
    for (auto & [name, p] : params) saved.push_back(p.detach().clone());
    ema_->copy_to(params);
    TensorMap out = export_state_dict(*model_, prefix);
    for (size_t i = 0; i < params.size(); ++i) params[i].second.detach().copy_(saved[i]);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Training state

namespace {

const char * const kCarryKeys[] = {"carry.z_H", "carry.z_L", "carry.steps", "carry.halted",
                                   "carry.inputs", "carry.labels", "carry.puzzle_identifiers"};

std::vector<at::Tensor> carry_tensors(const ActCarry & c) {
    return {c.inner.z_H, c.inner.z_L, c.steps, c.halted, c.current.inputs, c.current.labels, c.current.puzzle_identifiers};
}

}  // namespace

TensorMap Trainer::export_state(std::string & json_out) {
    TensorMap out = export_state_dict(*model_, "model.");
    json j;
    j["step"] = step_;
    j["adam_steps"] = json::object();
    for (const auto & s : adam_.slots()) {
        j["adam_steps"][s.name] = s.step;
        if (s.exp_avg.defined()) {
            out["adam.exp_avg." + s.name] = from_tensor(s.exp_avg);
            out["adam.exp_avg_sq." + s.name] = from_tensor(s.exp_avg_sq);
        }
    }
    if (ema_)
        for (const auto & [name, t] : ema_->shadow()) out["ema." + name] = from_tensor(t);
    j["carry"] = carry_.has_value();
    if (carry_) {
        std::vector<at::Tensor> parts = carry_tensors(*carry_);
        for (size_t i = 0; i < parts.size(); ++i) {
            at::Tensor t = parts[i];
            // Gather every rank's rows (bool is not a c10d dtype: send it as uint8).
            const bool is_bool = t.scalar_type() == at::kBool;
            at::Tensor send = is_bool ? t.to(at::kByte) : t;
            at::Tensor all = comm_.world_size() > 1 ? comm_.allgather_cat(send) : send;
            out[kCarryKeys[i]] = from_tensor(is_bool ? all.to(at::kBool) : all);
        }
    }
    json_out = j.dump();
    return out;
}

void Trainer::import_state(const TensorMap & tensors, const std::string & json_text, const std::string & origin) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::exception & e) {
        throw InputError(origin + ": training state is not valid JSON: " + e.what());
    }
    auto need = [&](const char * key) -> const json & {
        if (!j.contains(key)) throw InputError(origin + ": training state lacks \"" + std::string(key) + "\"");
        return j[key];
    };
    // Model: the "model." tensors through the state-dict loader (names every mismatch).
    TensorMap model_part;
    std::set<std::string> used;
    for (const auto & [k, v] : tensors)
        if (k.rfind("model.", 0) == 0) {
            model_part[k.substr(6)] = v;
            used.insert(k);
        }
    load_state_dict(*model_, model_part, origin);

    auto copy_into = [&](const std::string & key, at::Tensor & dst, bool allocate) {
        auto it = tensors.find(key);
        if (it == tensors.end()) throw InputError(origin + ": missing tensor " + key);
        at::Tensor src = to_tensor(it->second);
        if (allocate) dst = at::empty(src.sizes(), src.options().device(device_));
        if (!src.sizes().equals(dst.sizes()))
            throw InputError(origin + ": tensor " + key + " has shape " + c10::str(src.sizes()) + ", the model needs " +
                             c10::str(dst.sizes()) + " (a checkpoint of another config?)");
        at::NoGradGuard no_grad;
        dst.copy_(src.to(dst.scalar_type()));
        used.insert(key);
    };

    const json & steps = need("adam_steps");
    if (!steps.is_object()) throw InputError(origin + ": adam_steps: expected an object");
    for (auto & s : adam_.slots()) {
        if (!steps.contains(s.name) || !steps[s.name].is_number_integer() || steps[s.name].get<int64_t>() < 0)
            throw InputError(origin + ": adam_steps." + s.name + ": missing or not a step count");
        s.step = steps[s.name].get<int64_t>();
        if (s.step > 0) {
            s.exp_avg = at::zeros_like(s.param);
            s.exp_avg_sq = at::zeros_like(s.param);
            copy_into("adam.exp_avg." + s.name, s.exp_avg, false);
            copy_into("adam.exp_avg_sq." + s.name, s.exp_avg_sq, false);
        } else {
            s.exp_avg = at::Tensor();
            s.exp_avg_sq = at::Tensor();
        }
    }
    if (steps.size() != adam_.slots().size()) throw InputError(origin + ": adam_steps lists parameters this model lacks");
    if (ema_)
        for (auto & [name, t] : ema_->shadow()) copy_into("ema." + name, t, false);

    if (need("carry").get<bool>()) {
        ActCarry c;
        std::vector<at::Tensor *> dst{&c.inner.z_H, &c.inner.z_L, &c.steps, &c.halted,
                                      &c.current.inputs, &c.current.labels, &c.current.puzzle_identifiers};
        for (size_t i = 0; i < dst.size(); ++i) {
            auto it = tensors.find(kCarryKeys[i]);
            if (it == tensors.end()) throw InputError(origin + ": missing tensor " + std::string(kCarryKeys[i]));
            at::Tensor all = to_tensor(it->second);
            if (all.dim() < 1 || all.size(0) != train_.global_batch_size)
                throw InputError(origin + ": " + std::string(kCarryKeys[i]) + " holds " +
                                 std::to_string(all.dim() ? all.size(0) : 0) + " rows, the global batch is " +
                                 std::to_string(train_.global_batch_size));
            *dst[i] = rank_rows(all, comm_.rank(), comm_.world_size()).clone().to(device_);
            used.insert(kCarryKeys[i]);
        }
        const int64_t S = model_->seq_total, D = model_->config.hidden_size, L = model_->config.seq_len;
        if (c.inner.z_H.dim() != 3 || c.inner.z_H.size(1) != S || c.inner.z_H.size(2) != D || c.current.inputs.dim() != 2 ||
            c.current.inputs.size(1) != L || !c.inner.z_H.sizes().equals(c.inner.z_L.sizes()))
            throw InputError(origin + ": the saved carry does not fit this model (sequence " + std::to_string(S) + " x " +
                             std::to_string(D) + ")");
        c.inner.z_H = c.inner.z_H.to(model_->forward_dtype);
        c.inner.z_L = c.inner.z_L.to(model_->forward_dtype);
        c.steps = c.steps.to(at::kInt);
        c.halted = c.halted.to(at::kBool);
        carry_ = c;
    } else {
        carry_.reset();
    }
    for (const auto & [k, v] : tensors)
        if (!used.count(k)) throw InputError(origin + ": unexpected tensor " + k + " (a checkpoint of another config?)");
    const json & st = need("step");
    if (!st.is_number_integer() || st.get<int64_t>() < 0) throw InputError(origin + ": step: expected an integer >= 0");
    step_ = st.get<int64_t>();
}

}  // namespace trmbench
