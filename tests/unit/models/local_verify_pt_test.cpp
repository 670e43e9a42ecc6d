// verify-reference reads the reference's own checkpoint.pt when a fixture has no safetensors copy,
// with the same result as from the safetensors file (the two hold the same tensors).
#include "tests/support/torch_catch.h"

#include "harness/core/error.h"
#include "models/api.h"
#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string & name) { return test::shared_dir() / "fixtures/reference" / name; }

}  // namespace

TEST_CASE("verify-reference runs a fixture copy that has only checkpoint.pt", "[models][parity][local]") {
    for (const char * name : {"trm_att_f32", "hrm_bf16"}) {
        INFO(name);
        test::TempDir tmp;
        for (const char * f : {"config.json", "checkpoint.pt", "case.safetensors", "case.json"}) fs::copy_file(fixture(name) / f, tmp / f);
        VerifyOptions o;
        o.threads = 1;
        VerifyReport from_pt = verify_reference(tmp.path(), o);
        VerifyReport from_st = verify_reference(fixture(name), o);
        CHECK(from_pt.pass);
        CHECK(fs::path(from_pt.checkpoint_file).filename() == "checkpoint.pt");
        CHECK(fs::path(from_st.checkpoint_file).filename() == "checkpoint.safetensors");
        REQUIRE(from_pt.checks.size() == from_st.checks.size());
        for (size_t i = 0; i < from_pt.checks.size(); ++i) {
            INFO(from_pt.checks[i].mode << " " << from_pt.checks[i].step << " " << from_pt.checks[i].tensor);
            CHECK(from_pt.checks[i].max_abs == from_st.checks[i].max_abs);
        }
        // Neither file: a clear error naming the directory.
        fs::remove(tmp / "checkpoint.pt");
        try {
            verify_reference(tmp.path(), o);
            FAIL("no error");
        } catch (const InputError & e) {
            CHECK(std::string(e.what()).find("no checkpoint.safetensors or checkpoint.pt") != std::string::npos);
        }
    }
}
