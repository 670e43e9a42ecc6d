// .npy writer and reader: header layout, round trips, malformed files, and numpy itself (python3 +
// numpy must be importable: the test fails loudly otherwise, since parity runs depend on it).
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/data/npy.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/data_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

std::string file_bytes(const fs::path & p) { return read_file(p); }

void write_bytes(const fs::path & p, const std::string & bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::span<const uint8_t> as_span(const std::string & s) { return {reinterpret_cast<const uint8_t *>(s.data()), s.size()}; }

// A version 1.0 header around an arbitrary dict text.
std::string raw_header(const std::string & dict) {
    std::string body = dict + "\n";
    while ((10 + body.size()) % 64 != 0) body.insert(body.size() - 1, " ");
    std::string h("\x93NUMPY\x01\x00", 8);
    h += static_cast<char>(body.size() & 0xff);
    h += static_cast<char>(body.size() >> 8);
    return h + body;
}

}  // namespace

TEST_CASE("npy header: magic, version 1.0, dict, 64-byte alignment", "[models][data][npy]") {
    std::vector<uint64_t> shape{1001000, 81};
    std::string h = npy_header(NpyDtype::u8, shape);
    REQUIRE(h.size() % 64 == 0);
    CHECK(h.substr(0, 6) == std::string("\x93NUMPY", 6));
    CHECK(h[6] == 1);
    CHECK(h[7] == 0);
    const size_t len = static_cast<uint8_t>(h[8]) | (static_cast<uint8_t>(h[9]) << 8);
    CHECK(len + 10 == h.size());
    CHECK(h.back() == '\n');
    CHECK(h.find("{'descr': '|u1', 'fortran_order': False, 'shape': (1001000, 81), }") == 10);

    std::vector<uint64_t> one{5};
    CHECK(npy_header(NpyDtype::i32, one).find("'descr': '<i4'") != std::string::npos);
    CHECK(npy_header(NpyDtype::i32, one).find("'shape': (5,)") != std::string::npos);

    NpyHeader parsed = parse_npy_header(as_span(h + std::string(16, '\0')), "x.npy");
    CHECK(parsed.dtype == NpyDtype::u8);
    CHECK(parsed.shape == shape);
    CHECK(parsed.data_offset == h.size());
}

TEST_CASE("npy round trip through files (u8 2-D, i32 1-D, empty)", "[models][data][npy]") {
    test::TempDir tmp;
    std::vector<uint8_t> tokens;
    for (int i = 0; i < 3 * 7; ++i) tokens.push_back(static_cast<uint8_t>(i % 12));
    write_npy_u8(tmp / "a.npy", {3, 7}, tokens);
    NpyArray a = NpyArray::open(tmp / "a.npy");
    CHECK(a.shape() == std::vector<uint64_t>{3, 7});
    CHECK(a.dtype() == NpyDtype::u8);
    for (size_t i = 0; i < tokens.size(); ++i) CHECK(a.get(i) == tokens[i]);
    std::vector<int32_t> row(7);
    a.copy_to_int32(7, row);
    CHECK(row == std::vector<int32_t>{7, 8, 9, 10, 11, 0, 1});
    CHECK(a.min_max() == std::pair<int64_t, int64_t>{0, 11});

    std::vector<int32_t> idx{0, 5, -3, 2147483647};
    write_npy_i32(tmp / "b.npy", {4}, idx);
    NpyArray b = NpyArray::open(tmp / "b.npy");
    CHECK(b.to_int64() == std::vector<int64_t>{0, 5, -3, 2147483647});

    write_npy_u8(tmp / "c.npy", {0, 900}, {});
    NpyArray c = NpyArray::open(tmp / "c.npy");
    CHECK(c.count() == 0);
    CHECK(c.shape() == std::vector<uint64_t>{0, 900});
}

TEST_CASE("npy writer streams and refuses a wrong element count", "[models][data][npy]") {
    test::TempDir tmp;
    {
        NpyWriter w(tmp / "s.npy", NpyDtype::u8, {4, 3});
        std::vector<uint8_t> row{1, 2, 3};
        for (int i = 0; i < 4; ++i) w.append(row);
        w.close();
        CHECK(w.sha256().size() == 64);
        CHECK(w.bytes_written() == fs::file_size(tmp / "s.npy"));
    }
    NpyWriter short_writer(tmp / "t.npy", NpyDtype::u8, {2, 3});
    std::vector<uint8_t> row{1, 2, 3};
    short_writer.append(row);
    CHECK_THROWS_AS(short_writer.close(), std::logic_error);
    NpyWriter long_writer(tmp / "u.npy", NpyDtype::i32, {1});
    std::vector<int32_t> two{1, 2};
    CHECK_THROWS_AS(long_writer.append(two), std::logic_error);
}

TEST_CASE("npy reader rejects malformed files with the file name", "[models][data][npy]") {
    test::TempDir tmp;
    std::vector<uint8_t> tokens(12, 1);
    write_npy_u8(tmp / "ok.npy", {3, 4}, tokens);
    const std::string good = file_bytes(tmp / "ok.npy");
    auto expect_error = [&](const std::string & bytes, const std::string & fragment) {
        write_bytes(tmp / "bad.npy", bytes);
        try {
            NpyArray::open(tmp / "bad.npy");
            FAIL("accepted a bad file (" << fragment << ")");
        } catch (const InputError & e) {
            CHECK_THAT(e.what(), Catch::Contains("bad.npy"));
            CHECK_THAT(e.what(), Catch::Contains(fragment));
        }
    };
    expect_error("not numpy at all", "magic");
    expect_error(good.substr(0, good.size() - 1), "data bytes");  // truncated data
    expect_error(good + "x", "data bytes");                        // trailing bytes
    std::string fortran = good;
    fortran.replace(fortran.find("False"), 5, "True ");
    expect_error(fortran, "Fortran");
    std::string big_endian = npy_header(NpyDtype::i32, std::vector<uint64_t>{1});
    big_endian.replace(big_endian.find("<i4"), 3, ">i4");
    expect_error(big_endian + std::string(4, '\0'), "not supported");
    std::string floats = npy_header(NpyDtype::i32, std::vector<uint64_t>{1});
    floats.replace(floats.find("<i4"), 3, "<f4");
    expect_error(floats + std::string(4, '\0'), "not supported");
    std::string extra_key = good;
    extra_key.replace(extra_key.find("'fortran_order'"), 15, "'fortran_xrder'");
    expect_error(extra_key, "unexpected key");
    std::string long_len = good;
    long_len[8] = '\xff';
    long_len[9] = '\x7f';
    expect_error(long_len, "runs past the end");
    expect_error(raw_header("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999, 99999999999), }"), "overflows");
    expect_error(raw_header("{'descr': '|u1', 'shape': (1,), }") + "x", "lacks");
    expect_error(raw_header("{'descr': '|u1', 'fortran_order': False, 'shape': (1, -2), }"), "dimension");
    // A hand-made header that numpy would also accept: double quotes, no trailing comma.
    write_bytes(tmp / "quotes.npy", raw_header("{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (2,)}") +
                                        std::string("\x01\x00\xff\xff", 4));
    NpyArray q = NpyArray::open(tmp / "quotes.npy");
    CHECK(q.to_int64() == std::vector<int64_t>{1, -1});
}

TEST_CASE("numpy loads our .npy files and we load numpy's", "[models][data][npy][python]") {
    if (!test::numpy_available())
        FAIL("python3 with numpy is required for the .npy parity check (Debian: apt install python3-numpy)");
    test::TempDir tmp;
    std::vector<uint8_t> tokens;
    for (int i = 0; i < 2 * 900; ++i) tokens.push_back(static_cast<uint8_t>((i * 7) % 12));
    write_npy_u8(tmp / "tokens.npy", {2, 900}, tokens);
    std::vector<int32_t> idx{0, 3, 9, 2000000000};
    write_npy_i32(tmp / "idx.npy", {4}, idx);

    std::string out;
    int rc = test::run_python("import numpy as np\n"
                              "t = np.load('" + (tmp / "tokens.npy").string() + "', mmap_mode='r')\n"
                              "assert t.dtype == np.uint8 and t.shape == (2, 900), (t.dtype, t.shape)\n"
                              "assert int(t[1, 899]) == (1799 * 7) % 12 and int(t.sum()) == " +
                                  std::to_string([&] { long s = 0; for (auto v : tokens) s += v; return s; }()) + "\n"
                              "i = np.load('" + (tmp / "idx.npy").string() + "')\n"
                              "assert i.dtype == np.int32 and list(i) == [0, 3, 9, 2000000000], i\n"
                              "np.save('" + (tmp / "from_numpy.npy").string() + "', np.arange(12, dtype=np.int64).reshape(3, 4))\n"
                              "np.save('" + (tmp / "from_numpy_u8.npy").string() + "', np.full((2, 81), 10, dtype=np.uint8))\n"
                              "print('ok')\n",
                              out);
    INFO(out);
    REQUIRE(rc == 0);
    NpyArray from_numpy = NpyArray::open(tmp / "from_numpy.npy");
    CHECK(from_numpy.dtype() == NpyDtype::i64);
    CHECK(from_numpy.shape() == std::vector<uint64_t>{3, 4});
    CHECK(from_numpy.get(11) == 11);
    NpyArray u8 = NpyArray::open(tmp / "from_numpy_u8.npy");
    CHECK(u8.min_max() == std::pair<int64_t, int64_t>{10, 10});
}
