// Tests of fetch_source / verify_sources (adapters/download_fetch.h) with sources pointed at a local
// server: archive and Hugging Face layouts, the manifest and its no-op re-run, pinned-hash and
// archive failures that install nothing, --from DIR, offline messages, and the source table itself.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "adapters/download_fetch.h"
#include "adapters/download_sources.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "tests/support/test_support.h"
#include "tests/unit/adapters/download_tar_writer.h"
#include "tests/unit/adapters/download_test_server.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace trmbench;
using trmbench::test::FakeFileServer;

namespace {

DataSource toy_archive_source() {
    DataSource s;
    s.name = "toy-arc";
    s.category = "dataset";
    s.kind = SourceKind::github_archive;
    s.repo = "someone/Toy";
    s.revision = "0123456789abcdef0123456789abcdef01234567";
    s.rules = {{"data/training/", "toy/training/", ".json"}, {"LICENSE", "toy/LICENSE", ""}};
    s.local_dirs = {"toy/training"};
    return s;
}

DataSource toy_hf_source() {
    DataSource s;
    s.name = "toy-hf";
    s.category = "dataset";
    s.kind = SourceKind::huggingface;
    s.repo = "someone/toy-set";
    s.revision = "main";
    s.hf_dataset = true;
    s.files = {{"train.csv", "toyset/train.csv"}, {"test.csv", "toyset/test.csv"}};
    s.local_dirs = {"toyset"};
    return s;
}

std::string toy_archive() {
    return trmbench::test::make_tar_gz({
        {"Toy-0123456789abcdef0123456789abcdef01234567/LICENSE", "MIT"},
        {"Toy-0123456789abcdef0123456789abcdef01234567/README.md", "readme"},
        {"Toy-0123456789abcdef0123456789abcdef01234567/data/training/a.json", "{\"a\":1}"},
        {"Toy-0123456789abcdef0123456789abcdef01234567/data/training/b.json", "{\"b\":2}"},
        {"Toy-0123456789abcdef0123456789abcdef01234567/data/training/notes.txt", "skip"},
    });
}

FetchOptions options(const fs::path & data_dir, const std::string & from) {
    FetchOptions o;
    o.data_dir = data_dir;
    o.from = from;
    o.quiet = true;
    o.retry_delay_s = 0;
    o.connect_timeout_s = 5;
    return o;
}

const std::string kArchivePath = "/someone/Toy/archive/0123456789abcdef0123456789abcdef01234567.tar.gz";

json manifest(const fs::path & data_dir) { return json::parse(read_file(data_dir / "MANIFEST.json")); }

}  // namespace

TEST_CASE("fetch_source installs a GitHub archive and records it", "[fetch]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    srv.set(kArchivePath, {.body = toy_archive()});
    DataSource s = toy_archive_source();
    FetchOptions o = options(tmp / "data", srv.base_url());

    FetchReport r = fetch_source(s, o);
    CHECK_FALSE(r.up_to_date);
    CHECK(r.files == 3);
    CHECK(r.revision == s.revision);
    CHECK(read_file(tmp / "data/toy/training/a.json") == "{\"a\":1}");
    CHECK(read_file(tmp / "data/toy/LICENSE") == "MIT");
    CHECK_FALSE(fs::exists(tmp / "data/toy/training/notes.txt"));
    CHECK_FALSE(fs::exists(tmp / "data/.fetch/toy-arc"));  // work area cleaned up

    json m = manifest(tmp / "data");
    const json & e = m["sources"]["toy-arc"];
    CHECK(e["revision"] == s.revision);
    CHECK(e["source"] == srv.base_url() + kArchivePath);
    CHECK(e["files"]["toy/training/b.json"]["sha256"] == sha256_hex("{\"b\":2}"));
    CHECK(e["files"]["toy/training/b.json"]["size"] == 7);
    CHECK(e["files"]["toy/LICENSE"]["url"] == srv.base_url() + kArchivePath + "#LICENSE");
    CHECK(e["content_sha256"] == r.content_sha256);
    CHECK_FALSE(e["fetched_at"].get<std::string>().empty());
    std::string sums = read_file(tmp / "data/MANIFEST.sha256");
    CHECK_THAT(sums, Catch::Contains(sha256_hex("MIT") + "  toy/LICENSE\n"));
    std::string out;  // the listing is what sha256sum -c expects
    CHECK(trmbench::test::run_command("cd '" + (tmp / "data").string() + "' && sha256sum -c --quiet MANIFEST.sha256", out) == 0);

    SECTION("a re-run with a matching manifest is a no-op") {
        size_t before = srv.total_requests();
        FetchReport again = fetch_source(s, o);
        CHECK(again.up_to_date);
        CHECK(again.files == 3);
        CHECK(srv.total_requests() == before);
    }
    SECTION("a missing or resized file makes it fetch again") {
        fs::remove(tmp / "data/toy/training/a.json");
        CHECK_FALSE(fetch_source(s, o).up_to_date);
        CHECK(fs::exists(tmp / "data/toy/training/a.json"));
    }
    SECTION("--force fetches again") {
        o.force = true;
        CHECK_FALSE(fetch_source(s, o).up_to_date);
        CHECK(srv.requests(kArchivePath).size() == 2);
    }
    SECTION("verify_sources re-hashes and finds a changed file") {
        auto ok = verify_sources(tmp / "data", {}, true);
        REQUIRE(ok.size() == 1);
        CHECK(ok[0].problems.empty());
        CHECK(ok[0].files_ok == 3);
        trmbench::test::write_text(tmp / "data/toy/training/a.json", "{\"a\":9}");  // same size, other bytes
        CHECK(fetch_source(s, o).up_to_date);  // sizes match: only --verify notices
        auto bad = verify_sources(tmp / "data", {"toy-arc"}, true);
        REQUIRE(bad[0].problems.size() == 1);
        CHECK_THAT(bad[0].problems[0], Catch::Contains("toy/training/a.json"));
        auto missing = verify_sources(tmp / "data", {"not-installed"}, true);
        CHECK_THAT(missing[0].problems.at(0), Catch::Contains("not installed"));
    }
    SECTION("files that a newer version dropped are removed; other files are reported, not touched") {
        trmbench::test::write_text(tmp / "data/toy/training/mine.json", "user file");
        srv.set(kArchivePath, {.body = trmbench::test::make_tar_gz({{"Toy-x/data/training/a.json", "{\"a\":1}"}, {"Toy-x/LICENSE", "MIT"}})});
        o.force = true;
        FetchReport r2 = fetch_source(s, o);
        CHECK(r2.files == 2);
        CHECK_FALSE(fs::exists(tmp / "data/toy/training/b.json"));
        CHECK(read_file(tmp / "data/toy/training/mine.json") == "user file");
        CHECK(r2.unmanaged == std::vector<std::string>{"toy/training/mine.json"});
    }
}

TEST_CASE("fetch_source checks the pinned content hash and installs nothing on a mismatch", "[fetch]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    srv.set(kArchivePath, {.body = toy_archive()});
    DataSource s = toy_archive_source();
    s.content_sha256 = content_sha256({{"toy/LICENSE", sha256_hex("MIT")},
                                       {"toy/training/a.json", sha256_hex("{\"a\":1}")},
                                       {"toy/training/b.json", sha256_hex("{\"b\":2}")}});
    FetchOptions o = options(tmp / "data", srv.base_url());
    CHECK(fetch_source(s, o).content_sha256 == s.content_sha256);

    trmbench::test::TempDir tmp2;
    srv.set(kArchivePath, {.body = trmbench::test::make_tar_gz({{"Toy-x/data/training/a.json", "{\"a\":666}"}, {"Toy-x/LICENSE", "MIT"}})});
    FetchOptions o2 = options(tmp2 / "data", srv.base_url());
    CHECK_THROWS_AS(fetch_source(s, o2), InputError);
    CHECK_THROWS_WITH(fetch_source(s, o2), Catch::Contains("differs from the pinned") && Catch::Contains("nothing was installed"));
    CHECK_FALSE(fs::exists(tmp2 / "data/toy"));
    CHECK_FALSE(fs::exists(tmp2 / "data/MANIFEST.json"));
}

TEST_CASE("fetch_source rejects bad archives without installing anything", "[fetch]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    DataSource s = toy_archive_source();
    FetchOptions o = options(tmp / "data", srv.base_url());
    std::string good = toy_archive();
    SECTION("truncated gzip") { srv.set(kArchivePath, {.body = good.substr(0, good.size() - 20)}); }
    SECTION("path traversal") {
        srv.set(kArchivePath, {.body = trmbench::test::make_tar_gz({{"Toy-x/data/training/a.json", "1"}, {"../../x", "evil"}})});
    }
    SECTION("no expected files") { srv.set(kArchivePath, {.body = trmbench::test::make_tar_gz({{"Toy-x/README", "1"}})}); }
    CHECK_THROWS_AS(fetch_source(s, o), InputError);
    CHECK_FALSE(fs::exists(tmp / "data/toy"));
    CHECK_FALSE(fs::exists(tmp / "x"));
    CHECK_FALSE(fs::exists(tmp / "data/MANIFEST.json"));
    CHECK_FALSE(fs::exists(tmp / "data/.fetch/toy-arc" / (s.revision + ".tar.gz")));  // not reused next time
}

TEST_CASE("fetch_source downloads Hugging Face files and records X-Repo-Commit", "[fetch]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    std::string train = "source,question,answer,rating\nx,1,2,3\n", test = "source,question,answer,rating\ny,4,5,6\n";
    std::map<std::string, std::string> commit = {{"X-Repo-Commit", "feedbeef"}};
    srv.set("/datasets/someone/toy-set/resolve/main/train.csv", {.body = train, .headers = commit});
    srv.set("/datasets/someone/toy-set/resolve/main/test.csv", {.body = test, .headers = commit});
    DataSource s = toy_hf_source();
    FetchOptions o = options(tmp / "data", srv.base_url() + "/");  // a trailing slash is fine

    FetchReport r = fetch_source(s, o);
    CHECK(r.files == 2);
    CHECK(r.revision == "feedbeef");
    CHECK(read_file(tmp / "data/toyset/train.csv") == train);
    CHECK(read_file(tmp / "data/toyset/test.csv") == test);
    json e = manifest(tmp / "data")["sources"]["toy-hf"];
    CHECK(e["requested_revision"] == "main");
    CHECK(e["revision"] == "feedbeef");
    CHECK(e["files"]["toyset/test.csv"]["url"] == srv.base_url() + "/datasets/someone/toy-set/resolve/main/test.csv");
    CHECK(e["files"]["toyset/test.csv"]["sha256"] == sha256_hex(test));
    CHECK(fetch_source(s, o).up_to_date);

    SECTION("another revision is another install") {
        srv.set("/datasets/someone/toy-set/resolve/v2/train.csv", {.body = train});
        srv.set("/datasets/someone/toy-set/resolve/v2/test.csv", {.body = test + "z,7,8,9\n"});
        o.revision = "v2";
        FetchReport r2 = fetch_source(s, o);
        CHECK_FALSE(r2.up_to_date);
        CHECK(r2.revision == "v2");
        CHECK(read_file(tmp / "data/toyset/test.csv") == test + "z,7,8,9\n");
    }
}

TEST_CASE("fetch_source resumes a Hugging Face file on the next run", "[fetch]") {
    FakeFileServer srv;
    trmbench::test::TempDir tmp;
    std::string big(300'000, 'q');
    for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
    srv.set("/datasets/someone/toy-set/resolve/main/train.csv", {.body = big, .etag = "\"t\"", .drop_first_n = 1, .drop_at = 100'000});
    srv.set("/datasets/someone/toy-set/resolve/main/test.csv", {.body = "t\n"});
    DataSource s = toy_hf_source();
    FetchOptions o = options(tmp / "data", srv.base_url());
    o.max_attempts = 1;
    CHECK_THROWS_AS(fetch_source(s, o), IoError);
    CHECK_FALSE(fs::exists(tmp / "data/toyset/train.csv"));
    CHECK_FALSE(fs::exists(tmp / "data/MANIFEST.json"));
    fetch_source(s, o);
    CHECK(read_file(tmp / "data/toyset/train.csv") == big);
    auto log = srv.requests("/datasets/someone/toy-set/resolve/main/train.csv");
    CHECK(log.back().range == "bytes=100000-");
    CHECK(manifest(tmp / "data")["sources"]["toy-hf"]["files"]["toyset/train.csv"]["sha256"] == sha256_hex(big));
}

TEST_CASE("fetch_source explains an unreachable host and points at --from DIR", "[fetch]") {
    trmbench::test::TempDir tmp;
    FetchOptions o = options(tmp / "data", "http://127.0.0.1:" + std::to_string(trmbench::test::closed_port()));
    for (const DataSource & s : {toy_hf_source(), toy_archive_source()}) {
        try {
            fetch_source(s, o);
            FAIL("expected an IoError");
        } catch (const IoError & e) {
            CHECK(e.exit_code() == kExitIo);
            CHECK_THAT(e.what(), Catch::Contains("cannot reach 127.0.0.1:") && Catch::Contains("copy the files into") &&
                                     Catch::Contains((tmp / "data" / s.local_dirs[0]).string()) && Catch::Contains("--from DIR"));
        }
    }
}

TEST_CASE("fetch_source copies from a directory with the data-dir layout", "[fetch]") {
    trmbench::test::TempDir src, tmp;
    trmbench::test::write_text(src / "toy/training/a.json", "{\"a\":1}");
    trmbench::test::write_text(src / "toy/training/deeper/c.json", "not selected: not recursive");
    trmbench::test::write_text(src / "toy/LICENSE", "MIT");
    trmbench::test::write_text(src / "toy/other.txt", "not selected");
    DataSource s = toy_archive_source();

    FetchReport r = fetch_source(s, options(tmp / "data", src.path().string()));
    CHECK(r.files == 2);
    CHECK(read_file(tmp / "data/toy/training/a.json") == "{\"a\":1}");
    CHECK_FALSE(fs::exists(tmp / "data/toy/other.txt"));
    CHECK_THAT(manifest(tmp / "data")["sources"]["toy-arc"]["via"].get<std::string>(), Catch::StartsWith("dir:"));

    SECTION("hard links with --link") {
        FetchOptions o = options(tmp / "linked", src.path().string());
        o.link = true;
        fetch_source(s, o);
        CHECK(fs::hard_link_count(src / "toy/LICENSE") == 2);
    }
    SECTION("adopting files already in the data dir") {
        FetchReport adopt = fetch_source(s, options(src.path(), src.path().string()));
        CHECK(adopt.files == 2);
        CHECK(fs::exists(src / "MANIFEST.json"));
        CHECK(read_file(src / "toy/training/a.json") == "{\"a\":1}");
    }
    SECTION("a directory without the files is a usage error") {
        trmbench::test::TempDir empty;
        CHECK_THROWS_AS(fetch_source(s, options(tmp / "d2", empty.path().string())), UsageError);
        CHECK_THROWS_WITH(fetch_source(toy_hf_source(), options(tmp / "d2", empty.path().string())),
                          Catch::Contains("toyset/train.csv not found"));
        CHECK_THROWS_AS(fetch_source(s, options(tmp / "d2", (empty / "nope").string())), UsageError);
    }
}

TEST_CASE("the shared data copies of the ARC sets match the pinned hashes", "[fetch]") {
    fs::path shared = trmbench::test::shared_dir() / "data";
    trmbench::test::TempDir tmp;
    for (const char * name : {"arc-agi-1", "arc-agi-2", "conceptarc"}) {
        CAPTURE(name);
        const DataSource * s = find_data_source(name);
        REQUIRE(s);
        FetchOptions o = options(tmp / "data", shared.string());
        o.link = true;
        FetchReport r = fetch_source(*s, o);
        CHECK(r.content_sha256 == s->content_sha256);
    }
    CHECK(fs::is_regular_file(tmp / "data/arc-agi-1/training/007bbfb7.json"));
    CHECK(fs::is_regular_file(tmp / "data/arc-agi-2/training.txt"));
    CHECK(fs::is_regular_file(tmp / "data/conceptarc/corpus/AboveBelow/AboveBelow1.json"));
    auto v = verify_sources(tmp / "data", {}, true);
    REQUIRE(v.size() == 3);
    for (const auto & r : v) CHECK(r.problems.empty());
}

TEST_CASE("the source table: names, groups, URLs and mappings", "[fetch]") {
    auto names = [](const std::vector<const DataSource *> & v) {
        std::vector<std::string> out;
        for (auto * s : v) out.push_back(s->name);
        return out;
    };
    CHECK(names(resolve_source_names({"arc"})) == std::vector<std::string>{"arc-agi-1", "arc-agi-2", "conceptarc"});
    CHECK(names(resolve_source_names({"checkpoints", "sudoku-extreme"})) ==
          std::vector<std::string>{"sudoku-extreme", "hrm-arc-2", "hrm-sudoku-extreme", "hrm-maze-30x30-hard"});
    CHECK(resolve_source_names({"all"}).size() == data_sources().size());
    CHECK_THROWS_AS(resolve_source_names({"arc-agi-3"}), UsageError);

    const DataSource & a1 = *find_data_source("arc-agi-1");
    CHECK(archive_url(a1, "https://github.com") ==
          "https://github.com/fchollet/ARC-AGI/archive/399030444e0ab0cc8b4e199870fb20b863846f34.tar.gz");
    CHECK(map_archive_member(a1, "data/training/007bbfb7.json") == "arc-agi-1/training/007bbfb7.json");
    CHECK(map_archive_member(a1, "LICENSE") == "arc-agi-1/LICENSE");
    CHECK_FALSE(map_archive_member(a1, "apps/js/common.js"));
    CHECK_FALSE(map_archive_member(a1, "data/training/sub/x.json"));
    CHECK(is_source_file(a1, "arc-agi-1/evaluation/00576224.json"));
    CHECK_FALSE(is_source_file(a1, "arc-agi-1/kaggle/x.json"));

    const DataSource & c = *find_data_source("conceptarc");
    CHECK(map_archive_member(c, "corpus/AboveBelow/AboveBelow1.json") == "conceptarc/corpus/AboveBelow/AboveBelow1.json");
    CHECK_FALSE(map_archive_member(c, "corpus/AboveBelow/.DS_Store"));

    const DataSource & sx = *find_data_source("sudoku-extreme");
    CHECK(file_url(sx, sx.files[0], "https://huggingface.co", "") ==
          "https://huggingface.co/datasets/sapientinc/sudoku-extreme/resolve/main/train.csv");
    CHECK(sx.files[1].local == "sudoku/sudoku-extreme/test.csv");
    const DataSource & ck = *find_data_source("hrm-sudoku-extreme");
    CHECK(file_url(ck, ck.files[0], "https://huggingface.co", "") ==
          "https://huggingface.co/sapientinc/HRM-checkpoint-sudoku-extreme/resolve/main/checkpoint");
    CHECK(find_data_source("maze-30x30-hard-1k")->files[0].local == "maze/maze-30x30-hard-1k/train.csv");
}
