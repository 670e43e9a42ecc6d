// Key prefixes, the expected-keys check, and what a checkpoint tells about its model.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "models/io/checkpoint_info.h"
#include "models/io/key_mapping.h"
#include "models/io/safetensors.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/checkpoint_test_util.h"

using namespace trmbench;

namespace {

TensorMap fixture(const std::string & c) {
    return read_safetensors(test::shared_dir() / "fixtures/reference" / c / "checkpoint.safetensors").tensors;
}

TensorBlob zeros(std::vector<int64_t> shape) {
    TensorBlob b;
    b.shape = std::move(shape);
    b.data.resize(static_cast<size_t>(b.numel()) * 4);
    return b;
}

}  // namespace

TEST_CASE("wrapper prefixes are stripped in the combinations real checkpoints use", "[models][checkpoint]") {
    CHECK(strip_wrapper_prefix("_orig_mod.model.inner.H_init") == "H_init");
    CHECK(strip_wrapper_prefix("model.inner.L_level.layers.0.mlp.down_proj.weight") == "L_level.layers.0.mlp.down_proj.weight");
    CHECK(strip_wrapper_prefix("module._orig_mod.model.inner.lm_head.weight") == "lm_head.weight");
    CHECK(strip_wrapper_prefix("_orig_mod.module.model.inner.q_head.bias") == "q_head.bias");
    CHECK(strip_wrapper_prefix("module.embed_tokens.embedding_weight") == "embed_tokens.embedding_weight");
    CHECK(strip_wrapper_prefix("H_init") == "H_init");
    CHECK(strip_wrapper_prefix("model") == "model");           // a name, not a prefix
    CHECK(strip_wrapper_prefix("inner.model.x") == "model.x");  // order matters: model. then inner.
    CHECK(wrapper_prefix("_orig_mod.model.inner.H_init") == "_orig_mod.model.inner.");

    TensorMap m;
    m["_orig_mod.model.inner.a"] = zeros({1});
    m["_orig_mod.model.inner.b.c"] = zeros({2});
    CHECK(common_wrapper_prefix(m) == "_orig_mod.model.inner.");
    const TensorMap stripped = strip_wrapper_prefixes(m);
    CHECK(stripped.count("a") == 1);
    CHECK(stripped.count("b.c") == 1);
    CHECK(common_wrapper_prefix(stripped).empty());
    const TensorMap back = add_key_prefix(stripped);
    CHECK(back.count("_orig_mod.model.inner.a") == 1);
    CHECK(back.count("_orig_mod.model.inner.b.c") == 1);
    CHECK(add_key_prefix(m).size() == 2);  // already prefixed: unchanged

    m["module.a"] = zeros({1});
    CHECK_THROWS_WITH(strip_wrapper_prefixes(m, "x.pt"),
                      Catch::Contains("x.pt") && Catch::Contains("'_orig_mod.model.inner.a'") && Catch::Contains("'module.a'"));
}

TEST_CASE("the expected-keys check names every missing, unexpected and wrong-shape key", "[models][checkpoint]") {
    std::map<std::string, ExpectedTensor> expected;
    expected["H_init"] = {{64}, DType::f32};
    expected["lm_head.weight"] = {{11, 64}, std::nullopt};
    expected["q_head.bias"] = {{2}, DType::f32};
    TensorMap actual;
    actual["H_init"] = zeros({64});
    actual["H_init"].dtype = DType::bf16;
    actual["H_init"].data.resize(128);
    actual["lm_head.weight"] = zeros({64, 11});
    actual["extra"] = zeros({1});
    const KeyCheckReport r = check_tensor_keys(expected, actual);
    CHECK_FALSE(r.ok());
    CHECK(r.missing == std::vector<std::string>{"q_head.bias"});
    CHECK(r.unexpected == std::vector<std::string>{"extra"});
    REQUIRE(r.mismatched.size() == 2);
    const std::string text = r.to_string();
    CHECK_THAT(text, Catch::Contains("missing key 'q_head.bias'"));
    CHECK_THAT(text, Catch::Contains("unexpected key 'extra'"));
    CHECK_THAT(text, Catch::Contains("key 'lm_head.weight': shape [64, 11] expected [11, 64]"));
    CHECK_THAT(text, Catch::Contains("key 'H_init': dtype BF16 expected F32"));
    actual.erase("extra");
    actual["q_head.bias"] = zeros({2});
    actual["lm_head.weight"] = zeros({11, 64});
    actual["H_init"] = zeros({64});
    CHECK(check_tensor_keys(expected, actual).ok());
    CHECK(check_tensor_keys(expected, actual).to_string().empty());
}

TEST_CASE("parameter counts match the reference's num_params for every fixture", "[models][checkpoint]") {
    // num_params from the fixtures' config.json (sum of model.parameters()).
    const std::pair<const char *, int64_t> cases[] = {
        {"trm_att_f32", 132610}, {"trm_att_bf16", 132610}, {"trm_mlp_f32", 230402}, {"hrm_f32", 263682}, {"hrm_bf16", 263682}};
    for (const auto & [c, num_params] : cases) {
        INFO(c);
        const auto s = summarize_checkpoint(fixture(c));
        CHECK(s.trainable_params == num_params);
        CHECK(s.buffer_elements == 64 + 64 + 5 * 64);  // H_init, L_init, puzzle table
        CHECK(s.total_elements == s.trainable_params + s.buffer_elements);
        CHECK(s.key_prefix == "_orig_mod.model.inner.");
    }
    CHECK_FALSE(is_trainable_parameter("_orig_mod.model.inner.puzzle_emb.weights"));
    CHECK_FALSE(is_trainable_parameter("rotary_emb.cos_cached"));
    CHECK(is_trainable_parameter("_orig_mod.model.inner.q_head.weight"));
    CHECK(is_trainable_parameter("my_H_init"));  // whole names only
}

TEST_CASE("the model configuration is inferred from key names and shapes", "[models][checkpoint]") {
    const auto att = summarize_checkpoint(fixture("trm_att_bf16"));
    CHECK(att.family == "TRM");
    CHECK(att.variant == "att");
    CHECK(att.hidden_size == 64);
    CHECK(att.vocab_size == 11);
    CHECK(att.L_layers == 2);
    CHECK(att.H_layers == -1);
    CHECK(att.mlp_intermediate == 256);
    CHECK(att.total_seq_len == -1);
    CHECK(att.num_puzzle_identifiers == 5);
    CHECK(att.puzzle_emb_ndim == 64);
    CHECK(att.forward_dtype_hint == "bfloat16");
    CHECK(att.pos_encodings == "rope or none");

    const auto mlp = summarize_checkpoint(fixture("trm_mlp_f32"));
    CHECK(mlp.variant == "mlp_t");
    CHECK(mlp.total_seq_len == 85);  // seq_len 81 + puzzle_emb_len 4
    CHECK(mlp.mlp_t_intermediate == 256);
    CHECK(mlp.forward_dtype_hint == "float32");

    const auto hrm = summarize_checkpoint(fixture("hrm_f32"));
    CHECK(hrm.family == "HRM");
    CHECK(hrm.variant == "att");
    CHECK(hrm.H_layers == 2);
    CHECK(hrm.L_layers == 2);

    TensorMap other;
    other["conv.weight"] = zeros({3, 3});
    const auto s = summarize_checkpoint(other);
    CHECK(s.family.empty());
    CHECK(s.trainable_params == 9);
}
