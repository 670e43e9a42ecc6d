// The optimizers, EMA and LR schedule of the training recipe, against values computed by hand
// (independent double-precision formulas, not the code under test): AdamATan2's decoupled decay
// order, lerp moments and bias corrections (the first outside atan2), per-parameter step counters;
// sparse SignSGD with duplicate ids, sign(0) and untouched rows; the EMA; warm-up and cosine.
#include "tests/support/torch_catch.h"

#include <cmath>

#include "models/train/optimizers.h"
#include "models/train/train_config.h"

using namespace trmbench;

namespace {

// The AdamATan2 update for one scalar, in double, in the reference's order.
struct ScalarAdam {
    double p, m = 0, v = 0;
    int t = 0;
    void step(double g, double lr, double b1, double b2, double wd) {
        ++t;
        p *= 1 - lr * wd;
        m += (1 - b1) * (g - m);
        v += (1 - b2) * (g * g - v);
        const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
        p -= lr / bc1 * std::atan2(m, std::sqrt(v) / std::sqrt(bc2));
    }
};

}  // namespace

TEST_CASE("AdamATan2 follows the reference update: decay first, lerp moments, bias corrections, no epsilon", "[models][train][optim]") {
    at::Tensor w = at::tensor({1.0f, -2.0f, 0.5f, 3.0f}, at::kFloat).set_requires_grad(true);
    at::Tensor b = at::tensor({0.25f}, at::kFloat).set_requires_grad(true);
    AdamATan2 opt({{"w", w}, {"b", b}}, {0.9, 0.95, 0.2});
    std::vector<ScalarAdam> ref{{1.0}, {-2.0}, {0.5}, {3.0}};
    ScalarAdam ref_b{0.25};
    const std::vector<std::vector<double>> grads = {{0.5, -0.25, 0.0, 1e-3}, {-0.1, 0.3, 2.0, -1e-3}, {0.7, 0.7, -0.2, 4.0}};
    const std::vector<double> lrs = {0.1, 0.05, 0.2};
    for (size_t s = 0; s < grads.size(); ++s) {
        w.mutable_grad() = at::tensor(std::vector<float>(grads[s].begin(), grads[s].end()), at::kFloat);
        // b gets a gradient only in the first and last step: its counter must skip step 2.
        if (s != 1) b.mutable_grad() = at::tensor({0.3f}, at::kFloat);
        opt.step(lrs[s]);
        opt.zero_grad();
        CHECK_FALSE(w.grad().defined());
        for (size_t i = 0; i < 4; ++i) {
            ref[i].step(grads[s][i], lrs[s], 0.9, 0.95, 0.2);
            INFO("step " << s << " element " << i);
            CHECK(w[static_cast<int64_t>(i)].item<double>() == Approx(ref[i].p).margin(2e-6));
        }
        if (s != 1) ref_b.step(0.3, lrs[s], 0.9, 0.95, 0.2);
        CHECK(b.item<double>() == Approx(ref_b.p).margin(2e-6));
    }
    CHECK(opt.slots()[0].step == 3);
    CHECK(opt.slots()[1].step == 2);

    // The first step is a bounded "sign step": Δ = lr/(1-β1)·atan2(0.1·g, |g|), whatever the gradient's scale.
    at::Tensor x = at::zeros({1}, at::kFloat).set_requires_grad(true);
    AdamATan2 one({{"x", x}}, {0.9, 0.95, 0.0});
    x.mutable_grad() = at::tensor({1e-6f}, at::kFloat);  // scale-invariant: a tiny gradient moves as far as a big one
    one.step(1e-3);
    CHECK(x.item<double>() == Approx(-1e-3 / 0.1 * std::atan2(0.1, 1.0)).epsilon(1e-5));
}

TEST_CASE("AdamATan2: the decay order and the bias-correction placement are observable", "[models][train][optim]") {
    // Alternatives that a port might get wrong give different numbers; the implementation must match
    // only the reference one.
    at::Tensor w = at::tensor({2.0f}, at::kFloat).set_requires_grad(true);
    AdamATan2 opt({{"w", w}}, {0.9, 0.95, 0.5});
    w.mutable_grad() = at::tensor({0.4f}, at::kFloat);
    opt.step(0.1);
    const double m = 0.04, v = 0.05 * 0.16;
    const double reference = 2.0 * (1 - 0.05) - 0.1 / 0.1 * std::atan2(m, std::sqrt(v) / std::sqrt(0.05));
    const double decay_last = (2.0 - 0.1 / 0.1 * std::atan2(m, std::sqrt(v) / std::sqrt(0.05))) * (1 - 0.05);
    const double bc1_inside = 2.0 * (1 - 0.05) - 0.1 * std::atan2(m / 0.1, std::sqrt(v) / std::sqrt(0.05));
    CHECK(w.item<double>() == Approx(reference).margin(1e-6));
    CHECK(std::fabs(reference - decay_last) > 1e-3);
    CHECK(std::fabs(reference - bc1_inside) > 1e-3);
}

TEST_CASE("sparse SignSGD sums duplicate ids, decays only touched rows, and sign(0) = 0", "[models][train][optim]") {
    at::Tensor weights = at::tensor({1.f, 1.f, 1.f, 2.f, 2.f, 2.f, 3.f, 3.f, 3.f, -4.f, -4.f, -4.f}, at::kFloat).view({4, 3});
    const at::Tensor before = weights.clone();
    at::Tensor ids = at::tensor({2, 0, 2, 3}, at::kInt);
    at::Tensor grad = at::tensor({0.5f, -0.1f, 0.2f,     // id 2
                                  -1.f, 1.f, 0.f,        // id 0 (a zero: decay only)
                                  -0.6f, 0.1f, -0.2f,    // id 2 again: sums 2 to -0.1, 0, 0
                                  3.f, -3.f, 1e-9f},     // id 3
                                 at::kFloat)
                         .view({4, 3});
    const double lr = 0.01, wd = 0.1;
    sparse_signsgd_step(weights, grad, ids, lr, wd);
    const float keep = static_cast<float>(1.0 - lr * wd);
    auto expect = [&](int row, std::vector<float> sign) {
        for (int j = 0; j < 3; ++j) {
            const float want = before[row][j].item<float>() * keep - static_cast<float>(lr) * sign[static_cast<size_t>(j)];
            INFO("row " << row << " col " << j);
            CHECK(weights[row][j].item<float>() == Approx(want).margin(1e-7));
        }
    };
    expect(0, {-1, 1, 0});
    expect(2, {-1, 0, 0});  // 0.5 - 0.6 < 0; -0.1 + 0.1 = 0 exactly; 0.2 - 0.2 = 0
    expect(3, {1, -1, 1});
    CHECK(at::equal(weights[1], before[1]));  // untouched row: neither stepped nor decayed
    // int64 ids give the same result.
    at::Tensor w64 = before.clone();
    sparse_signsgd_step(w64, grad, ids.to(at::kLong), lr, wd);
    CHECK(at::equal(w64, weights));
}

TEST_CASE("the EMA starts as a copy and follows shadow = (1-mu) param + mu shadow", "[models][train][ema]") {
    at::Tensor p = at::tensor({1.0f, -1.0f}, at::kFloat);
    ParameterEma ema({{"p", p}}, 0.9);
    p.fill_(3.0f);
    CHECK(ema.shadow()[0].second[0].item<float>() == 1.0f);  // a copy, not a view
    ema.update({{"p", p}});
    CHECK(ema.shadow()[0].second[0].item<double>() == Approx(0.1 * 3 + 0.9 * 1).margin(1e-6));
    CHECK(ema.shadow()[0].second[1].item<double>() == Approx(0.1 * 3 + 0.9 * -1).margin(1e-6));
    ema.update({{"p", p}});
    CHECK(ema.shadow()[0].second[0].item<double>() == Approx(0.1 * 3 + 0.9 * 1.2).margin(1e-6));
    at::Tensor q = at::zeros({2}, at::kFloat);
    ema.copy_to({{"p", q}});
    CHECK(at::equal(q, ema.shadow()[0].second));
    CHECK_THROWS(ema.copy_to({{"other", q}}));
}

TEST_CASE("the LR schedule warms up linearly from step 0 and then is constant or cosine", "[models][train][lr]") {
    CHECK(scheduled_lr(0, 1e-4, 2000, 65104, 1.0) == 0.0);
    CHECK(scheduled_lr(1, 1e-4, 2000, 65104, 1.0) == Approx(1e-4 / 2000).epsilon(1e-12));
    CHECK(scheduled_lr(1000, 1e-4, 2000, 65104, 1.0) == Approx(5e-5).epsilon(1e-12));
    CHECK(scheduled_lr(2000, 1e-4, 2000, 65104, 1.0) == Approx(1e-4).epsilon(1e-12));
    CHECK(scheduled_lr(60000, 1e-4, 2000, 65104, 1.0) == Approx(1e-4).epsilon(1e-12));
    // Cosine to 10%: halfway down at the midpoint, the floor at the end.
    CHECK(scheduled_lr(100, 1.0, 0, 200, 0.1) == Approx(0.1 + 0.9 * 0.5).epsilon(1e-12));
    CHECK(scheduled_lr(200, 1.0, 0, 200, 0.1) == Approx(0.1).epsilon(1e-12));
    CHECK(scheduled_lr(50, 1.0, 0, 200, 0.0) == Approx(0.5 * (1 + std::cos(M_PI * 0.25))).epsilon(1e-12));
    CHECK(scheduled_lr(0, 2.0, 0, 10, 1.0) == 2.0);  // no warm-up: full rate from the first step
    // Steps implied by the recipes (spec §2.10).
    CHECK(reference_total_steps(50000, 1000, 1.0, 768) == 65104);
    CHECK(reference_total_steps(20000, 1000, 1.0, 768) == 26041);
    CHECK(reference_total_steps(100000, 960, 3988.0 / 960.0, 768) == 519270);
}

TEST_CASE("training recipes: paper presets, spec files and their errors", "[models][train][config]") {
    TrainSpec s = load_train_preset("trm-att-sudoku");
    CHECK(s.train.ema);
    CHECK(s.train.epochs == 50000);
    CHECK(s.train.eval_interval == 5000);
    CHECK(s.train.weight_decay == 1.0);
    CHECK(s.train.global_batch_size == 768);
    TrainSpec arc = load_train_preset("trm-att-arc");
    CHECK(arc.train.puzzle_emb_lr == 1e-2);
    CHECK(arc.train.weight_decay == 0.1);
    TrainSpec hrm = load_train_preset("hrm-sudoku");
    CHECK_FALSE(hrm.train.ema);
    CHECK(hrm.train.epochs == 20000);

    // Round trip through a spec file.
    TrainSpec back = parse_train_spec(train_spec_to_json(s), "roundtrip.json");
    CHECK(back.train == s.train);
    CHECK(model_config_to_json(back.model) == model_config_to_json(s.model));

    // A model config file with a "train" object.
    std::string base = model_config_to_json(s.model);
    auto spec_with = [&](const std::string & train) {
        std::string t = base;
        t.insert(t.rfind('}'), ", \"train\": " + train);
        return t;
    };
    CHECK(parse_train_spec(spec_with("{\"lr\": 3e-4, \"loss_type\": \"softmax_cross_entropy\"}"), "f.json").train.lr == 3e-4);
    CHECK_THROWS_WITH(parse_train_spec(spec_with("{\"learning_rate\": 1}"), "f.json"),
                      Catch::Contains("train.learning_rate") && Catch::Contains("unknown"));
    CHECK_THROWS_WITH(parse_train_spec(spec_with("{\"lr\": \"fast\"}"), "f.json"), Catch::Contains("train.lr"));
    CHECK_THROWS_WITH(parse_train_spec(spec_with("{\"epochs\": 10, \"eval_interval\": 3}"), "f.json"),
                      Catch::Contains("eval_interval") && Catch::Contains("divide"));
    CHECK_THROWS_WITH(parse_train_spec(spec_with("{\"beta2\": 1.0}"), "f.json"), Catch::Contains("beta2"));
    CHECK_THROWS_WITH(parse_train_spec(spec_with("{\"loss_type\": \"mse\"}"), "f.json"), Catch::Contains("loss_type"));
    CHECK_THROWS_WITH(load_train_preset("no-such-preset"), Catch::Contains("trm-att-sudoku"));
}
