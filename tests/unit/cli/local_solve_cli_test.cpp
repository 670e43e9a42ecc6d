// End-to-end: `trmbench models solve` on a Sudoku CSV with a reference fixture's checkpoint
// (accuracy per ACT step, compute), `models verify-reference` on a fixture copy with only
// checkpoint.pt, and the exit codes of every bad-input case (2 usage, 3 bad file).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string & name) { return test::shared_dir() / "fixtures/reference" / name; }

int run_trmbench(const std::string & args, std::string & out) {
    return test::run_command(test::trmbench_exe().string() + " --threads 1 " + args, out);
}

std::string read_all(const fs::path & p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Three Sudoku-Extreme-layout rows (the same puzzle with more blanks).
void write_sudoku_csv(const fs::path & path) {
    const std::string q = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";
    const std::string a = "534678912672195348198342567859761423426853791713924856961537284287419635345286179";
    std::string csv = "source,question,answer,rating\n";
    for (int i = 0; i < 3; ++i) {
        std::string qi = q;
        qi[static_cast<size_t>(i)] = '.';
        csv += "test," + qi + "," + a + ",0\n";
    }
    test::write_text(path, csv);
}

}  // namespace

TEST_CASE("models solve runs a fixture checkpoint on a Sudoku CSV and reports per-step accuracy", "[cli][models][local]") {
    test::TempDir tmp;
    write_sudoku_csv(tmp / "tiny.csv");
    std::string out;
    const std::string args = "models solve " + (tmp / "tiny.csv").string() + " --task sudoku --checkpoint " +
                             fixture("trm_att_f32").string() + " --puzzle-id 1 --device cpu";
    REQUIRE(run_trmbench(args + " --json", out) == 0);
    INFO(out);
    auto j = nlohmann::json::parse(out);
    CHECK(j["examples"] == 3);
    CHECK(j["accuracy_per_step"].size() == 4);
    CHECK(j["n_params"] == 132610);
    CHECK(j["dtype"] == "float32");
    CHECK(j["solver"]["task_family"] == "sudoku");
    CHECK(j["flops_per_puzzle"].get<double>() == 4 * j["flops_per_act_step"].get<double>());
    CHECK(j["outcomes"].is_object());
    CHECK(j["checkpoint_sha256"].get<std::string>().size() == 64);

    REQUIRE(run_trmbench(args + " --limit 2 --dtype bfloat16", out) == 0);
    CHECK(out.find("2 of 3 puzzles") != std::string::npos);
    CHECK(out.find("bfloat16") != std::string::npos);
    CHECK(out.find("GFLOP/sequence") != std::string::npos);
}

TEST_CASE("models verify-reference accepts a fixture with only checkpoint.pt", "[cli][models][local]") {
    test::TempDir tmp;
    for (const char * f : {"config.json", "checkpoint.pt", "case.safetensors", "case.json"})
        fs::copy_file(fixture("hrm_f32") / f, tmp / f);
    std::string out;
    REQUIRE(run_trmbench("models verify-reference " + tmp.path().string(), out) == 0);
    INFO(out);
    CHECK(out.find("checkpoint.pt") != std::string::npos);
    CHECK(out.find("result      PASS") != std::string::npos);
}

TEST_CASE("models solve: bad input gives exit 2 (usage) or 3 (bad file) with the name in the message", "[cli][models][local]") {
    test::TempDir tmp;
    write_sudoku_csv(tmp / "tiny.csv");
    const std::string data = (tmp / "tiny.csv").string() + " --task sudoku ";
    std::string out;

    CHECK(run_trmbench("models solve " + data + "--preset trm-att-sudokuu --random-weights", out) == 2);
    CHECK(out.find("trm-att-sudokuu") != std::string::npos);

    CHECK(run_trmbench("models solve " + data + "--preset trm-att-sudoku", out) == 2);  // no checkpoint
    CHECK(out.find("no checkpoint") != std::string::npos);

    CHECK(run_trmbench("models solve " + data + "--preset trm-att-sudoku --random-weights --device cuda", out) == 2);
    CHECK(out.find("cuda") != std::string::npos);

    test::write_text(tmp / "bad.json", R"({"family": "trm", "config": {"batch_size": 1, "seq_len": 81, "vocab_size": 11,
        "num_puzzle_identifiers": 1, "H_cycles": 1, "L_cycles": 1, "H_layers": 0, "L_layers": 1, "hidden_size": 30,
        "num_heads": 4, "expansion": 4, "pos_encodings": "rope", "halt_max_steps": 2, "halt_exploration_prob": 0,
        "puzzle_emb_len": 0}})");
    CHECK(run_trmbench("models solve " + data + "--config " + (tmp / "bad.json").string() + " --random-weights", out) == 2);
    CHECK(out.find("hidden_size") != std::string::npos);

    const std::string pt = read_all(fixture("trm_att_f32") / "checkpoint.pt");
    test::write_text(tmp / "truncated.pt", pt.substr(0, pt.size() / 2));
    CHECK(run_trmbench("models solve " + data + "--config " + (fixture("trm_att_f32") / "config.json").string() +
                           " --checkpoint " + (tmp / "truncated.pt").string(),
                       out) == 3);
    CHECK(out.find("truncated.pt") != std::string::npos);

    // HRM weights under the TRM config: another architecture.
    CHECK(run_trmbench("models solve " + data + "--config " + (fixture("trm_att_f32") / "config.json").string() +
                           " --checkpoint " + (fixture("hrm_f32") / "checkpoint.pt").string(),
                       out) == 3);
    CHECK(out.find("H_level") != std::string::npos);

    test::write_text(tmp / "all_config.yaml", "arch:\n  name: recursive_reasoning.trm@X\n\tH_cycles: 3\n");
    CHECK(run_trmbench("models solve " + data + "--config " + (tmp / "all_config.yaml").string() + " --random-weights", out) == 3);
    CHECK(out.find("all_config.yaml:3") != std::string::npos);
}
