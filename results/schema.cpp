// Schema DDL, migrations and connection setup; see schema.h. Migration N -> N+1 is kMigrations[N].
// Never edit a released migration: add a new one and bump kSchemaVersion.
#include "results/schema.h"

#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <system_error>

namespace trmbench::results {
namespace {

// 0 -> 1: the first released layout.
constexpr const char * kSchemaV1 = R"sql(
CREATE TABLE runs (
    id                  INTEGER PRIMARY KEY,
    created_at_ms       INTEGER NOT NULL,
    finished_at_ms      INTEGER,
    status              TEXT NOT NULL,
    git_sha             TEXT NOT NULL,
    harness_version     TEXT NOT NULL,
    host                TEXT NOT NULL,
    cpu                 TEXT NOT NULL,
    gpu                 TEXT NOT NULL,
    suite_name          TEXT NOT NULL,
    config_json         TEXT NOT NULL,
    config_hash         TEXT NOT NULL,
    dataset_hashes_json TEXT NOT NULL,
    prompt_hashes_json  TEXT NOT NULL,
    seeds_json          TEXT NOT NULL,
    price_table_date    TEXT NOT NULL,
    shard_index         INTEGER NOT NULL,
    shard_count         INTEGER NOT NULL,
    merged_from_json    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_config ON runs(config_hash, shard_index, shard_count);

CREATE TABLE solvers (
    id                INTEGER PRIMARY KEY,
    run_id            INTEGER NOT NULL REFERENCES runs(id),
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL,
    provider          TEXT NOT NULL,
    model_id          TEXT NOT NULL,
    n_params          INTEGER,
    active_params     INTEGER,
    checkpoint_sha256 TEXT NOT NULL,
    device            TEXT NOT NULL,
    dtype             TEXT NOT NULL,
    config_json       TEXT NOT NULL,
    UNIQUE(run_id, name)
);

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    task_family TEXT NOT NULL,
    dataset     TEXT NOT NULL,
    example_id  TEXT NOT NULL,
    grp         TEXT NOT NULL,
    pair_index  INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    difficulty  REAL,
    stratum     TEXT NOT NULL,
    target_json TEXT,
    UNIQUE(run_id, dataset, example_id)
);

CREATE TABLE attempts (
    id                  INTEGER PRIMARY KEY,
    run_id              INTEGER NOT NULL REFERENCES runs(id),
    solver_id           INTEGER NOT NULL REFERENCES solvers(id),
    item_id             INTEGER NOT NULL REFERENCES items(id),
    attempt             INTEGER NOT NULL,
    outcome             TEXT NOT NULL,
    correct             INTEGER,
    answer_json         TEXT,
    measures_json       TEXT,
    error               TEXT NOT NULL,
    steps_correct       TEXT,
    input_tokens        INTEGER,
    cached_input_tokens INTEGER,
    output_tokens       INTEGER,
    reasoning_tokens    INTEGER,
    total_tokens        INTEGER,
    cost_usd            REAL,
    flops               REAL,
    flops_estimated     INTEGER NOT NULL,
    wall_ms             REAL,
    device_ms           REAL,
    act_steps           INTEGER,
    http_status         INTEGER NOT NULL,
    request_id          TEXT NOT NULL,
    retries             INTEGER NOT NULL,
    rate_limit_wait_ms  REAL NOT NULL,
    created_at_ms       INTEGER NOT NULL,
    UNIQUE(solver_id, item_id, attempt)
);
-- The bulky part of an attempt, apart so that report scans of attempts read narrow rows.
-- No row when all four are empty.
CREATE TABLE attempt_details (
    attempt_id     INTEGER PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
    raw_text       TEXT NOT NULL,
    reasoning_text TEXT NOT NULL,
    usage_json     TEXT,
    steps_json     TEXT
);

CREATE TABLE api_calls (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER REFERENCES runs(id),
    solver        TEXT NOT NULL,
    provider      TEXT NOT NULL,
    model_id      TEXT NOT NULL,
    example_id    TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    cache_key     TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    latency_ms    REAL NOT NULL,
    http_status   INTEGER NOT NULL,
    retries       INTEGER NOT NULL,
    wait_ms       REAL NOT NULL,
    outcome       TEXT NOT NULL,
    error         TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    request_json  TEXT NOT NULL,
    response_body TEXT NOT NULL
);
CREATE INDEX api_calls_by_run ON api_calls(run_id, solver, example_id);

CREATE TABLE response_cache (
    key           TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    model_id      TEXT NOT NULL,
    http_status   INTEGER NOT NULL,
    body          BLOB NOT NULL,
    headers_json  TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE batch_jobs (
    batch_id        TEXT PRIMARY KEY,
    run_id          INTEGER REFERENCES runs(id),
    provider        TEXT NOT NULL,
    solver          TEXT NOT NULL,
    status          TEXT NOT NULL,
    input_file_id   TEXT NOT NULL,
    output_file_id  TEXT NOT NULL,
    custom_ids_json TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    updated_at_ms   INTEGER NOT NULL,
    collected       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX batch_jobs_open ON batch_jobs(solver, collected);
)sql";

// 1 -> 2: resume counter, superseded attempts (cost of a redone attempt is never lost), training
// curves, a flag for truncated API bodies, and a readable view of attempts with names.
constexpr const char * kSchemaV2 = R"sql(
ALTER TABLE runs ADD COLUMN resume_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_calls ADD COLUMN response_truncated INTEGER NOT NULL DEFAULT 0;

CREATE TABLE superseded_attempts (
    id                  INTEGER PRIMARY KEY,
    superseded_at_ms    INTEGER NOT NULL,
    run_id              INTEGER NOT NULL REFERENCES runs(id),
    solver_id           INTEGER NOT NULL REFERENCES solvers(id),
    item_id             INTEGER NOT NULL REFERENCES items(id),
    attempt             INTEGER NOT NULL,
    outcome             TEXT NOT NULL,
    correct             INTEGER,
    answer_json         TEXT,
    measures_json       TEXT,
    error               TEXT NOT NULL,
    steps_correct       TEXT,
    input_tokens        INTEGER,
    cached_input_tokens INTEGER,
    output_tokens       INTEGER,
    reasoning_tokens    INTEGER,
    total_tokens        INTEGER,
    cost_usd            REAL,
    flops               REAL,
    flops_estimated     INTEGER NOT NULL,
    wall_ms             REAL,
    device_ms           REAL,
    act_steps           INTEGER,
    http_status         INTEGER NOT NULL,
    request_id          TEXT NOT NULL,
    retries             INTEGER NOT NULL,
    rate_limit_wait_ms  REAL NOT NULL,
    created_at_ms       INTEGER NOT NULL,
    raw_text            TEXT,
    reasoning_text      TEXT,
    usage_json          TEXT,
    steps_json          TEXT
);
CREATE INDEX superseded_by_run ON superseded_attempts(run_id);

CREATE TABLE train_metrics (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    series      TEXT NOT NULL,
    step        INTEGER NOT NULL,
    wall_time_s REAL NOT NULL,
    name        TEXT NOT NULL,
    value       REAL NOT NULL
);
CREATE INDEX train_metrics_by_run ON train_metrics(run_id, series, name, step);

CREATE VIEW attempt_rows AS
    SELECT a.run_id, s.name AS solver, i.task_family, i.dataset, i.example_id, i.grp, i.pair_index,
           i.difficulty, i.stratum, a.attempt, a.outcome, a.correct, a.answer_json, i.target_json,
           a.measures_json, a.input_tokens, a.output_tokens, a.reasoning_tokens, a.cost_usd,
           a.flops, a.wall_ms, a.act_steps, a.error, a.created_at_ms
    FROM attempts a JOIN solvers s ON s.id = a.solver_id JOIN items i ON i.id = a.item_id;
)sql";

constexpr std::array<const char *, kSchemaVersion> kMigrations = {kSchemaV1, kSchemaV2};

void check_owner(sql::Database & db) {
    int64_t app = db.query_int("PRAGMA application_id").value_or(0);
    if (app == kApplicationId) return;
    int64_t tables = db.query_int("SELECT count(*) FROM sqlite_schema").value_or(0);
    if (app != 0 || tables > 0)
        throw sql::DbError("results database " + db.path().string() +
                               ": the file is an SQLite database but not a trmbench results database "
                               "(application_id " + std::to_string(app) + ", " + std::to_string(tables) +
                               " schema objects)",
                           SQLITE_MISMATCH);
}

void check_not_newer(sql::Database & db, int version) {
    if (version > kSchemaVersion)
        throw sql::DbError("database " + db.path().string() + " has schema version " + std::to_string(version) +
                               ", this trmbench supports up to " + std::to_string(kSchemaVersion) +
                               " (use a newer trmbench to read it)",
                           SQLITE_MISMATCH);
}

// A WAL database in a directory we cannot write can still be read without locks (immutable),
// but only when no committed rows are waiting in a -wal file that we would then ignore.
bool can_read_immutable(const std::filesystem::path & path) {
    std::error_code ec;
    auto wal = std::filesystem::path(path.string() + "-wal");
    return !std::filesystem::exists(wal, ec) || std::filesystem::file_size(wal, ec) == 0;
}

std::unique_ptr<sql::Database> open_read_only(const std::filesystem::path & path, const ConnectionOptions & o) {
    if (!std::filesystem::exists(path))
        throw sql::DbError("results database " + path.string() + ": no such file", SQLITE_CANTOPEN);
    sql::OpenOptions oo{sql::OpenMode::read_only, o.busy_timeout_ms, o.vfs};
    auto db = std::make_unique<sql::Database>(path, oo);
    try {
        db->query_int("PRAGMA user_version");
        return db;
    } catch (const sql::DbError & e) {
        bool locked_out = e.primary_code() == SQLITE_CANTOPEN || e.primary_code() == SQLITE_READONLY;
        if (!locked_out || !can_read_immutable(path)) throw;
    }
    oo.mode = sql::OpenMode::read_only_immutable;
    return std::make_unique<sql::Database>(path, oo);
}

}  // namespace

int schema_version(sql::Database & db) {
    return static_cast<int>(db.query_int("PRAGMA user_version").value_or(0));
}

void migrate(sql::Database & db, int target) {
    // The common case (already current) must not need the write lock: a store opened while another
    // process writes would otherwise wait for it.
    int current = schema_version(db);
    check_not_newer(db, current);
    if (current >= target) return;
    for (;;) {
        sql::Transaction tx(db);
        // Re-read inside the write transaction: another process may have migrated meanwhile.
        int version = schema_version(db);
        check_not_newer(db, version);
        if (version >= target) return;
        if (version == 0) {
            check_owner(db);
            db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
        }
        try {
            db.exec(kMigrations[static_cast<size_t>(version)]);
        } catch (...) {
            rethrow_with_context("migrating schema version " + std::to_string(version) + " to " +
                                 std::to_string(version + 1));
        }
        db.exec("PRAGMA user_version = " + std::to_string(version + 1));
        tx.commit();
    }
}

std::unique_ptr<sql::Database> open_results_db(const std::filesystem::path & path, const ConnectionOptions & o) {
    std::unique_ptr<sql::Database> db;
    if (o.access == Access::read_only) {
        db = open_read_only(path, o);
        check_owner(*db);
        int version = schema_version(*db);
        check_not_newer(*db, version);
        if (version == 0)
            throw sql::DbError("results database " + path.string() + ": the file is empty, not a results database",
                               SQLITE_MISMATCH);
        if (version < kSchemaVersion) {
            // Upgrade through a short-lived writable connection, then read the upgraded file.
            db.reset();
            ConnectionOptions rw = o;
            rw.access = Access::read_write;
            rw.create = false;
            try {
                open_results_db(path, rw);
            } catch (const sql::DbError & e) {
                throw sql::DbError(std::string(e.what()) + " (the database has schema version " +
                                       std::to_string(version) + " and must be upgraded to " +
                                       std::to_string(kSchemaVersion) + ", which needs write access)",
                                   e.code());
            }
            db = open_read_only(path, o);
        }
        db->exec("PRAGMA foreign_keys = ON");
        db->exec("PRAGMA cache_size = -65536");
        db->exec("PRAGMA mmap_size = 1073741824");  // reports read ~1M rows: no copy per page
        return db;
    }

    if (!o.create && !std::filesystem::exists(path))
        throw sql::DbError("results database " + path.string() + ": no such file", SQLITE_CANTOPEN);
    // SQLite creates X-wal and X-shm beside the file: say so plainly instead of "unable to open".
    auto dir = std::filesystem::absolute(path).parent_path();
    if (::access(dir.c_str(), W_OK) != 0)
        throw sql::DbError("results database " + path.string() + ": directory " + dir.string() +
                               " is not writable (SQLite needs to create " + path.filename().string() + "-wal and " +
                               path.filename().string() + "-shm there)",
                           SQLITE_READONLY);
    sql::OpenOptions oo{o.create ? sql::OpenMode::read_write_create : sql::OpenMode::read_write, o.busy_timeout_ms,
                        o.vfs};
    db = std::make_unique<sql::Database>(path, oo);
    // Refuse foreign or newer files before changing anything in them (journal mode included).
    check_owner(*db);
    check_not_newer(*db, schema_version(*db));
    std::string mode = db->query_text("PRAGMA journal_mode = WAL").value_or("");
    if (mode != "wal")
        throw sql::DbError("results database " + path.string() + ": cannot switch to WAL mode (journal_mode is '" +
                               mode + "')",
                           SQLITE_IOERR);
    db->exec(o.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    // 64 MiB of page cache keeps the attempts indexes in memory for ~1M-row runs.
    db->exec("PRAGMA cache_size = -65536");
    db->exec("PRAGMA foreign_keys = ON");
    migrate(*db);
    return db;
}

std::string check_integrity(sql::Database & db) {
    std::string out;
    {
        sql::Statement st(db, "PRAGMA integrity_check");
        while (st.step()) {
            std::string line = st.get_text(0);
            if (line != "ok") out += line + "\n";
        }
    }
    {
        sql::Statement st(db, "PRAGMA foreign_key_check");
        while (st.step())
            out += "foreign key violation in " + st.get_text(0) + " row " + std::to_string(st.get_int(1)) + " -> " +
                   st.get_text(2) + "\n";
    }
    return out.empty() ? "ok" : out;
}

}  // namespace trmbench::results
