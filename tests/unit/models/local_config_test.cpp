// Config and checkpoint resolution for local models: the all_config.yaml subset reader (the
// reference run's dump, and config/arch yaml files), the checkpoint layouts (fixture, trainer run,
// reference run directory), and every bad-input case as a clear error naming the file or field.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/all_config_yaml.h"
#include "models/checkpoint_loader.h"
#include "models/presets.h"
#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string & name) { return test::shared_dir() / "fixtures/reference" / name; }

// What yaml.dump(PretrainConfig.model_dump()) writes for the README's ARC-AGI-1 TRM run (keys sorted,
// block style, floats as PyYAML prints them).
const char * kTrmArcAllConfig = R"(arch:
  H_cycles: 3
  H_layers: 0
  L_cycles: 4
  L_layers: 2
  expansion: 4
  forward_dtype: bfloat16
  halt_exploration_prob: 0.1
  halt_max_steps: 16
  hidden_size: 512
  loss:
    loss_type: stablemax_cross_entropy
    name: losses@ACTLossHead
  mlp_t: false
  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1
  no_ACT_continue: true
  num_heads: 8
  pos_encodings: rope
  puzzle_emb_len: 16
  puzzle_emb_ndim: 512
  rms_norm_eps: 1.0e-05
  rope_theta: 10000.0
beta1: 0.9
beta2: 0.95
checkpoint_every_eval: true
checkpoint_path: checkpoints/Arc1concept-aug-1000-ACT-torch/pretrain_att_arc1concept_4
data_paths:
- data/arc1concept-aug-1000
data_paths_test: []
ema: true
ema_rate: 0.999
epochs: 100000
eval_interval: 10000
evaluators:
- name: arc@ARC
  submission_K: 2
global_batch_size: 768
lr: 0.0001
project_name: Arc1concept-aug-1000-ACT-torch
puzzle_emb_lr: 0.01
seed: 0
)";

// HRM's config/arch/hrm_v1.yaml as shipped (interpolation, comments), no arch: wrapper.
const char * kHrmArchYaml = R"(name: hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1
loss:
  name: losses@ACTLossHead
  loss_type: stablemax_cross_entropy

halt_exploration_prob: 0.1
halt_max_steps: 16

H_cycles: 2
L_cycles: 2

H_layers: 4
L_layers: 4

hidden_size: 512
num_heads: 8  # min(2, hidden_size // 64)
expansion: 4

puzzle_emb_ndim: ${.hidden_size}

pos_encodings: rope
)";

// The trm_att_f32 fixture's arch, as a run's all_config.yaml would hold it.
const char * kFixtureArchYaml = R"(arch:
  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1
  loss:
    loss_type: stablemax_cross_entropy
    name: losses@ACTLossHead
  H_cycles: 2
  H_layers: 0
  L_cycles: 2
  L_layers: 2
  expansion: 4
  forward_dtype: float32
  halt_exploration_prob: 0.0
  halt_max_steps: 4
  hidden_size: 64
  mlp_t: false
  no_ACT_continue: true
  num_heads: 2
  pos_encodings: rope
  puzzle_emb_len: 4
  puzzle_emb_ndim: 64
global_batch_size: 4
)";

void copy_file_writable(const fs::path & from, const fs::path & to) {
    fs::create_directories(to.parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms::owner_write | fs::perms::owner_read, fs::perm_options::add);
}

// Runs f, expecting exception E whose message contains every needle.
template <class E, class F>
void require_error(F && f, std::initializer_list<std::string> needles) {
    try {
        f();
        FAIL("no exception");
    } catch (const E & e) {
        const std::string what = e.what();
        INFO(what);
        for (const auto & n : needles) CHECK(what.find(n) != std::string::npos);
    }
}

bool same_model(const ModelConfig & a, const ModelConfig & b) {
    return a.family == b.family && a.seq_len == b.seq_len && a.vocab_size == b.vocab_size &&
           a.num_puzzle_identifiers == b.num_puzzle_identifiers && a.puzzle_emb_ndim == b.puzzle_emb_ndim &&
           puzzle_prefix_len(a) == puzzle_prefix_len(b) && a.H_cycles == b.H_cycles && a.L_cycles == b.L_cycles &&
           a.L_layers == b.L_layers && (a.family == ModelFamily::trm || a.H_layers == b.H_layers) &&
           a.hidden_size == b.hidden_size && a.num_heads == b.num_heads && a.expansion == b.expansion &&
           a.pos_encodings == b.pos_encodings && a.mlp_t == b.mlp_t && a.halt_max_steps == b.halt_max_steps &&
           a.rms_norm_eps == b.rms_norm_eps && a.rope_theta == b.rope_theta && a.forward_dtype == b.forward_dtype;
}

}  // namespace

TEST_CASE("all_config.yaml of a TRM ARC run gives the trm-att-arc preset", "[models][local][yaml]") {
    ArchYaml a = parse_all_config_yaml(kTrmArcAllConfig, "all_config.yaml");
    CHECK(arch_family(a) == ModelFamily::trm);
    CHECK(a.loss.at("loss_type") == "stablemax_cross_entropy");
    CHECK(a.top_level.at("global_batch_size").i == 768);
    REQUIRE(a.data_paths.size() == 1);
    CHECK(a.data_paths[0] == "data/arc1concept-aug-1000");
    std::vector<std::string> ignored;
    ModelConfig c = model_config_from_arch(a, {900, 12, 876406, 0}, &ignored);
    ModelConfig preset = load_preset("trm-att-arc");
    CHECK(same_model(c, preset));
    CHECK(c.batch_size == 768);
    CHECK(count_params(c) == 6829058);
    CHECK(ignored.empty());  // name and loss are not config fields; H_layers is one (ignored by TRM itself)
}

TEST_CASE("an arch yaml with interpolation and comments gives the hrm-sudoku preset", "[models][local][yaml]") {
    ArchYaml a = parse_all_config_yaml(kHrmArchYaml, "hrm_v1.yaml");
    CHECK(arch_family(a) == ModelFamily::hrm);
    ModelConfig c = model_config_from_arch(a, {81, 11, 1, 1});
    CHECK(c.puzzle_emb_ndim == 512);
    CHECK(same_model(c, load_preset("hrm-sudoku")));
    CHECK(count_params(c) == 27275266);
}

TEST_CASE("YAML scalars: quoting, booleans, numbers, nulls", "[models][local][yaml]") {
    ArchYaml a = parse_all_config_yaml("arch:\n  name: 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1'\n"
                                       "  a: \"x\\\"y\"\n  b: 'it''s'\n  c: True\n  d: off\n  e: -12\n  f: 1e-5\n  g: .5\n"
                                       "  h: ~\n  i: 4.0\n  j: hello world  # comment\n  k: a#b\n",
                                       "q.yaml");
    std::map<std::string, YamlScalar> f(a.fields.begin(), a.fields.end());
    CHECK(a.name == "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1");
    CHECK(f["a"].s == "x\"y");
    CHECK(f["b"].s == "it's");
    CHECK((f["c"].kind == YamlScalar::Kind::boolean && f["c"].b));
    CHECK((f["d"].kind == YamlScalar::Kind::boolean && !f["d"].b));
    CHECK((f["e"].kind == YamlScalar::Kind::integer && f["e"].i == -12));
    CHECK((f["f"].kind == YamlScalar::Kind::number && f["f"].d == 1e-5));
    CHECK((f["g"].kind == YamlScalar::Kind::number && f["g"].d == 0.5));
    CHECK(f["h"].kind == YamlScalar::Kind::null);
    CHECK((f["i"].kind == YamlScalar::Kind::number && f["i"].d == 4.0));
    CHECK((f["j"].kind == YamlScalar::Kind::string && f["j"].s == "hello world"));
    CHECK(f["k"].s == "a#b");
}

TEST_CASE("YAML outside the subset is an error naming file and line", "[models][local][yaml]") {
    const std::string head = "arch:\n  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1\n";
    struct Bad {
        std::string text;
        std::string needle;
    };
    for (const Bad & b : std::vector<Bad>{
             {head + "\tH_cycles: 3\n", "f.yaml:3: tab"},
             {head + "  H_cycles: [3]\n", "f.yaml:3: flow collection"},
             {head + "  H_cycles: &a 3\n", "f.yaml:3: anchors"},
             {head + "  H_cycles: !!int 3\n", "f.yaml:3: tags"},
             {head + "  H_cycles: |\n    3\n", "f.yaml:3: block scalars"},
             {head + "  H_cycles: 3\n  H_cycles: 4\n", "f.yaml:4: duplicate key arch.H_cycles"},
             {head + "  H_cycles:\n    deep: 3\n", "f.yaml:4: nested or continued value under arch.H_cycles"},
             {head + "  H_cycles: 3\n    4\n", "f.yaml:4: nested or continued value"},
             {head + "  - 3\n", "f.yaml:3: sequences"},
             {head + " H_cycles: 3\n", "f.yaml:3: inconsistent indentation"},
             {head + "  H_cycles: 'abc\n", "f.yaml:3: unterminated"},
             {head + "  x: \"a\\qb\"\n", "f.yaml:3: unsupported escape"},
             {head + "  H_cycles: 99999999999999999999\n", "f.yaml:3: integer out of range"},
             {"arch:\n  a: 1\narch:\n  b: 2\n", "f.yaml:3: duplicate key arch"},
             {"arch: 3\n", "f.yaml:1: arch must be a block mapping"},
             {"defaults:\n  - arch: trm\n", "hydra defaults"},
         }) {
        INFO(b.text);
        require_error<InputError>([&] { parse_all_config_yaml(b.text, "f.yaml"); }, {b.needle});
    }
    // Well-formed, but not a model this port runs, or fields from the wrong place.
    require_error<UsageError>(
        [] { arch_family(parse_all_config_yaml("arch:\n  name: recursive_reasoning.trm_singlez@X\n", "g.yaml")); },
        {"g.yaml", "trm_singlez", "not a supported architecture"});
    require_error<UsageError>([] { parse_all_config_yaml("seed: 0\n", "h.yaml"); }, {"h.yaml", "arch.name is missing"});
    require_error<InputError>(
        [&] { model_config_from_arch(parse_all_config_yaml(head + "  seq_len: 81\n", "i.yaml"), {81, 11, 1, 1}); },
        {"i.yaml:3", "arch.seq_len comes from the dataset"});
    require_error<InputError>(
        [&] { model_config_from_arch(parse_all_config_yaml(head + "  puzzle_emb_ndim: ${hidden_size}\n", "j.yaml"), {81, 11, 1, 1}); },
        {"j.yaml:3", "interpolation"});
    // Impossible values are UsageErrors naming the field.
    std::string impossible = std::string(kFixtureArchYaml);
    impossible.replace(impossible.find("num_heads: 2"), 12, "num_heads: 3");
    require_error<UsageError>([&] { model_config_from_arch(parse_all_config_yaml(impossible, "k.yaml"), {81, 11, 5, 4}); },
                              {"k.yaml", "hidden_size", "num_heads"});
}

TEST_CASE("checkpoint resolution: fixture directories, .pt only, trainer and reference run layouts", "[models][local]") {
    SECTION("a fixture directory: safetensors weights and config.json beside them") {
        ResolvedLocalModel r = resolve_local_model({"", "", fixture("trm_att_f32"), ""});
        CHECK(r.checkpoint_file.filename() == "checkpoint.safetensors");
        CHECK(r.checkpoint_format == "safetensors");
        CHECK(r.task_family == "sudoku");
        CHECK(r.config.hidden_size == 64);
        CHECK(r.config.num_puzzle_identifiers == 5);
        CHECK(r.tensors.count("L_level.layers.0.self_attn.qkv_proj.weight") == 1);  // prefixes stripped
        const auto manifest = nlohmann::json::parse(read_file(fixture("") / "MANIFEST.json"));
        CHECK(r.checkpoint_sha256 == manifest["files"]["trm_att_f32/checkpoint.safetensors"]["sha256"].get<std::string>());
    }
    test::TempDir tmp;
    SECTION("the reference's .pt alone, with its all_config.yaml") {
        copy_file_writable(fixture("trm_att_f32") / "checkpoint.pt", tmp / "run/step_4");
        copy_file_writable(fixture("trm_att_f32") / "checkpoint.pt", tmp / "run/step_12");
        test::write_text(tmp / "run/all_config.yaml", kFixtureArchYaml);
        ResolvedLocalModel r = resolve_local_model({"", "", tmp / "run", ""});
        CHECK(r.checkpoint_file.filename() == "step_12");  // the newest step
        CHECK(r.checkpoint_format == "pytorch");
        CHECK(r.task_family == "sudoku");  // told by the vocabulary (11 tokens)
        ResolvedLocalModel fixture_model = resolve_local_model({"", "", fixture("trm_att_f32"), ""});
        CHECK(same_model(r.config, fixture_model.config));
        CHECK(count_params(r.config) == 132610);
        CHECK(r.tensors.size() == fixture_model.tensors.size());
    }
    SECTION("a trainer run directory: checkpoints/latest -> step dir with model.safetensors and config.json") {
        const fs::path step = tmp / "out/checkpoints/step_000000004";
        copy_file_writable(fixture("hrm_f32") / "checkpoint.safetensors", step / "model.safetensors");
        copy_file_writable(fixture("hrm_f32") / "config.json", step / "config.json");
        test::write_text(tmp / "out/checkpoints/latest", "step_000000004\n");
        ResolvedLocalModel r = resolve_local_model({"", "", tmp / "out", ""});
        CHECK(r.checkpoint_file == step / "model.safetensors");
        CHECK(r.config.family == ModelFamily::hrm);
    }
    SECTION("a config whose puzzle table differs takes the checkpoint's rows (a dataset property)") {
        ModelConfig c = load_model_config(fixture("trm_att_f32") / "config.json", {true, nullptr});
        c.num_puzzle_identifiers = 1;
        test::write_text(tmp / "one_row.json", model_config_to_json(c));
        ResolvedLocalModel r = resolve_local_model({"", tmp / "one_row.json", fixture("trm_att_f32"), ""});
        CHECK(r.config.num_puzzle_identifiers == 5);
        CHECK(r.config_source.find("one_row.json") != std::string::npos);
        REQUIRE(!r.notes.empty());
        bool noted = false;
        for (const auto & n : r.notes) noted = noted || n.find("num_puzzle_identifiers 1 -> 5") != std::string::npos;
        CHECK(noted);
    }
}

TEST_CASE("checkpoint resolution errors name the file or field", "[models][local][errors]") {
    test::TempDir tmp;
    require_error<UsageError>([] { resolve_local_model({"trm-att-sudokuu", "", "", ""}); }, {"trm-att-sudokuu", "trm-att-sudoku"});
    require_error<UsageError>([&] { resolve_local_model({"trm-att-sudoku", tmp / "c.json", "", ""}); }, {"not both"});
    require_error<UsageError>([&] { resolve_local_model({"", "", tmp / "missing.pt", ""}); }, {"missing.pt", "no such"});
    require_error<UsageError>([&] { resolve_local_model({"", "", tmp.path(), ""}); }, {tmp.path().string(), "no checkpoint"});
    require_error<UsageError>([] { resolve_local_model({"", "", "", ""}); }, {"no model"});
    require_error<UsageError>([] { resolve_local_model({"trm-att-sudoku", "", "", "chess"}); }, {"chess"});

    // Truncated and corrupt files.
    const std::string pt = read_file(fixture("trm_att_f32") / "checkpoint.pt");
    test::write_text(tmp / "truncated.pt", pt.substr(0, pt.size() / 2));
    require_error<InputError>([&] { resolve_local_model({"", fixture("trm_att_f32") / "config.json", tmp / "truncated.pt", ""}); },
                              {"truncated.pt"});
    std::string corrupt = pt;
    for (size_t i = corrupt.size() / 3; i < corrupt.size() / 3 + 1024; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
    test::write_text(tmp / "corrupt.pt", corrupt);
    require_error<InputError>([&] { resolve_local_model({"", fixture("trm_att_f32") / "config.json", tmp / "corrupt.pt", ""}); },
                              {"corrupt.pt"});
    const std::string st = read_file(fixture("trm_att_f32") / "checkpoint.safetensors");
    test::write_text(tmp / "short.safetensors", st.substr(0, st.size() - 100));
    require_error<InputError>(
        [&] { resolve_local_model({"", fixture("trm_att_f32") / "config.json", tmp / "short.safetensors", ""}); },
        {"short.safetensors"});
    test::write_text(tmp / "empty.pt", "");
    require_error<InputError>([&] { resolve_local_model({"", fixture("trm_att_f32") / "config.json", tmp / "empty.pt", ""}); },
                              {"empty.pt"});

    // A checkpoint for another task: vocabulary 11 (Sudoku) under a Maze preset (6).
    require_error<InputError>([] { resolve_local_model({"trm-att-maze", "", fixture("trm_att_f32") / "checkpoint.safetensors", ""}); },
                              {"checkpoint.safetensors", "11 tokens", "sudoku", "vocab_size 6", "another task"});
    // Impossible config file.
    test::write_text(tmp / "bad.json", R"({"family": "trm", "config": {"batch_size": 1, "seq_len": 81, "vocab_size": 11,
        "num_puzzle_identifiers": 1, "H_cycles": 2, "L_cycles": 2, "H_layers": 0, "L_layers": 2, "hidden_size": 63,
        "num_heads": 2, "expansion": 4, "pos_encodings": "rope", "halt_max_steps": 4, "halt_exploration_prob": 0.1}})");
    require_error<UsageError>([&] { resolve_local_model({"", tmp / "bad.json", "", ""}); }, {"bad.json", "hidden_size"});
    // A yaml config without a checkpoint or family has no data shape.
    test::write_text(tmp / "all_config.yaml", kFixtureArchYaml);
    require_error<UsageError>([&] { resolve_local_model({"", tmp / "all_config.yaml", "", ""}); }, {"all_config.yaml", "task family"});
    ResolvedLocalModel r = resolve_local_model({"", tmp / "all_config.yaml", "", "maze"});
    CHECK(r.config.seq_len == 900);
    CHECK(r.config.vocab_size == 6);
}
