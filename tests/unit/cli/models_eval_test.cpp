// End-to-end: `trmbench models info` and `trmbench models verify-reference` through the executable
// (output, exit codes), including a fixture copy whose stored logits were perturbed.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string & name) { return test::shared_dir() / "fixtures/reference" / name; }

int run_trmbench(const std::string & args, std::string & out) {
    return test::run_command(test::trmbench_exe().string() + " " + args, out);
}

std::string read_all(const fs::path & p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Adds `delta` to the first float of tensor `name` in a safetensors file (header parsed here, so
// the test does not depend on the models library).
void perturb_first_float(const fs::path & file, const std::string & name, float delta) {
    std::string bytes = read_all(file);
    uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    auto header = nlohmann::json::parse(bytes.substr(8, header_len));
    REQUIRE(header[name]["dtype"] == "F32");
    const size_t at = 8 + header_len + header[name]["data_offsets"][0].get<size_t>();
    float v;
    std::memcpy(&v, bytes.data() + at, 4);
    v += delta;
    std::memcpy(bytes.data() + at, &v, 4);
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("models info prints presets, derived sizes and parameter counts", "[cli][models]") {
    std::string out;
    REQUIRE(run_trmbench("models info --preset trm-mlp-sudoku", out) == 0);
    INFO(out);
    CHECK(out.find("5,028,866") != std::string::npos);
    CHECK(out.find("S = P + L = 97") != std::string::npos);
    CHECK(out.find("token mixer 512") != std::string::npos);

    REQUIRE(run_trmbench("models info --preset hrm-arc", out) == 0);
    CHECK(out.find("27,276,290") != std::string::npos);
    CHECK(out.find("876406 is a dataset property") != std::string::npos);

    REQUIRE(run_trmbench("models info", out) == 0);  // the preset table
    for (const char * n : {"trm-att-sudoku", "trm-mlp-maze", "hrm-sudoku", "6,822,914", "18,801,666"})
        CHECK(out.find(n) != std::string::npos);

    REQUIRE(run_trmbench("models info --config " + (fixture("hrm_f32") / "config.json").string() + " --json", out) == 0);
    auto j = nlohmann::json::parse(out);
    CHECK(j["num_params"] == 263682);
    CHECK(j["derived"]["total_seq_len"] == 82);
    CHECK(j["family"] == "hrm");
}

TEST_CASE("models info rejects unknown presets and bad configs with usage errors", "[cli][models]") {
    std::string out;
    CHECK(run_trmbench("models info --preset trm-att-sudokuu", out) == 2);
    CHECK(out.find("trm-att-sudokuu") != std::string::npos);
    CHECK(out.find("hrm-maze") != std::string::npos);  // lists the known names
    test::TempDir tmp;
    test::write_text(tmp / "bad.json",
                     R"({"family": "trm", "config": {"batch_size": 1, "seq_len": 9, "vocab_size": 5,
                         "num_puzzle_identifiers": 1, "H_cycles": 1, "L_cycles": 1, "H_layers": 0, "L_layers": 1,
                         "hidden_size": 30, "num_heads": 4, "expansion": 4, "pos_encodings": "rope",
                         "halt_max_steps": 2, "halt_exploration_prob": 0, "puzzle_emb_len": 0}})");
    CHECK(run_trmbench("models info --config " + (tmp / "bad.json").string(), out) == 2);
    CHECK(out.find("hidden_size") != std::string::npos);
}

TEST_CASE("models verify-reference exits 0 on a fixture and 1 on a perturbed copy", "[cli][models]") {
    std::string out;
    REQUIRE(run_trmbench("models verify-reference " + fixture("trm_att_f32").string(), out) == 0);
    INFO(out);
    CHECK(out.find("result      PASS") != std::string::npos);
    CHECK(out.find("teacher") != std::string::npos);

    REQUIRE(run_trmbench("--threads 1 models verify-reference --json " + fixture("hrm_bf16").string(), out) == 0);
    auto j = nlohmann::json::parse(out);
    CHECK(j["pass"] == true);
    CHECK(j["bit_exact"] == true);

    test::TempDir tmp;
    fs::path dir = tmp / "perturbed";
    fs::create_directories(dir);
    for (const char * f : {"config.json", "checkpoint.safetensors", "case.safetensors", "case.json"})
        fs::copy_file(fixture("trm_att_f32") / f, dir / f);
    perturb_first_float(dir / "case.safetensors", "step2.logits", 1e-3f);
    CHECK(run_trmbench("--threads 1 models verify-reference " + dir.string(), out) == 1);
    CHECK(out.find("FAIL free step 2 logits") != std::string::npos);
    CHECK(out.find("result      FAIL") != std::string::npos);

    CHECK(run_trmbench("models verify-reference " + (tmp / "missing").string(), out) == 2);
    CHECK(run_trmbench("models verify-reference --dtype float16 " + fixture("trm_att_f32").string(), out) == 2);
}
