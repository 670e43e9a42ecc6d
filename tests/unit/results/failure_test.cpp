// Bad input and failures: a database locked by another writer past the busy timeout, a read-only
// file, a read-only directory, and a disk that fills up during a write. Each gives a clear error
// naming the database, and afterwards every previously committed row is intact and
// PRAGMA integrity_check is ok.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

#include "results/cache.h"
#include "results/reader.h"
#include "results/sqlite.h"
#include "results/store.h"
#include "tests/support/test_support.h"
#include "tests/unit/results/fixtures.h"

using namespace trmbench;

namespace {

// A database with one run, `n` items, one solver and `n` attempts, closed cleanly.
RunId populate(const std::filesystem::path & path, int n) {
    ResultsStore store(path);
    RunId run = store.begin_run(test::sample_run());
    auto items = test::sample_items(n);
    store.insert_items(run, items);
    store.register_solver(run, test::sample_solver("s"));
    for (int i = 0; i < n; ++i) store.record_attempt(test::sample_attempt(run, "s", items[static_cast<size_t>(i)], 0, i));
    store.response_cache().put("k0", "openai", "m", {200, "body", "{}"});
    store.close();
    return run;
}

void check_intact(const std::filesystem::path & path, int n) {
    CHECK(test::count_rows(path, "attempts") == n);
    CHECK(test::count_rows(path, "items") == n);
    CHECK(test::count_rows(path, "runs") == 1);
    CHECK(test::count_rows(path, "response_cache") == 1);
    CHECK(test::integrity(path) == "ok");
}

}  // namespace

TEST_CASE("a database locked by another writer gives a clear error and loses nothing", "[results]") {
    test::TempDir dir;
    auto path = dir / "locked.db";
    RunId run = populate(path, 10);
    StoreOptions o;
    o.busy_timeout_ms = 150;
    auto items = test::sample_items(12);
    {
        ResultsStore store(path, o);  // opening needs no write lock
        sql::Database other(path, {sql::OpenMode::read_write, 1000, ""});
        other.exec("BEGIN IMMEDIATE");  // another process holding the write lock

        try {
            store.begin_run(test::sample_run("other"));
            FAIL("begin_run succeeded under a lock");
        } catch (const sql::DbError & e) {
            CHECK(e.primary_code() == SQLITE_BUSY);
            CHECK(e.exit_code() == kExitIo);
            CHECK_THAT(e.what(), Catch::Contains(path.string()) && Catch::Contains("locked") &&
                                     Catch::Contains("150 ms") && Catch::Contains("INSERT INTO runs"));
        }
        // The writer thread meets the same lock; its error reaches the caller.
        store.record_attempt(test::sample_attempt(run, "s", items[10], 0, 10));
        CHECK_THROWS_WITH(store.flush(), Catch::Contains("locked") && Catch::Contains(path.string()) &&
                                             Catch::Contains("1 queued records were not stored"));
        // The cache put fails too, and says so.
        CHECK_THROWS_WITH(store.response_cache().put("k1", "p", "m", {200, "b", "{}"}), Catch::Contains("locked"));
        other.exec("ROLLBACK");
    }
    check_intact(path, 10);
    // Once the lock is gone the run resumes normally.
    ResultsStore store(path, o);
    store.insert_items(run, items);  // the manifest first: the writer may run at once
    store.record_attempt(test::sample_attempt(run, "s", items[10], 0, 10));
    store.record_attempt(test::sample_attempt(run, "s", items[11], 0, 11));
    store.close();
    CHECK(test::count_rows(path, "attempts") == 12);
}

TEST_CASE("a read-only database file is refused for writing but still readable", "[results]") {
    test::TempDir dir;
    auto path = dir / "ro.db";
    populate(path, 5);
    ::chmod(dir.path().c_str(), 0777);  // the directory is writable: only the file is read-only
    ::chmod(path.c_str(), 0444);
    // As root, permissions do not apply: the child drops to an unprivileged user first.
    auto child = test::run_child(
        [&](std::string & msg) {
            try {
                ResultsStore store(path);
                msg = "opened for writing";
                return 1;
            } catch (const sql::DbError & e) {
                msg = e.what();
                if (e.exit_code() != kExitIo) return 2;
            }
            ResultsReader reader(path);  // reports still work (no -shm can be created: read immutable)
            return reader.count_attempts(1) == 5 ? 0 : 3;
        },
        true);
    INFO(child.output);
    CHECK(child.exit_code == 0);
    CHECK_THAT(child.output, Catch::Contains(path.string()) && Catch::Contains("read-only"));
    ::chmod(path.c_str(), 0644);
    check_intact(path, 5);
}

TEST_CASE("a database in a read-only directory is refused for writing with the reason", "[results]") {
    test::TempDir dir;
    auto sub = dir / "results";
    std::filesystem::create_directories(sub);
    auto path = sub / "rodir.db";
    populate(path, 4);
    ::chmod(dir.path().c_str(), 0755);
    ::chmod(path.c_str(), 0666);
    ::chmod(sub.c_str(), 0555);
    auto child = test::run_child(
        [&](std::string & msg) {
            try {
                ResultsStore store(path);
                msg = "opened for writing";
                return 1;
            } catch (const sql::DbError & e) {
                msg = e.what();
            }
            ResultsReader reader(path);
            return reader.count_attempts(1) == 4 ? 0 : 3;
        },
        true);
    INFO(child.output);
    CHECK(child.exit_code == 0);
    CHECK_THAT(child.output, Catch::Contains("not writable") && Catch::Contains("-wal"));
    ::chmod(sub.c_str(), 0755);
    check_intact(path, 4);
}

TEST_CASE("a disk that fills up during writes fails cleanly and keeps every committed row", "[results]") {
    test::TempDir dir;
    auto path = dir / "full.db";
    StoreOptions o;
    o.vfs = test::faulty_vfs_name();
    auto items = test::sample_items(60);
    {
        ResultsStore store(path, o);
        RunId run = store.begin_run(test::sample_run());
        store.insert_items(run, std::span(items).first(50));
        store.register_solver(run, test::sample_solver("s"));
        for (int i = 0; i < 40; ++i) store.record_attempt(test::sample_attempt(run, "s", items[static_cast<size_t>(i)], 0, i));
        store.flush();
        SqliteResponseCache cache(path, 1000, o.vfs);
        cache.put("k0", "openai", "m", {200, "body", "{}"});

        test::set_disk_full(true);
        // Synchronous path: a large manifest insert.
        auto many = test::sample_items(5000, "maze/big", "maze");
        CHECK_THROWS_WITH(store.insert_items(run, many), Catch::Contains("full") && Catch::Contains(path.string()));
        // Writer path: a large attempt.
        AttemptRecord big = test::sample_attempt(run, "s", items[40], 0, 40);
        big.raw_text.assign(8 << 20, 'z');
        store.record_attempt(big);
        try {
            store.flush();
            FAIL("flush succeeded on a full disk");
        } catch (const sql::DbError & e) {
            CHECK(e.primary_code() == SQLITE_FULL);
            CHECK_THAT(e.what(), Catch::Contains(path.string()) && Catch::Contains("full"));
        }
        // Cache path.
        CHECK_THROWS_WITH(cache.put("k1", "openai", "m", {200, std::string(8 << 20, 'y'), "{}"}), Catch::Contains("full"));
        test::set_disk_full(false);
        CHECK_NOTHROW(store.close());
    }
    CHECK(test::count_rows(path, "attempts") == 40);
    CHECK(test::count_rows(path, "items") == 50);
    CHECK(test::count_rows(path, "response_cache") == 1);
    CHECK(test::integrity(path) == "ok");
    // And the database is usable again once there is space.
    ResultsStore store(path);
    store.record_attempt(test::sample_attempt(1, "s", items[40], 0, 40));
    store.close();
    CHECK(test::count_rows(path, "attempts") == 41);
}
