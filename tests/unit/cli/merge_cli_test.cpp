// `trmbench merge` end to end: exit codes (0 ok, 2 usage, 3 inconsistent shards, 4 unreadable
// database), the summary it prints, and --force.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "results/reader.h"
#include "results/store.h"
#include "tests/support/test_support.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

void write_shard(const fs::path & path, int shard, int count, const std::string & git = "abc1234") {
    ResultsStore store(path);
    RunInfo info;
    info.suite_name = "cli-suite";
    info.config_hash = "cli-hash";
    info.config_json = "{}";
    info.git_sha = git;
    info.shard_index = shard;
    info.shard_count = count;
    RunId run = store.begin_run(info);
    std::vector<ItemRecord> items;
    for (int i = 0; i < 6; ++i) {
        ItemRecord it;
        it.task_family = "sudoku";
        it.dataset = "sudoku/cli";
        it.example_id = "e" + std::to_string(i);
        it.group = it.example_id;
        it.position = i;
        it.target = Grid(1, 1, static_cast<uint8_t>(i));
        items.push_back(it);
    }
    store.insert_items(run, items);
    SolverInfo s;
    s.name = "trm";
    store.register_solver(run, s);
    for (const auto & it : items) {
        if (it.position % count != shard) continue;
        AttemptRecord a;
        a.run_id = run;
        a.solver = "trm";
        a.task_family = "sudoku";
        a.dataset = it.dataset;
        a.example_id = it.example_id;
        a.answer = it.target;
        a.measures = {{"exact", true}};
        store.record_attempt(a);
    }
    store.end_run(run, kRunCompleted);
}

std::string q(const fs::path & p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("trmbench merge combines shards and reports what it merged", "[cli]") {
    test::TempDir dir;
    write_shard(dir / "s0.db", 0, 2);
    write_shard(dir / "s1.db", 1, 2);
    std::string out;
    std::string cmd = q(test::trmbench_exe()) + " -q merge " + q(dir / "s0.db") + " " + q(dir / "s1.db") + " -o " +
                      q(dir / "all.db");
    int rc = test::run_command(cmd, out);
    INFO(out);
    REQUIRE(rc == 0);
    CHECK_THAT(out, Catch::Contains("shards {0,1} of 2 (complete)") && Catch::Contains("attempts 6"));
    ResultsReader r(dir / "all.db");
    REQUIRE(r.runs().size() == 1);
    CHECK(r.count_attempts(r.runs()[0].id) == 6);

    // Again: the output exists -> usage error, file untouched; --force replaces it.
    auto size = fs::file_size(dir / "all.db");
    rc = test::run_command(cmd, out);
    CHECK(rc == kExitUsage);
    CHECK_THAT(out, Catch::Contains("exists") && Catch::Contains("--force"));
    CHECK(fs::file_size(dir / "all.db") == size);
    rc = test::run_command(cmd + " --force", out);
    CHECK(rc == 0);
}

TEST_CASE("trmbench merge exit codes for bad inputs", "[cli]") {
    test::TempDir dir;
    write_shard(dir / "s0.db", 0, 2);
    write_shard(dir / "s1.db", 1, 2, "other-sha");
    test::write_text(dir / "junk.db", std::string(4096, 'x'));
    std::string out;
    auto merge = [&](const std::string & args) {
        return test::run_command(q(test::trmbench_exe()) + " -q merge " + args, out);
    };
    CHECK(merge(q(dir / "s0.db") + " " + q(dir / "s1.db") + " -o " + q(dir / "o.db")) == kExitInput);
    CHECK_THAT(out, Catch::Contains("git_sha") && Catch::Contains("other-sha"));
    CHECK(merge(q(dir / "s0.db") + " " + q(dir / "junk.db") + " -o " + q(dir / "o.db")) == kExitIo);
    CHECK_THAT(out, Catch::Contains("junk.db"));
    CHECK(merge(q(dir / "s0.db") + " " + q(dir / "nope.db") + " -o " + q(dir / "o.db")) == kExitUsage);
    CHECK(merge(q(dir / "s0.db")) == kExitUsage);  // no -o
    CHECK_FALSE(fs::exists(dir / "o.db"));
}
