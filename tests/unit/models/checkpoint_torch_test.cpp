// PyTorch checkpoint reader and writer: the reference fixtures, checkpoints written by Python's
// torch.save (views, strides, dtypes, wrappers, parameters, protocol 4), and our own round trips.
#include <catch2/catch.hpp>

#include <algorithm>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/io/checkpoint_file.h"
#include "models/io/safetensors.h"
#include "models/io/torch_checkpoint.h"
#include "models/io/zip.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/checkpoint_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

const char * kCases[] = {"trm_att_f32", "trm_att_bf16", "trm_mlp_f32", "hrm_f32", "hrm_bf16"};

fs::path fixture(const std::string & c, const std::string & file) { return test::shared_dir() / "fixtures/reference" / c / file; }

void require_same_tensors(const TensorMap & a, const TensorMap & b) {
    REQUIRE(a.size() == b.size());
    for (const auto & [k, v] : a) {
        INFO(k);
        REQUIRE(b.count(k) == 1);
        const TensorBlob & w = b.at(k);
        CHECK(v.dtype == w.dtype);
        CHECK(v.shape == w.shape);
        CHECK(v.data == w.data);
    }
}

TensorMap every_dtype() {
    TensorMap m;
    m["a.f32"] = test::make_blob<float>(DType::f32, {2, 3}, {1, -2, 3.5f, 0, 1e-30f, -7});
    m["a.bf16"] = test::make_blob<uint16_t>(DType::bf16, {2}, {0x3f80, 0xc000});
    m["a.f16"] = test::make_blob<uint16_t>(DType::f16, {1, 2}, {0x3c00, 0xbc00});
    m["b.f64"] = test::make_blob<double>(DType::f64, {2}, {3.141592653589793, -1e300});
    m["b.i64"] = test::make_blob<int64_t>(DType::i64, {3}, {-(int64_t{1} << 40), 0, 5});
    m["b.i32"] = test::make_blob<int32_t>(DType::i32, {1}, {-123456});
    m["c.i16"] = test::make_blob<int16_t>(DType::i16, {2}, {-300, 300});
    m["c.i8"] = test::make_blob<int8_t>(DType::i8, {2}, {-128, 127});
    m["c.u8"] = test::make_blob<uint8_t>(DType::u8, {2}, {0, 255});
    m["c.bool"] = test::make_blob<uint8_t>(DType::boolean, {3}, {1, 0, 1});
    m["scalar"] = test::make_blob<float>(DType::f32, {}, {42});
    m["empty"] = test::make_blob<float>(DType::f32, {0, 4}, {});
    m["big"] = test::make_blob<float>(DType::f32, {70000}, std::vector<float>(70000, 0.5f));  // BININT/LONG counts
    return m;
}

}  // namespace

TEST_CASE("every reference fixture .pt equals its safetensors copy", "[models][checkpoint]") {
    for (const char * c : kCases) {
        INFO(c);
        const auto pt = read_torch_checkpoint(fixture(c, "checkpoint.pt"));
        const auto st = read_safetensors(fixture(c, "checkpoint.safetensors"));
        require_same_tensors(pt.tensors, st.tensors);
        CHECK(pt.archive_name == "checkpoint");
        CHECK(pt.state_dict_key.empty());
        CHECK(pt.ordered_dict);
        CHECK(pt.locations == std::vector<std::string>{"cpu"});
        CHECK(pt.version == "3");
        CHECK(pt.skipped.empty());
        CHECK(pt.key_order.size() == pt.tensors.size());
        CHECK(pt.key_order.front() == "_orig_mod.model.inner.H_init");  // state_dict() order, not name order
    }
}

TEST_CASE("storages tagged cuda:0 load onto the CPU", "[models][checkpoint]") {
    const auto cuda = read_torch_checkpoint(fixture("trm_att_f32", "checkpoint_cuda_tagged.pt"));
    const auto cpu = read_torch_checkpoint(fixture("trm_att_f32", "checkpoint.pt"));
    CHECK(cuda.locations == std::vector<std::string>{"cuda:0"});
    CHECK(cuda.archive_name == "checkpoint_cuda_tagged");
    require_same_tensors(cuda.tensors, cpu.tensors);
}

TEST_CASE("checkpoints written by Python's torch.save load with their exact values", "[models][checkpoint]") {
    for (const char * name : {"py_views", "py_module", "py_wrapped", "py_params", "py_protocol4", "mini_trm_att_bf16", "mini_trm_att_bf16_cuda"}) {
        INFO(name);
        const auto ck = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint" / (std::string(name) + ".pt"));
        const auto expected = test::load_expected(test::fuzz_dir() / "expected" / (std::string(name) + ".json"));
        REQUIRE(ck.tensors.size() == expected.size());
        for (const auto & [key, want] : expected) {
            INFO(key);
            REQUIRE(ck.tensors.count(key) == 1);
            const TensorBlob & got = ck.tensors.at(key);
            CHECK(dtype_name(got.dtype) == want.dtype);
            CHECK(got.shape == want.shape);
            CHECK(test::values_as_double(got) == want.values);
        }
    }
}

TEST_CASE("views of one storage, strides and offsets are gathered", "[models][checkpoint]") {
    const auto ck = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/py_views.pt");
    const auto base = test::values_as_double(ck.tensors.at("base"));  // 3x4 row-major
    const auto tr = test::values_as_double(ck.tensors.at("transposed"));
    REQUIRE(tr.size() == 12);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 4; ++j) CHECK(tr[j * 3 + i] == base[i * 4 + j]);
    CHECK(test::values_as_double(ck.tensors.at("column_1")) == std::vector<double>{base[1], base[5], base[9]});
    CHECK(test::values_as_double(ck.tensors.at("expanded")) == std::vector<double>{0, 1, 2, 0, 1, 2});
    CHECK(ck.tensors.at("scalar").shape.empty());
    CHECK(ck.tensors.at("empty").shape == std::vector<int64_t>{0, 3});
    CHECK(ck.shared_storage_tensors == 5);  // base, transposed, rows_1_2, column_1, every_other
}

TEST_CASE("a dict wrapping the state dict is unwrapped and its other entries reported", "[models][checkpoint]") {
    const auto ck = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/py_wrapped.pt");
    CHECK(ck.state_dict_key == "model");
    CHECK(ck.ordered_dict);
    CHECK(ck.tensors.count("bn.num_batches_tracked") == 1);
    CHECK(ck.tensors.at("bn.num_batches_tracked").dtype == DType::i64);
    const auto module = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/py_module.pt");
    require_same_tensors(ck.tensors, module.tensors);
    const auto params = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/py_params.pt");
    CHECK_FALSE(params.ordered_dict);
    const auto proto4 = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/py_protocol4.pt");
    CHECK(std::count(proto4.pickle_opcodes.begin(), proto4.pickle_opcodes.end(), "STACK_GLOBAL") == 1);
    CHECK(std::count(proto4.pickle_opcodes.begin(), proto4.pickle_opcodes.end(), "FRAME") == 1);
    const auto cuda = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/mini_trm_att_bf16_cuda.pt");
    CHECK(cuda.locations == std::vector<std::string>{"cuda:0"});
}

TEST_CASE("our writer round-trips every dtype through our reader", "[models][checkpoint]") {
    const TensorMap m = every_dtype();
    TorchWriteOptions options;
    options.archive_name = "step_7";
    options.key_order = {"scalar", "a.f32"};
    const std::string bytes = serialize_torch_checkpoint(m, options);
    CHECK(serialize_torch_checkpoint(m, options) == bytes);  // deterministic
    const auto back = parse_torch_checkpoint(test::bytes_of(bytes), "mem");
    require_same_tensors(m, back.tensors);
    CHECK(back.archive_name == "step_7");
    CHECK(back.ordered_dict);
    CHECK(back.key_order.at(0) == "scalar");
    CHECK(back.key_order.at(1) == "a.f32");
    CHECK(back.version == "3");
    // Every record's data starts on a 64-byte boundary, as torch writes them.
    ZipReader zip(test::bytes_of(bytes), "mem");
    for (const auto & e : zip.entries()) {
        INFO(e.name);
        CHECK(e.data_offset % 64 == 0);
    }
}

TEST_CASE("our writer reproduces the fixtures' tensors and survives a file round trip", "[models][checkpoint]") {
    test::TempDir tmp;
    for (const char * c : kCases) {
        INFO(c);
        const auto pt = read_torch_checkpoint(fixture(c, "checkpoint.pt"));
        TorchWriteOptions options;
        options.key_order = pt.key_order;
        write_torch_checkpoint(tmp / "step_100", pt.tensors, options);
        const auto back = read_torch_checkpoint(tmp / "step_100");
        require_same_tensors(pt.tensors, back.tensors);
        CHECK(back.archive_name == "step_100");
        CHECK(back.key_order == pt.key_order);
    }
}

TEST_CASE("convert .pt -> .safetensors -> .pt keeps every tensor", "[models][checkpoint]") {
    test::TempDir tmp;
    const auto original = load_checkpoint(fixture("hrm_bf16", "checkpoint.pt"));
    save_checkpoint(tmp / "x.safetensors", CheckpointFormat::safetensors, original.tensors, original.key_order);
    const auto st = load_checkpoint(tmp / "x.safetensors");
    CHECK(st.format == CheckpointFormat::safetensors);
    save_checkpoint(tmp / "y.pt", CheckpointFormat::torch_zip, st.tensors, original.key_order);
    const auto pt = load_checkpoint(tmp / "y.pt");
    CHECK(pt.format == CheckpointFormat::torch_zip);
    require_same_tensors(original.tensors, pt.tensors);
    CHECK(pt.key_order == original.key_order);
    // Content, not the name, decides the format.
    fs::copy_file(tmp / "x.safetensors", tmp / "renamed.pt");
    CHECK(load_checkpoint(tmp / "renamed.pt").format == CheckpointFormat::safetensors);
}

TEST_CASE("a ZIP64 archive (as torch writes past 4 GiB) is read", "[models][checkpoint]") {
    // The 64-bit fields are what matter; a forced-ZIP64 small archive exercises the same paths.
    StringSink sink;
    ZipWriter zip(sink, 64, /*force_zip64=*/true);
    zip.add("a/x", std::string_view("hello"));
    zip.add("a/y", std::string_view("world!"));
    zip.finish();
    ZipReader reader(test::bytes_of(sink.str()), "zip64");
    REQUIRE(reader.entries().size() == 2);
    const ZipEntry * y = reader.find("a/y");
    REQUIRE(y);
    auto d = reader.data(*y);
    CHECK(std::string(d.begin(), d.end()) == "world!");
    CHECK(y->data_offset % 64 == 0);
    // A whole checkpoint in ZIP64 form (our py_views.pt re-zipped; Python's torch.load reads it too).
    const auto z = read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/ours_views_zip64.pt");
    require_same_tensors(z.tensors, read_torch_checkpoint(test::fuzz_dir() / "corpus/checkpoint/py_views.pt").tensors);
}

TEST_CASE("checkpoints we write load in Python's torch (bit for bit, as an OrderedDict)", "[models][checkpoint][.python]") {
    std::string out;
    if (test::run_command("/usr/bin/python3 -c 'import torch'", out) != 0)
        FAIL("this test needs Debian's python3-torch (/usr/bin/python3 -c 'import torch' failed: " << out
             << "); the default test set covers the same files through our own reader");
    test::TempDir tmp;
    TensorMap m = every_dtype();
    for (const auto & [k, v] : read_torch_checkpoint(fixture("trm_att_bf16", "checkpoint.pt")).tensors) m.emplace(k, v);
    write_torch_checkpoint(tmp / "ours.pt", m);
    write_safetensors(tmp / "ours.safetensors", m);
    // Python reloads our .pt and writes every tensor's raw bytes; they must equal ours.
    const std::string script = R"PY(
import collections, sys, torch
sd = torch.load(sys.argv[1], map_location="cpu")
assert type(sd) is collections.OrderedDict, type(sd)
assert hasattr(sd, "_metadata") and sd._metadata[""] == {"version": 1}, "no _metadata"
views = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
with open(sys.argv[2], "wb") as f:
    for k in sorted(sd):
        t = sd[k].contiguous()
        raw = t.view(views[t.element_size()]) if t.dtype != torch.bool else t.to(torch.uint8)
        b = raw.numpy().tobytes()
        f.write(("%s %s %s %d\n" % (k, t.dtype, list(t.shape), len(b))).encode())
        f.write(b)
print("python read", len(sd), "tensors")
)PY";
    test::write_text(tmp / "check.py", script);
    const int rc = test::run_command("/usr/bin/python3 " + (tmp / "check.py").string() + " " + (tmp / "ours.pt").string() + " " +
                                         (tmp / "dump.bin").string(),
                                     out);
    INFO(out);
    REQUIRE(rc == 0);
    const std::string dump = read_file(tmp / "dump.bin");
    size_t pos = 0, seen = 0;
    for (const auto & [k, v] : m) {  // both sorted by name
        INFO(k);
        const size_t nl = dump.find('\n', pos);
        REQUIRE(nl != std::string::npos);
        const std::string header = dump.substr(pos, nl - pos);
        CHECK(header.rfind(k + " ", 0) == 0);
        CHECK(header.ends_with(" " + std::to_string(v.data.size())));
        CHECK(dump.compare(nl + 1, v.data.size(), std::string(v.data.begin(), v.data.end())) == 0);
        pos = nl + 1 + v.data.size();
        ++seen;
    }
    CHECK(seen == m.size());
    CHECK(pos == dump.size());
}
