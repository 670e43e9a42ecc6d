// Tests of download_file (adapters/download.h) against a scripted local HTTP server: full download,
// resume after a dropped connection (within one call and across calls), If-Range restarts, servers
// that ignore ranges, HTTP errors, retries, integrity failures and unreachable hosts.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

#include "adapters/download.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "tests/support/test_support.h"
#include "tests/unit/adapters/download_test_server.h"

namespace fs = std::filesystem;
using namespace trmbench;
using trmbench::test::FakeFile;
using trmbench::test::FakeFileServer;

namespace {

std::string payload(size_t n, unsigned seed = 1) {
    std::string s(n, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (auto & c : s) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return s;
}

DownloadRequest req(const FakeFileServer & srv, const std::string & path, const fs::path & dest) {
    DownloadRequest r;
    r.url = srv.base_url() + path;
    r.dest = dest;
    r.quiet = true;
    r.retry_delay_s = 0;
    r.connect_timeout_s = 5;
    return r;
}

fs::path part_of(const fs::path & dest) {
    fs::path p = dest;
    p += ".part";
    return p;
}

}  // namespace

TEST_CASE("download_file downloads, hashes and installs", "[download]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    std::string body = payload(3'000'000);
    srv.set("/f.bin", {.body = body, .etag = "\"v1\"", .headers = {{"X-Repo-Commit", "abc123"}}});
    auto r = req(srv, "/f.bin", tmp / "sub/f.bin");
    r.expected_sha256 = sha256_hex(body);
    r.expected_size = static_cast<int64_t>(body.size());
    DownloadResult res = download_file(r);
    CHECK(res.sha256 == sha256_hex(body));
    CHECK(res.size == 3'000'000);
    CHECK(res.resumed_from == 0);
    CHECK(res.attempts == 1);
    CHECK(res.repo_commit == "abc123");
    CHECK(read_file(tmp / "sub/f.bin") == body);
    CHECK_FALSE(fs::exists(part_of(tmp / "sub/f.bin")));
    CHECK(srv.requests("/f.bin").at(0).range.empty());
}

TEST_CASE("download_file follows redirects", "[download]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    srv.set("/resolve/main/x.csv", {.redirect_to = "/cdn/x.csv"});
    srv.set("/cdn/x.csv", {.body = "a,b\n1,2\n"});
    DownloadResult res = download_file(req(srv, "/resolve/main/x.csv", tmp / "x.csv"));
    CHECK(read_file(tmp / "x.csv") == "a,b\n1,2\n");
    CHECK(res.final_url == srv.base_url() + "/cdn/x.csv");
}

TEST_CASE("download_file resumes after the server drops the connection", "[download]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    std::string body = payload(1'000'000, 2);
    srv.set("/f.bin", {.body = body, .etag = "\"e1\"", .drop_first_n = 1, .drop_at = 400'000});

    SECTION("within one call (retry with Range)") {
        auto r = req(srv, "/f.bin", tmp / "f.bin");
        r.expected_sha256 = sha256_hex(body);
        DownloadResult res = download_file(r);
        CHECK(res.attempts == 2);
        CHECK(read_file(tmp / "f.bin") == body);
        auto log = srv.requests("/f.bin");
        REQUIRE(log.size() == 2);
        CHECK(log[0].range.empty());
        CHECK(log[1].range == "bytes=400000-");
        CHECK(log[1].if_range == "\"e1\"");
    }
    SECTION("across calls (the part file survives a failed run)") {
        auto r = req(srv, "/f.bin", tmp / "f.bin");
        r.max_attempts = 1;
        try {
            download_file(r);
            FAIL("expected a DownloadError");
        } catch (const DownloadError & e) {
            CHECK(e.kind == DownloadFailure::transfer);
            CHECK(e.exit_code() == kExitIo);
        }
        CHECK_FALSE(fs::exists(tmp / "f.bin"));
        CHECK(fs::file_size(part_of(tmp / "f.bin")) == 400'000);
        r.expected_sha256 = sha256_hex(body);  // the hash covers the bytes from the first run too
        DownloadResult res = download_file(r);
        CHECK(res.resumed_from == 400'000);
        CHECK(res.sha256 == sha256_hex(body));
        CHECK(read_file(tmp / "f.bin") == body);
        CHECK(srv.requests("/f.bin").back().range == "bytes=400000-");
    }
}

TEST_CASE("download_file restarts when a resume is not possible", "[download]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    std::string old_body = payload(500'000, 3), new_body = payload(600'000, 4);

    SECTION("the file changed upstream (If-Range mismatch)") {
        srv.set("/f.bin", {.body = old_body, .etag = "\"old\"", .drop_first_n = 1, .drop_at = 200'000});
        auto r = req(srv, "/f.bin", tmp / "f.bin");
        r.max_attempts = 1;
        CHECK_THROWS_AS(download_file(r), DownloadError);
        srv.set("/f.bin", {.body = new_body, .etag = "\"new\""});
        DownloadResult res = download_file(r);
        CHECK(read_file(tmp / "f.bin") == new_body);  // not 200 kB of the old file + the new one
        CHECK(res.sha256 == sha256_hex(new_body));
        CHECK(srv.requests("/f.bin").back().if_range == "\"old\"");
    }
    SECTION("the server ignores Range") {
        srv.set("/f.bin", {.body = old_body, .drop_first_n = 1, .drop_at = 200'000, .ignore_range = true});
        auto r = req(srv, "/f.bin", tmp / "f.bin");
        r.expected_sha256 = sha256_hex(old_body);
        DownloadResult res = download_file(r);
        CHECK(res.attempts == 2);
        CHECK(read_file(tmp / "f.bin") == old_body);
    }
    SECTION("a part file larger than the expected size is discarded") {
        trmbench::test::write_text(part_of(tmp / "f.bin"), payload(700'000, 9));
        trmbench::test::write_text(tmp / "f.bin.part.validator", "\n700000\n");
        srv.set("/f.bin", {.body = old_body});
        auto r = req(srv, "/f.bin", tmp / "f.bin");
        r.expected_size = static_cast<int64_t>(old_body.size());
        download_file(r);
        CHECK(read_file(tmp / "f.bin") == old_body);
        CHECK(srv.requests("/f.bin").back().range.empty());
    }
    SECTION("a part file without its validator record is not trusted") {
        trmbench::test::write_text(part_of(tmp / "f.bin"), "garbage");
        srv.set("/f.bin", {.body = old_body});
        download_file(req(srv, "/f.bin", tmp / "f.bin"));
        CHECK(read_file(tmp / "f.bin") == old_body);
        CHECK(srv.requests("/f.bin").back().range.empty());
    }
}

TEST_CASE("download_file treats a complete part file as complete", "[download]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    std::string body = payload(10'000, 5);
    srv.set("/f.bin", {.body = body, .etag = "\"e\""});
    trmbench::test::write_text(part_of(tmp / "f.bin"), body);
    trmbench::test::write_text(tmp / "f.bin.part.validator", "\"e\"\n10000\n");
    auto r = req(srv, "/f.bin", tmp / "f.bin");
    DownloadResult res = download_file(r);  // the server answers 416 to "bytes=10000-"
    CHECK(res.sha256 == sha256_hex(body));
    CHECK(read_file(tmp / "f.bin") == body);
}

TEST_CASE("download_file reports HTTP errors clearly", "[download]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    SECTION("404") {
        try {
            download_file(req(srv, "/missing.csv", tmp / "m.csv"));
            FAIL("expected a DownloadError");
        } catch (const DownloadError & e) {
            CHECK(e.kind == DownloadFailure::http_status);
            CHECK(e.http_status == 404);
            CHECK_THAT(e.what(), Catch::Contains("HTTP 404") && Catch::Contains("/missing.csv") && Catch::Contains("Entry not found"));
        }
        CHECK(srv.requests("/missing.csv").size() == 1);  // not retried
        CHECK_FALSE(fs::exists(tmp / "m.csv"));
        CHECK_FALSE(fs::exists(part_of(tmp / "m.csv")));
    }
    SECTION("503 is retried") {
        srv.set("/f", {.body = "ok", .fail_first_n = 2});
        DownloadResult res = download_file(req(srv, "/f", tmp / "f"));
        CHECK(res.attempts == 3);
        CHECK(read_file(tmp / "f") == "ok");
    }
    SECTION("503 until the attempts run out") {
        srv.set("/f", {.body = "busy", .status = 503});
        auto r = req(srv, "/f", tmp / "f");
        r.max_attempts = 2;
        CHECK_THROWS_WITH(download_file(r), Catch::Contains("HTTP 503"));
        CHECK(srv.requests("/f").size() == 2);
        CHECK_FALSE(fs::exists(tmp / "f"));
    }
}

TEST_CASE("download_file never installs a file that fails verification", "[download]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    std::string body = payload(50'000, 6);
    srv.set("/f.bin", {.body = body});
    auto r = req(srv, "/f.bin", tmp / "f.bin");
    SECTION("sha256") {
        r.expected_sha256 = sha256_hex("something else");
        CHECK_THROWS_AS(download_file(r), InputError);
        CHECK_THROWS_WITH(download_file(r), Catch::Contains("sha256 " + sha256_hex(body)) && Catch::Contains("not installed"));
    }
    SECTION("size") {
        r.expected_size = 49'999;
        CHECK_THROWS_AS(download_file(r), InputError);
    }
    CHECK_FALSE(fs::exists(tmp / "f.bin"));
    CHECK_FALSE(fs::exists(part_of(tmp / "f.bin")));
    CHECK_FALSE(fs::exists(tmp / "f.bin.part.validator"));
}

TEST_CASE("download_file fails fast when the host is unreachable", "[download]") {
    trmbench::test::TempDir tmp;
    DownloadRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(trmbench::test::closed_port()) + "/x";
    r.dest = tmp / "x";
    r.quiet = true;
    r.retry_delay_s = 5;  // would be slow if unreachable hosts were retried
    auto start = std::chrono::steady_clock::now();
    try {
        download_file(r);
        FAIL("expected a DownloadError");
    } catch (const DownloadError & e) {
        CHECK(e.kind == DownloadFailure::unreachable);
        CHECK(e.exit_code() == kExitIo);
        CHECK_THAT(e.what(), Catch::StartsWith("cannot reach 127.0.0.1:"));
        CHECK_FALSE(e.detail.empty());
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
    CHECK_FALSE(fs::exists(tmp / "x"));
}

TEST_CASE("url_host", "[download]") {
    CHECK(url_host("https://huggingface.co/datasets/x/resolve/main/a.csv") == "huggingface.co");
    CHECK(url_host("http://user:pw@127.0.0.1:8080/a") == "127.0.0.1:8080");
    CHECK(url_host("https://github.com") == "github.com");
    CHECK(url_host("not a url") == "not a url");
}
