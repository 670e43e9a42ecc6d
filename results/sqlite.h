// A small RAII layer over the SQLite C API, used only inside results/ (and its tests).
//
// Database owns one connection, Statement one prepared statement, Transaction one BEGIN..COMMIT.
// Values only ever reach SQLite through bound parameters: SQL text passed to Statement and exec()
// must be a constant written in this module, never text built from model output or user data.
// Every error is a DbError (an IoError, exit code 4) that names the database file, says what was
// being done (the SQL, shortened), and carries SQLite's extended result code so callers can tell
// "locked" from "disk full". Destructors never throw: ~Transaction rolls back and swallows errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace trmbench::sql {

class DbError : public IoError {
public:
    DbError(const std::string & what, int code) : IoError(what), code_(code) {}
    int code() const { return code_; }           // extended result code (e.g. SQLITE_BUSY_SNAPSHOT)
    int primary_code() const { return code_ & 0xff; }

private:
    int code_;
};

enum class OpenMode {
    read_write_create,  // create the file when missing
    read_write,         // the file must exist
    read_only,
    read_only_immutable,  // read-only media: no locks, no -wal/-shm files (caller checks there is no WAL)
};

struct OpenOptions {
    OpenMode mode = OpenMode::read_write_create;
    int busy_timeout_ms = 30000;
    std::string vfs;  // empty: SQLite's default VFS (tests plug in a fault-injecting one)
};

class Database {
public:
    Database(const std::filesystem::path & path, const OpenOptions & options);
    ~Database();
    Database(const Database &) = delete;
    Database & operator=(const Database &) = delete;

    // Runs constant SQL (possibly several statements) without parameters: DDL and pragmas.
    void exec(std::string_view sql);
    // First column of the first row of constant SQL as an integer (nullopt when no row or NULL).
    std::optional<int64_t> query_int(std::string_view sql);
    std::optional<std::string> query_text(std::string_view sql);

    int64_t last_insert_rowid() const;
    int64_t changes() const;
    bool read_only() const;
    void set_busy_timeout(int ms);
    int busy_timeout_ms() const { return busy_timeout_ms_; }

    const std::filesystem::path & path() const { return path_; }
    sqlite3 * handle() const { return db_; }

    // Throws a DbError for result code `rc` with SQLite's message and `context` (what was being done).
    [[noreturn]] void fail(int rc, std::string_view context) const;

private:
    sqlite3 * db_ = nullptr;
    std::filesystem::path path_;
    int busy_timeout_ms_ = 0;
};

// A prepared statement, reused with reset(). Column and parameter indexes follow SQLite: bind()
// counts from 1, column readers from 0.
class Statement {
public:
    Statement(Database & db, std::string_view sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement & operator=(const Statement &) = delete;

    Statement & bind(int index, int64_t v);
    Statement & bind(int index, int v) { return bind(index, static_cast<int64_t>(v)); }
    Statement & bind(int index, double v);
    Statement & bind(int index, std::string_view v);  // copied by SQLite (SQLITE_TRANSIENT)
    Statement & bind(int index, const std::string & v) { return bind(index, std::string_view(v)); }
    Statement & bind(int index, const char * v) { return bind(index, std::string_view(v)); }
    // Binds without a copy: `v` must stay alive and unchanged until the statement is reset.
    Statement & bind_static(int index, std::string_view v);
    Statement & bind_blob(int index, std::string_view bytes);
    Statement & bind_null(int index);
    template <class T>
    Statement & bind(int index, const std::optional<T> & v) {
        return v ? bind(index, *v) : bind_null(index);
    }
    // Binds arguments to parameters 1, 2, 3, ... in order.
    template <class... Args>
    Statement & bind_all(const Args &... args) {
        int i = 0;
        (bind(++i, args), ...);
        return *this;
    }

    // Steps once: true when a row is available, false when done. Throws DbError on failure.
    bool step();
    // Steps until done (INSERT/UPDATE/DELETE), then resets so the statement can be reused.
    void run();
    // Resets and clears bindings.
    void reset();

    int column_count() const;
    bool is_null(int col) const;
    int64_t get_int(int col) const;       // NULL -> 0
    double get_double(int col) const;     // NULL -> 0
    std::string get_text(int col) const;  // NULL -> ""
    // The bytes of a TEXT/BLOB column without a copy; valid until the next step() or reset().
    std::string_view get_view(int col) const;
    std::optional<int64_t> get_opt_int(int col) const;
    std::optional<double> get_opt_double(int col) const;
    std::optional<std::string> get_opt_text(int col) const;
    std::string column_name(int col) const;

    std::string_view sql() const { return sql_; }

private:
    void check_bind(int rc, int index);
    Database & db_;
    sqlite3_stmt * stmt_ = nullptr;
    std::string sql_;
};

// BEGIN IMMEDIATE (takes the write lock up front, so a WAL reader never has to upgrade and fail
// with SQLITE_BUSY mid-transaction) or BEGIN DEFERRED for read snapshots.
class Transaction {
public:
    enum class Kind { immediate, deferred };
    explicit Transaction(Database & db, Kind kind = Kind::immediate);
    ~Transaction();  // rolls back when not committed; never throws
    Transaction(const Transaction &) = delete;
    Transaction & operator=(const Transaction &) = delete;
    void commit();

private:
    Database & db_;
    bool open_ = false;
};

// A percent-encoded file: URI for `path` with a query such as "mode=ro" or "immutable=1" (for
// ATTACH, which takes the name as a bound value).
std::string file_uri(const std::filesystem::path & path, std::string_view query);
// SQLite's text for an (extended) result code and the number, e.g. "database is locked (code 5)".
std::string result_code_name(int rc);
// The first line of an SQL text, shortened, for error messages.
std::string sql_context(std::string_view sql);

}  // namespace trmbench::sql
