// End-to-end tests of `trmbench data fetch`: --list, --from DIR with the shared data (pinned
// hashes), --from URL against a local server (Hugging Face layout), the no-op re-run, --verify,
// 404 and offline errors with their exit codes, and bad command lines.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/support/test_support.h"
#include "tests/unit/adapters/download_test_server.h"

namespace fs = std::filesystem;
using trmbench::test::FakeFileServer;
using trmbench::test::TempDir;

namespace {

std::string run(const std::string & args, int & rc) {
    std::string out;
    rc = trmbench::test::run_command(trmbench::test::trmbench_exe().string() + " " + args, out);
    return out;
}

std::string read(const fs::path & p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string maze_csv(int rows, char wall) {
    std::string out = "source,question,answer,rating\n";
    for (int r = 0; r < rows; ++r) out += "m" + std::to_string(r) + "," + std::string(900, wall) + "," + std::string(900, wall) + ",1\n";
    return out;
}

}  // namespace

TEST_CASE("data fetch --list shows names, sizes, licenses and URLs", "[cli][fetch]") {
    TempDir tmp;
    int rc = -1;
    std::string out = run("--data-dir " + (tmp / "data").string() + " data fetch --list", rc);
    CHECK(rc == 0);
    for (const char * s : {"arc-agi-1", "arc-agi-2", "conceptarc", "sudoku-extreme", "maze-30x30-hard-1k", "hrm-arc-2",
                           "hrm-sudoku-extreme", "hrm-maze-30x30-hard", "Apache-2.0", "MIT",
                           "https://github.com/fchollet/ARC-AGI/archive/399030444e0ab0cc8b4e199870fb20b863846f34.tar.gz",
                           "https://huggingface.co/datasets/sapientinc/sudoku-extreme/resolve/main/{train.csv,test.csv}",
                           "https://huggingface.co/sapientinc/HRM-checkpoint-ARC-2/resolve/main/{checkpoint,all_config.yaml}"}) {
        CAPTURE(s);
        CHECK_THAT(out, Catch::Contains(s));
    }
}

TEST_CASE("data fetch --from DIR installs the shared ARC data, then is a no-op", "[cli][fetch]") {
    TempDir tmp;
    std::string dd = "--data-dir " + (tmp / "data").string();
    std::string from = " --from " + (trmbench::test::shared_dir() / "data").string();
    int rc = -1;
    std::string out = run("-q " + dd + " data fetch arc" + from, rc);
    REQUIRE(rc == 0);
    CHECK_THAT(out, Catch::Contains("arc-agi-1: installed 801 files") && Catch::Contains("arc-agi-2: installed 1,123 files") &&
                        Catch::Contains("conceptarc: installed 177 files"));
    CHECK_THAT(out, Catch::Contains("651f2c8f0984c07ebfe7fe6d4bdbb7226105da5736260a1c8192f41cdb9642ea"));

    out = run(dd + " data list", rc);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("arc-agi-1/evaluation") && Catch::Contains("conceptarc/corpus"));

    out = run("-q " + dd + " data fetch arc-agi-1" + from, rc);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("arc-agi-1: up to date (801 files"));

    out = run("-q " + dd + " data fetch --verify", rc);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("arc-agi-2") && Catch::Contains("ok (1123 files re-hashed)"));

    // One byte changed in place: --verify fails with exit 1 and names the file.
    fs::path victim = tmp / "data/arc-agi-1/training/007bbfb7.json";
    std::string text = read(victim);
    text[text.size() / 2] = text[text.size() / 2] == '1' ? '2' : '1';
    fs::permissions(victim, fs::perms::owner_write, fs::perm_options::add);
    trmbench::test::write_text(victim, text);
    out = run("-q " + dd + " data fetch --verify arc-agi-1", rc);
    CHECK(rc == 1);
    CHECK_THAT(out, Catch::Contains("FAILED") && Catch::Contains("arc-agi-1/training/007bbfb7.json"));
    out = run("-q " + dd + " data fetch arc-agi-1 --force" + from, rc);
    CHECK(rc == 0);
    CHECK(read(victim) == read(trmbench::test::shared_dir() / "data/arc-agi-1/training/007bbfb7.json"));
}

TEST_CASE("data fetch --from URL downloads the Hugging Face layout", "[cli][fetch]") {
    FakeFileServer srv;
    TempDir tmp;
    std::string train = maze_csv(3, '#'), test = maze_csv(2, ' ');
    srv.set("/datasets/sapientinc/maze-30x30-hard-1k/resolve/main/train.csv", {.body = train, .headers = {{"X-Repo-Commit", "0badc0de"}}});
    srv.set("/datasets/sapientinc/maze-30x30-hard-1k/resolve/main/test.csv", {.body = test});
    std::string dd = "--data-dir " + (tmp / "data").string();
    int rc = -1;
    std::string out = run("-q " + dd + " data fetch maze-30x30-hard-1k --from " + srv.base_url(), rc);
    REQUIRE(rc == 0);
    CHECK_THAT(out, Catch::Contains("maze-30x30-hard-1k: installed 2 files") && Catch::Contains("0badc0de"));
    CHECK(read(tmp / "data/maze/maze-30x30-hard-1k/train.csv") == train);
    CHECK(read(tmp / "data/maze/maze-30x30-hard-1k/test.csv") == test);
    std::string manifest = read(tmp / "data/MANIFEST.json");
    CHECK_THAT(manifest, Catch::Contains("maze/maze-30x30-hard-1k/test.csv") &&
                             Catch::Contains(srv.base_url() + "/datasets/sapientinc/maze-30x30-hard-1k/resolve/main/test.csv"));

    size_t requests = srv.total_requests();
    out = run("-q " + dd + " data fetch maze-30x30-hard-1k --from " + srv.base_url(), rc);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("up to date"));
    CHECK(srv.total_requests() == requests);
}

TEST_CASE("data fetch reports 404 and unreachable hosts with exit code 4", "[cli][fetch]") {
    TempDir tmp;
    std::string dd = "--data-dir " + (tmp / "data").string();
    int rc = -1;
    SECTION("404") {
        FakeFileServer srv;
        std::string out = run("-q " + dd + " data fetch hrm-sudoku-extreme --from " + srv.base_url(), rc);
        CHECK(rc == 4);
        CHECK_THAT(out, Catch::Contains("hrm-sudoku-extreme") && Catch::Contains("HTTP 404") &&
                            Catch::Contains("/sapientinc/HRM-checkpoint-sudoku-extreme/resolve/main/checkpoint"));
    }
    SECTION("connection refused") {
        std::string url = "http://127.0.0.1:" + std::to_string(trmbench::test::closed_port());
        std::string out = run("-q " + dd + " data fetch sudoku-extreme --from " + url, rc);
        CHECK(rc == 4);
        CHECK_THAT(out, Catch::Contains("cannot reach 127.0.0.1:") &&
                            Catch::Contains("copy the files into " + (tmp / "data/sudoku/sudoku-extreme").string()) &&
                            Catch::Contains("--from DIR"));
        CHECK_FALSE(fs::exists(tmp / "data/sudoku/sudoku-extreme/train.csv"));
    }
}

TEST_CASE("data fetch offline: unresolvable and unroutable hosts fail fast with a clear message", "[cli][fetch]") {
    TempDir tmp;
    std::string dd = "--data-dir " + (tmp / "data").string();
    // No proxy: the test is about this machine's own connection.
    std::string no_proxy = "env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY -u all_proxy ";
    std::string host, from;
    SECTION("a name that does not resolve (no DNS)") {
        host = "trmbench-offline.invalid";  // .invalid never resolves (RFC 6761)
        from = "http://" + host;
    }
    SECTION("an address with no route (TEST-NET-1), 1 s connect timeout") {
        host = "192.0.2.1";
        from = "http://" + host + " --connect-timeout 1";
    }
    int rc = -1;
    std::string out;
    auto start = std::chrono::steady_clock::now();
    rc = trmbench::test::run_command(no_proxy + trmbench::test::trmbench_exe().string() + " -q " + dd +
                                         " data fetch arc-agi-1 --from " + from, out);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(out);
    CHECK(rc == 4);
    CHECK_THAT(out, Catch::Contains("arc-agi-1: cannot reach " + host) && Catch::Contains("offline") &&
                        Catch::Contains("copy the files into " + (tmp / "data/arc-agi-1/training").string()) &&
                        Catch::Contains("--from DIR"));
    CHECK(seconds < 30);  // no retry loop against a network that is not there
    CHECK_FALSE(fs::exists(tmp / "data/arc-agi-1"));
    CHECK_FALSE(fs::exists(tmp / "data/MANIFEST.json"));
}

TEST_CASE("data fetch usage errors exit with 2", "[cli][fetch]") {
    TempDir tmp;
    std::string dd = "--data-dir " + (tmp / "data").string();
    int rc = -1;
    std::string out = run(dd + " data fetch arc-agi-9", rc);
    CHECK(rc == 2);
    CHECK_THAT(out, Catch::Contains("unknown fetch name 'arc-agi-9'") && Catch::Contains("arc-agi-1"));
    out = run(dd + " data fetch", rc);
    CHECK(rc == 2);
    out = run(dd + " data fetch arc-agi-1 --revision v1", rc);
    CHECK(rc == 2);
    CHECK_THAT(out, Catch::Contains("pinned"));
    out = run(dd + " data fetch arc-agi-1 --from " + (tmp / "no-such-dir").string(), rc);
    CHECK(rc == 2);
    out = run(dd + " data fetch sudoku-extreme --from " + (trmbench::test::shared_dir() / "data").string(), rc);
    CHECK(rc == 2);
    CHECK_THAT(out, Catch::Contains("sudoku/sudoku-extreme/train.csv not found"));
}
