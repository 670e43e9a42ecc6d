// Safetensors reader/writer: round trips, the reference fixtures, and malformed files.
#include "tests/support/torch_catch.h"

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/io/safetensors.h"
#include "models/io/torch_convert.h"
#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

TensorBlob blob_f32(std::vector<int64_t> shape, std::vector<float> values) {
    TensorBlob b;
    b.dtype = DType::f32;
    b.shape = std::move(shape);
    b.data.resize(values.size() * 4);
    std::memcpy(b.data.data(), values.data(), b.data.size());
    return b;
}

std::span<const uint8_t> as_bytes(const std::string & s) {
    return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("safetensors round-trips blobs and metadata", "[models][io]") {
    TensorMap m;
    m["b"] = blob_f32({2, 2}, {1, 2, 3, 4});
    m["a"] = blob_f32({}, {5});
    TensorBlob bf;
    bf.dtype = DType::bf16;
    bf.shape = {2};
    bf.data = {0x80, 0x3f, 0x00, 0xc0};  // 1.0, -2.0
    m["c"] = bf;
    std::string bytes = serialize_safetensors(m, {{"model", "trm"}});
    CHECK(bytes.size() > 8);
    auto f = parse_safetensors(as_bytes(bytes), "mem");
    REQUIRE(f.tensors.size() == 3);
    CHECK(f.metadata.at("model") == "trm");
    CHECK(f.tensors.at("b").to_f32() == std::vector<float>{1, 2, 3, 4});
    CHECK(f.tensors.at("a").shape.empty());
    CHECK(f.tensors.at("c").to_f32() == std::vector<float>{1.0f, -2.0f});
    CHECK(serialize_safetensors(f.tensors, f.metadata) == bytes);
}

TEST_CASE("safetensors reads every reference fixture", "[models][io]") {
    auto dir = test::shared_dir() / "fixtures/reference";
    for (const char * c : {"trm_att_f32", "trm_att_bf16", "trm_mlp_f32", "hrm_f32", "hrm_bf16"}) {
        auto ck = read_safetensors(dir / c / "checkpoint.safetensors");
        INFO(c);
        CHECK(ck.tensors.count("_orig_mod.model.inner.lm_head.weight") == 1);
        auto cs = read_safetensors(dir / c / "case.safetensors");
        CHECK(cs.tensors.at("num_steps").to_i64().at(0) == 4);
        // What we write, we read back identically (the fixture orders its data differently).
        std::string ours = serialize_safetensors(ck.tensors, ck.metadata);
        auto again = parse_safetensors({reinterpret_cast<const uint8_t *>(ours.data()), ours.size()}, "ours");
        CHECK(again.metadata == ck.metadata);
        REQUIRE(again.tensors.size() == ck.tensors.size());
        for (auto & [k, v] : ck.tensors) {
            CHECK(again.tensors.at(k).data == v.data);
            CHECK(again.tensors.at(k).shape == v.shape);
        }
    }
}

TEST_CASE("safetensors rejects malformed files with a named reason", "[models][io]") {
    TensorMap m;
    m["w"] = blob_f32({2}, {1, 2});
    std::string good = serialize_safetensors(m);
    auto expect_error = [](const std::string & bytes, const std::string & needle) {
        try {
            parse_safetensors(as_bytes(bytes), "bad.safetensors");
            FAIL("no error for case " << needle);
        } catch (const InputError & e) {
            std::string what = e.what();
            INFO(what);
            CHECK(what.find("bad.safetensors") != std::string::npos);
            CHECK(what.find(needle) != std::string::npos);
        }
    };
    expect_error("abc", "too short");
    expect_error(good.substr(0, good.size() - 1), "outside the data area");  // truncated data
    expect_error(good + "xx", "trailing");
    std::string huge = good;
    huge[7] = 0x7f;
    expect_error(huge, "header length");
    std::string bad_json = good;
    bad_json[8] = '[';
    expect_error(bad_json, "");
    auto with_header = [&](const std::string & h) {
        std::string hh = h;
        while (hh.size() % 8) hh += ' ';
        std::string out(8, '\0');
        out[0] = static_cast<char>(hh.size());
        return out + hh + std::string(8, '\0');
    };
    expect_error(with_header(R"({"w":{"dtype":"Q8","shape":[2],"data_offsets":[0,8]}})"), "unsupported dtype");
    expect_error(with_header(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})"), "shape");
    expect_error(with_header(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,99]}})"), "outside");
    expect_error(with_header(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})"), "contiguous");
    expect_error(with_header(R"({"w":{"dtype":"F32","shape":[2]}})"), "data_offsets");
    expect_error(with_header(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})"), "need");
}

TEST_CASE("blobs convert to tensors and back", "[models][io]") {
    auto b = blob_f32({2, 3}, {1, 2, 3, 4, 5, 6});
    at::Tensor t = to_tensor(b);
    CHECK(t.sizes().vec() == std::vector<int64_t>{2, 3});
    CHECK(t[1][2].item<float>() == 6.0f);
    auto back = from_tensor(t.to(at::kBFloat16));
    CHECK(back.dtype == DType::bf16);
    CHECK(back.to_f32() == std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(f32_to_bf16(1.0f) == 0x3f80);
    CHECK(bf16_to_f32(f32_to_bf16(3.140625f)) == 3.140625f);
}
