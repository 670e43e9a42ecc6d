// The local TRM/HRM solver end to end: tiny random models on every task family (shapes, one
// Prediction per item, one StepRecord per ACT step, determinism, compute), the reference fixtures'
// checkpoints on their Sudoku-shaped batches (the predictions equal the stored step{s}.preds), the
// ARC variant/vote path with a copying "oracle" model whose answer must come back de-augmented, and
// every bad-input case as a clear error from the factory. The hidden [.gpu] case compares CPU and
// CUDA.
#include "tests/support/torch_catch.h"

#include <dlfcn.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/api.h"
#include "models/cpu_gemm.h"
#include "models/flops.h"
#include "models/io/safetensors.h"
#include "models/io/torch_convert.h"
#include "models/local_arc_variants.h"
#include "models/local_solver.h"
#include "models/reasoning_model.h"
#include "models/state_dict.h"
#include "models/threads.h"
#include "tasks/arc/arc_canvas.h"
#include "tasks/registry.h"
#include "tests/support/scoped_env.h"
#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string & name) { return test::shared_dir() / "fixtures/reference" / name; }
fs::path arc_eval(const std::string & task) { return test::shared_dir() / "data/arc-agi-1/evaluation" / (task + ".json"); }

class Collect : public PredictionSink {
public:
    void put(Prediction && p) override { predictions.push_back(std::move(p)); }
    bool stop_requested() const override { return stop; }
    const Prediction & get(const std::string & id, int attempt) const {
        for (const auto & p : predictions)
            if (p.example_id == id && p.attempt == attempt) return p;
        throw std::runtime_error("no prediction for " + id + " attempt " + std::to_string(attempt));
    }
    std::vector<Prediction> predictions;
    bool stop = false;
};

// A tiny model config in the models/config.h JSON layout.
std::string tiny_config(int64_t seq_len, int64_t vocab, int64_t puzzle_ids = 1, int64_t steps = 3, const char * dtype = "float32") {
    nlohmann::json c = {{"family", "trm"},
                        {"config",
                         {{"batch_size", 4},          {"seq_len", seq_len},     {"vocab_size", vocab},
                          {"num_puzzle_identifiers", puzzle_ids}, {"puzzle_emb_ndim", 32}, {"puzzle_emb_len", 2},
                          {"H_cycles", 1},            {"L_cycles", 1},          {"H_layers", 0},
                          {"L_layers", 1},            {"hidden_size", 32},      {"num_heads", 2},
                          {"expansion", 2},           {"pos_encodings", "rope"}, {"halt_max_steps", steps},
                          {"halt_exploration_prob", 0.1}, {"forward_dtype", dtype}}}};
    return c.dump(1);
}

LocalSolverConfig random_solver(const fs::path & config_file) {
    LocalSolverConfig c;
    c.model.config = config_file;
    c.allow_random_weights = true;
    c.init_seed = 7;
    c.device = "cpu";
    c.threads = 1;
    c.batch_size = 4;
    c.quiet = true;
    return c;
}

Grid grid_from(const std::string & digits, int rows, int cols) {
    Grid g(rows, cols);
    for (size_t i = 0; i < g.size(); ++i) g.cells[i] = static_cast<uint8_t>(digits[i] == '.' ? 0 : digits[i] - '0');
    return g;
}

Example sudoku_example(const std::string & id, const std::string & question, const std::string & answer) {
    Example ex;
    ex.id = id;
    ex.family = "sudoku";
    ex.group = id;
    ex.input = grid_from(question, 9, 9);
    ex.target = grid_from(answer, 9, 9);
    return ex;
}

const char * kQ1 = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";
const char * kA1 = "534678912672195348198342567859761423426853791713924856961537284287419635345286179";

template <class E, class F>
void require_error(F && f, std::initializer_list<std::string> needles) {
    try {
        f();
        FAIL("no exception");
    } catch (const E & e) {
        const std::string what = e.what();
        INFO(what);
        for (const auto & n : needles) CHECK(what.find(n) != std::string::npos);
    }
}

// A "copying" model: every block weight zero, so z_H at a position depends only on the token there;
// lm_head's row t is set to z_H of token t, so argmax reproduces the input token (Cauchy-Schwarz:
// the RMS-normed rows have equal norms). One ACT step, so that one z_H per token is exact.
void write_copy_model(const ModelConfig & c, const fs::path & out) {
    at::NoGradGuard no_grad;
    RecursiveReasoningModel model(c, 3);
    for (auto & p : model->named_parameters(true))
        if (p.key().find("_level.") != std::string::npos) p.value().zero_();
    model->eval();
    const int64_t V = c.vocab_size, L = c.seq_len, P = puzzle_prefix_len(c);
    at::Tensor inputs = at::zeros({1, L}, at::kInt);
    for (int64_t t = 0; t < V; ++t) inputs[0][t] = static_cast<int32_t>(t);
    InnerCarry carry = model->reset_carry(at::ones({1}, at::kBool), model->empty_carry(1));
    InnerOutputs o = model->forward(carry, inputs, at::zeros({1}, at::kLong));
    at::Tensor rows = o.carry.z_H[0].slice(0, P, P + V).to(at::kFloat);  // [V, D]
    model->lm_head->weight.copy_(rows);
    write_safetensors(out, export_state_dict(*model, kReferenceKeyPrefix));
}

std::string step_digest(const Prediction & p) {
    std::string s;
    for (const auto & st : p.steps) s += to_digit_rows(st.answer) + "|" + std::to_string(st.q_halt) + "|" + std::to_string(st.q_continue) + ";";
    return s;
}

}  // namespace

TEST_CASE("local solver on Sudoku with a tiny random model", "[models][local]") {
    test::TempDir tmp;
    test::write_text(tmp / "tiny.json", tiny_config(81, 11));
    auto solver = make_local_solver(random_solver(tmp / "tiny.json"));
    const Task & task = task_by_family("sudoku");
    REQUIRE(solver->supports(task));
    CHECK_FALSE(solver->supports(task_by_family("maze")));
    const SolverInfo info = solver->info();
    const ModelConfig cfg = parse_model_config(tiny_config(81, 11), "tiny");
    CHECK(info.kind == "local");
    CHECK(info.device == "cpu");
    CHECK(info.dtype == "float32");
    CHECK(info.n_params == count_params(cfg));
    CHECK(info.checkpoint_sha256.empty());
    const auto j = nlohmann::json::parse(info.config_json);
    CHECK(j["flops_per_act_step"].get<int64_t>() == flops_per_act_step(cfg));
    CHECK(j["task_family"] == "sudoku");
    CHECK(solver->preferred_batch_size() == 4);

    // 5 examples, batch 4: a full and a padded batch; example 0 asked for two attempts.
    std::vector<Example> examples;
    for (int i = 0; i < 5; ++i) {
        std::string q = kQ1;
        q[static_cast<size_t>(i)] = '.';
        examples.push_back(sudoku_example("s" + std::to_string(i), q, kA1));
    }
    std::vector<WorkItem> items = {{&examples[0], 0}, {&examples[0], 1}};
    for (int i = 1; i < 5; ++i) items.push_back({&examples[static_cast<size_t>(i)], 0});
    Collect sink;
    solver->solve(task, items, sink);
    REQUIRE(sink.predictions.size() == items.size());
    for (const auto & p : sink.predictions) {
        INFO(p.example_id << " " << p.error);
        CHECK(p.steps.size() == 3);
        for (const auto & st : p.steps) CHECK((st.answer.empty() || (st.answer.rows == 9 && st.answer.cols == 9)));
        CHECK(p.compute.act_steps == 3);
        CHECK(p.compute.device_ms == -1);
        if (p.outcome == Outcome::ok) CHECK(p.answer->rows == 9);
        else CHECK(p.outcome == Outcome::parse_error);
        // The final answer is the last step's.
        if (p.answer) CHECK(*p.answer == p.steps.back().answer);
    }
    // The run is charged once per example: full FLOPs to the first attempt, none to the second.
    CHECK(sink.get("s0", 0).compute.flops == flops_per_puzzle(cfg));
    CHECK(sink.get("s0", 1).compute.flops == 0);
    CHECK(sink.get("s0", 0).compute.wall_ms > 0);
    CHECK(step_digest(sink.get("s0", 0)) == step_digest(sink.get("s0", 1)));
    // Deterministic: a second solver from the same seed gives the same steps, answers and Q values.
    auto again = make_local_solver(random_solver(tmp / "tiny.json"));
    Collect sink2;
    again->solve(task, items, sink2);
    for (const auto & p : sink.predictions) CHECK(step_digest(p) == step_digest(sink2.get(p.example_id, p.attempt)));
    // The Q head starts at weight 0, bias -5 (reference init).
    CHECK(sink.get("s1", 0).steps[0].q_halt == Approx(-5.0));

    SECTION("a stop request skips what has not run") {
        Collect stopped;
        stopped.stop = true;
        solver->solve(task, items, stopped);
        REQUIRE(stopped.predictions.size() == items.size());
        for (const auto & p : stopped.predictions) CHECK(p.outcome == Outcome::skipped);
    }
}

TEST_CASE("local solver on Maze with a tiny random model; a wrong-size maze is an error outcome", "[models][local]") {
    test::TempDir tmp;
    test::write_text(tmp / "tiny.json", tiny_config(900, 6, 1, 2));
    auto solver = make_local_solver(random_solver(tmp / "tiny.json"));
    const Task & task = task_by_family("maze");
    REQUIRE(solver->supports(task));
    std::vector<Example> ex(3);
    for (int i = 0; i < 3; ++i) {
        ex[i].id = "m" + std::to_string(i);
        ex[i].family = "maze";
        ex[i].input = Grid(30, 30, 1);
        for (int r = 0; r < 30; ++r) ex[i].input.at(r, (7 * i + 3) % 30) = 0;
        ex[i].input.at(1, 1) = 2;
        ex[i].input.at(28, 28) = 3;
    }
    ex[2].input = Grid(10, 10, 1);  // 100 tokens: the model takes 900
    std::vector<WorkItem> items = {{&ex[0], 0}, {&ex[1], 0}, {&ex[2], 0}};
    Collect sink;
    solver->solve(task, items, sink);
    REQUIRE(sink.predictions.size() == 3);
    for (int i = 0; i < 2; ++i) {
        const Prediction & p = sink.get(ex[i].id, 0);
        CHECK(p.steps.size() == 2);
        CHECK(p.outcome != Outcome::error);
        for (const auto & st : p.steps) CHECK((st.answer.empty() || st.answer.rows == 30));
    }
    const Prediction & bad = sink.get("m2", 0);
    CHECK(bad.outcome == Outcome::error);
    CHECK(bad.error.find("100 tokens") != std::string::npos);
}

TEST_CASE("ARC variants: crop + invert of a variant's own target gives the original target", "[models][local][arc]") {
    const Task & arc = task_by_family("arc");
    for (const char * id : {"00576224", "009d5c81", "00dbd492"}) {
        for (const Example & ex : arc.load(arc_eval(id))) {
            INFO(ex.id);
            const auto variants = generated_variants(ex, 64, 11);
            CHECK(variants.size() > 8);
            CHECK(variants.front().aug.is_identity());
            for (const ArcVariant & v : variants) {
                const Grid aug = apply_augmentation(ex.target, v.aug);
                CHECK(decode_arc_prediction(encode_arc_canvas(aug), v.aug) == std::optional<Grid>(ex.target));
            }
        }
    }
}

TEST_CASE("ARC end to end: a copying model's votes agree after de-augmentation", "[models][local][arc]") {
    test::TempDir tmp;
    const Task & arc = task_by_family("arc");
    std::vector<Example> examples;
    for (const char * id : {"00576224", "009d5c81", "00dbd492"})
        for (Example & ex : arc.load(arc_eval(id))) examples.push_back(std::move(ex));
    REQUIRE(examples.size() >= 3);
    // identifiers.json: per task the identity and four real variants (rotations, flips, colour maps).
    nlohmann::json ids = nlohmann::json::array({"<blank>"});
    for (const char * id : {"00576224", "009d5c81", "00dbd492"})
        for (const char * suffix : {"", "|||t1|||0213456789", "|||t6|||0987654321", "|||t7|||0123456789", "|||t2|||0345678912"})
            ids.push_back(std::string(id) + suffix);
    test::write_text(tmp / "identifiers.json", ids.dump());
    ModelConfig c = parse_model_config(tiny_config(900, 12, static_cast<int64_t>(ids.size()), 1), "tiny");
    test::write_text(tmp / "config.json", model_config_to_json(c));
    write_copy_model(c, tmp / "model.safetensors");

    LocalSolverConfig cfg = random_solver(tmp / "config.json");
    cfg.allow_random_weights = false;
    cfg.model.checkpoint = tmp / "model.safetensors";  // identifiers.json beside it is found
    cfg.batch_size = 8;                                // variants of several examples share batches
    auto solver = make_local_solver(cfg);
    const auto info = nlohmann::json::parse(solver->info().config_json);
    CHECK(info["identifiers"].get<std::string>().find("identifiers.json") != std::string::npos);
    CHECK(solver->info().checkpoint_sha256.size() == 64);

    std::vector<WorkItem> items;
    for (const Example & ex : examples)
        for (int a = 0; a < 3; ++a) items.push_back({&ex, a});
    Collect sink;
    solver->solve(arc, items, sink);
    REQUIRE(sink.predictions.size() == items.size());
    for (const Example & ex : examples) {
        INFO(ex.id);
        const Prediction & p = sink.get(ex.id, 0);
        REQUIRE(p.outcome == Outcome::ok);
        CHECK(*p.answer == ex.input);  // each variant's copy, cropped and de-augmented, is the input
        CHECK(p.raw_text.find("votes 5/5") != std::string::npos);
        CHECK(p.raw_text.find("5 variants from identifiers.json") != std::string::npos);
        REQUIRE(p.steps.size() == 1);
        CHECK(p.steps[0].answer == ex.input);
        CHECK(p.steps[0].q_halt == Approx(-5.0));
        CHECK(p.compute.flops == flops_per_puzzle(c, 1, 5));
        // One candidate only: attempts 2 and 3 repeat it, as the reference pads its submission.
        for (int a : {1, 2}) {
            const Prediction & q = sink.get(ex.id, a);
            CHECK(*q.answer == ex.input);
            CHECK(q.raw_text.find("fewer candidates than attempts") != std::string::npos);
            CHECK(q.compute.flops == 0);
        }
    }
}

TEST_CASE("ARC with a random model: k attempts, votes over generated variants without identifiers", "[models][local][arc]") {
    test::TempDir tmp;
    test::write_text(tmp / "tiny.json", tiny_config(900, 12, 1, 2));
    LocalSolverConfig cfg = random_solver(tmp / "tiny.json");
    cfg.arc_variants = 3;
    cfg.arc_seed = 5;
    auto solver = make_local_solver(cfg);
    const auto info = nlohmann::json::parse(solver->info().config_json);
    CHECK(info["arc_variant_source"].get<std::string>().find("blank puzzle id 0") != std::string::npos);
    const Task & arc = task_by_family("arc");
    std::vector<Example> examples = arc.load(arc_eval("009d5c81"));
    auto more = arc.load(arc_eval("00dbd492"));
    examples.insert(examples.end(), more.begin(), more.end());
    std::vector<WorkItem> items;
    for (const Example & ex : examples)
        for (int a = 0; a < 2; ++a) items.push_back({&ex, a});
    Collect sink;
    solver->solve(arc, items, sink);
    REQUIRE(sink.predictions.size() == items.size());
    for (const Example & ex : examples) {
        for (int a = 0; a < 2; ++a) {
            const Prediction & p = sink.get(ex.id, a);
            INFO(ex.id << " " << a << " " << p.raw_text << " " << p.error);
            CHECK(p.steps.size() == 2);
            CHECK(p.raw_text.find("/3,") != std::string::npos);
            CHECK(p.raw_text.find("3 generated variants, blank puzzle id") != std::string::npos);
            CHECK((p.outcome == Outcome::ok || p.outcome == Outcome::parse_error));
        }
    }
    // Same seed, same variants and answers.
    auto again = make_local_solver(cfg);
    Collect sink2;
    again->solve(arc, items, sink2);
    for (const auto & p : sink.predictions) CHECK(step_digest(p) == step_digest(sink2.get(p.example_id, p.attempt)));
}

TEST_CASE("local solver with the reference fixtures' checkpoints reproduces their predictions", "[models][local][parity]") {
    const Task & sudoku = task_by_family("sudoku");
    struct Case {
        const char * name;
        double q_atol;
    };
    // bf16 bit for bit needs the reference's kernels: pin oneDNN (auto may take the fp32 route on this
    // CPU, which cpu_gemm_test checks against the bf16 tolerances instead).
    const ScopedBf16CpuGemm reference_kernels(Bf16CpuGemm::onednn);
    for (const Case & k : {Case{"trm_att_f32", 2e-4}, Case{"hrm_f32", 2e-4}, Case{"trm_att_bf16", 0}}) {
        INFO(k.name);
        const TensorMap t = read_safetensors(fixture(k.name) / "case.safetensors").tensors;
        const auto inputs = t.at("inputs").to_i64();
        const auto pids = t.at("puzzle_identifiers").to_i64();
        const int64_t B = static_cast<int64_t>(pids.size()), steps = t.at("num_steps").to_i64()[0];
        std::vector<Example> examples(static_cast<size_t>(B));
        for (int64_t b = 0; b < B; ++b) {
            examples[b].id = "row" + std::to_string(b);
            examples[b].family = "sudoku";
            examples[b].input = Grid(9, 9);
            for (int i = 0; i < 81; ++i) examples[b].input.cells[i] = static_cast<uint8_t>(inputs[b * 81 + i] - 1);
            REQUIRE(sudoku.encode(examples[b].input) == std::vector<int32_t>(inputs.begin() + b * 81, inputs.begin() + (b + 1) * 81));
        }
        // One solver per puzzle id (the solver gives every Sudoku the same id).
        for (int64_t pid : std::set<int64_t>(pids.begin(), pids.end())) {
            LocalSolverConfig cfg;
            cfg.model.checkpoint = fixture(k.name);
            cfg.device = "cpu";
            cfg.threads = 1;
            cfg.puzzle_id = pid;
            cfg.batch_size = static_cast<int>(B);  // the fixture's batch shape
            cfg.quiet = true;
            auto solver = make_local_solver(cfg);
            std::vector<WorkItem> items;
            for (int64_t b = 0; b < B; ++b)
                if (pids[b] == pid) items.push_back({&examples[b], 0});
            Collect sink;
            solver->solve(sudoku, items, sink);
            REQUIRE(sink.predictions.size() == items.size());
            for (const WorkItem & item : items) {
                const int64_t b = std::stoll(item.example->id.substr(3));
                const Prediction & p = sink.get(item.example->id, 0);
                REQUIRE(p.steps.size() == static_cast<size_t>(steps));
                for (int64_t s = 0; s < steps; ++s) {
                    INFO("row " << b << " step " << s);
                    const auto preds = t.at("step" + std::to_string(s) + ".preds").to_i64();
                    std::vector<int32_t> row(preds.begin() + b * 81, preds.begin() + (b + 1) * 81);
                    const auto expected = sudoku.decode(row, *item.example);
                    CHECK(p.steps[s].answer == expected.value_or(Grid{}));
                    const float ref_q = t.at("step" + std::to_string(s) + ".q_halt").to_f32()[b];
                    CHECK(std::fabs(p.steps[s].q_halt - ref_q) <= k.q_atol);
                }
            }
        }
    }
}

TEST_CASE("local solver factory: every bad input is a clear error", "[models][local][errors]") {
    test::TempDir tmp;
    auto base = [] {
        LocalSolverConfig c;
        c.device = "cpu";
        c.threads = 1;
        c.quiet = true;
        return c;
    };
    SECTION("configuration errors are UsageErrors") {
        LocalSolverConfig c = base();
        c.model.preset = "trm-att-sudoku";
        require_error<UsageError>([&] { make_local_solver(c); }, {"no checkpoint given"});
        c.model.preset = "no-such-preset";
        c.allow_random_weights = true;
        require_error<UsageError>([&] { make_local_solver(c); }, {"no-such-preset", "known presets"});
        c.model.preset = "trm-att-sudoku";
        c.dtype = "float16";
        require_error<UsageError>([&] { make_local_solver(c); }, {"float16"});
        c.dtype = "int8";
        require_error<UsageError>([&] { make_local_solver(c); }, {"int8"});
        c.dtype = "auto";
        if (!cuda_available()) {
            c.device = "cuda";
            require_error<UsageError>([&] { make_local_solver(c); }, {"cuda", "CUDA is not available"});
            c.device = "cuda:1";
            require_error<UsageError>([&] { make_local_solver(c); }, {"cuda:1"});
        }
        c.device = "tpu";
        require_error<UsageError>([&] { make_local_solver(c); }, {"tpu"});
        c.device = "cpu";
        c.puzzle_id = 3;  // Sudoku's table has one row
        require_error<UsageError>([&] { make_local_solver(c); }, {"puzzle_id 3"});
        c.puzzle_id = 0;
        test::write_text(tmp / "bad.json", R"({"family": "hrm", "config": {"batch_size": 1, "seq_len": 81, "vocab_size": 11,
            "num_puzzle_identifiers": 1, "puzzle_emb_ndim": 64, "H_cycles": 2, "L_cycles": 2, "H_layers": 0, "L_layers": 2,
            "hidden_size": 64, "num_heads": 2, "expansion": 4, "pos_encodings": "rope", "halt_max_steps": 4,
            "halt_exploration_prob": 0.1}})");
        c.model.preset.clear();
        c.model.config = tmp / "bad.json";
        require_error<UsageError>([&] { make_local_solver(c); }, {"bad.json", "H_layers"});
    }
    SECTION("bad files are InputErrors naming the file") {
        const std::string pt = read_file(fixture("trm_att_f32") / "checkpoint.pt");
        test::write_text(tmp / "truncated.pt", pt.substr(0, pt.size() - 1000));
        LocalSolverConfig c = base();
        c.model.config = fixture("trm_att_f32") / "config.json";
        c.model.checkpoint = tmp / "truncated.pt";
        require_error<InputError>([&] { make_local_solver(c); }, {"truncated.pt"});
        // A checkpoint for another architecture: HRM weights under the TRM fixture's config.
        c.model.checkpoint = fixture("hrm_f32") / "checkpoint.pt";
        require_error<InputError>([&] { make_local_solver(c); },
                                  {"checkpoint.pt", "does not fit", "unexpected key H_level.layers.0.self_attn.qkv_proj.weight"});
        // ARC: an identifiers file that is not a list, or lists a different number of ids than the table.
        ModelConfig arc = parse_model_config(tiny_config(900, 12, 4, 1), "tiny");
        test::write_text(tmp / "arc.json", model_config_to_json(arc));
        LocalSolverConfig a = base();
        a.model.config = tmp / "arc.json";
        a.allow_random_weights = true;
        a.identifiers = tmp / "ids.json";
        test::write_text(tmp / "ids.json", R"({"not": "a list"})");
        require_error<InputError>([&] { make_local_solver(a); }, {"ids.json", "list"});
        test::write_text(tmp / "ids.json", R"(["<blank>", "00576224", "00576224|||t9|||0123456789"])");
        require_error<InputError>([&] { make_local_solver(a); }, {"ids.json", "entry 2", "not a variant name"});
        test::write_text(tmp / "ids.json", R"(["<blank>", "00576224", "00576224|||t1|||0123456789"])");
        require_error<InputError>([&] { make_local_solver(a); }, {"ids.json", "3 identifiers", "4 rows"});
        a.identifiers = tmp / "missing.json";
        require_error<UsageError>([&] { make_local_solver(a); }, {"missing.json"});
    }
    SECTION("a solver asked to run another task family refuses") {
        test::write_text(tmp / "tiny.json", tiny_config(81, 11));
        auto solver = make_local_solver(random_solver(tmp / "tiny.json"));
        Collect sink;
        std::vector<WorkItem> none;
        require_error<UsageError>([&] { solver->solve(task_by_family("arc"), none, sink); }, {"cannot run task family arc"});
    }
}

TEST_CASE("BLAS detection names the library in use", "[models][local]") {
    const BlasInfo b = detect_blas();
    CHECK_FALSE(b.name.empty());
    // This build machine has OpenBLAS installed (scripts/setup.sh); the reference BLAS would be flagged.
    if (b.name.find("OpenBLAS") != std::string::npos) {
        CHECK(b.optimised);
        // The kernel set is named, and the SSE3 fallback on an AVX2 machine is flagged.
        CHECK_FALSE(b.core.empty());
        CHECK(b.weak_kernels == (b.core == "Prescott" && __builtin_cpu_supports("avx2")));
    }
}

namespace {

// Re-reads OPENBLAS_CORETYPE the way OpenBLAS does when it is loaded; false without the symbols.
bool reload_openblas_kernels() {
    using VoidFn = void (*)();
    auto quit = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
    auto init = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
    if (!quit || !init) return false;
    quit();
    init();
    return true;
}

// max |a·b - float64 product| relative to the product's largest magnitude
double gemm_relative_error(int64_t m, int64_t k, int64_t n) {
    at::Tensor a = at::randn({m, k}, at::kFloat), b = at::randn({k, n}, at::kFloat);
    at::Tensor exact = at::mm(a.to(at::kDouble), b.to(at::kDouble));
    return (at::mm(a, b).to(at::kDouble) - exact).abs().max().item<double>() / exact.abs().max().item<double>();
}

}  // namespace

TEST_CASE("the solver records its CPU path and refuses a bad TRMBENCH_CPU_KERNELS before any work", "[models][local]") {
    test::TempDir tmp;
    test::write_text(tmp / "tiny.json", tiny_config(81, 11));
    for (const char * value : {"fused", "aten"}) {
        const test::ScopedEnv env("TRMBENCH_CPU_KERNELS", value);
        auto solver = make_local_solver(random_solver(tmp / "tiny.json"));
        CHECK(nlohmann::json::parse(solver->info().config_json)["cpu_kernels"] == value);
    }
    const test::ScopedEnv bad("TRMBENCH_CPU_KERNELS", "turbo");
    require_error<UsageError>([&] { make_local_solver(random_solver(tmp / "tiny.json")); },
                              {"TRMBENCH_CPU_KERNELS=turbo", "fused or aten"});
}

TEST_CASE("a fallback OpenBLAS kernel set is replaced unless the user named one", "[models][local]") {
    set_torch_threads(0);
    if (detect_blas().name.find("OpenBLAS") == std::string::npos || !__builtin_cpu_supports("avx2")) {
        WARN("needs OpenBLAS and an AVX2 CPU");
        return;
    }
    const std::string original = detect_blas().core;
    {
        const test::ScopedEnv forced("OPENBLAS_CORETYPE", "Prescott");  // what an unrecognised CPU gets
        if (!reload_openblas_kernels()) {
            WARN("this OpenBLAS has no DYNAMIC_ARCH entry points");
            return;
        }
        REQUIRE(detect_blas().core == "Prescott");
        SECTION("named by the user, the fallback stays") {
            CHECK(upgrade_fallback_blas_kernels().empty());
            CHECK(detect_blas().core == "Prescott");
            CHECK(detect_blas().weak_kernels);
        }
        SECTION("picked by OpenBLAS itself, it is replaced by the set the CPU's flags support") {
            const test::ScopedEnv unset("OPENBLAS_CORETYPE", std::nullopt);
            CHECK(upgrade_fallback_blas_kernels() == "Prescott");
            const std::string now = detect_blas().core;
            CHECK((now == "SkylakeX" || now == "Haswell"));
            CHECK(now == (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") ? "SkylakeX" : "Haswell"));
            CHECK_FALSE(detect_blas().weak_kernels);
            CHECK(std::string(std::getenv("OPENBLAS_CORETYPE")) == now);  // child processes get it too
            // and GEMMs are still right after the switch (shapes that take the large and small kernels)
            CHECK(gemm_relative_error(97, 512, 300) < 1e-5);
            CHECK(gemm_relative_error(7, 9, 5) < 1e-5);
            CHECK(upgrade_fallback_blas_kernels().empty());  // nothing left to replace
        }
    }
    REQUIRE(reload_openblas_kernels());  // with the environment as it was
    CHECK(detect_blas().core == original);
}

TEST_CASE("local solver on CUDA agrees with the CPU", "[.gpu][models][local]") {
    REQUIRE(cuda_available());
    const Task & sudoku = task_by_family("sudoku");
    std::vector<Example> ex;
    for (int i = 0; i < 8; ++i) {
        std::string q = kQ1;
        q[static_cast<size_t>(i * 3)] = '.';
        ex.push_back(sudoku_example("g" + std::to_string(i), q, kA1));
    }
    std::vector<WorkItem> items;
    for (const auto & e : ex) items.push_back({&e, 0});
    Collect cpu, gpu;
    for (const char * device : {"cpu", "cuda"}) {
        LocalSolverConfig c;
        c.model.checkpoint = fixture("trm_att_f32");
        c.puzzle_id = 1;
        c.device = device;
        c.batch_size = 8;
        c.quiet = true;
        auto solver = make_local_solver(c);
        CHECK(solver->info().device.rfind(device, 0) == 0);
        solver->solve(sudoku, items, std::string(device) == "cpu" ? cpu : gpu);
    }
    for (const auto & p : cpu.predictions) {
        const Prediction & g = gpu.get(p.example_id, 0);
        CHECK(g.compute.device_ms > 0);
        for (size_t s = 0; s < p.steps.size(); ++s) {
            CHECK(p.steps[s].answer == g.steps[s].answer);
            CHECK(std::fabs(p.steps[s].q_halt - g.steps[s].q_halt) < 1e-3);
        }
    }
}
