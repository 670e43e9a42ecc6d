// RAII over the SQLite C API; see sqlite.h. Errors name the file, the operation and SQLite's code,
// with a plain-language hint for the failures researchers actually meet (locked, full, read-only).
#include "results/sqlite.h"

#include <sqlite3.h>

#include <cstdio>

namespace trmbench::sql {

std::string file_uri(const std::filesystem::path & path, std::string_view query) {
    std::string out = "file:";
    for (unsigned char c : std::filesystem::absolute(path).string()) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    out += '?';
    out += query;
    return out;
}

namespace {

// A hint in plain words for the result codes that have an obvious cause.
std::string hint(int rc, int busy_timeout_ms) {
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "the database is locked by another connection or process (waited the busy timeout of " +
                   std::to_string(busy_timeout_ms) +
                   " ms); another trmbench or an open sqlite3 shell may hold a write transaction";
        case SQLITE_FULL:
            return "the disk or the database is full; the transaction was rolled back and rows committed "
                   "before it are intact";
        case SQLITE_READONLY:
            return "the database is read-only (check the permissions of the file and of its directory, "
                   "which must allow creating the -wal and -shm files)";
        case SQLITE_NOTADB: return "the file is not an SQLite database";
        case SQLITE_CORRUPT: return "the database file is corrupt";
        case SQLITE_CANTOPEN: return "cannot open the file (missing directory or no permission)";
        case SQLITE_IOERR: return "I/O error";
        case SQLITE_PERM:
        case SQLITE_AUTH: return "permission denied";
        default: return "";
    }
}

}  // namespace

std::string result_code_name(int rc) {
    const char * s = sqlite3_errstr(rc);
    std::string out = s ? s : "unknown error";
    out += " (code " + std::to_string(rc) + ")";
    return out;
}

std::string sql_context(std::string_view sql) {
    size_t start = sql.find_first_not_of(" \n\t");
    if (start == std::string_view::npos) return "";
    sql.remove_prefix(start);
    size_t nl = sql.find('\n');
    std::string out(sql.substr(0, nl));
    if (out.size() > 100) out = out.substr(0, 100) + "...";
    else if (nl != std::string_view::npos && nl + 1 < sql.size()) out += " ...";
    return out;
}

// ---------------------------------------------------------------------------------------------
// Database

Database::Database(const std::filesystem::path & path, const OpenOptions & options) : path_(path) {
    // NOMUTEX: each connection is used by one thread at a time (the store's mutexes or its single
    // writer thread guarantee it), so SQLite's per-call connection mutex is pure overhead.
    int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    std::string name = path.string();
    switch (options.mode) {
        case OpenMode::read_write_create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
        case OpenMode::read_write: flags |= SQLITE_OPEN_READWRITE; break;
        case OpenMode::read_only: flags |= SQLITE_OPEN_READONLY; break;
        case OpenMode::read_only_immutable:
            flags |= SQLITE_OPEN_READONLY;
            name = file_uri(path, "immutable=1");
            break;
    }
    if (options.mode != OpenMode::read_only_immutable && name.rfind("file:", 0) == 0) name = "./" + name;
    int rc = sqlite3_open_v2(name.c_str(), &db_, flags, options.vfs.empty() ? nullptr : options.vfs.c_str());
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        std::string h = hint(rc, 0);
        throw DbError("results database " + path_.string() + ": opening: " + (h.empty() ? "" : h + " ") +
                          "[sqlite: " + msg + ", " + result_code_name(rc) + "]",
                      rc);
    }
    sqlite3_extended_result_codes(db_, 1);
    set_busy_timeout(options.busy_timeout_ms);
    // SQLite silently opens a write-protected file read-only; a store that cannot write must say so
    // now, not at the first commit hours later.
    bool wants_write = options.mode == OpenMode::read_write_create || options.mode == OpenMode::read_write;
    if (wants_write && read_only()) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw DbError("results database " + path_.string() + ": opening for writing: " + hint(SQLITE_READONLY, 0),
                      SQLITE_READONLY);
    }
}

Database::~Database() {
    if (db_) sqlite3_close_v2(db_);
}

void Database::fail(int rc, std::string_view context) const {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    std::string h = hint(rc, busy_timeout_ms_);
    throw DbError("results database " + path_.string() + ": " + std::string(context) + ": " +
                      (h.empty() ? "" : h + " ") + "[sqlite: " + msg + ", " + result_code_name(rc) + "]",
                  rc);
}

void Database::exec(std::string_view sql) {
    std::string text(sql);
    char * err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    if (rc != SQLITE_OK) fail(sqlite3_extended_errcode(db_), sql_context(sql));
}

std::optional<int64_t> Database::query_int(std::string_view sql) {
    Statement st(*this, sql);
    if (!st.step()) return std::nullopt;
    return st.get_opt_int(0);
}

std::optional<std::string> Database::query_text(std::string_view sql) {
    Statement st(*this, sql);
    if (!st.step()) return std::nullopt;
    return st.get_opt_text(0);
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int64_t Database::changes() const { return sqlite3_changes64(db_); }
bool Database::read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

void Database::set_busy_timeout(int ms) {
    busy_timeout_ms_ = ms;
    sqlite3_busy_timeout(db_, ms);
}

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Database & db, std::string_view sql) : db_(db), sql_(sql) {
    const char * tail = nullptr;
    int rc = sqlite3_prepare_v3(db_.handle(), sql_.data(), static_cast<int>(sql_.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt_, &tail);
    if (rc != SQLITE_OK) db_.fail(rc, "preparing " + sql_context(sql_));
    if (!stmt_) db_.fail(SQLITE_MISUSE, "preparing an empty statement: " + sql_context(sql_));
}

Statement::~Statement() {
    if (stmt_) sqlite3_finalize(stmt_);
}

void Statement::check_bind(int rc, int index) {
    if (rc != SQLITE_OK) db_.fail(rc, "binding parameter " + std::to_string(index) + " of " + sql_context(sql_));
}

Statement & Statement::bind(int index, int64_t v) {
    check_bind(sqlite3_bind_int64(stmt_, index, v), index);
    return *this;
}

Statement & Statement::bind(int index, double v) {
    check_bind(sqlite3_bind_double(stmt_, index, v), index);
    return *this;
}

Statement & Statement::bind(int index, std::string_view v) {
    check_bind(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
    return *this;
}

Statement & Statement::bind_static(int index, std::string_view v) {
    check_bind(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8), index);
    return *this;
}

Statement & Statement::bind_blob(int index, std::string_view bytes) {
    check_bind(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT), index);
    return *this;
}

Statement & Statement::bind_null(int index) {
    check_bind(sqlite3_bind_null(stmt_, index), index);
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    int ext = sqlite3_extended_errcode(db_.handle());
    sqlite3_reset(stmt_);
    db_.fail(ext ? ext : rc, sql_context(sql_));
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }
bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::get_int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::get_double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::get_text(int col) const {
    // Blob access gives the exact bytes for TEXT and BLOB columns alike (no NUL truncation).
    const void * p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p && n > 0 ? std::string(static_cast<const char *>(p), static_cast<size_t>(n)) : std::string();
}

std::string_view Statement::get_view(int col) const {
    const void * p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p && n > 0 ? std::string_view(static_cast<const char *>(p), static_cast<size_t>(n)) : std::string_view();
}

std::optional<int64_t> Statement::get_opt_int(int col) const {
    return is_null(col) ? std::nullopt : std::optional<int64_t>(get_int(col));
}
std::optional<double> Statement::get_opt_double(int col) const {
    return is_null(col) ? std::nullopt : std::optional<double>(get_double(col));
}
std::optional<std::string> Statement::get_opt_text(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::string>(get_text(col));
}
std::string Statement::column_name(int col) const {
    const char * n = sqlite3_column_name(stmt_, col);
    return n ? n : "";
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Database & db, Kind kind) : db_(db) {
    db_.exec(kind == Kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    open_ = true;
}

Transaction::~Transaction() {
    // Never throw from a destructor: a failed rollback leaves nothing we could do better.
    if (open_ && sqlite3_get_autocommit(db_.handle()) == 0) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    if (!open_) throw Error("results database " + db_.path().string() + ": commit of a finished transaction", kExitFailure);
    try {
        db_.exec("COMMIT");
    } catch (...) {
        // A failed COMMIT (disk full, busy) leaves the transaction open: roll it back here so the
        // connection is usable and the caller sees one clean error.
        if (sqlite3_get_autocommit(db_.handle()) == 0) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        open_ = false;
        throw;
    }
    open_ = false;
}

}  // namespace trmbench::sql
