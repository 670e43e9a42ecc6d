// The results database schema: its version, the migrations that reach it, and how every connection
// is opened and configured.
//
// Version: `PRAGMA user_version`, plus `PRAGMA application_id` = 'TRMB' so that another program's
// SQLite file is never mistaken for ours. A fresh file is built by running every migration from 0,
// so the upgrade path is exercised by every new database. A file with a newer version than this
// build knows is refused with IoError (exit 4, like every other database failure):
//   "database X has schema version N, this trmbench supports up to M".
//
// Connection settings (see results/README.md for the durability trade-off):
//   journal_mode=WAL      readers never block the writer, the writer never blocks readers
//   synchronous=NORMAL    commits survive a crash of the process; on power loss the last commits may
//                         roll back (never corrupt). FULL for the response cache and batch jobs,
//                         whose rows stand for money already spent.
//   busy_timeout          waits for another writer instead of failing at once with "database is locked"
//   foreign_keys=ON
#pragma once

#include <filesystem>
#include <memory>

#include "results/sqlite.h"

namespace trmbench::results {

inline constexpr int kSchemaVersion = 2;
inline constexpr int64_t kApplicationId = 0x54524D42;  // 'TRMB'

enum class Access { read_write, read_only };

struct ConnectionOptions {
    Access access = Access::read_write;
    bool create = true;               // read_write: create the file when missing
    bool synchronous_full = false;    // FULL instead of NORMAL
    int busy_timeout_ms = 30000;
    std::string vfs;                  // empty: SQLite's default
};

// Opens `path`, checks that it is a trmbench results database of a version this build supports,
// migrates an older one (read_write, or read_only when the file is writable), and applies the
// connection settings above. Throws DbError naming the file on every failure.
std::unique_ptr<sql::Database> open_results_db(const std::filesystem::path & path, const ConnectionOptions & options);

// The schema version stored in an open database (0 for a new, empty file).
int schema_version(sql::Database & db);

// Runs the migrations from the stored version up to `target` (tests use target < kSchemaVersion to
// build an old database). Each step runs in its own transaction with the version bump.
void migrate(sql::Database & db, int target = kSchemaVersion);

// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; returns "ok" or the problems found.
std::string check_integrity(sql::Database & db);

}  // namespace trmbench::results
