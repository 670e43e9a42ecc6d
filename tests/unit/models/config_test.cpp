// ModelConfig: presets and their parameter counts (spec §2.9), derived sizes, JSON layouts and the
// validation errors that name the offending field.
#include "tests/support/torch_catch.h"

#include <nlohmann/json.hpp>

#include "harness/core/error.h"
#include "models/api.h"
#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

// A small, valid TRM config as the reference dict (what fixtures and checkpoints carry).
nlohmann::json small_trm_dict() {
    return {{"batch_size", 2},  {"seq_len", 9},        {"vocab_size", 7},        {"num_puzzle_identifiers", 3},
            {"puzzle_emb_ndim", 16}, {"puzzle_emb_len", 2}, {"H_cycles", 2},   {"L_cycles", 1},
            {"H_layers", 0},    {"L_layers", 1},       {"hidden_size", 16},      {"num_heads", 2},
            {"expansion", 2},   {"pos_encodings", "rope"}, {"halt_max_steps", 3}, {"halt_exploration_prob", 0.1},
            {"forward_dtype", "float32"}};
}

std::string wrap(const std::string & family, const nlohmann::json & dict) {
    return nlohmann::json{{"model", family}, {"config", dict}}.dump();
}

// Expects a UsageError whose message names `field`.
void require_usage_error_naming(const std::string & text, const std::string & field) {
    try {
        parse_model_config(text, "cfg.json");
        FAIL("no error for a config with a bad " << field);
    } catch (const UsageError & e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find(field) != std::string::npos);
        CHECK(std::string(e.what()).find("cfg.json") != std::string::npos);
    }
}

}  // namespace

TEST_CASE("the nine paper presets have the spec's parameter counts", "[models][config]") {
    const std::map<std::string, int64_t> expected = {
        {"trm-mlp-sudoku", 5028866}, {"trm-att-sudoku", 6828034}, {"trm-att-maze", 6822914},
        {"trm-att-arc", 6829058},    {"trm-mlp-maze", 18795522},  {"trm-mlp-arc", 18801666},
        {"hrm-sudoku", 27275266},    {"hrm-maze", 27270146},      {"hrm-arc", 27276290},
    };
    auto names = preset_names();
    // The small CPU training presets (models/presets/*-cpu*.json) are not paper configurations.
    std::erase_if(names, [](const std::string & n) { return n.find("-cpu") != std::string::npos; });
    REQUIRE(names.size() == expected.size());
    for (const auto & [name, count] : expected) {
        INFO(name);
        ModelConfig c = load_preset(name);
        CHECK(count_params(c) == count);
        CHECK(c.name == name);
    }
    // Derived sizes of the spec (§1.2, §1.1.5).
    ModelConfig mlp = load_preset("trm-mlp-sudoku");
    CHECK(puzzle_prefix_len(mlp) == 16);
    CHECK(total_seq_len(mlp) == 97);
    CHECK(channel_inter(mlp) == 1536);
    CHECK(token_inter(mlp) == 512);
    CHECK(token_inter(load_preset("trm-mlp-maze")) == 2560);
    CHECK(total_seq_len(load_preset("hrm-maze")) == 901);
    CHECK(total_seq_len(load_preset("hrm-sudoku")) == 82);
    // State dict totals quoted in the spec (§2.9): trainable + H/L_init + puzzle table.
    CHECK(count_params_detail(mlp).state_dict == 5030402);
    ModelConfig arc = load_preset("trm-att-arc");
    CHECK(count_params_detail(arc).puzzle_table == 448719872);
    CHECK(count_params_detail(arc).state_dict - count_params_detail(arc).puzzle_table == 6830082);
}

TEST_CASE("unknown presets are usage errors that list the known names", "[models][config]") {
    try {
        load_preset("trm-att-sudoku9");
        FAIL("no error");
    } catch (const UsageError & e) {
        std::string msg = e.what();
        CHECK(msg.find("trm-att-sudoku9") != std::string::npos);
        for (const auto & n : preset_names()) CHECK(msg.find(n) != std::string::npos);
    }
}

TEST_CASE("SwiGLU widths round half to even like Python's round()", "[models][config]") {
    CHECK(swiglu_inter(512, 4) == 1536);
    CHECK(swiglu_inter(97, 4) == 512);
    CHECK(swiglu_inter(916, 4) == 2560);
    CHECK(swiglu_inter(64, 4) == 256);
    // 4.75 * 81 * 2 / 3 = 256.5 exactly: round() gives 256 (half-even), so no extra 256 block.
    CHECK(swiglu_inter(81, 4.75) == 256);
    // 6.25 * 123 * 2 / 3 = 512.5: 512, where rounding half up would give 513 -> 768.
    CHECK(swiglu_inter(123, 6.25) == 512);
    CHECK(swiglu_inter(123, 6.26) == 768);
}

TEST_CASE("fixture config.json files parse and agree with their metadata", "[models][config]") {
    auto dir = test::shared_dir() / "fixtures/reference";
    ModelConfig trm = load_model_config(dir / "trm_att_f32/config.json");
    CHECK(trm.family == ModelFamily::trm);
    CHECK(puzzle_prefix_len(trm) == 4);
    CHECK(count_params(trm) == 132610);
    CHECK(trm.forward_dtype == ForwardDType::float32);
    ModelConfig mlp = load_model_config(dir / "trm_mlp_f32/config.json");
    CHECK(mlp.mlp_t);
    CHECK(mlp.pos_encodings == PosEncoding::none);
    CHECK(count_params(mlp) == 230402);
    ModelConfig hrm = load_model_config(dir / "hrm_bf16/config.json");
    CHECK(hrm.family == ModelFamily::hrm);
    CHECK(puzzle_prefix_len(hrm) == 1);
    CHECK(count_params(hrm) == 263682);
    CHECK(hrm.forward_dtype == ForwardDType::bfloat16);
    CHECK(hrm.rms_norm_eps == 1e-5);  // class default
    CHECK(hrm.rope_theta == 10000.0);
}

TEST_CASE("configs round-trip through the canonical JSON layout", "[models][config]") {
    for (const auto & name : preset_names()) {
        INFO(name);
        ModelConfig a = load_preset(name);
        ModelConfig b = parse_model_config(model_config_to_json(a), "roundtrip");
        CHECK(model_config_to_json(b) == model_config_to_json(a));
        CHECK(count_params(b) == count_params(a));
    }
    // The flat layout (fields next to "family") is accepted too.
    nlohmann::json flat = small_trm_dict();
    flat["family"] = "trm";
    ModelConfig c = parse_model_config(flat.dump(), "flat");
    CHECK(c.hidden_size == 16);
    CHECK(puzzle_prefix_len(c) == 2);
}

TEST_CASE("impossible configs are rejected with the field named", "[models][config]") {
    CHECK_NOTHROW(parse_model_config(wrap("trm", small_trm_dict()), "cfg.json"));
    auto with = [](const std::string & key, nlohmann::json value) {
        auto d = small_trm_dict();
        d[key] = value;
        return d;
    };
    require_usage_error_naming(wrap("trm", with("hidden_size", 15)), "hidden_size");        // not divisible by heads
    require_usage_error_naming(wrap("trm", with("num_heads", 16)), "num_heads");            // head_dim 1: odd, with rope
    require_usage_error_naming(wrap("trm", with("seq_len", 0)), "seq_len");
    require_usage_error_naming(wrap("trm", with("vocab_size", -3)), "vocab_size");
    require_usage_error_naming(wrap("trm", with("L_cycles", 0)), "L_cycles");
    require_usage_error_naming(wrap("trm", with("pos_encodings", "alibi")), "pos_encodings");
    require_usage_error_naming(wrap("trm", with("forward_dtype", "float16")), "forward_dtype");
    require_usage_error_naming(wrap("trm", with("mlp_t", true)), "mlp_t");                  // mlp_t with rope
    require_usage_error_naming(wrap("trm", with("puzzle_emb_ndim", 48)), "puzzle_emb_ndim");  // 48 > 2 slots x 16
    require_usage_error_naming(wrap("trm", with("halt_exploration_prob", 1.5)), "halt_exploration_prob");
    require_usage_error_naming(wrap("trm", with("expansion", 0)), "expansion");
    require_usage_error_naming(wrap("trm", with("rms_norm_eps", -1)), "rms_norm_eps");
    require_usage_error_naming(wrap("trm", with("L_cylces", 2)), "L_cylces");                // typo: unknown field
    require_usage_error_naming(wrap("trm", with("causal", true)), "causal");
    auto no_ndim = with("puzzle_emb_ndim", 0);
    require_usage_error_naming(wrap("trm", no_ndim), "puzzle_emb_len");  // prefix slots without a puzzle vector
    auto missing = small_trm_dict();
    missing.erase("num_heads");
    require_usage_error_naming(wrap("trm", missing), "num_heads");

    auto hrm = small_trm_dict();
    hrm.erase("puzzle_emb_len");
    hrm["H_layers"] = 1;
    CHECK_NOTHROW(parse_model_config(wrap("hrm", hrm), "cfg.json"));
    auto hrm_none = hrm;
    hrm_none["pos_encodings"] = "none";
    require_usage_error_naming(wrap("hrm", hrm_none), "pos_encodings");  // HRM has no `none`
    auto hrm_no_h = hrm;
    hrm_no_h["H_layers"] = 0;
    require_usage_error_naming(wrap("hrm", hrm_no_h), "H_layers");
    auto hrm_mlp = hrm;
    hrm_mlp["mlp_t"] = true;
    require_usage_error_naming(wrap("hrm", hrm_mlp), "mlp_t");
    require_usage_error_naming(nlohmann::json{{"model", "gpt"}, {"config", hrm}}.dump(), "family");
    require_usage_error_naming(nlohmann::json{{"config", hrm}}.dump(), "family");
    // Metadata that contradicts the config.
    require_usage_error_naming(nlohmann::json{{"model", "trm"}, {"variant", "mlp"}, {"config", small_trm_dict()}}.dump(), "variant");
    require_usage_error_naming(nlohmann::json{{"model", "trm"}, {"num_params", 5}, {"config", small_trm_dict()}}.dump(),
                               "num_params");
}

TEST_CASE("malformed config files are input errors naming the file", "[models][config]") {
    CHECK_THROWS_AS(parse_model_config("{not json", "bad.json"), InputError);
    CHECK_THROWS_AS(parse_model_config("[1, 2]", "bad.json"), InputError);
    auto d = small_trm_dict();
    d["hidden_size"] = "sixteen";
    try {
        parse_model_config(wrap("trm", d), "bad.json");
        FAIL("no error");
    } catch (const InputError & e) {
        CHECK(std::string(e.what()).find("hidden_size") != std::string::npos);
        CHECK(std::string(e.what()).find("bad.json") != std::string::npos);
    }
    d["hidden_size"] = 16.5;
    CHECK_THROWS_AS(parse_model_config(wrap("trm", d), "bad.json"), InputError);
    d["hidden_size"] = 16.0;  // pydantic accepts an integral float for an int field
    CHECK(parse_model_config(wrap("trm", d), "ok.json").hidden_size == 16);
    CHECK_THROWS_AS(load_model_config("/nonexistent/config.json"), IoError);
}

TEST_CASE("lenient parsing ignores what the reference classes ignore, and says so", "[models][config]") {
    auto d = small_trm_dict();
    d["seed"] = 3;
    d["causal"] = true;
    std::vector<std::string> ignored;
    ModelConfig c = parse_model_config(wrap("trm", d), "fixture.json", {true, &ignored});
    CHECK(c.hidden_size == 16);
    CHECK(ignored == std::vector<std::string>{"seed", "causal"});
    CHECK_THROWS_AS(parse_model_config(wrap("trm", d), "strict.json"), UsageError);

    auto h = small_trm_dict();  // TRM-only keys in an HRM dict: no effect in the reference
    h["H_layers"] = 1;
    h["mlp_t"] = false;
    h["no_ACT_continue"] = true;
    h["puzzle_emb_len"] = 16;
    ignored.clear();
    ModelConfig hrm = parse_model_config(wrap("hrm", h), "fixture.json", {true, &ignored});
    CHECK(puzzle_prefix_len(hrm) == 1);
    CHECK_FALSE(hrm.no_ACT_continue);
    CHECK(ignored.size() == 3);
    require_usage_error_naming(wrap("hrm", h), "no_ACT_continue");
    // Impossible values stay errors either way.
    d["hidden_size"] = 15;
    CHECK_THROWS_AS(parse_model_config(wrap("trm", d), "fixture.json", {true, nullptr}), UsageError);
}
