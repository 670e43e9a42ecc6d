// `trmbench models inspect|convert` end to end: output, JSON, exit codes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "harness/core/paths.h"
#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string & c, const std::string & file = "checkpoint.pt") {
    return (test::shared_dir() / "fixtures/reference" / c / file).string();
}

int run_trmbench(const std::string & args, std::string & out) { return test::run_command(test::trmbench_exe().string() + " " + args, out); }

}  // namespace

TEST_CASE("models inspect prints keys, shapes and the parameter count", "[cli][models]") {
    std::string out;
    REQUIRE(run_trmbench("models inspect " + fixture("trm_att_f32"), out) == 0);
    CHECK_THAT(out, Catch::Contains("_orig_mod.model.inner.L_level.layers.1.self_attn.qkv_proj.weight"));
    CHECK_THAT(out, Catch::Contains("[192, 64]"));
    CHECK_THAT(out, Catch::Contains("132,610 trainable"));
    CHECK_THAT(out, Catch::Contains("TRM, variant att"));
    CHECK_THAT(out, Catch::Contains("archive 'checkpoint'"));

    REQUIRE(run_trmbench("models inspect " + fixture("hrm_f32"), out) == 0);
    CHECK_THAT(out, Catch::Contains("263,682 trainable"));
    CHECK_THAT(out, Catch::Contains("HRM, variant att"));

    REQUIRE(run_trmbench("models inspect " + fixture("trm_att_f32", "checkpoint_cuda_tagged.pt"), out) == 0);
    CHECK_THAT(out, Catch::Contains("storages on cuda:0"));
}

TEST_CASE("models inspect --json is machine-readable, for .pt and .safetensors alike", "[cli][models]") {
    for (const char * file : {"checkpoint.pt", "checkpoint.safetensors"}) {
        INFO(file);
        std::string out;
        REQUIRE(run_trmbench("models inspect --json " + fixture("trm_mlp_f32", file), out) == 0);
        auto j = nlohmann::json::parse(out);
        CHECK(j["format"] == (std::string(file).ends_with(".pt") ? "pytorch" : "safetensors"));
        CHECK(j["trainable_params"] == 230402);
        CHECK(j["config"]["family"] == "TRM");
        CHECK(j["config"]["variant"] == "mlp_t");
        CHECK(j["config"]["total_seq_len"] == 85);
        CHECK(j["config"]["num_heads"].is_null());
        CHECK(j["tensors"].size() == j["num_tensors"].get<size_t>());
        CHECK(j["tensors"][0]["name"].get<std::string>().starts_with("_orig_mod.model.inner."));
    }
}

TEST_CASE("models convert goes .pt -> .safetensors -> .pt, with prefixes on request", "[cli][models]") {
    test::TempDir tmp;
    std::string out;
    const std::string st = (tmp / "a.safetensors").string(), pt = (tmp / "b.pt").string(), bare = (tmp / "bare.safetensors").string();
    REQUIRE(run_trmbench("models convert " + fixture("hrm_bf16") + " " + st, out) == 0);
    REQUIRE(run_trmbench("models convert " + st + " " + pt, out) == 0);
    std::string a, b;
    REQUIRE(run_trmbench("models inspect --json " + fixture("hrm_bf16"), a) == 0);
    REQUIRE(run_trmbench("models inspect --json " + pt, b) == 0);
    CHECK(nlohmann::json::parse(a)["tensors"] == nlohmann::json::parse(b)["tensors"]);

    REQUIRE(run_trmbench("models convert --strip-prefix " + pt + " " + bare, out) == 0);
    REQUIRE(run_trmbench("models inspect --json " + bare, out) == 0);
    auto j = nlohmann::json::parse(out);
    CHECK(j["key_prefix"] == "");
    CHECK(j["trainable_params"] == 263682);
    bool has_h_init = false;
    for (const auto & t : j["tensors"]) has_h_init |= t["name"] == "H_init";
    CHECK(has_h_init);
    const std::string again = (tmp / "again.pt").string();
    REQUIRE(run_trmbench("models convert --add-prefix _orig_mod.model.inner. " + bare + " " + again, out) == 0);
    REQUIRE(run_trmbench("models inspect --json " + again, b) == 0);
    CHECK(nlohmann::json::parse(a)["tensors"] == nlohmann::json::parse(b)["tensors"]);
}

TEST_CASE("models commands exit 3 for a bad file and 2 for bad usage", "[cli][models]") {
    test::TempDir tmp;
    std::string out;
    test::write_text(tmp / "junk.pt", "this is not a checkpoint");
    CHECK(run_trmbench("models inspect " + (tmp / "junk.pt").string(), out) == 3);
    CHECK_THAT(out, Catch::Contains("junk.pt"));
    test::write_text(tmp / "empty.pt", "");
    CHECK(run_trmbench("models inspect " + (tmp / "empty.pt").string(), out) == 3);
    CHECK_THAT(out, Catch::Contains("empty.pt") && Catch::Contains("empty file"));
    CHECK(run_trmbench("models convert " + (tmp / "junk.pt").string() + " " + (tmp / "x.safetensors").string(), out) == 3);
    CHECK_FALSE(fs::exists(tmp / "x.safetensors"));
    CHECK(run_trmbench("models inspect " + (tmp / "nope.pt").string(), out) == 2);
    CHECK(run_trmbench("models convert " + fixture("trm_att_f32") + " " + (tmp / "x.npz").string(), out) == 2);
    CHECK_THAT(out, Catch::Contains(".safetensors or .pt"));
    CHECK(run_trmbench("models", out) == 2);
}
