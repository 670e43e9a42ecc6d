// Training parity with the reference: `train verify-reference` on every fixture with a training
// case (shared/fixtures/reference: trm_att_f32, hrm_f32; tests/unit/models/data/reference_train:
// other configurations), with the README §7 tolerances asserted number by number.
#include "tests/support/torch_catch.h"

#include <cmath>
#include <filesystem>

#include "harness/core/paths.h"
#include "models/train/train_api.h"
#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

void check_case(const fs::path & dir) {
    INFO(dir.string());
    TrainVerifyReport r = verify_train_reference(dir);
    INFO(format_train_verify_report(r));
    CHECK(r.pass);
    REQUIRE(r.losses.size() == static_cast<size_t>(r.calls));
    // TRM-MLP: atol 1e-5 * 5^call (the README's free-running MLP rule; see verify_train.cpp).
    const bool mlp = dir.filename().string().find("mlp") != std::string::npos;
    for (size_t c = 0; c < r.losses.size(); ++c)
        CHECK(std::fabs(r.losses[c] - r.ref_losses[c]) <= 1e-5 * (mlp ? std::pow(5.0, static_cast<double>(c)) : 1.0));
    CHECK(r.grad_max_abs <= 1e-6 + 1e-4);  // each gradient is also checked against atol + rtol·|ref|
    CHECK(r.final_max_abs <= 5e-3);
    int grads = 0, finals = 0, exact = 0;
    for (const auto & c : r.checks) {
        grads += c.quantity.rfind("grad.", 0) == 0;
        finals += c.quantity.rfind("final.", 0) == 0;
        if (c.quantity == "steps" || c.quantity == "halted") {
            ++exact;
            CHECK(c.max_abs == 0);
        }
    }
    CHECK(grads >= 8);       // every parameter plus the puzzle embedding's local weights
    CHECK(finals >= 8);      // every state-dict tensor plus the carry
    CHECK(exact == 2 * r.calls);
}

}  // namespace

TEST_CASE("train verify-reference reproduces the reference's four training calls (shared fixtures)", "[models][train][parity]") {
    for (const char * name : {"trm_att_f32", "hrm_f32"}) check_case(test::shared_dir() / "fixtures/reference" / name);
}

TEST_CASE("train verify-reference reproduces training cases of other configurations", "[models][train][parity]") {
    const fs::path root = test::source_dir() / "tests/unit/models/data/reference_train";
    REQUIRE(fs::is_directory(root));
    int cases = 0;
    for (const auto & e : fs::directory_iterator(root))
        if (fs::exists(e.path() / "train.safetensors")) {
            check_case(e.path());
            ++cases;
        }
    CHECK(cases >= 3);
}

TEST_CASE("train verify-reference notices a wrong step and rejects non-training fixtures", "[models][train][parity]") {
    // A fixture whose recorded optimizer settings differ from what produced the data must fail:
    // copy trm_att_f32 and change the learning rate in train.json.
    test::TempDir tmp;
    const fs::path src = test::shared_dir() / "fixtures/reference/trm_att_f32";
    for (const char * f : {"config.json", "checkpoint.safetensors", "train.safetensors", "train.json"})
        fs::copy_file(src / f, tmp / f);
    std::string j = read_file(tmp / "train.json");
    const std::string from = "\"lr\": 0.001";
    REQUIRE(j.find(from) != std::string::npos);
    j.replace(j.find(from), from.size(), "\"lr\": 0.002");
    test::write_text(tmp / "train.json", j);
    TrainVerifyReport r = verify_train_reference(tmp.path());
    CHECK_FALSE(r.pass);
    CHECK(r.final_max_abs > 5e-4);

    CHECK_THROWS_WITH(verify_train_reference(test::shared_dir() / "fixtures/reference/trm_att_bf16"),
                      Catch::Contains("train.safetensors is missing"));
}
