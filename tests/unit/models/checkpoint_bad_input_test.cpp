// Malformed and hostile checkpoints: each must be a clear InputError naming the file, never a crash.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/io/le_bytes.h"
#include "models/io/pickle.h"
#include "models/io/safetensors.h"
#include "models/io/torch_checkpoint.h"
#include "models/io/zip.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/checkpoint_test_util.h"

using namespace trmbench;

namespace {

// Pickle snippets.
std::string s(std::string_view v) {
    std::string o = "X";
    le::put_u32(o, static_cast<uint32_t>(v.size()));
    return o + std::string(v);
}
std::string i32(int32_t v) {
    std::string o = "J";
    le::put_u32(o, static_cast<uint32_t>(v));
    return o;
}
std::string ints(const std::vector<int32_t> & v) {
    std::string o = "(";
    for (int32_t x : v) o += i32(x);
    return o + "t";
}
const std::string kOrderedDict = "ccollections\nOrderedDict\n)R";

struct TensorSpec {
    std::string key = "w", storage_type = "FloatStorage", storage_key = "0", location = "cpu";
    int32_t numel = 4, offset = 0;
    std::vector<int32_t> sizes{2, 2}, strides{2, 1};
};

// OrderedDict([(key, _rebuild_tensor_v2(storage, offset, sizes, strides, False, OrderedDict()))])
std::string tensor_pickle(const TensorSpec & t) {
    return "\x80\x02" + kOrderedDict + "(" + s(t.key) + "ctorch._utils\n_rebuild_tensor_v2\n((" + s("storage") + "ctorch\n" +
           t.storage_type + "\n" + s(t.storage_key) + s(t.location) + i32(t.numel) + "tQ" + i32(t.offset) + ints(t.sizes) +
           ints(t.strides) + "\x89" + kOrderedDict + "tRu.";
}

std::string floats(int n) { return std::string(static_cast<size_t>(n) * 4, '\x01'); }

std::string good_archive() { return test::make_archive(tensor_pickle({}), {{"data/0", floats(4)}}); }

void expect_error(const std::string & bytes, const std::string & needle) {
    try {
        auto ck = parse_torch_checkpoint(test::bytes_of(bytes), "bad.pt");
        FAIL("no error; wanted one containing '" << needle << "'");
    } catch (const InputError & e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(what.rfind("bad.pt: ", 0) == 0);
        CHECK(what.find(needle) != std::string::npos);
    }
}

// Either a clean InputError or the original tensors: nothing in between, never a crash.
void expect_error_or_same(const std::string & bytes, const TensorMap & original) {
    try {
        auto ck = parse_torch_checkpoint(test::bytes_of(bytes), "bad.pt");
        CHECK(ck.tensors.size() == original.size());
        for (const auto & [k, v] : original) CHECK((ck.tensors.count(k) && ck.tensors.at(k).data == v.data));
    } catch (const InputError & e) {
        CHECK(std::string(e.what()).rfind("bad.pt: ", 0) == 0);
    }
}

size_t central_directory_offset(const std::string & zip) {
    const size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
    REQUIRE(eocd != std::string::npos);
    return le::u32(reinterpret_cast<const uint8_t *>(zip.data()) + eocd + 16);
}

}  // namespace

TEST_CASE("the hand-built test checkpoint itself is valid", "[models][checkpoint]") {
    auto ck = parse_torch_checkpoint(test::bytes_of(good_archive()), "good.pt");
    REQUIRE(ck.tensors.count("w") == 1);
    CHECK(ck.tensors.at("w").shape == std::vector<int64_t>{2, 2});
    CHECK_FALSE(ck.ordered_dict == false);
}

TEST_CASE("empty, truncated, foreign and legacy files are clear input errors", "[models][checkpoint]") {
    expect_error("", "empty file");
    expect_error("hello world, not a checkpoint", "no zip signature");
    const std::string fixture = read_file(test::shared_dir() / "fixtures/reference/trm_att_f32/checkpoint.pt");
    for (size_t cut : {size_t{1}, size_t{4}, size_t{30}, size_t{64}, size_t{3000}, fixture.size() / 2, fixture.size() - 200,
                       fixture.size() - 100, fixture.size() - 60, fixture.size() - 23, fixture.size() - 1}) {
        INFO("truncated to " << cut << " bytes");
        expect_error(fixture.substr(0, cut), "");
    }
    expect_error(read_file(test::fuzz_dir() / "corpus/checkpoint/py_legacy.pt"), "legacy (pre-1.6, non-zip)");
    // A safetensors file under a .pt name.
    const std::string st = read_file(test::shared_dir() / "fixtures/reference/trm_att_f32/checkpoint.safetensors");
    expect_error(st, "this is a safetensors file");
    test::TempDir tmp;
    test::write_text(tmp / "renamed.pt", st);
    CHECK_THROWS_WITH(read_torch_checkpoint(tmp / "renamed.pt"), Catch::Contains("renamed.pt") && Catch::Contains("safetensors"));
    test::write_text(tmp / "zero.pt", "");
    CHECK_THROWS_AS(read_torch_checkpoint(tmp / "zero.pt"), InputError);
    CHECK_THROWS_AS(read_torch_checkpoint(tmp / "missing.pt"), IoError);
}

TEST_CASE("flipped bytes anywhere in the central directory never crash the reader", "[models][checkpoint]") {
    const std::string good = good_archive();
    const TensorMap original = parse_torch_checkpoint(test::bytes_of(good), "good").tensors;
    const size_t cd = central_directory_offset(good);
    for (size_t i = cd; i < good.size(); ++i) {
        for (uint8_t mask : {0x01, 0x80, 0xff}) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ mask);
            INFO("byte " << i << " ^ " << int(mask));
            expect_error_or_same(bad, original);
        }
    }
    // A corrupted signature or offset is a named error.
    std::string bad = good;
    bad[cd] = 'X';
    expect_error(bad, "bad signature");
    bad = good;
    bad[cd + 42] ^= 0x40;  // local header offset of the first entry
    expect_error(bad, "entry 'archive/data.pkl'");
}

TEST_CASE("corrupt data and inconsistent records are named errors", "[models][checkpoint]") {
    // A data record shorter than its storage.
    expect_error(test::make_archive(tensor_pickle({}), {{"data/0", floats(3)}}),
                 "data record 'archive/data/0' holds 12 bytes but its storage needs 16");
    // Missing record.
    expect_error(test::make_archive(tensor_pickle({}), {}), "storage record 'archive/data/0' is missing");
    // A view reaching past its storage.
    TensorSpec past;
    past.offset = 1;
    expect_error(test::make_archive(tensor_pickle(past), {{"data/0", floats(4)}}), "reaches element 4 of storage '0'");
    TensorSpec strides;
    strides.strides = {3, 1};
    expect_error(test::make_archive(tensor_pickle(strides), {{"data/0", floats(4)}}), "which holds 4 elements");
    // A stride-0 view expanding 16 bytes of storage into 4 GiB.
    TensorSpec expand;
    expand.sizes = {1 << 20, 1 << 10};
    expand.strides = {0, 0};
    expect_error(test::make_archive(tensor_pickle(expand), {{"data/0", floats(4)}}), "would need more than");
    // A flipped byte in a data record fails its CRC.
    std::string crc = good_archive();
    const size_t data_at = crc.find(floats(4));
    crc[data_at] ^= 0x10;
    expect_error(crc, "CRC-32 mismatch");
    // Unknown storage type, big-endian files, several archives, TorchScript.
    TensorSpec complex;
    complex.storage_type = "ComplexFloatStorage";
    expect_error(test::make_archive(tensor_pickle(complex), {{"data/0", floats(4)}}), "unsupported storage type torch.ComplexFloatStorage");
    expect_error(test::make_archive(tensor_pickle({}), {{"data/0", floats(4)}, {"byteorder", "big"}}), "byte order 'big'");
    {
        StringSink sink;
        ZipWriter zip(sink);
        zip.add("a/data.pkl", std::string_view("."));
        zip.add("b/data.pkl", std::string_view("."));
        zip.finish();
        expect_error(sink.str(), "several data.pkl");
    }
    {
        StringSink sink;
        ZipWriter zip(sink);
        zip.add("m/constants.pkl", std::string_view("."));
        zip.add("m/code/m.py", std::string_view(""));
        zip.finish();
        expect_error(sink.str(), "TorchScript archive");
    }
    {
        StringSink sink;
        ZipWriter zip(sink);
        zip.add("a/data.pkl", std::string_view("."));
        zip.add("a/data.pkl", std::string_view("."));
        zip.finish();
        expect_error(sink.str(), "duplicate entry 'a/data.pkl'");
    }
}

TEST_CASE("a compressed entry is an unsupported compression method", "[models][checkpoint]") {
    std::string zip = good_archive();
    // Mark the first entry (data.pkl) as deflated in its local header and its central entry.
    zip[8] = 8;
    zip[central_directory_offset(zip) + 10] = 8;
    expect_error(zip, "unsupported compression method 8 in entry 'archive/data.pkl'");
}

TEST_CASE("hostile or unsupported pickles are rejected with the opcode, global and offset", "[models][checkpoint]") {
    auto with_pickle = [](const std::string & pkl) { return test::make_archive(pkl, {{"data/0", floats(4)}}); };
    // The classic: os.system("echo pwned") through REDUCE.
    expect_error(with_pickle("\x80\x02" "cos\nsystem\n" + s("echo pwned") + "\x85R."), "unsupported global os.system");
    expect_error(with_pickle("\x80\x02" "cposix\nsystem\n" + s("id") + "\x85R."), "unsupported global posix.system");
    expect_error(with_pickle("\x80\x04" + std::string("\x8c\x08" "builtins\x8c\x04" "eval\x93", 17) + "."),
                 "unsupported global builtins.eval");
    expect_error(with_pickle(std::string("\x80\x02\xff", 3)), "unsupported pickle opcode 0xff at offset 2");
    expect_error(with_pickle("\x80\x02" "S'x'\n."), "unsupported pickle opcode 0x53 at offset 2");  // protocol-0 STRING
    expect_error(with_pickle("\x80\x02}"), "pickle ends without STOP");
    expect_error(with_pickle("\x80\x02h\x05."), "memo entry 5 was never stored");
    expect_error(with_pickle("\x80\x02s."), "stack underflow");
    expect_error(with_pickle("\x80\x02(((((."), "stack underflow");
    expect_error(with_pickle("\x80\x02" "]K\x01K\x02s."), "SETITEM(S) on list of 0");
    expect_error(with_pickle("\x80\x02\x8a\x09" + std::string(9, '\x01') + "."), "does not fit in 64 bits");
    expect_error(with_pickle("\x80\x02X\xff\xff\xff\xff."), "string of 4294967295 bytes exceeds the limit");
    expect_error(with_pickle("\x80\x02X\x10\x01\x01\x01."), "truncated pickle");
    expect_error(with_pickle("\x80\x02" + s("\xc3\x28") + "."), "not valid UTF-8");
    expect_error(with_pickle("\x80\x02]."), "top-level object is list of 0, not a dict of tensors");
    expect_error(with_pickle("\x80\x02}K\x01" + s("x") + "s."), "top-level dict holds no tensors");
    expect_error(with_pickle("\x80\x02" + kOrderedDict + "(K\x07" "ctorch._utils\n_rebuild_tensor_v2\n((" + s("storage") +
                             "ctorch\nFloatStorage\n" + s("0") + s("cpu") + i32(4) + "tQ" + i32(0) + ints({4}) + ints({1}) +
                             "\x89" + kOrderedDict + "tRu."),
                 "state dict key is int 7, not a string");
    expect_error(with_pickle("\x80\x02" "ctorch._utils\n_rebuild_tensor_v2\n)R."), "_rebuild_tensor_v2: 0 arguments");
    // Persistent ids other than storages.
    expect_error(with_pickle("\x80\x02" + s("x") + "Q."), "persistent id is str 'x', not a tuple");
}

TEST_CASE("pickle limits bound strings, objects and the stack", "[models][checkpoint]") {
    pickle::PickleLimits tight;
    tight.max_string_bytes = 4;
    tight.max_stack_depth = 8;
    tight.max_objects = 3;
    auto run = [&](const std::string & p) { return pickle::unpickle(test::bytes_of(p), tight); };
    CHECK_THROWS_WITH(run("\x80\x02" + s("hello") + "."), Catch::Contains("exceeds the limit"));
    CHECK_THROWS_WITH(run("\x80\x02" + std::string(20, '(') + "."), Catch::Contains("deeper than the limit"));
    CHECK_THROWS_WITH(run("\x80\x02}}}}."), Catch::Contains("more than 3 objects"));
    // Within limits the same machine works, and reports what it saw.
    auto u = pickle::unpickle(test::bytes_of("\x80\x02}" + s("k") + "K\x05s."));
    REQUIRE(u.root.kind == pickle::Kind::dict);
    CHECK(u.dict(u.root).entries.size() == 1);
    CHECK(u.opcodes_seen == std::vector<std::string>{"BININT1", "BINUNICODE", "EMPTY_DICT", "PROTO", "SETITEM", "STOP"});
}

TEST_CASE("a deeply nested safetensors header is an error, not a stack overflow", "[models][checkpoint]") {
    // Found by review after fuzzing (the fuzzer's length limit kept it from nesting this deep):
    // printing the bad dtype with json::dump() recursed once per level.
    const size_t depth = 1000000;
    std::string header = R"({"w":{"dtype":)" + std::string(depth, '[') + std::string(depth, ']') + R"(,"shape":[],"data_offsets":[0,0]}})";
    while (header.size() % 8) header += ' ';
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[static_cast<size_t>(i)] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    file += header;
    CHECK_THROWS_WITH(parse_safetensors(test::bytes_of(file), "deep.safetensors"),
                      Catch::Contains("deep.safetensors") && Catch::Contains("unsupported dtype of JSON type array"));
}
