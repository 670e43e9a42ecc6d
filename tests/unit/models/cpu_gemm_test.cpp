// The bf16 CPU GEMM routes (models/cpu_gemm.h): parsing, the bf16 contract of the fp32 route
// (exact widening, fp32 sums, one rounding) against a float64 computation, gradients under both
// routes, the evaluation weight cache following in-place weight updates, and the reference
// fixtures passing their bf16 tolerances through the fp32 route.
#include "tests/support/torch_catch.h"

#include <ATen/CPUGeneratorImpl.h>

#include "harness/core/error.h"
#include "models/api.h"
#include "models/cpu_gemm.h"
#include "models/layers.h"
#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

// |a - b| in units of the bf16 spacing at |b| (2^-7 relative), elementwise maximum.
double max_bf16_ulps(const at::Tensor & a, const at::Tensor & exact) {
    at::Tensor e = exact.to(at::kDouble);
    at::Tensor ulp = at::clamp_min(at::abs(e), 1e-30) * (1.0 / 128.0);
    return ((a.to(at::kDouble) - e).abs() / ulp).max().item<double>();
}

at::Tensor run_linear(CastedLinear & lin, const at::Tensor & x, Bf16CpuGemm route) {
    const ScopedBf16CpuGemm pin(route);
    return lin->forward(x);
}

}  // namespace

TEST_CASE("bf16 GEMM route names parse, and bad ones are usage errors naming the setting", "[models][gemm]") {
    CHECK(parse_bf16_cpu_gemm("auto", "X") == Bf16CpuGemm::auto_select);
    CHECK(parse_bf16_cpu_gemm("onednn", "X") == Bf16CpuGemm::onednn);
    CHECK(parse_bf16_cpu_gemm("fp32", "X") == Bf16CpuGemm::fp32_blas);
    CHECK(to_string(Bf16CpuGemm::fp32_blas) == "fp32");
    CHECK_THROWS_AS(parse_bf16_cpu_gemm("bf16", "TRMBENCH_BF16_CPU_GEMM"), UsageError);
    CHECK_THROWS_WITH(parse_bf16_cpu_gemm("bf16", "TRMBENCH_BF16_CPU_GEMM"),
                      Catch::Contains("TRMBENCH_BF16_CPU_GEMM=bf16") && Catch::Contains("onednn"));
    CHECK_THROWS_AS(ScopedBf16CpuGemm(Bf16CpuGemm::auto_select), UsageError);
}

TEST_CASE("a pinned route is the one in effect, and the pin is undone at scope exit", "[models][gemm]") {
    const Bf16CpuGemm before = bf16_cpu_gemm();
    {
        const ScopedBf16CpuGemm pin(Bf16CpuGemm::fp32_blas);
        CHECK(bf16_cpu_gemm() == Bf16CpuGemm::fp32_blas);
        {
            const ScopedBf16CpuGemm inner(Bf16CpuGemm::onednn);
            CHECK(bf16_cpu_gemm() == Bf16CpuGemm::onednn);
        }
        CHECK(bf16_cpu_gemm() == Bf16CpuGemm::fp32_blas);
    }
    CHECK(bf16_cpu_gemm() == before);
    const Bf16GemmCalibration c = calibrate_bf16_cpu_gemm();
    CHECK(c.onednn_gflops > 0);
    CHECK(c.fp32_gflops > 0);
}

TEST_CASE("both bf16 routes meet the bf16 linear contract against float64", "[models][gemm]") {
    at::NoGradGuard no_grad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    CastedLinear lin(640, 96, /*with_bias=*/true, gen);
    lin->bias.normal_(0, 1, gen);
    const at::Tensor x = at::randn({3, 41, 640}, gen, at::kFloat).to(at::kBFloat16);
    // Exact products of the bf16 values, summed in float64: what an fp32 accumulation approximates.
    const at::Tensor exact = at::linear(x.to(at::kDouble), lin->weight.to(at::kBFloat16).to(at::kDouble),
                                        lin->bias.to(at::kBFloat16).to(at::kDouble));
    for (Bf16CpuGemm route : {Bf16CpuGemm::onednn, Bf16CpuGemm::fp32_blas}) {
        INFO(to_string(route));
        const at::Tensor y = run_linear(lin, x, route);
        CHECK(y.scalar_type() == at::kBFloat16);
        CHECK(y.sizes() == exact.sizes());
        // One rounding of a slightly inexact fp32 sum: within one bf16 ulp everywhere away from
        // cancellation (the sums here are O(25) with terms O(1); fp32 error is ~1e-5 of that).
        at::Tensor big = exact.abs() > 1.0;
        CHECK(max_bf16_ulps(y.masked_select(big), exact.masked_select(big)) <= 1.0);
    }
    // The routes differ at most by one rounding step of the output.
    const at::Tensor a = run_linear(lin, x, Bf16CpuGemm::onednn).to(at::kFloat);
    const at::Tensor b = run_linear(lin, x, Bf16CpuGemm::fp32_blas).to(at::kFloat);
    CHECK(((a - b).abs() <= a.abs() / 64 + 1e-6).all().item<bool>());
}

TEST_CASE("bf16 gradients agree between the routes (training uses the same layer)", "[models][gemm]") {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    CastedLinear lin(256, 128, /*with_bias=*/false, gen);
    const at::Tensor x0 = at::randn({8, 33, 256}, gen, at::kFloat).to(at::kBFloat16);
    const at::Tensor up = at::randn({8, 33, 128}, gen, at::kFloat).to(at::kBFloat16);
    std::vector<at::Tensor> grad_w, grad_x;
    for (Bf16CpuGemm route : {Bf16CpuGemm::onednn, Bf16CpuGemm::fp32_blas}) {
        lin->weight.mutable_grad() = at::Tensor();
        at::Tensor x = x0.clone().requires_grad_(true);
        at::Tensor y = run_linear(lin, x, route);
        REQUIRE(y.requires_grad());
        y.backward(up);
        REQUIRE(lin->weight.grad().defined());
        CHECK(lin->weight.grad().scalar_type() == at::kFloat);  // master-weight gradient
        CHECK(x.grad().scalar_type() == at::kBFloat16);
        grad_w.push_back(lin->weight.grad().clone());
        grad_x.push_back(x.grad().to(at::kFloat));
    }
    const double scale_w = grad_w[0].abs().max().item<double>();
    const double scale_x = grad_x[0].abs().max().item<double>();
    CHECK(scale_w > 0);
    CHECK((grad_w[0] - grad_w[1]).abs().max().item<double>() <= scale_w / 64);
    CHECK((grad_x[0] - grad_x[1]).abs().max().item<double>() <= scale_x / 64);
}

TEST_CASE("the evaluation weight cache follows in-place weight updates", "[models][gemm]") {
    at::NoGradGuard no_grad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    CastedLinear lin(64, 32, /*with_bias=*/false, gen);
    const at::Tensor x = at::randn({5, 64}, gen, at::kFloat).to(at::kBFloat16);
    for (Bf16CpuGemm route : {Bf16CpuGemm::onednn, Bf16CpuGemm::fp32_blas}) {
        INFO(to_string(route));
        const at::Tensor before = run_linear(lin, x, route);
        lin->weight.mul_(-2.0);  // what loading a checkpoint or an optimizer step does
        const at::Tensor after = run_linear(lin, x, route);
        const at::Tensor expect = at::linear(x.to(at::kFloat), lin->weight.to(at::kBFloat16).to(at::kFloat));
        CHECK(((after.to(at::kFloat) - expect).abs() <= expect.abs() / 64 + 1e-3).all().item<bool>());
        CHECK(!at::equal(before, after));
        lin->weight.mul_(-0.5);
    }
}

TEST_CASE("the bf16 reference fixtures pass their tolerances through the fp32 route", "[models][gemm][parity]") {
    const ScopedBf16CpuGemm pin(Bf16CpuGemm::fp32_blas);
    for (const char * name : {"trm_att_bf16", "hrm_bf16"}) {
        INFO(name);
        VerifyOptions o;
        o.threads = 1;
        const VerifyReport r = verify_reference(test::shared_dir() / "fixtures/reference" / name, o);
        INFO(format_verify_report(r));
        CHECK(r.bf16_cpu_gemm == "fp32");
        CHECK(r.pass);
        CHECK(r.max_abs("teacher", "logits") <= 0.1);
    }
}

TEST_CASE("verify-reference runs the reference's oneDNN kernels unless a route is pinned", "[models][gemm][parity]") {
    VerifyOptions o;
    o.threads = 1;
    const VerifyReport r = verify_reference(test::shared_dir() / "fixtures/reference/trm_att_bf16", o);
    if (requested_bf16_cpu_gemm() == Bf16CpuGemm::auto_select) {
        CHECK(r.bf16_cpu_gemm == "onednn");
        CHECK(r.bit_exact());
    } else {
        CHECK(r.bf16_cpu_gemm == to_string(requested_bf16_cpu_gemm()));
    }
}
