// The LibTorch modules: initialisation (statistics, and the reference's own draws), parameter
// counts by instantiation, shapes and determinism over many configurations, state-dict mapping
// and its errors, and the training-mode ACT step with its gradients against the reference.
#include "tests/support/torch_catch.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/act.h"
#include "models/api.h"
#include "models/io/safetensors.h"
#include "models/io/torch_convert.h"
#include "models/layers.h"
#include "models/reasoning_model.h"
#include "models/state_dict.h"
#include "tests/support/test_support.h"

#include <ATen/CPUGeneratorImpl.h>

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string & name) { return test::shared_dir() / "fixtures/reference" / name; }

ModelConfig small_config(ModelFamily family) {
    ModelConfig c;
    c.family = family;
    c.batch_size = 3;
    c.seq_len = 10;
    c.vocab_size = 7;
    c.num_puzzle_identifiers = 4;
    c.puzzle_emb_ndim = 16;
    c.puzzle_emb_len = family == ModelFamily::trm ? 2 : 0;
    c.H_cycles = 2;
    c.L_cycles = 2;
    c.H_layers = family == ModelFamily::hrm ? 1 : 0;
    c.L_layers = 2;
    c.hidden_size = 16;
    c.num_heads = 2;
    c.expansion = 2;
    c.pos_encodings = PosEncoding::rope;
    c.halt_max_steps = 3;
    c.halt_exploration_prob = 0;
    c.forward_dtype = ForwardDType::float32;
    return c;
}

PuzzleBatch random_batch(const ModelConfig & c, int64_t B, uint64_t seed) {
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    PuzzleBatch b;
    b.inputs = at::randint(0, c.vocab_size, {B, c.seq_len}, gen, at::kInt);
    b.labels = at::randint(0, c.vocab_size, {B, c.seq_len}, gen, at::kInt);
    b.puzzle_identifiers = at::randint(0, std::max<int64_t>(c.num_puzzle_identifiers, 1), {B}, gen, at::kInt);
    return b;
}

// Runs the evaluation ACT loop; returns the logits of every step, concatenated.
at::Tensor eval_logits(RecursiveReasoningModelImpl & m, const PuzzleBatch & b) {
    at::NoGradGuard no_grad;
    m.eval();
    ActCarry carry = initial_carry(m, b);
    std::vector<at::Tensor> all;
    for (int64_t s = 0; s < m.config.halt_max_steps; ++s) {
        auto [next, out] = act_step(m, carry, b);
        all.push_back(out.logits.to(at::kFloat));
        carry = next;
    }
    return at::stack(all);
}

bool same(const at::Tensor & a, const at::Tensor & b) { return a.sizes() == b.sizes() && at::equal(a, b); }

// allclose with the README's gradient tolerance; returns the worst excess over the bound.
double excess(const at::Tensor & ours, const at::Tensor & ref, double atol, double rtol) {
    at::Tensor o = ours.to(at::kDouble), r = ref.to(at::kDouble);
    return ((o - r).abs() - (atol + rtol * r.abs())).max().item<double>();
}

PuzzleBatch case_batch(const TensorMap & t) {
    return {to_tensor(t.at("inputs")).to(at::kInt), to_tensor(t.at("labels")).to(at::kInt),
            to_tensor(t.at("puzzle_identifiers")).to(at::kInt)};
}

}  // namespace

TEST_CASE("truncated normal init has the requested std and bounds", "[models][init]") {
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(7);
    for (double std : {1.0, 0.02}) {
        at::Tensor t = at::empty({1 << 20}, at::kFloat);
        trunc_normal_(t, std, gen);
        INFO("std " << std);
        CHECK(std::fabs(t.std().item<double>() / std - 1) < 0.005);
        CHECK(std::fabs(t.mean().item<double>()) < 0.005 * std);
        const double bound = 2 * 1.1368472 * std;
        CHECK(t.abs().max().item<double>() <= bound * (1 + 1e-6));
        CHECK(t.abs().max().item<double>() > 0.99 * bound);  // the clip is reached: truncation, not a plain normal
    }
    at::Tensor z = at::ones({100}, at::kFloat);
    trunc_normal_(z, 0.0, gen);
    CHECK(z.abs().max().item<double>() == 0);
}

TEST_CASE("a fresh model has the reference's special initial values", "[models][init]") {
    RecursiveReasoningModel m(small_config(ModelFamily::trm), 3);
    CHECK(m->q_head->weight.abs().max().item<double>() == 0);
    CHECK(at::all(m->q_head->bias == -5).item<bool>());
    CHECK(m->puzzle_emb->weights.abs().max().item<double>() == 0);  // sparse table starts at zero
    CHECK(m->H_init.scalar_type() == at::kFloat);
    // LeCun std for a linear layer: 1/sqrt(in).
    at::Tensor w = m->L_level->layers[0]->as<BlockImpl>()->mlp->gate_up_proj->weight;
    CHECK(std::fabs(w.std().item<double>() * std::sqrt(16.0) - 1) < 0.1);
    ModelConfig bf = small_config(ModelFamily::hrm);
    bf.forward_dtype = ForwardDType::bfloat16;
    RecursiveReasoningModel h(bf, 3);
    CHECK(h->H_init.scalar_type() == at::kBFloat16);
    CHECK(h->L_init.scalar_type() == at::kBFloat16);
    CHECK(h->lm_head->weight.scalar_type() == at::kFloat);  // master weights stay float32
}

TEST_CASE("seeded init reproduces the reference's initial weights bit for bit", "[models][init]") {
    // The fixtures were initialised by the reference after torch.manual_seed(seed); only the
    // puzzle table and the Q head were overwritten afterwards (fixtures README §3).
    for (const char * name : {"trm_att_f32", "trm_att_bf16", "trm_mlp_f32", "hrm_f32", "hrm_bf16"}) {
        INFO(name);
        auto meta = nlohmann::json::parse(read_file(fixture(name) / "config.json"));
        const uint64_t seed = meta["init"]["torch_manual_seed"].get<uint64_t>();
        ModelConfig c = load_model_config(fixture(name) / "config.json");
        RecursiveReasoningModel m(c, seed);
        TensorMap ours = export_state_dict(*m);
        TensorMap ref = read_safetensors(fixture(name) / "checkpoint.safetensors").tensors;
        int compared = 0;
        for (const auto & [key, blob] : ref) {
            std::string k = strip_checkpoint_prefix(key);
            if (k == "puzzle_emb.weights" || k.rfind("q_head.", 0) == 0) continue;
            INFO(k);
            REQUIRE(ours.count(k) == 1);
            CHECK(ours.at(k).dtype == blob.dtype);
            CHECK(ours.at(k).data == blob.data);
            ++compared;
        }
        CHECK(compared >= 7);
    }
}

TEST_CASE("a model built to receive a checkpoint draws nothing, and loading makes it the saved model", "[models][init]") {
    for (const ModelFamily family : {ModelFamily::trm, ModelFamily::hrm}) {
        RecursiveReasoningModel seeded(small_config(family), 11);
        const TensorMap saved = export_state_dict(*seeded);
        RecursiveReasoningModel blank(nullptr);
        {
            ScopedSkipRandomInit no_draws;
            blank = RecursiveReasoningModel(small_config(family), 11);
        }
        // every drawn tensor is zero (the fixed ones, such as the Q head's -5 bias, are as usual)
        CHECK(blank->H_init.abs().max().item<double>() == 0);
        CHECK(blank->lm_head->weight.abs().max().item<double>() == 0);
        CHECK(blank->embed_tokens->embedding_weight.abs().max().item<double>() == 0);
        CHECK(at::all(blank->q_head->bias == -5).item<bool>());
        load_state_dict(*blank, saved, "seeded model");
        const TensorMap loaded = export_state_dict(*blank);
        REQUIRE(loaded.size() == saved.size());
        for (const auto & [key, blob] : saved) {
            INFO(key);
            CHECK(loaded.at(key).data == blob.data);
        }
        // the guard is gone: the next model draws the seeded values again
        RecursiveReasoningModel again(small_config(family), 11);
        CHECK(export_state_dict(*again).at("lm_head.weight").data == saved.at("lm_head.weight").data);
    }
}

TEST_CASE("parameter counts by instantiation equal the analytic counts", "[models][params]") {
    // One preset per family/variant and sequence length (all nine are checked analytically in
    // config_test.cpp); the rest differ from these only in V and the puzzle-table rows.
    for (const char * name : {"trm-att-sudoku", "trm-mlp-sudoku", "hrm-sudoku", "trm-mlp-maze", "trm-att-arc"}) {
        INFO(name);
        ModelConfig c = load_preset(name);
        c.num_puzzle_identifiers = 1;  // the ARC table is a buffer: not a parameter, and 1.8 GB
        RecursiveReasoningModel m(c);
        CHECK(m->num_parameters() == count_params(c));
        CHECK(m->num_parameters() == count_params(load_preset(name)));
        int64_t buffers = 0;
        for (const auto & b : m->named_buffers())
            if (!is_non_persistent_buffer(b.key())) buffers += b.value().numel();
        CHECK(buffers == count_params_detail(c).puzzle_table + count_params_detail(c).init_states);
    }
}

TEST_CASE("models of many other configurations: shapes, counts, determinism, state-dict round trip", "[models]") {
    struct Variant {
        const char * what;
        std::function<void(ModelConfig &)> edit;
    };
    const std::vector<Variant> variants = {
        {"trm att fp32", [](ModelConfig &) {}},
        {"trm att bf16, 3x3 cycles, 3 layers", [](ModelConfig & c) {
             c.forward_dtype = ForwardDType::bfloat16;
             c.H_cycles = 3;
             c.L_cycles = 3;
             c.L_layers = 3;
         }},
        {"trm att D=24 4 heads (hd 6), P from ndim (len 0), ndim < D", [](ModelConfig & c) {
             c.hidden_size = 24;
             c.num_heads = 4;
             c.puzzle_emb_len = 0;
             c.puzzle_emb_ndim = 20;
         }},
        {"trm att ndim spanning 3 slots", [](ModelConfig & c) {
             c.puzzle_emb_len = 3;
             c.puzzle_emb_ndim = 40;
         }},
        {"trm without puzzle prefix", [](ModelConfig & c) {
             c.puzzle_emb_ndim = 0;
             c.puzzle_emb_len = 0;
             c.num_puzzle_identifiers = 0;
         }},
        {"trm mlp_t none fp32", [](ModelConfig & c) {
             c.mlp_t = true;
             c.pos_encodings = PosEncoding::none;
         }},
        {"trm mlp_t learned bf16, L=30", [](ModelConfig & c) {
             c.mlp_t = true;
             c.pos_encodings = PosEncoding::learned;
             c.forward_dtype = ForwardDType::bfloat16;
             c.seq_len = 30;
         }},
        {"trm learned positions, expansion 2.5", [](ModelConfig & c) {
             c.pos_encodings = PosEncoding::learned;
             c.expansion = 2.5;
         }},
        {"hrm fp32", [](ModelConfig & c) { c.family = ModelFamily::hrm, c.H_layers = 2, c.puzzle_emb_len = 0; }},
        {"hrm bf16 3 cycles, V=13, 9 ids", [](ModelConfig & c) {
             c.family = ModelFamily::hrm;
             c.H_layers = 1;
             c.L_layers = 3;
             c.H_cycles = 3;
             c.L_cycles = 1;
             c.puzzle_emb_len = 0;
             c.vocab_size = 13;
             c.num_puzzle_identifiers = 9;
             c.forward_dtype = ForwardDType::bfloat16;
         }},
        {"hrm learned, ndim 2D", [](ModelConfig & c) {
             c.family = ModelFamily::hrm;
             c.H_layers = 1;
             c.puzzle_emb_len = 0;
             c.puzzle_emb_ndim = 32;
             c.pos_encodings = PosEncoding::learned;
         }},
    };
    for (const auto & v : variants) {
        INFO(v.what);
        ModelConfig c = small_config(ModelFamily::trm);
        v.edit(c);
        REQUIRE_NOTHROW(validate(c));
        RecursiveReasoningModel a(c, 11);
        CHECK(a->num_parameters() == count_params(c));

        const int64_t B = 3, S = total_seq_len(c);
        PuzzleBatch batch = random_batch(c, B, 5);
        at::NoGradGuard no_grad;
        a->eval();
        ActCarry carry = initial_carry(*a, batch);
        for (int64_t s = 0; s < c.halt_max_steps; ++s) {
            auto [next, out] = act_step(*a, carry, batch);
            CHECK(out.logits.sizes() == at::IntArrayRef({B, c.seq_len, c.vocab_size}));
            CHECK(out.logits.scalar_type() == to_scalar_type(c.forward_dtype));
            CHECK(out.q_halt.sizes() == at::IntArrayRef({B}));
            CHECK(out.q_halt.scalar_type() == at::kFloat);
            CHECK(next.inner.z_H.sizes() == at::IntArrayRef({B, S, c.hidden_size}));
            CHECK(next.inner.z_L.scalar_type() == to_scalar_type(c.forward_dtype));
            CHECK(at::all(next.steps == s + 1).item<bool>());
            CHECK(at::all(next.halted == (s + 1 == c.halt_max_steps)).item<bool>());  // eval: all steps, always
            CHECK(at::isfinite(out.logits).all().item<bool>());
            ActLossOutputs loss = act_step_loss(next, out);
            CHECK(std::isfinite(loss.total.item<double>()));
            CHECK(loss.total.scalar_type() == at::kDouble);
            carry = next;
        }
        // Same weights, same inputs: identical outputs; another seed: different weights.
        at::Tensor first = eval_logits(*a, batch);
        CHECK(same(first, eval_logits(*a, batch)));
        RecursiveReasoningModel again(c, 11);
        CHECK(same(first, eval_logits(*again, batch)));
        RecursiveReasoningModel other(c, 12);
        CHECK_FALSE(same(first, eval_logits(*other, batch)));

        // State dict round trip: export with the reference prefix, load into the other model.
        {
            at::NoGradGuard ng;
            if (a->puzzle_emb) a->puzzle_emb->weights.normal_(0, 0.1);  // make the table matter
        }
        at::Tensor with_table = eval_logits(*a, batch);
        TensorMap sd = export_state_dict(*a, kReferenceKeyPrefix);
        for (const auto & [k, blob] : sd) CHECK(k.rfind(kReferenceKeyPrefix, 0) == 0);
        CHECK(static_cast<int64_t>(sd.size()) == static_cast<int64_t>(a->parameters().size()) + 2 + (a->puzzle_emb ? 1 : 0));
        load_state_dict(*other, sd, "roundtrip");
        CHECK(same(with_table, eval_logits(*other, batch)));
        CHECK(same(with_table.select(0, 0), eval_logits(*other, batch).select(0, 0)));
    }
}

TEST_CASE("state-dict loading names every missing, unexpected and wrong-shape key", "[models][state_dict]") {
    ModelConfig trm = load_model_config(fixture("trm_att_f32") / "config.json");
    TensorMap trm_sd = read_safetensors(fixture("trm_att_f32") / "checkpoint.safetensors").tensors;
    TensorMap hrm_sd = read_safetensors(fixture("hrm_f32") / "checkpoint.safetensors").tensors;
    RecursiveReasoningModel m(trm);
    CHECK_NOTHROW(load_state_dict(*m, trm_sd, "trm.safetensors"));

    auto message_of = [&](const TensorMap & sd) -> std::string {
        try {
            load_state_dict(*m, sd, "ckpt.safetensors");
        } catch (const InputError & e) {
            return e.what();
        }
        return "";
    };
    SECTION("a checkpoint of another architecture") {
        std::string msg = message_of(hrm_sd);
        INFO(msg);
        CHECK(msg.find("ckpt.safetensors") != std::string::npos);
        CHECK(msg.find("another architecture") != std::string::npos);
        CHECK(msg.find("unexpected key H_level.layers.0.self_attn.qkv_proj.weight [192, 64]") != std::string::npos);
        // HRM has P = 1, TRM here 4: the rope-free keys match but nothing else is silently accepted.
        CHECK(msg.find("H_level.layers.1.mlp.down_proj.weight") != std::string::npos);
    }
    SECTION("a missing key") {
        TensorMap sd = trm_sd;
        sd.erase("_orig_mod.model.inner.L_level.layers.1.mlp.down_proj.weight");
        std::string msg = message_of(sd);
        INFO(msg);
        CHECK(msg.find("missing key L_level.layers.1.mlp.down_proj.weight [64, 256]") != std::string::npos);
    }
    SECTION("a wrong shape") {
        TensorMap sd = trm_sd;
        TensorBlob & lm = sd.at("_orig_mod.model.inner.lm_head.weight");
        lm.shape = {12, 64};
        lm.data.resize(12 * 64 * 4);
        std::string msg = message_of(sd);
        INFO(msg);
        CHECK(msg.find("wrong shape for lm_head.weight: checkpoint [12, 64], model [11, 64]") != std::string::npos);
    }
    SECTION("an integer tensor where a weight belongs") {
        TensorMap sd = trm_sd;
        TensorBlob & b = sd.at("_orig_mod.model.inner.q_head.bias");
        b.dtype = DType::i32;
        std::string msg = message_of(sd);
        CHECK(msg.find("wrong dtype for q_head.bias") != std::string::npos);
    }
    SECTION("other prefixes and bf16 weights are accepted") {
        TensorMap sd;
        for (const auto & [k, blob] : trm_sd) sd["model.inner." + strip_checkpoint_prefix(k)] = blob;
        TensorBlob & w = sd.at("model.inner.lm_head.weight");
        w = from_tensor(to_tensor(w).to(at::kBFloat16));
        CHECK_NOTHROW(load_state_dict(*m, sd, "other.safetensors"));
        CHECK(m->lm_head->weight.scalar_type() == at::kFloat);
        CHECK(at::equal(m->lm_head->weight, to_tensor(w).to(at::kFloat)));
    }
}

TEST_CASE("the training-mode ACT step and its gradients match the reference's first training call", "[models][train]") {
    // train.safetensors call 0: fresh carry, model.train(), one ACT step + loss, backward of
    // total / global_batch_size (fixtures README §5). Later calls need the optimizers.
    for (const char * name : {"trm_att_f32", "hrm_f32"}) {
        INFO(name);
        ModelConfig c = load_model_config(fixture(name) / "config.json");
        TensorMap tr = read_safetensors(fixture(name) / "train.safetensors").tensors;
        auto tj = nlohmann::json::parse(read_file(fixture(name) / "train.json"));
        RecursiveReasoningModel m(c);
        load_state_dict(*m, read_safetensors(fixture(name) / "checkpoint.safetensors").tensors, name);
        m->train();
        PuzzleBatch batch = case_batch(tr);
        ActCarry carry = initial_carry(*m, batch);
        auto [next, out] = act_step(*m, carry, batch);
        ActLossOutputs loss = act_step_loss(next, out);

        auto ref = [&](const std::string & key) { return to_tensor(tr.at("call0." + key)); };
        CHECK(excess(out.logits, ref("logits"), 2e-4, 0) <= 0);
        CHECK(excess(out.q_halt, ref("q_halt"), 2e-4, 0) <= 0);
        CHECK(excess(out.q_continue, ref("q_continue"), 2e-4, 0) <= 0);
        CHECK(at::equal(next.halted, ref("halted").to(at::kBool)));
        CHECK(at::equal(next.steps, ref("steps").to(at::kInt)));
        if (c.family == ModelFamily::hrm) {
            REQUIRE(out.target_q_continue.defined());
            CHECK(excess(out.target_q_continue, ref("target_q_continue"), 2e-4, 0) <= 0);
        } else {
            CHECK_FALSE(out.target_q_continue.defined());
        }
        // train.json holds the exact float64 values.
        const auto & call0 = tj["calls"][0];
        CHECK(std::fabs(loss.total.item<double>() - call0["loss"].get<double>()) < 1e-5);

        (loss.total * (1.0 / static_cast<double>(batch.inputs.size(0)))).backward();
        int compared = 0;
        for (const auto & p : m->named_parameters()) {
            INFO(p.key());
            const std::string key = "call0.grad._orig_mod.model.inner." + p.key();
            REQUIRE(tr.count(key) == 1);
            REQUIRE(p.value().grad().defined());
            CHECK(excess(p.value().grad(), to_tensor(tr.at(key)), 1e-6, 1e-4) <= 0);
            ++compared;
        }
        CHECK(compared == static_cast<int>(m->parameters().size()));
        REQUIRE(m->puzzle_emb->local_weights.grad().defined());
        CHECK(excess(m->puzzle_emb->local_weights.grad(),
                     to_tensor(tr.at("call0.grad._orig_mod.model.inner.puzzle_emb.local_weights")), 1e-6, 1e-4) <= 0);
        CHECK(at::equal(m->puzzle_emb->local_ids, batch.puzzle_identifiers.to(at::kLong)));
    }
}

TEST_CASE("training halts on the Q head, explores with a seeded Rng, and evaluation never halts early", "[models][act]") {
    ModelConfig c = small_config(ModelFamily::trm);
    c.halt_max_steps = 6;
    RecursiveReasoningModel m(c, 2);
    PuzzleBatch batch = random_batch(c, 8, 3);
    at::NoGradGuard no_grad;
    m->q_head->bias.fill_(5);  // q_halt > 0 everywhere: every row wants to stop at once
    m->train();
    {
        auto [next, out] = act_step(*m, initial_carry(*m, batch), batch);
        CHECK(at::all(next.halted).item<bool>());
        CHECK(at::all(next.steps == 1).item<bool>());
    }
    {
        // Exploration with probability 1: every row must run at least 2 steps (min_halt in [2, N]).
        m->config.halt_exploration_prob = 1.0;
        Rng rng(42);
        auto [next, out] = act_step(*m, initial_carry(*m, batch), batch, &rng);
        CHECK_FALSE(at::any(next.halted).item<bool>());
        // Rows that restart take the new batch's row; the others keep theirs.
        ActCarry carry = next;
        carry.halted = at::tensor({1, 0, 0, 0, 0, 0, 0, 1}, at::kInt).to(at::kBool);
        PuzzleBatch other = random_batch(c, 8, 99);
        Rng rng2(42);
        auto [after, out2] = act_step(*m, carry, other, &rng2);
        CHECK(at::equal(after.current.inputs[0], other.inputs[0]));
        CHECK(at::equal(after.current.inputs[1], batch.inputs[1]));
        CHECK(after.steps[0].item<int>() == 1);
        CHECK(after.steps[1].item<int>() == 2);
        // Same seed, same decisions.
        Rng r1(7), r2(7);
        auto [h1, o1] = act_step(*m, carry, other, &r1);
        auto [h2, o2] = act_step(*m, carry, other, &r2);
        CHECK(at::equal(h1.halted, h2.halted));
        m->config.halt_exploration_prob = 0;
    }
    m->eval();
    auto [next, out] = act_step(*m, initial_carry(*m, batch), batch);
    CHECK_FALSE(at::any(next.halted).item<bool>());  // no Q-based halting in evaluation
}

TEST_CASE("stablemax cross-entropy and the ACT loss follow the reference formulas", "[models][loss]") {
    at::Tensor logits = at::tensor({2.0, -1.0, 0.5, -3.0, 0.0, 1.0}, at::kDouble).view({1, 2, 3});
    at::Tensor labels = at::tensor({0, -100}, at::kInt).view({1, 2});
    at::Tensor ce = stablemax_cross_entropy(logits, labels, labels != kIgnoreLabel);
    // s = [3, 1/2, 1.5] for row 0 -> p(label 0) = 3 / 5
    CHECK(ce[0][0].item<double>() == Approx(-std::log(3.0 / 5.0)).epsilon(1e-14));
    CHECK(ce[0][1].item<double>() == 0);  // ignored

    ActLossInputs in;
    in.logits = at::tensor({5.f, 0.f, 0.f, 5.f, 0.f, 5.f, 0.f, 0.f}, at::kFloat).view({2, 2, 2});
    in.labels = at::tensor({0, 1, 0, 0}, at::kInt).view({2, 2});  // row 0 right, row 1 half right
    in.q_halt = at::tensor({1.f, -1.f});
    in.q_continue = at::tensor({0.f, 0.f});
    in.halted = at::tensor({1, 1}, at::kInt).to(at::kBool);
    in.steps = at::tensor({3, 3}, at::kInt);
    ActLossOutputs out = act_loss(in);
    CHECK(out.count.item<int64_t>() == 2);
    CHECK(out.exact_accuracy.item<int64_t>() == 1);
    CHECK(out.accuracy.item<float>() == Approx(1.5));
    CHECK(out.q_halt_accuracy.item<int64_t>() == 2);  // row 0: q>=0 & right; row 1: q<0 & wrong
    CHECK(out.steps.item<int64_t>() == 6);
    const double bce = std::log1p(std::exp(-1.0)) + std::log1p(std::exp(-1.0));
    CHECK(out.q_halt_loss.item<double>() == Approx(bce).epsilon(1e-6));
    CHECK(out.total.item<double>() == Approx(out.lm_loss.item<double>() + 0.5 * bce).epsilon(1e-6));
    CHECK_FALSE(out.q_continue_loss.defined());
    in.halted = at::tensor({0, 1}, at::kInt).to(at::kBool);  // metrics only over rows that halted now
    out = act_loss(in);
    CHECK(out.count.item<int64_t>() == 1);
    CHECK(out.exact_accuracy.item<int64_t>() == 0);
}
