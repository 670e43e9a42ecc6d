// Response cache and batch-job store over SQLite; see cache.h.
#include "results/cache.h"

#include "results/rows.h"
#include "results/schema.h"
#include "results/sqlite.h"

namespace trmbench {
namespace {

using results::now_ms;

std::unique_ptr<sql::Database> open_durable(const std::filesystem::path & path, int busy_timeout_ms,
                                            const std::string & vfs) {
    results::ConnectionOptions o;
    o.synchronous_full = true;
    o.busy_timeout_ms = busy_timeout_ms;
    o.vfs = vfs;
    return results::open_results_db(path, o);
}

constexpr const char * kBatchColumns =
    "batch_id, provider, solver, status, input_file_id, output_file_id, custom_ids_json, created_at_ms, "
    "updated_at_ms";

BatchJobRecord read_batch(sql::Statement & st) {
    BatchJobRecord r;
    r.batch_id = st.get_text(0);
    r.provider = st.get_text(1);
    r.solver = st.get_text(2);
    r.status = st.get_text(3);
    r.input_file_id = st.get_text(4);
    r.output_file_id = st.get_text(5);
    r.custom_ids_json = st.get_text(6);
    r.created_at_ms = st.get_int(7);
    r.updated_at_ms = st.get_int(8);
    return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

SqliteResponseCache::SqliteResponseCache(const std::filesystem::path & path, int busy_timeout_ms,
                                         const std::string & vfs)
    : db_(open_durable(path, busy_timeout_ms, vfs)) {}

SqliteResponseCache::~SqliteResponseCache() = default;

std::optional<CachedResponse> SqliteResponseCache::get(const std::string & key) {
    std::lock_guard lock(mutex_);
    sql::Statement st(*db_, "SELECT http_status, body, headers_json FROM response_cache WHERE key = ?");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    return CachedResponse{static_cast<int>(st.get_int(0)), st.get_text(1), st.get_text(2)};
}

void SqliteResponseCache::put(const std::string & key, const std::string & provider, const std::string & model_id,
                              const CachedResponse & response) {
    std::lock_guard lock(mutex_);
    try {
        sql::Statement st(*db_,
                          "INSERT INTO response_cache (key, provider, model_id, http_status, body, headers_json, "
                          "created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET provider = excluded.provider, model_id = excluded.model_id, "
                          "http_status = excluded.http_status, body = excluded.body, "
                          "headers_json = excluded.headers_json, created_at_ms = excluded.created_at_ms");
        st.bind_all(key, provider, model_id, response.http_status);
        st.bind_blob(5, response.body);
        st.bind(6, response.headers_json).bind(7, now_ms());
        st.run();  // autocommit: one durable transaction (synchronous=FULL)
    } catch (...) {
        rethrow_with_context("response cache: storing key " + key);
    }
}

int64_t SqliteResponseCache::size() {
    std::lock_guard lock(mutex_);
    return db_->query_int("SELECT count(*) FROM response_cache").value_or(0);
}

// ---------------------------------------------------------------------------------------------

SqliteBatchJobStore::SqliteBatchJobStore(const std::filesystem::path & path, RunId run, int busy_timeout_ms,
                                         const std::string & vfs)
    : db_(open_durable(path, busy_timeout_ms, vfs)), run_(run) {}

SqliteBatchJobStore::~SqliteBatchJobStore() = default;

void SqliteBatchJobStore::save_batch(const BatchJobRecord & r) {
    std::lock_guard lock(mutex_);
    try {
        sql::Statement st(*db_,
                          "INSERT INTO batch_jobs (batch_id, run_id, provider, solver, status, input_file_id, "
                          "output_file_id, custom_ids_json, created_at_ms, updated_at_ms) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(batch_id) DO UPDATE SET provider = excluded.provider, solver = excluded.solver, "
                          "status = excluded.status, input_file_id = excluded.input_file_id, "
                          "output_file_id = excluded.output_file_id, custom_ids_json = excluded.custom_ids_json, "
                          "updated_at_ms = excluded.updated_at_ms");
        st.bind(1, r.batch_id);
        if (run_ > 0) st.bind(2, run_);
        else st.bind_null(2);
        int64_t created = r.created_at_ms ? r.created_at_ms : now_ms();
        st.bind(3, r.provider).bind(4, r.solver).bind(5, r.status).bind(6, r.input_file_id);
        st.bind(7, r.output_file_id).bind(8, r.custom_ids_json).bind(9, created);
        st.bind(10, r.updated_at_ms ? r.updated_at_ms : created);
        st.run();
    } catch (...) {
        rethrow_with_context("batch jobs: saving batch " + r.batch_id);
    }
}

std::vector<BatchJobRecord> SqliteBatchJobStore::open_batches(const std::string & solver) {
    std::lock_guard lock(mutex_);
    sql::Statement st(*db_, std::string("SELECT ") + kBatchColumns +
                                " FROM batch_jobs WHERE solver = ? AND collected = 0 ORDER BY created_at_ms, batch_id");
    st.bind(1, solver);
    std::vector<BatchJobRecord> out;
    while (st.step()) out.push_back(read_batch(st));
    return out;
}

void SqliteBatchJobStore::mark_batch_collected(const std::string & batch_id) {
    std::lock_guard lock(mutex_);
    sql::Statement st(*db_, "UPDATE batch_jobs SET collected = 1, updated_at_ms = ? WHERE batch_id = ?");
    st.bind(1, now_ms()).bind(2, batch_id);
    st.run();
    if (db_->changes() == 0)
        throw Error("results database " + db_->path().string() + ": batch jobs: no batch with id '" + batch_id + "'",
                    kExitFailure);
}

std::optional<BatchJobRecord> SqliteBatchJobStore::batch(const std::string & batch_id) {
    std::lock_guard lock(mutex_);
    sql::Statement st(*db_, std::string("SELECT ") + kBatchColumns + " FROM batch_jobs WHERE batch_id = ?");
    st.bind(1, batch_id);
    if (!st.step()) return std::nullopt;
    return read_batch(st);
}

}  // namespace trmbench
