// Tests of the .tar.gz reader (adapters/targz.h): mapping and stripping, pax and GNU long names,
// archives written by `git archive`, and rejection of everything malformed or unsafe.
#include <catch2/catch.hpp>

#include <filesystem>

#include "adapters/targz.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "tests/support/test_support.h"
#include "tests/unit/adapters/download_tar_writer.h"

namespace fs = std::filesystem;
using namespace trmbench;
using trmbench::test::TarMember;

namespace {

fs::path write_archive(const trmbench::test::TempDir & dir, const std::string & bytes, const std::string & name = "a.tar.gz") {
    trmbench::test::write_text(dir / name, bytes);
    return dir / name;
}

// Keeps members under data/ and renames the folder to out/.
std::optional<fs::path> data_to_out(const std::string & member) {
    if (member.rfind("data/", 0) != 0) return std::nullopt;
    return fs::path("out") / member.substr(5);
}

std::string big_text(size_t n) {
    std::string s;
    for (size_t i = 0; s.size() < n; ++i) s += std::to_string(i * 7919 % 1000003) + ",";
    s.resize(n);
    return s;
}

}  // namespace

TEST_CASE("extract_tar_gz maps, strips and hashes regular files", "[archive]") {
    trmbench::test::TempDir tmp;
    std::string big = big_text(700'000);  // several inflate buffers and tar blocks
    auto archive = write_archive(tmp, trmbench::test::make_tar_gz({
        {"repo-abc/", "", '5'},
        {"repo-abc/README.md", "readme"},
        {"repo-abc/data/", "", '5'},
        {"repo-abc/data/a.json", "[1,2]"},
        {"repo-abc/data/sub/b.json", big},
        {"repo-abc/data/link", "", '2'},
        {"repo-abc/data/empty.json", ""},
    }));
    auto files = extract_tar_gz(archive, tmp / "root", data_to_out);
    REQUIRE(files.size() == 3);
    CHECK(files[0].member == "data/a.json");
    CHECK(files[0].dest == fs::path("out/a.json"));
    CHECK(files[0].sha256 == sha256_hex("[1,2]"));
    CHECK(files[1].size == 700'000);
    CHECK(read_file(tmp / "root/out/sub/b.json") == big);
    CHECK(files[1].sha256 == sha256_hex(big));
    CHECK(files[2].size == 0);
    CHECK(fs::exists(tmp / "root/out/empty.json"));
    CHECK_FALSE(fs::exists(tmp / "root/README.md"));
    CHECK_FALSE(fs::exists(tmp / "root/out/link"));  // links are never created
}

TEST_CASE("extract_tar_gz reads pax and GNU long names", "[archive]") {
    trmbench::test::TempDir tmp;
    std::string long_dir(150, 'd');
    auto archive = write_archive(tmp, trmbench::test::make_tar_gz({
        {"top/data/" + long_dir + "/pax.json", "pax", '0', TarMember::Name::pax},
        {"top/data/" + long_dir + "/gnu.json", "gnu", '0', TarMember::Name::gnu_long},
    }));
    auto files = extract_tar_gz(archive, tmp / "root", data_to_out);
    REQUIRE(files.size() == 2);
    CHECK(read_file(tmp / "root/out" / long_dir / "pax.json") == "pax");
    CHECK(read_file(tmp / "root/out" / long_dir / "gnu.json") == "gnu");
}

TEST_CASE("extract_tar_gz reads an archive written by git archive", "[archive]") {
    trmbench::test::TempDir tmp;
    std::string out;
    std::string repo = (tmp / "repo").string();
    trmbench::test::write_text(tmp / "repo/data/training/t1.json", "{\"train\":[]}");
    trmbench::test::write_text(tmp / "repo/LICENSE", "license text");
    std::string cmd = "cd '" + repo + "' && git init -q . && git add . && git -c user.name=t -c user.email=t@t commit -qm x && "
                      "git archive --format=tar.gz --prefix=repo-sha/ -o '" + (tmp / "git.tar.gz").string() + "' HEAD";
    REQUIRE(trmbench::test::run_command(cmd, out) == 0);
    auto files = extract_tar_gz(tmp / "git.tar.gz", tmp / "root", [](const std::string & m) -> std::optional<fs::path> {
        return m == "LICENSE" || m.rfind("data/", 0) == 0 ? std::optional<fs::path>(m) : std::nullopt;
    });
    REQUIRE(files.size() == 2);
    CHECK(read_file(tmp / "root/data/training/t1.json") == "{\"train\":[]}");
    CHECK(read_file(tmp / "root/LICENSE") == "license text");
}

TEST_CASE("extract_tar_gz rejects unsafe paths, selected or not", "[archive]") {
    trmbench::test::TempDir tmp;
    auto all = [](const std::string & m) { return std::optional<fs::path>(m); };
    // The root is three levels down, so an escape of up to three levels would land inside tmp, where
    // it can be looked for (checking /tmp/x itself would depend on other users of /tmp).
    const fs::path root = tmp / "a/b/c/root";
    auto evil_files = [&tmp] {
        int n = 0;
        for (const auto & e : fs::recursive_directory_iterator(tmp.path()))
            if (e.is_regular_file() && e.file_size() == 4 && read_file(e.path()) == "evil") ++n;
        return n;
    };
    for (std::string bad : {"../../x", "top/../../x", "/etc/passwd", "top/a/../../b", "top//x", "top/./x"}) {
        CAPTURE(bad);
        auto archive = write_archive(tmp, trmbench::test::make_tar_gz({{"top/ok.json", "1"}, {bad, "evil"}}));
        CHECK_THROWS_AS(extract_tar_gz(archive, root, all), InputError);
        CHECK_THROWS_WITH(extract_tar_gz(archive, root, all), Catch::Contains("unsafe path"));
        CHECK(evil_files() == 0);
    }
    // Through a pax header too, and for entries the mapping would skip.
    auto pax = write_archive(tmp, trmbench::test::make_tar_gz({{"top/../../y", "evil", '0', TarMember::Name::pax}}));
    CHECK_THROWS_WITH(extract_tar_gz(pax, tmp / "root", data_to_out), Catch::Contains("unsafe path"));
    // A mapping that returns an unsafe destination is refused as well.
    auto ok = write_archive(tmp, trmbench::test::make_tar_gz({{"top/data/a", "1"}}));
    CHECK_THROWS_WITH(extract_tar_gz(ok, tmp / "root", [](const std::string &) { return std::optional<fs::path>("../z"); }),
                      Catch::Contains("unsafe destination"));
}

TEST_CASE("extract_tar_gz rejects truncated and corrupt archives", "[archive]") {
    trmbench::test::TempDir tmp;
    std::string good = trmbench::test::make_tar_gz({{"top/data/a.json", big_text(200'000)}, {"top/data/b.json", "b"}});
    REQUIRE_NOTHROW(extract_tar_gz(write_archive(tmp, good), tmp / "ok", data_to_out));

    SECTION("truncated gzip stream") {
        for (size_t keep : {size_t{10}, good.size() / 2, good.size() - 4}) {
            CAPTURE(keep);
            auto a = write_archive(tmp, good.substr(0, keep));
            CHECK_THROWS_AS(extract_tar_gz(a, tmp / "root", data_to_out), InputError);
        }
        CHECK_THROWS_WITH(extract_tar_gz(write_archive(tmp, good.substr(0, good.size() / 2)), tmp / "root", data_to_out),
                          Catch::Contains("truncated gzip"));
    }
    SECTION("corrupt deflate data or CRC") {
        std::string bad = good;
        bad[bad.size() / 2] ^= 0x55;
        CHECK_THROWS_AS(extract_tar_gz(write_archive(tmp, bad), tmp / "root", data_to_out), InputError);
        std::string bad_crc = good;
        bad_crc[bad_crc.size() - 6] ^= 0x01;
        CHECK_THROWS_AS(extract_tar_gz(write_archive(tmp, bad_crc), tmp / "root", data_to_out), InputError);
    }
    SECTION("not gzip at all") {
        CHECK_THROWS_AS(extract_tar_gz(write_archive(tmp, "<html>404</html>"), tmp / "root", data_to_out), InputError);
        CHECK_THROWS_AS(extract_tar_gz(write_archive(tmp, ""), tmp / "root", data_to_out), InputError);
    }
    SECTION("tar without end marker, or cut inside an entry") {
        std::string tar = trmbench::test::make_tar({{"top/data/a.json", big_text(5000)}});
        std::string no_end = tar.substr(0, tar.size() - 1024);
        CHECK_THROWS_WITH(extract_tar_gz(write_archive(tmp, trmbench::test::gzip(no_end)), tmp / "root", data_to_out),
                          Catch::Contains("end-of-archive"));
        CHECK_THROWS_WITH(extract_tar_gz(write_archive(tmp, trmbench::test::gzip(tar.substr(0, 2048))), tmp / "root", data_to_out),
                          Catch::Contains("ends inside"));
        CHECK_THROWS_WITH(extract_tar_gz(write_archive(tmp, trmbench::test::gzip(tar.substr(0, 300))), tmp / "root", data_to_out),
                          Catch::Contains("inside a header"));
    }
    SECTION("bad header checksum and size field") {
        std::string tar = trmbench::test::make_tar({{"top/data/a.json", "abc"}});
        std::string bad_sum = tar;
        bad_sum[0] = 'X';
        CHECK_THROWS_WITH(extract_tar_gz(write_archive(tmp, trmbench::test::gzip(bad_sum)), tmp / "root", data_to_out),
                          Catch::Contains("checksum"));
        std::string bad_size = trmbench::test::tar_header("top/data/a.json", 3, '0');
        bad_size[124] = '9';  // not octal; checksum recomputed below so that only the size is wrong
        std::memset(bad_size.data() + 148, ' ', 8);
        unsigned sum = 0;
        for (unsigned char c : bad_size) sum += c;
        std::snprintf(bad_size.data() + 148, 8, "%06o", sum);
        CHECK_THROWS_WITH(extract_tar_gz(write_archive(tmp, trmbench::test::gzip(bad_size + std::string(1536, '\0'))), tmp / "root",
                                         data_to_out),
                          Catch::Contains("size field"));
    }
    SECTION("duplicate file") {
        auto a = write_archive(tmp, trmbench::test::make_tar_gz({{"top/data/a.json", "1"}, {"top/data/a.json", "2"}}));
        CHECK_THROWS_WITH(extract_tar_gz(a, tmp / "root", data_to_out), Catch::Contains("duplicate"));
    }
}

TEST_CASE("extract_tar_gz enforces its limits", "[archive]") {
    trmbench::test::TempDir tmp;
    auto a = write_archive(tmp, trmbench::test::make_tar_gz({{"top/data/a.json", std::string(10'000, 'a')},
                                                             {"top/data/b.json", std::string(10'000, 'b')}}));
    ArchiveLimits small;
    small.max_total_bytes = 15'000;
    CHECK_THROWS_WITH(extract_tar_gz(a, tmp / "root", data_to_out, 1, small), Catch::Contains("exceed the limit"));
    ArchiveLimits few;
    few.max_entries = 1;
    CHECK_THROWS_WITH(extract_tar_gz(a, tmp / "root2", data_to_out, 1, few), Catch::Contains("entries"));
    auto pax = write_archive(tmp, trmbench::test::make_tar_gz({{"top/data/" + std::string(3000, 'p'), "x", '0', TarMember::Name::pax}}));
    ArchiveLimits meta;
    meta.max_meta_bytes = 1000;
    CHECK_THROWS_WITH(extract_tar_gz(pax, tmp / "root3", data_to_out, 1, meta), Catch::Contains("extended header"));
}

TEST_CASE("is_safe_relative_path", "[archive]") {
    CHECK(is_safe_relative_path("a/b.json"));
    CHECK(is_safe_relative_path("a..b/c"));
    CHECK_FALSE(is_safe_relative_path(""));
    CHECK_FALSE(is_safe_relative_path("/a"));
    CHECK_FALSE(is_safe_relative_path("a/../b"));
    CHECK_FALSE(is_safe_relative_path(".."));
    CHECK_FALSE(is_safe_relative_path("a\\b"));
    CHECK_FALSE(is_safe_relative_path("a/"));
    CHECK_FALSE(is_safe_relative_path(std::string("a\0b", 3)));
}
