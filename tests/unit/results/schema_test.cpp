// Schema version, migrations and connection settings: a version-1 database written by hand is
// upgraded with its rows intact, a newer one is refused untouched, and every connection runs in
// WAL mode with a busy timeout and foreign keys on.
#include <catch2/catch.hpp>

#include "harness/core/paths.h"
#include "results/cache.h"
#include "results/reader.h"
#include "results/schema.h"
#include "results/sqlite.h"
#include "results/store.h"
#include "tests/support/test_support.h"
#include "tests/unit/results/fixtures.h"

using namespace trmbench;

namespace {

// The version-1 layout as released (frozen here on purpose: the test must not follow later edits
// of the migration code), with one run, solver, item, attempt and api call.
void write_v1_database(const std::filesystem::path & path) {
    sql::Database db(path, {sql::OpenMode::read_write_create, 1000, ""});
    db.exec(R"sql(
PRAGMA application_id = 1414679874;
CREATE TABLE runs (id INTEGER PRIMARY KEY, created_at_ms INTEGER NOT NULL, finished_at_ms INTEGER,
  status TEXT NOT NULL, git_sha TEXT NOT NULL, harness_version TEXT NOT NULL, host TEXT NOT NULL, cpu TEXT NOT NULL,
  gpu TEXT NOT NULL, suite_name TEXT NOT NULL, config_json TEXT NOT NULL, config_hash TEXT NOT NULL,
  dataset_hashes_json TEXT NOT NULL, prompt_hashes_json TEXT NOT NULL, seeds_json TEXT NOT NULL,
  price_table_date TEXT NOT NULL, shard_index INTEGER NOT NULL, shard_count INTEGER NOT NULL,
  merged_from_json TEXT NOT NULL DEFAULT '');
CREATE INDEX runs_by_config ON runs(config_hash, shard_index, shard_count);
CREATE TABLE solvers (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL,
  kind TEXT NOT NULL, provider TEXT NOT NULL, model_id TEXT NOT NULL, n_params INTEGER, active_params INTEGER,
  checkpoint_sha256 TEXT NOT NULL, device TEXT NOT NULL, dtype TEXT NOT NULL, config_json TEXT NOT NULL,
  UNIQUE(run_id, name));
CREATE TABLE items (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), task_family TEXT NOT NULL,
  dataset TEXT NOT NULL, example_id TEXT NOT NULL, grp TEXT NOT NULL, pair_index INTEGER NOT NULL,
  position INTEGER NOT NULL, difficulty REAL, stratum TEXT NOT NULL, target_json TEXT, UNIQUE(run_id, dataset, example_id));
CREATE TABLE attempts (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
  solver_id INTEGER NOT NULL REFERENCES solvers(id), item_id INTEGER NOT NULL REFERENCES items(id),
  attempt INTEGER NOT NULL, outcome TEXT NOT NULL, correct INTEGER, answer_json TEXT, measures_json TEXT,
  error TEXT NOT NULL, steps_correct TEXT, input_tokens INTEGER, cached_input_tokens INTEGER, output_tokens INTEGER,
  reasoning_tokens INTEGER, total_tokens INTEGER, cost_usd REAL, flops REAL, flops_estimated INTEGER NOT NULL,
  wall_ms REAL, device_ms REAL, act_steps INTEGER, http_status INTEGER NOT NULL, request_id TEXT NOT NULL,
  retries INTEGER NOT NULL, rate_limit_wait_ms REAL NOT NULL, created_at_ms INTEGER NOT NULL,
  UNIQUE(solver_id, item_id, attempt));
CREATE TABLE attempt_details (attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
  raw_text TEXT NOT NULL, reasoning_text TEXT NOT NULL, usage_json TEXT, steps_json TEXT);
CREATE TABLE api_calls (id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), solver TEXT NOT NULL,
  provider TEXT NOT NULL, model_id TEXT NOT NULL, example_id TEXT NOT NULL, attempt INTEGER NOT NULL,
  cache_key TEXT NOT NULL, started_at_ms INTEGER NOT NULL, latency_ms REAL NOT NULL, http_status INTEGER NOT NULL,
  retries INTEGER NOT NULL, wait_ms REAL NOT NULL, outcome TEXT NOT NULL, error TEXT NOT NULL,
  request_id TEXT NOT NULL, request_json TEXT NOT NULL, response_body TEXT NOT NULL);
CREATE INDEX api_calls_by_run ON api_calls(run_id, solver, example_id);
CREATE TABLE response_cache (key TEXT PRIMARY KEY, provider TEXT NOT NULL, model_id TEXT NOT NULL,
  http_status INTEGER NOT NULL, body BLOB NOT NULL, headers_json TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE TABLE batch_jobs (batch_id TEXT PRIMARY KEY, run_id INTEGER REFERENCES runs(id), provider TEXT NOT NULL,
  solver TEXT NOT NULL, status TEXT NOT NULL, input_file_id TEXT NOT NULL, output_file_id TEXT NOT NULL,
  custom_ids_json TEXT NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
  collected INTEGER NOT NULL DEFAULT 0);
CREATE INDEX batch_jobs_open ON batch_jobs(solver, collected);
INSERT INTO runs VALUES (1, 1000, NULL, 'interrupted', 'sha1', '0.0.9', 'h', 'c', '', 'old-suite', '{}', 'oldhash',
  '{"sudoku/test":"d1"}', '{}', '{"subset":3}', '2024-12-01', 0, 1, '');
INSERT INTO solvers VALUES (1, 1, 'trm', 'local', 'torch', 'm', 7000000, NULL, 'sha', 'cpu', 'float32', '{}');
INSERT INTO items VALUES (1, 1, 'sudoku', 'sudoku/test', 'ex0', 'ex0', 0, 0, 12.5, '', '[[1,2],[3,4]]');
INSERT INTO items VALUES (2, 1, 'sudoku', 'sudoku/test', 'ex1', 'ex1', 0, 1, NULL, '', '[[4,3],[2,1]]');
INSERT INTO attempts (id, run_id, solver_id, item_id, attempt, outcome, correct, answer_json, measures_json, error,
  steps_correct, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost_usd, flops,
  flops_estimated, wall_ms, device_ms, act_steps, http_status, request_id, retries, rate_limit_wait_ms, created_at_ms)
  VALUES (1, 1, 1, 1, 0, 'ok', 1, '[[1,2],[3,4]]', '{"exact":true}', '', NULL, 10, NULL, 5, NULL, 15, 0.5, 1e9, 0,
  12.0, NULL, 4, 0, '', 0, 0, 2000);
INSERT INTO attempt_details VALUES (1, 'raw', '', NULL, NULL);
INSERT INTO api_calls VALUES (1, 1, 'trm', 'p', 'm', 'ex0', 0, 'k', 1, 2.0, 200, 0, 0, 'ok', '', 'rid', '{}', '{}');
PRAGMA user_version = 1;
)sql");
}

}  // namespace

TEST_CASE("a version-1 database is migrated to the current version with its rows intact", "[results]") {
    test::TempDir dir;
    auto path = dir / "v1.db";
    write_v1_database(path);
    {
        sql::Database raw(path, {sql::OpenMode::read_only, 1000, ""});
        REQUIRE(results::schema_version(raw) == 1);
    }
    RunId resumed = 0;
    {
        ResultsStore store(path);
        auto run = store.find_resumable_run("oldhash");
        REQUIRE(run.has_value());
        CHECK(run->resume_count == 0);  // the new column, defaulted
        CHECK(run->seeds.at("subset") == 3);
        resumed = run->id;
        store.resume_run(resumed);
        // The new tables work.
        store.record_train_metric({resumed, "trm", 1, 0.5, "loss", 2.25});
        auto pending = store.pending_attempts(resumed, "trm", 1);
        REQUIRE(pending.size() == 1);
        CHECK(pending[0].example_id == "ex1");
        store.close();
    }
    sql::Database raw(path, {sql::OpenMode::read_only, 1000, ""});
    CHECK(results::schema_version(raw) == results::kSchemaVersion);
    CHECK(results::check_integrity(raw) == "ok");
    ResultsReader reader(path);
    auto attempts = reader.attempts({});
    REQUIRE(attempts.size() == 1);
    Grid expected(2, 2);
    expected.cells = {1, 2, 3, 4};
    CHECK(attempts[0].answer == expected);
    CHECK(attempts[0].usage.input_tokens == 10);
    CHECK(attempts[0].usage.cached_input_tokens == -1);
    CHECK(attempts[0].compute.flops == 1e9);
    CHECK(attempts[0].raw_text == "raw");
    CHECK(reader.items(resumed).size() == 2);
    CHECK(reader.run(resumed)->resume_count == 1);
    auto calls = reader.api_calls(resumed);
    REQUIRE(calls.size() == 1);
    CHECK_FALSE(calls[0].response_truncated);
    REQUIRE(reader.train_metrics(resumed).size() == 1);
}

TEST_CASE("a reader upgrades an old database it can write, then reads it", "[results]") {
    test::TempDir dir;
    write_v1_database(dir / "v1.db");
    ResultsReader reader(dir / "v1.db");
    CHECK(reader.runs().size() == 1);
    CHECK(reader.superseded_attempts(1).empty());  // a v2 table
}

TEST_CASE("migrate() stops at the requested version and never downgrades", "[results]") {
    test::TempDir dir;
    sql::Database db(dir / "m.db", {sql::OpenMode::read_write_create, 1000, ""});
    results::migrate(db, 1);
    CHECK(results::schema_version(db) == 1);
    CHECK_FALSE(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'train_metrics'").value() == 1);
    results::migrate(db);
    CHECK(results::schema_version(db) == results::kSchemaVersion);
    CHECK(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'train_metrics'").value() == 1);
    results::migrate(db, 1);  // no-op
    CHECK(results::schema_version(db) == results::kSchemaVersion);
}

TEST_CASE("a database from a newer schema is refused and left untouched", "[results]") {
    test::TempDir dir;
    auto path = dir / "new.db";
    {
        ResultsStore store(path);
        RunId run = store.begin_run(test::sample_run());
        store.insert_items(run, test::sample_items(3));
    }
    {
        sql::Database raw(path, {sql::OpenMode::read_write, 1000, ""});
        raw.exec("PRAGMA user_version = 99");
    }
    std::string expected = "database " + path.string() + " has schema version 99, this trmbench supports up to " +
                           std::to_string(results::kSchemaVersion);
    try {
        ResultsStore store(path);
        FAIL("opened a newer database");
    } catch (const IoError & e) {
        CHECK(e.exit_code() == kExitIo);
        CHECK_THAT(e.what(), Catch::Contains(expected));
    }
    CHECK_THROWS_WITH(ResultsReader(path), Catch::Contains(expected));
    CHECK_THROWS_WITH(SqliteResponseCache(path), Catch::Contains("schema version 99"));
    sql::Database raw(path, {sql::OpenMode::read_only, 1000, ""});
    CHECK(results::schema_version(raw) == 99);
    CHECK(raw.query_int("SELECT count(*) FROM items").value() == 3);
    CHECK(results::check_integrity(raw) == "ok");
}

TEST_CASE("connections use WAL, a busy timeout, foreign keys and the configured synchronous mode", "[results]") {
    test::TempDir dir;
    auto path = dir / "p.db";
    results::ConnectionOptions o;
    o.busy_timeout_ms = 1234;
    auto db = results::open_results_db(path, o);
    CHECK(db->query_text("PRAGMA journal_mode").value() == "wal");
    CHECK(db->query_int("PRAGMA busy_timeout").value() == 1234);
    CHECK(db->query_int("PRAGMA foreign_keys").value() == 1);
    CHECK(db->query_int("PRAGMA synchronous").value() == 1);  // NORMAL
    CHECK(db->query_int("PRAGMA application_id").value() == results::kApplicationId);
    o.synchronous_full = true;
    auto full = results::open_results_db(path, o);
    CHECK(full->query_int("PRAGMA synchronous").value() == 2);  // FULL
    // Foreign keys are enforced: an attempt for a missing item is refused.
    CHECK_THROWS_AS(db->exec("INSERT INTO items (run_id, task_family, dataset, example_id, grp, pair_index, position, "
                             "stratum) VALUES (999, 'x', 'd', 'e', 'g', 0, 0, '')"),
                    sql::DbError);
}

TEST_CASE("a file that is not a database, or another program's database, is refused clearly", "[results]") {
    test::TempDir dir;
    test::write_text(dir / "junk.db", std::string(8192, 'J'));
    try {
        ResultsStore store(dir / "junk.db");
        FAIL("opened junk");
    } catch (const sql::DbError & e) {
        CHECK(e.exit_code() == kExitIo);
        CHECK_THAT(e.what(), Catch::Contains((dir / "junk.db").string()) && Catch::Contains("not an SQLite database"));
    }
    CHECK(read_file(dir / "junk.db") == std::string(8192, 'J'));  // untouched

    {
        sql::Database other(dir / "other.db", {sql::OpenMode::read_write_create, 1000, ""});
        other.exec("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine')");
    }
    CHECK_THROWS_WITH(ResultsStore(dir / "other.db"), Catch::Contains("not a trmbench results database"));
    CHECK_THROWS_WITH(ResultsReader(dir / "other.db"), Catch::Contains("not a trmbench results database"));
    CHECK(test::count_rows(dir / "other.db", "notes") == 1);

    CHECK_THROWS_WITH(ResultsReader(dir / "missing.db"), Catch::Contains("no such file"));
    // An empty file is a new database for the writer.
    test::write_text(dir / "empty.db", "");
    { ResultsStore store(dir / "empty.db"); }
    sql::Database e(dir / "empty.db", {sql::OpenMode::read_only, 1000, ""});
    CHECK(results::schema_version(e) == results::kSchemaVersion);
}
