// Training runs end to end on a tiny model and an in-memory dataset: resume equivalence (bit for
// bit), a stop request, keep-last-K, atomic checkpoints under a simulated write failure
// (RLIMIT_FSIZE, as a full disk does to write()), refusing checkpoints of another config, dataset
// or format, evaluation metrics, and the data-parallel (2 Gloo processes) equivalence.
#include "tests/support/torch_catch.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "models/io/safetensors.h"
#include "models/io/torch_checkpoint.h"
#include "models/io/torch_convert.h"
#include "models/train/train_api.h"
#include "models/train/train_checkpoint.h"
#include "models/train/trainer.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/train_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

TrainRunResult run(const TrainSpec & spec, const fs::path & out, std::optional<fs::path> resume = {},
                   std::shared_ptr<const BatchSource> data = test::tiny_data(), const std::atomic<bool> * stop = nullptr,
                   TrainObserver * observer = nullptr) {
    TrainRunOptions o;
    o.spec = spec;
    o.data = std::move(data);
    o.out_dir = out;
    o.resume = std::move(resume);
    o.quiet = true;
    o.threads = 1;
    o.stop = stop;
    o.observer = observer;
    return run_training(o);
}

TensorMap state_of(const fs::path & out) {
    return read_safetensors(resolve_checkpoint(out) / "train_state.safetensors").tensors;
}

// Every tensor equal, bit for bit.
void require_same_state(const TensorMap & a, const TensorMap & b) {
    REQUIRE(a.size() == b.size());
    for (const auto & [k, v] : a) {
        INFO(k);
        REQUIRE(b.count(k) == 1);
        CHECK(v.shape == b.at(k).shape);
        CHECK(v.data == b.at(k).data);
    }
}

struct CountingObserver : TrainObserver {
    std::atomic<bool> * stop = nullptr;
    int64_t stop_at = -1;
    std::vector<std::string> series;
    void on_metrics(const std::string & s, int64_t step, double, const std::vector<std::pair<std::string, double>> &) override {
        series.push_back(s);
        if (stop && step >= stop_at) *stop = true;
    }
};

}  // namespace

TEST_CASE("a resumed run continues bit for bit like an uninterrupted one", "[models][train][resume]") {
    for (ModelFamily family : {ModelFamily::trm, ModelFamily::hrm}) {
        INFO(to_string(family));
        test::TempDir a, b;
        TrainSpec spec = test::tiny_spec(family);
        spec.train.max_steps = 30;
        spec.train.eval_every_steps = 10;  // evaluations in between must not disturb training
        TrainRunResult full = run(spec, a.path());
        CHECK(full.steps == 30);
        CHECK_FALSE(full.interrupted);

        TrainSpec first = spec;
        first.train.max_steps = 13;  // stops inside an iteration, between evaluations
        CHECK(run(first, b.path()).steps == 13);
        TrainRunResult rest = run(spec, b.path(), b.path());
        CHECK(rest.steps == 30);
        CHECK(rest.steps_this_run == 17);
        require_same_state(state_of(a.path()), state_of(b.path()));
        CHECK(read_file(resolve_checkpoint(a.path()) / "model.safetensors") ==
              read_file(resolve_checkpoint(b.path()) / "model.safetensors"));
        // The curves hold each step once.
        std::string log = read_file(b.path() / "metrics.jsonl");
        CHECK(log.find("\"step\":30") != std::string::npos);
        CHECK(log.find("\"step\":15") != std::string::npos);
    }
}

TEST_CASE("resume equivalence over 2000 steps (1000 + resume 1000)", "[models][train][resume][.slow]") {
    test::TempDir a, b;
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 2000;
    spec.train.eval_every_steps = 500;
    spec.train.log_every_steps = 100;
    run(spec, a.path());
    TrainSpec first = spec;
    first.train.max_steps = 1000;
    run(first, b.path());
    run(spec, b.path(), b.path());
    require_same_state(state_of(a.path()), state_of(b.path()));
}

TEST_CASE("a stop request finishes the step, saves, and the run resumes to the same result", "[models][train][resume]") {
    test::TempDir a, b;
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 20;
    spec.train.log_every_steps = 1;
    run(spec, a.path());
    std::atomic<bool> stop{false};
    CountingObserver obs;
    obs.stop = &stop;
    obs.stop_at = 7;
    TrainRunResult r = run(spec, b.path(), {}, test::tiny_data(), &stop, &obs);
    CHECK(r.interrupted);
    CHECK(r.steps == 7);
    REQUIRE_FALSE(r.last_checkpoint.empty());
    CHECK(r.last_checkpoint.filename() == checkpoint_dir_name(7));
    CHECK(run(spec, b.path(), b.path()).steps == 20);
    require_same_state(state_of(a.path()), state_of(b.path()));
}

TEST_CASE("checkpoints: keep-last-K, latest, the reference .pt layout and the EMA weights", "[models][train][checkpoint]") {
    test::TempDir out;
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 20;
    spec.train.checkpoint_every_steps = 4;
    // Evaluations checkpoint too; at the same cadence, so that the kept ones are exactly 16 and 20
    // (iteration-end evaluations, every 6 steps here, would add step 18).
    spec.train.eval_every_steps = 4;
    spec.train.keep_last = 2;
    run(spec, out.path());
    auto all = list_checkpoints(out.path());
    REQUIRE(all.size() == 2);
    CHECK(all[0].filename() == checkpoint_dir_name(16));
    CHECK(all[1].filename() == checkpoint_dir_name(20));
    CHECK(resolve_checkpoint(out.path()) == all[1]);
    CHECK(std::string(trim(read_file(out / "checkpoints/latest"))) == checkpoint_dir_name(20));
    // No partial directories left behind.
    for (const auto & e : fs::directory_iterator(out / "checkpoints")) CHECK(e.path().filename().string().rfind(".", 0) != 0);

    // model.pt: an OrderedDict in the reference's key layout, the same tensors as model.safetensors.
    TorchCheckpoint pt = read_torch_checkpoint(all[1] / "model.pt");
    TensorMap st = read_safetensors(all[1] / "model.safetensors").tensors;
    CHECK(pt.ordered_dict);
    REQUIRE(pt.tensors.size() == st.size());
    for (const auto & [k, v] : st) {
        CHECK(k.rfind("_orig_mod.model.inner.", 0) == 0);
        REQUIRE(pt.tensors.count(k));
        CHECK(pt.tensors.at(k).data == v.data);
    }
    // The published weights are the EMA shadow, not the live parameters.
    TensorMap state = read_safetensors(all[1] / "train_state.safetensors").tensors;
    const std::string w = "L_level.layers.0.mlp.down_proj.weight";
    CHECK(st.at("_orig_mod.model.inner." + w).data == state.at("ema." + w).data);
    CHECK(st.at("_orig_mod.model.inner." + w).data != state.at("model." + w).data);
    // Buffers are not averaged: the puzzle table is the live one.
    CHECK(st.at("_orig_mod.model.inner.puzzle_emb.weights").data == state.at("model.puzzle_emb.weights").data);
}

TEST_CASE("a failed checkpoint write leaves the previous checkpoint intact", "[models][train][checkpoint]") {
    test::TempDir out;
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 10;
    run(spec, out.path());
    const fs::path good = resolve_checkpoint(out.path());
    const std::string good_state = read_file(good / "train_state.safetensors");
    const std::vector<fs::path> before = list_checkpoints(out.path());

    // A file-size limit makes write() fail with EFBIG the way a full disk fails with ENOSPC.
    struct rlimit old {};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 48 * 1024;  // the tiny model's weights are ~100 KB
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    spec.train.max_steps = 15;
    std::string message;
    try {
        run(spec, out.path(), out.path());
    } catch (const IoError & e) {
        message = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    INFO(message);
    CHECK(message.find("writing checkpoint") != std::string::npos);
    CHECK(message.find(good.string()) != std::string::npos);  // names the intact checkpoint
    CHECK(resolve_checkpoint(out.path()) == good);
    CHECK(read_file(good / "train_state.safetensors") == good_state);
    CHECK(list_checkpoints(out.path()) == before);  // nothing added, nothing removed
    for (const auto & e : fs::directory_iterator(out / "checkpoints"))
        CHECK(e.path().filename().string().rfind(".partial", 0) != 0);
    // And the run can still be continued from it.
    CHECK(run(spec, out.path(), out.path()).steps == 15);
}

TEST_CASE("resuming refuses checkpoints of another config, dataset or format, naming the difference", "[models][train][resume]") {
    test::TempDir out;
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 6;
    run(spec, out.path());

    TrainSpec wider = spec;
    wider.model.hidden_size = 32;
    CHECK_THROWS_WITH(run(wider, out.path(), out.path()), Catch::Contains("hidden_size") && Catch::Contains("cannot continue"));
    TrainSpec other_lr = spec;
    other_lr.train.lr = 5e-3;
    CHECK_THROWS_WITH(run(other_lr, out.path(), out.path()), Catch::Contains("train.lr differs"));
    CHECK_THROWS_WITH(run(spec, out.path(), out.path(), test::tiny_data("tiny-data-v2")), Catch::Contains("dataset differs"));
    CHECK_THROWS_AS(run(wider, out.path(), out.path()), InputError);

    // A checkpoint written by another format version, and one with a tensor missing.
    const fs::path ck = resolve_checkpoint(out.path());
    std::string meta = read_file(ck / "checkpoint.json");
    test::write_text(ck / "checkpoint.json", std::string(meta).replace(meta.find("\"format\": 1"), 11, "\"format\": 7"));
    CHECK_THROWS_WITH(run(spec, out.path(), out.path()), Catch::Contains("another version"));
    test::write_text(ck / "checkpoint.json", meta);
    TensorMap state = read_safetensors(ck / "train_state.safetensors").tensors;
    state.erase("adam.exp_avg.lm_head.weight");
    write_safetensors(ck / "train_state.safetensors", state);
    CHECK_THROWS_WITH(run(spec, out.path(), out.path()), Catch::Contains("adam.exp_avg.lm_head.weight"));
    CHECK_THROWS_WITH(run(spec, out.path(), out / "nowhere"), Catch::Contains("no such directory"));
}

TEST_CASE("evaluation reports per-step accuracy, Q-halting results and the reference metrics", "[models][train][eval]") {
    test::TempDir out;
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 40;
    spec.train.eval_every_steps = 40;
    spec.train.lr = 3e-3;
    spec.train.lr_warmup_steps = 0;
    TrainRunResult r = run(spec, out.path());
    REQUIRE_FALSE(r.last_eval_json.empty());
    std::string eval = r.last_eval_json;
    for (const char * key : {"exact_accuracy", "q_halt_accuracy", "halted_mean_steps", "step_accuracy.1", "step_accuracy.4",
                             "step_exact_accuracy.4"})
        CHECK(eval.find(std::string("\"") + key + "\"") != std::string::npos);
    CHECK(eval.find("step_accuracy.5") == std::string::npos);  // halt_max_steps = 4
    // The training loss falls on this learnable toy task (label = input + 1).
    std::string csv = read_file(out / "train_metrics.csv");
    CHECK(csv.rfind("step,wall_time_s,loss,", 0) == 0);
    CHECK(r.samples_per_second > 0);

    // Direct: a trainer's evaluation on the same data twice gives identical numbers and leaves the
    // weights untouched (the EMA swap is undone exactly).
    auto comm = make_communicator({});
    auto data = test::tiny_data();
    Trainer t(adapt_model_config(spec.model, data->info(), 8), spec.train, at::kCPU, *comm, 10);
    HostBatch b;
    auto stream = data->train_stream({8, 0, 1, 1, 0});
    stream->start_iteration(1);
    for (int i = 0; i < 3 && stream->next(b); ++i) t.train_step(b);
    std::string s1, s2;
    TensorMap before = t.export_state(s1);
    auto test_stream = data->test_stream({8, 0, 1, 1, 0});
    EvalMetrics e1 = t.evaluate(*test_stream), e2 = t.evaluate(*test_stream);
    TensorMap after = t.export_state(s2);
    require_same_state(before, after);
    CHECK(e1.count == data->info().test_examples);
    CHECK(e1.exact_accuracy == e2.exact_accuracy);
    CHECK(e1.step_accuracy.size() == 4);
    CHECK(e1.steps == 4);  // evaluation always runs halt_max_steps
    CHECK(e1.accuracy == Approx(e1.step_accuracy.back()).margin(1e-5));
    CHECK(e1.halted_mean_steps >= 1);
    CHECK(e1.halted_mean_steps <= 4);
}

// ---------------------------------------------------------------------------------------------
// Data parallelism: this test program runs itself twice as the two ranks.

TEST_CASE("data-parallel worker (run by the 2-process test)", "[.ddp_worker]") {
    const char * out = std::getenv("TRMBENCH_DDP_OUT");
    REQUIRE(out != nullptr);
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 12;
    spec.train.eval_every_steps = 6;
    TrainRunOptions o;
    o.spec = spec;
    o.data = test::tiny_data();
    o.out_dir = out;
    o.quiet = true;
    o.threads = 1;
    o.dist = distributed_settings_from_env();
    REQUIRE(o.dist.world_size == 2);
    TrainRunResult r = run_training(o);
    CHECK(r.steps == 12);
}

TEST_CASE("2-process Gloo training equals single-process training on the same global batch", "[models][train][ddp]") {
    if (distributed_backends().empty() || distributed_backends()[0] != "gloo") {
        FAIL("this build has no c10d Gloo backend (install libgloo-dev and rebuild)");
    }
    test::TempDir single, multi;
    TrainSpec spec = test::tiny_spec();
    spec.train.max_steps = 12;
    spec.train.eval_every_steps = 6;
    TrainRunResult one = run(spec, single.path());

    const int port = 29000 + static_cast<int>(::getpid() % 2000);
    const std::string exe = fs::canonical("/proc/self/exe").string();
    std::string script;
    for (int rank = 0; rank < 2; ++rank)
        script += "RANK=" + std::to_string(rank) + " WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) +
                  " TRMBENCH_DDP_OUT=" + multi.path().string() + " " + exe + " '[.ddp_worker]' > " +
                  (multi / ("rank" + std::to_string(rank) + ".log")).string() + " 2>&1 &\np" + std::to_string(rank) + "=$!\n";
    script += "wait $p0; a=$?; wait $p1; b=$?; exit $((a | b))\n";
    test::write_text(multi / "launch.sh", script);
    std::string output;
    const int rc = test::run_command("timeout 600 bash " + (multi / "launch.sh").string(), output);
    INFO(output << read_file(multi / "rank0.log") << read_file(multi / "rank1.log"));
    REQUIRE(rc == 0);

    TensorMap a = state_of(single.path()), b = state_of(multi.path());
    REQUIRE(a.size() == b.size());
    // Within floating-point tolerance (gradients are summed in another order), with the sign-step
    // allowance of the reference fixtures for the first Adam steps.
    int64_t elements = 0, outliers = 0;
    double worst = 0;
    for (const auto & [k, v] : a) {
        INFO(k);
        REQUIRE(b.count(k));
        at::Tensor x = to_tensor(v).to(at::kDouble), y = to_tensor(b.at(k)).to(at::kDouble);
        REQUIRE(x.sizes().equals(y.sizes()));
        if (k.rfind("carry.", 0) == 0 && (k == "carry.steps" || k == "carry.halted" || k == "carry.inputs")) {
            CHECK(at::equal(x, y));  // the same halting decisions and data on both sides
            continue;
        }
        at::Tensor d = (x - y).abs();
        worst = std::max(worst, d.max().item<double>());
        outliers += (d > 2e-5).sum().item<int64_t>();
        elements += d.numel();
    }
    INFO("max |diff| " << worst << ", " << outliers << " of " << elements << " beyond 2e-5");
    CHECK(worst <= 5e-3);
    CHECK(static_cast<double>(outliers) <= 1e-3 * static_cast<double>(elements));
    CHECK(one.steps == 12);
}
