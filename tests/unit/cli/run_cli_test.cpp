// `trmbench run` end to end: dry run, exit codes of bad suites, a baseline run and its resume, shards,
// and a database that is locked, read-only or from a newer schema (clear error, no stored row lost).
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "results/reader.h"
#include "tests/support/test_support.h"

using namespace trmbench;
using namespace trmbench::test;
namespace fs = std::filesystem;

namespace {

const char * kSuite = R"({
  "name": "cli-baselines",
  "tasks": [
    { "name": "sudoku", "family": "sudoku", "generate": { "n": 20, "seed": 2 }, "subset": { "size": 16, "seed": 1, "strata": [0, 1] } },
    { "name": "maze", "family": "maze", "generate": { "n": 4, "seed": 2, "options": { "size": 10 } } }
  ],
  "solvers": [
    { "kind": "baseline", "name": "sudoku-exact" },
    { "kind": "baseline", "name": "maze-bfs" },
    { "kind": "baseline", "name": "blank" }
  ]
})";
// 20 items (16 of 20 Sudoku, 4 mazes): sudoku-exact 16 + maze-bfs 4 + blank 20 attempts.
constexpr int kAttempts = 40;

// One generation cache for every workspace of the program (generated sets are deterministic).
const fs::path & shared_cache() {
    static TempDir cache;
    static bool once = [] {
        ::chmod(cache.path().c_str(), 0777);  // readable by the unprivileged user of the read-only test
        return true;
    }();
    (void)once;
    return cache.path();
}

// A directory the tests run trmbench in, with its own data dir.
struct Workspace {
    TempDir dir;
    Workspace() {
        ::chmod(dir.path().c_str(), 0777);  // also usable by the unprivileged user of the read-only test
        write_text(dir / "suite.json", kSuite);
        fs::create_directories(dir / "data");
        ::chmod((dir / "data").c_str(), 0777);
    }
    // Runs trmbench with `args` in the workspace; returns the exit code.
    int run(const std::string & args, std::string & out, const std::string & prefix = "") const {
        std::string cmd = "cd " + dir.path().string() + " && env TRMBENCH_CACHE=" + shared_cache().string() +
                          " SLURM_ARRAY_TASK_ID= SLURM_ARRAY_TASK_COUNT= " + prefix + trmbench_exe().string() +
                          " --data-dir " + (dir / "data").string() + " " + args + " </dev/null";
        return run_command(cmd, out);
    }
    fs::path operator/(const std::string & s) const { return dir / s; }
};

int64_t count_rows(const fs::path & db, const std::string & table) {
    sqlite3 * h = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt * st = nullptr;
    std::string sql = "SELECT count(*) FROM " + table;
    REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

void exec_sql(const fs::path & db, const std::string & sql) {
    sqlite3 * h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    char * err = nullptr;
    int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(h);
    REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("trmbench run --dry-run prints the plan and writes no database", "[cli][run]") {
    Workspace ws;
    std::string out;
    int rc = ws.run("run suite.json --dry-run", out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("suite cli-baselines") && Catch::Contains("generated/sudoku/n20-seed2  16 of 20") &&
                        Catch::Contains("sudoku-exact") && Catch::Contains("total 40 attempts") &&
                        Catch::Contains("dry run: nothing sent"));
    CHECK_FALSE(fs::exists(ws / "results.db"));
}

TEST_CASE("trmbench run: bad suites and options give the documented exit codes", "[cli][run]") {
    Workspace ws;
    std::string out;
    write_text(ws / "bad.json", R"({"tasks": [{"family": "sudoku", "generate": {"n": -1}}], "solvers": [{"kind": "baseline", "name": "blank"}]})");
    CHECK(ws.run("run bad.json --dry-run", out) == 3);
    CHECK_THAT(out, Catch::Contains("bad.json: tasks[0].generate.n: must be an integer in [1, "));

    write_text(ws / "unknown.json", R"({"tasks": [{"family": "sudoku", "generate": {"n": 2}}], "solvers": [{"kind": "baseline", "name": "oracle"}]})");
    CHECK(ws.run("run unknown.json --dry-run", out) == 2);
    CHECK_THAT(out, Catch::Contains("unknown.json: solvers[0].name: unknown baseline 'oracle' (known: sudoku-exact"));

    CHECK(ws.run("run no-such-suite", out) == 2);
    CHECK_THAT(out, Catch::Contains("unknown suite 'no-such-suite'") && Catch::Contains("default"));
    CHECK(ws.run("run suite.json --shard 3/3 --dry-run", out) == 2);
    CHECK_THAT(out, Catch::Contains("--shard: shard index must be in [0, 2]"));
    CHECK(ws.run("run suite.json --resume banana", out) == 2);
    CHECK(ws.run("run suite.json --task nope --dry-run", out) == 2);
    CHECK_THAT(out, Catch::Contains("--task: no task 'nope'") && Catch::Contains("sudoku, maze"));
}

TEST_CASE("trmbench run stores a run; a stopped run resumes to completion", "[cli][run]") {
    Workspace ws;
    std::string out;
    int rc = ws.run("run suite.json --db r.sqlite --stop-after 9", out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("run 1 interrupted") && Catch::Contains("9 attempts recorded") &&
                        Catch::Contains("resume with: trmbench --data-dir ") && Catch::Contains("run suite.json --db r.sqlite --resume 1"));
    CHECK(count_rows(ws / "r.sqlite", "items") == 20);
    CHECK(count_rows(ws / "r.sqlite", "attempts") == 9);

    // A plain re-run without a terminal: the hint, and a new run.
    rc = ws.run("run suite.json --db r.sqlite --stop-after 1", out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("run 1 (interrupted, 9 attempts stored") && Catch::Contains("--resume 1 (or --resume auto)") &&
                        Catch::Contains("run 2 interrupted"));

    rc = ws.run("run suite.json --db r.sqlite --resume 1", out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("resuming run 1") && Catch::Contains("run 1 completed") &&
                        Catch::Contains(std::to_string(kAttempts - 9) + " attempts recorded this session"));
    CHECK_THAT(out, Catch::Contains("sudoku-exact") && Catch::Contains("100.0%"));
    ResultsReader reader(ws / "r.sqlite");
    CHECK(reader.count_attempts(1) == kAttempts);
    CHECK(reader.run(1)->status == "completed");
    CHECK(reader.integrity_check() == "ok");
}

TEST_CASE("trmbench run picks the shard of a Slurm job array and names its database", "[cli][run]") {
    Workspace ws;
    std::string out;
    int rc = ws.run("run suite.json --db r.sqlite --new", out, "SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 ");
    INFO(out);
    // --db given: used as is.
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("Slurm job array: shard 1/2"));
    ResultsReader reader(ws / "r.sqlite");
    CHECK(reader.run(1)->shard_index == 1);
    CHECK(reader.run(1)->shard_count == 2);
    CHECK(reader.count_items(1) == 20);
    CHECK(reader.count_attempts(1) < kAttempts);

    // No --db: the suite's output with the shard in its name.
    rc = ws.run("run suite.json --shard 0/2", out);
    CHECK(rc == 0);
    CHECK(fs::exists(ws / "results.shard0of2.db"));
    ResultsReader other(ws / "results.shard0of2.db");
    CHECK(other.count_attempts(1) + reader.count_attempts(1) == kAttempts);
}

TEST_CASE("trmbench run on a locked database: a clear error, nothing lost", "[cli][run]") {
    Workspace ws;
    std::string out;
    REQUIRE(ws.run("run suite.json --db r.sqlite", out) == 0);
    sqlite3 * h = nullptr;
    REQUIRE(sqlite3_open((ws / "r.sqlite").c_str(), &h) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);  // another writer
    int rc = ws.run("run suite.json --db r.sqlite --new --busy-timeout 200", out);
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    INFO(out);
    CHECK(rc == 4);
    CHECK_THAT(out, Catch::Contains("r.sqlite") && Catch::Contains("locked"));
    CHECK(count_rows(ws / "r.sqlite", "attempts") == kAttempts);
    CHECK(count_rows(ws / "r.sqlite", "runs") == 1);
    CHECK(ResultsReader(ws / "r.sqlite").integrity_check() == "ok");
}

TEST_CASE("trmbench run on a read-only database: a clear error, nothing lost", "[cli][run]") {
    Workspace ws;
    std::string out;
    REQUIRE(ws.run("run suite.json --db r.sqlite", out) == 0);
    fs::path db = ws / "r.sqlite";
    ::chmod(db.c_str(), 0444);
    // Root ignores file permissions: run as an unprivileged user then.
    std::string as_user = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
    int rc = ws.run("run suite.json --db r.sqlite --new", out, as_user);
    ::chmod(db.c_str(), 0644);
    INFO(out);
    CHECK(rc == 4);
    CHECK_THAT(out, Catch::Contains("r.sqlite") && Catch::Contains("read-only"));
    CHECK(count_rows(db, "attempts") == kAttempts);
    CHECK(count_rows(db, "runs") == 1);
}

TEST_CASE("trmbench run on a database of a newer schema: a clear error, nothing lost", "[cli][run]") {
    Workspace ws;
    std::string out;
    REQUIRE(ws.run("run suite.json --db r.sqlite", out) == 0);
    fs::path db = ws / "r.sqlite";
    exec_sql(db, "PRAGMA user_version = 999");
    int rc = ws.run("run suite.json --db r.sqlite", out);
    INFO(out);
    CHECK(rc == 4);
    CHECK_THAT(out, Catch::Contains("schema version 999") && Catch::Contains("newer trmbench"));
    CHECK(count_rows(db, "attempts") == kAttempts);
    CHECK(count_rows(db, "runs") == 1);
}

TEST_CASE("trmbench run --print-suite and --list-suites show the built-in suites", "[cli][run]") {
    Workspace ws;
    std::string out;
    CHECK(ws.run("run --list-suites", out) == 0);
    CHECK_THAT(out, Catch::Contains("default"));
    CHECK(ws.run("run --print-suite default", out) == 0);
    write_text(ws / "copy.json", out);
    CHECK(ws.run("run copy.json --dry-run --task sudoku-generated", out) == 0);  // the printed suite is a valid suite file
    CHECK_THAT(out, Catch::Contains("suite default (copy.json)"));
}
