// The CPU evaluation paths (models/cpu_kernels.h, layers.cpp): without autograd they must give
// the same bits as the reference's op sequence (TRMBENCH_CPU_KERNELS=aten). Attention: both
// dtypes, with and without RoPE, the softmax scale folded into q (head_dim 16, 64) and not (8, 32),
// single and batched inputs, whole TRM and HRM ACT loops. Large linear layers against the cached
// contiguous Wᵀ: TRM-Att, TRM-MLP and HRM evaluations in both dtypes and both bf16 routes, and the
// cache following an in-place weight update. With autograd the reference path stays; bad settings
// are usage errors naming the variable.
#include "tests/support/torch_catch.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/BFloat16.h>

#include <cmath>
#include <cstring>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/error.h"
#include "models/act.h"
#include "models/api.h"
#include "models/cpu_kernels.h"
#include "models/cpu_gemm.h"
#include "models/layers.h"
#include "models/reasoning_model.h"
#include "tests/support/scoped_env.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/train_test_util.h"

using namespace trmbench;

namespace {

at::Tensor attend(AttentionImpl & attn, const at::Tensor & x, const RotaryEmbeddingImpl * rope, bool fused) {
    const cpu_kernels::ScopedCpuKernels path(fused);
    at::NoGradGuard no_grad;
    return attn.forward(x, rope);
}

bool bitwise_equal(const at::Tensor & a, const at::Tensor & b) {
    return a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() && at::equal(a, b);
}

// The trainer tests' tiny model, widened to `hidden` with `heads` heads, two L layers, RoPE.
ModelConfig tiny(ModelFamily family, int64_t hidden, int64_t heads, ForwardDType dtype) {
    ModelConfig c = test::tiny_model(family);
    c.seq_len = 11;
    c.puzzle_emb_ndim = hidden;
    c.hidden_size = hidden;
    c.num_heads = heads;
    c.L_layers = 2;
    c.pos_encodings = PosEncoding::rope;
    c.halt_max_steps = 3;
    c.forward_dtype = dtype;
    return c;
}

// Logits, q-halt and carries of every evaluation step, concatenated as float64.
at::Tensor eval_trace(RecursiveReasoningModelImpl & m, const PuzzleBatch & b, bool fused) {
    const cpu_kernels::ScopedCpuKernels path(fused);
    at::NoGradGuard no_grad;
    m.eval();
    ActCarry carry = initial_carry(m, b);
    std::vector<at::Tensor> all;
    for (int64_t s = 0; s < m.config.halt_max_steps; ++s) {
        auto [next, out] = act_step(m, carry, b);
        all.push_back(out.logits.to(at::kDouble).flatten());
        all.push_back(out.q_halt.to(at::kDouble).flatten());
        all.push_back(next.inner.z_H.to(at::kDouble).flatten());
        all.push_back(next.inner.z_L.to(at::kDouble).flatten());
        carry = next;
    }
    return at::cat(all);
}

}  // namespace

TEST_CASE("fused CPU attention gives the reference op sequence's bits", "[models][cpu_kernels]") {
    const ScopedBf16CpuGemm route(Bf16CpuGemm::onednn);  // the projections the same way in both runs
    for (const int64_t head_dim : {8, 16, 32, 64}) {
        for (const at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
            for (const bool with_rope : {true, false}) {
                for (const int64_t batch : {1, 2, 5}) {
                    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(17 + head_dim);
                    const int64_t heads = 3, hidden = heads * head_dim, seq = 13;
                    Attention attn(hidden, heads, gen);
                    RotaryEmbedding rope(head_dim, seq, 10000.0);
                    at::Tensor x = (at::randn({batch, seq, hidden}, gen) * 3).to(dtype);
                    const RotaryEmbeddingImpl * r = with_rope ? rope.get() : nullptr;
                    at::Tensor ref = attend(*attn, x, r, /*fused=*/false);
                    at::Tensor ours = attend(*attn, x, r, /*fused=*/true);
                    INFO("head_dim " << head_dim << ", " << c10::toString(dtype) << ", rope " << with_rope << ", batch "
                                     << batch);
                    CHECK(bitwise_equal(ours, ref));
                    CHECK(ours.abs().max().item<double>() > 0);  // not a trivially equal pair
                }
            }
        }
    }
}

TEST_CASE("whole TRM and HRM evaluations are bit-identical with the fused CPU attention", "[models][cpu_kernels]") {
    const ScopedBf16CpuGemm route(Bf16CpuGemm::onednn);
    for (const ModelFamily family : {ModelFamily::trm, ModelFamily::hrm}) {
        for (const ForwardDType dtype : {ForwardDType::float32, ForwardDType::bfloat16}) {
            const ModelConfig c = tiny(family, 64, 2, dtype);  // head_dim 32: scale applied to the scores
            const ModelConfig c16 = tiny(family, 64, 4, dtype);  // head_dim 16: scale folded into q
            for (const ModelConfig & cfg : {c, c16}) {
                RecursiveReasoningModel m(cfg, 5);
                at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(9);
                PuzzleBatch b;
                b.inputs = at::randint(0, cfg.vocab_size, {3, cfg.seq_len}, gen, at::kInt);
                b.labels = at::randint(0, cfg.vocab_size, {3, cfg.seq_len}, gen, at::kInt);
                b.puzzle_identifiers = at::randint(0, cfg.num_puzzle_identifiers, {3}, gen, at::kInt);
                INFO((family == ModelFamily::trm ? "trm" : "hrm") << ", heads " << cfg.num_heads << ", "
                                                                  << (dtype == ForwardDType::float32 ? "fp32" : "bf16"));
                CHECK(bitwise_equal(eval_trace(*m, b, true), eval_trace(*m, b, false)));
            }
        }
    }
}

TEST_CASE("large linear layers against the cached contiguous transpose give the same bits", "[models][cpu_kernels]") {
    // hidden 256 and an MLP of 512: the projections take the Wᵀ path, the heads do not.
    for (const Bf16CpuGemm route : {Bf16CpuGemm::onednn, Bf16CpuGemm::fp32_blas}) {
        const ScopedBf16CpuGemm pin(route);
        for (const ModelFamily family : {ModelFamily::trm, ModelFamily::hrm}) {
            for (const bool mlp_t : {false, true}) {
                if (family == ModelFamily::hrm && mlp_t) continue;
                for (const ForwardDType dtype : {ForwardDType::float32, ForwardDType::bfloat16}) {
                    for (const int64_t batch : {1, 4}) {
                        ModelConfig cfg = tiny(family, 256, 4, dtype);
                        cfg.mlp_t = mlp_t;
                        if (mlp_t) cfg.pos_encodings = PosEncoding::none;
                        RecursiveReasoningModel m(cfg, 8);
                        at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(4);
                        PuzzleBatch b;
                        b.inputs = at::randint(0, cfg.vocab_size, {batch, cfg.seq_len}, gen, at::kInt);
                        b.labels = at::randint(0, cfg.vocab_size, {batch, cfg.seq_len}, gen, at::kInt);
                        b.puzzle_identifiers = at::randint(0, cfg.num_puzzle_identifiers, {batch}, gen, at::kInt);
                        INFO((family == ModelFamily::trm ? (mlp_t ? "trm-mlp" : "trm-att") : "hrm")
                             << ", " << (dtype == ForwardDType::float32 ? "fp32" : "bf16") << ", route "
                             << to_string(route) << ", batch " << batch);
                        CHECK(bitwise_equal(eval_trace(*m, b, true), eval_trace(*m, b, false)));
                    }
                }
            }
        }
    }
    // and a single layer, 2-D and 3-D inputs, with the cache following an in-place weight update
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(2);
    CastedLinear lin(384, 640, false, gen);
    for (const auto & shape : {std::vector<int64_t>{37, 384}, std::vector<int64_t>{3, 29, 384}}) {
        const at::Tensor x = at::randn(shape, gen);
        auto run = [&](bool fused) {
            const cpu_kernels::ScopedCpuKernels path(fused);
            at::NoGradGuard no_grad;
            return lin->forward(x);
        };
        CHECK(bitwise_equal(run(true), run(false)));
        {
            at::NoGradGuard no_grad;
            lin->weight.mul_(0.5);
        }
        CHECK(bitwise_equal(run(true), run(false)));
        CHECK(bitwise_equal(run(true), at::linear(x, lin->weight)));
    }
}

TEST_CASE("with autograd on, attention keeps the differentiable reference path", "[models][cpu_kernels]") {
    const cpu_kernels::ScopedCpuKernels path(true);
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(3);
    Attention attn(32, 2, gen);
    RotaryEmbedding rope(16, 5, 10000.0);
    at::Tensor x = at::randn({2, 5, 32}, gen).requires_grad_(true);
    at::Tensor y = attn->forward(x, rope.get());
    REQUIRE(y.requires_grad());
    y.square().sum().backward();
    CHECK(x.grad().defined());
    CHECK(attn->qkv_proj->weight.grad().abs().sum().item<double>() > 0);
}

TEST_CASE("TRMBENCH_CPU_KERNELS accepts fused or aten and names itself otherwise", "[models][cpu_kernels]") {
    test::ScopedEnv env("TRMBENCH_CPU_KERNELS", "aten");
    CHECK_FALSE(cpu_kernels::fused_cpu_kernels());
    {
        test::ScopedEnv fused("TRMBENCH_CPU_KERNELS", "fused");
        CHECK(cpu_kernels::fused_cpu_kernels());
    }
    {
        test::ScopedEnv bad("TRMBENCH_CPU_KERNELS", "fast");
        CHECK_THROWS_AS(cpu_kernels::fused_cpu_kernels(), UsageError);
        CHECK_THROWS_WITH(cpu_kernels::fused_cpu_kernels(),
                          Catch::Contains("TRMBENCH_CPU_KERNELS=fast") && Catch::Contains("fused or aten"));
        const cpu_kernels::ScopedCpuKernels pinned(false);  // a pin wins over the environment
        CHECK_FALSE(cpu_kernels::fused_cpu_kernels());
    }
}

TEST_CASE("float to bf16 rounding matches c10::BFloat16, ties and specials included", "[models][cpu_kernels]") {
    std::vector<float> values = {0.0f, -0.0f, 1.0f, -1.0f, 1.00390625f /* tie, even below */,
                                 1.01171875f /* tie, odd below */, 3.14159265f, 1e-40f, -1e-38f, 3.4e38f,
                                 std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                                 std::numeric_limits<float>::quiet_NaN()};
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
    at::Tensor r = at::randn({2000}, gen) * 100;
    for (int64_t i = 0; i < r.numel(); ++i) values.push_back(r[i].item<float>());
    for (const float v : values) {
        const c10::BFloat16 ref(v);
        INFO(v);
        CHECK(cpu_kernels::float_to_bf16_bits(v) == ref.x);
    }
}
