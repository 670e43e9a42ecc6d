// ResultsStore and its writer thread; see store.h for the threading and durability contract.
#include "results/store.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

#include "harness/core/version.h"
#include "results/cache.h"
#include "results/json_codec.h"
#include "results/rows.h"
#include "results/schema.h"
#include "results/sqlite.h"

namespace trmbench {

using results::now_ms;

namespace {

struct ApiCallJob {
    RunId run = 0;
    ApiCallRecord call;
};
using Job = std::variant<AttemptRecord, ApiCallJob, TrainMetric>;

// Text is bound without a copy: `v` outlives the statement's run() (which resets it).
void bind_value(sql::Statement & st, int index, const FieldValue & v) {
    if (auto i = std::get_if<int64_t>(&v)) st.bind(index, *i);
    else if (auto d = std::get_if<double>(&v)) st.bind(index, *d);
    else if (auto s = std::get_if<std::string>(&v)) st.bind_static(index, *s);
    else st.bind_null(index);
}

std::string placeholders(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out;
}

[[noreturn]] void programming_error(const std::filesystem::path & path, const std::string & what) {
    throw Error("results database " + path.string() + ": " + what, kExitFailure);
}

bool same_solver(const SolverInfo & a, const SolverInfo & b, std::string & field) {
    auto diff = [&](const char * name, bool same) {
        if (!same && field.empty()) field = name;
        return same;
    };
    return diff("kind", a.kind == b.kind) & diff("provider", a.provider == b.provider) &
           diff("model_id", a.model_id == b.model_id) & diff("n_params", a.n_params == b.n_params) &
           diff("active_params", a.active_params == b.active_params) & diff("device", a.device == b.device) &
           diff("dtype", a.dtype == b.dtype) & diff("checkpoint_sha256", a.checkpoint_sha256 == b.checkpoint_sha256) &
           diff("config_json", a.config_json == b.config_json);
}

class RunApiCallSink final : public ApiCallSink {
public:
    RunApiCallSink(ResultsStore & store, RunId run) : store_(store), run_(run) {}
    void record_api_call(const ApiCallRecord & r) override { store_.record_api_call(run_, r); }

private:
    ResultsStore & store_;
    RunId run_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The writer thread: owns its connection and prepared statements, commits whatever is queued.

class ResultsStore::Writer {
public:
    Writer(const std::filesystem::path & path, const StoreOptions & options) : path_(path), options_(options) {
        results::ConnectionOptions co;
        co.busy_timeout_ms = options.busy_timeout_ms;
        co.synchronous_full = options.synchronous_full;
        co.vfs = options.vfs;
        db_ = results::open_results_db(path, co);
        prepare();
        thread_ = std::thread([this] { loop(); });
    }

    ~Writer() { stop(); }

    void push(Job && job) {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return error_ || stopping_ || queue_.size() < options_.max_queue; });
        throw_if_failed(lock);
        if (stopping_) programming_error(path_, "record after close()");
        queue_.push_back(std::move(job));
        ++enqueued_;
        work_.notify_one();
    }

    void flush() {
        std::unique_lock lock(mutex_);
        uint64_t target = enqueued_;
        done_.wait(lock, [&] { return error_ || committed_ >= target; });
        throw_if_failed(lock);
    }

    // Drains the queue and joins the thread. Never throws.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            work_.notify_all();
            space_.notify_all();
        }
        if (thread_.joinable()) thread_.join();
        statements_ = {};
        db_.reset();
    }

    // The error nobody has been told about yet (null when none); marks it as told.
    std::exception_ptr take_unreported_error() {
        std::lock_guard lock(mutex_);
        if (!error_ || reported_) return nullptr;
        reported_ = true;
        return error_;
    }

private:
    struct Statements {
        std::unique_ptr<sql::Statement> solver_id, item_id, insert_attempt, insert_details, supersede, delete_old,
            insert_call, insert_metric;
    };

    void throw_if_failed(std::unique_lock<std::mutex> &) {
        if (!error_) return;
        reported_ = true;
        std::rethrow_exception(error_);
    }

    void prepare() {
        using results::column_list;
        auto main_cols = results::attempt_main_columns();
        auto detail_cols = results::attempt_detail_columns();
        auto & s = statements_;
        s.solver_id = std::make_unique<sql::Statement>(*db_, "SELECT id FROM solvers WHERE run_id = ? AND name = ?");
        s.item_id = std::make_unique<sql::Statement>(
            *db_, "SELECT id, task_family FROM items WHERE run_id = ? AND dataset = ? AND example_id = ?");
        s.insert_attempt = std::make_unique<sql::Statement>(
            *db_, "INSERT INTO attempts (run_id, solver_id, item_id, attempt, " + column_list(main_cols) + ") VALUES (" +
                      placeholders(4 + main_cols.size()) + ") ON CONFLICT(solver_id, item_id, attempt) DO NOTHING");
        s.insert_details = std::make_unique<sql::Statement>(
            *db_, "INSERT INTO attempt_details (attempt_id, " + column_list(detail_cols) + ") VALUES (" +
                      placeholders(1 + detail_cols.size()) + ")");
        std::string all = column_list(main_cols) + ", " + column_list(detail_cols);
        s.supersede = std::make_unique<sql::Statement>(
            *db_, "INSERT INTO superseded_attempts (superseded_at_ms, run_id, solver_id, item_id, attempt, " + all +
                      ") SELECT ?, a.run_id, a.solver_id, a.item_id, a.attempt, " + column_list(main_cols, "a.") + ", " +
                      column_list(detail_cols, "d.") + " FROM attempts a" + results::kDetailsJoin +
                      " WHERE a.solver_id = ? AND a.item_id = ? AND a.attempt = ?");
        // attempt_details goes with it (ON DELETE CASCADE).
        s.delete_old = std::make_unique<sql::Statement>(
            *db_, "DELETE FROM attempts WHERE solver_id = ? AND item_id = ? AND attempt = ?");
        s.insert_call = std::make_unique<sql::Statement>(
            *db_,
            "INSERT INTO api_calls (run_id, solver, provider, model_id, example_id, attempt, cache_key, started_at_ms, "
            "latency_ms, http_status, retries, wait_ms, outcome, error, request_id, request_json, response_body, "
            "response_truncated) VALUES (" + placeholders(18) + ")");
        s.insert_metric = std::make_unique<sql::Statement>(
            *db_, "INSERT INTO train_metrics (run_id, series, step, wall_time_s, name, value) VALUES (?, ?, ?, ?, ?, ?)");
    }

    void loop() {
        std::vector<Job> batch;
        for (;;) {
            batch.clear();
            {
                std::unique_lock lock(mutex_);
                work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                size_t n = std::min(queue_.size(), std::max<size_t>(1, options_.max_batch));
                for (size_t i = 0; i < n; ++i) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
                space_.notify_all();
            }
            try {
                commit(batch);
            } catch (...) {
                fail(batch.size());
                return;
            }
            std::lock_guard lock(mutex_);
            committed_ += batch.size();
            done_.notify_all();
        }
    }

    // Keeps the first error, with how many records it cost, for the next caller.
    void fail(size_t in_batch) {
        std::lock_guard lock(mutex_);
        size_t lost = in_batch + queue_.size();
        queue_.clear();
        std::string note = " (writer thread: " + std::to_string(lost) +
                           " queued records were not stored; every record committed before is intact)";
        try {
            throw;
        } catch (const sql::DbError & e) {
            error_ = std::make_exception_ptr(sql::DbError(e.what() + note, e.code()));
        } catch (const Error & e) {
            error_ = std::make_exception_ptr(Error(e.what() + note, e.exit_code()));
        } catch (const std::exception & e) {
            error_ = std::make_exception_ptr(IoError("results database " + path_.string() + ": " + e.what() + note));
        }
        done_.notify_all();
        space_.notify_all();
    }

    void commit(std::vector<Job> & batch) {
        sql::Transaction tx(*db_);
        for (auto & job : batch) {
            if (auto a = std::get_if<AttemptRecord>(&job)) write_attempt(*a);
            else if (auto c = std::get_if<ApiCallJob>(&job)) write_call(*c);
            else write_metric(std::get<TrainMetric>(job));
        }
        tx.commit();
    }

    int64_t solver_id(RunId run, const std::string & name) {
        auto key = std::make_pair(run, name);
        if (auto it = solver_ids_.find(key); it != solver_ids_.end()) return it->second;
        auto & st = *statements_.solver_id;
        st.bind(1, run).bind(2, name);
        if (!st.step()) {
            st.reset();
            programming_error(path_, "attempt for solver '" + name + "' which is not registered in run " +
                                         std::to_string(run) + " (call register_solver first)");
        }
        int64_t id = st.get_int(0);
        st.reset();
        solver_ids_[key] = id;
        return id;
    }

    int64_t item_id(const AttemptRecord & a) {
        auto & st = *statements_.item_id;
        st.bind(1, a.run_id).bind(2, a.dataset).bind(3, a.example_id);
        if (!st.step()) {
            st.reset();
            programming_error(path_, "attempt for item " + a.dataset + ":" + a.example_id + " which is not in run " +
                                         std::to_string(a.run_id) + "'s manifest (call insert_items first)");
        }
        int64_t id = st.get_int(0);
        std::string family = st.get_text(1);
        st.reset();
        if (!a.task_family.empty() && family != a.task_family)
            programming_error(path_, "attempt for item " + a.dataset + ":" + a.example_id + " says task family '" +
                                         a.task_family + "' but the item is '" + family + "'");
        return id;
    }

    void write_attempt(const AttemptRecord & a) {
        int64_t sid = solver_id(a.run_id, a.solver);
        int64_t iid = item_id(a);
        std::vector<FieldValue> values = a.values();
        if (!insert_attempt(a, sid, iid, values)) {
            // Already stored (a retried attempt after resume): keep the old row, then replace it.
            auto & sup = *statements_.supersede;
            sup.bind(1, now_ms()).bind(2, sid).bind(3, iid).bind(4, a.attempt);
            sup.run();
            statements_.delete_old->bind_all(sid, iid, a.attempt).run();
            insert_attempt(a, sid, iid, values);
        }
    }

    // Inserts the attempts row and, when there is anything bulky, its attempt_details row.
    // False when the key exists already.
    bool insert_attempt(const AttemptRecord & a, int64_t sid, int64_t iid, const std::vector<FieldValue> & values) {
        auto fields = AttemptRecord::fields();
        auto & ins = *statements_.insert_attempt;
        auto & det = *statements_.insert_details;
        ins.bind(1, a.run_id).bind(2, sid).bind(3, iid).bind(4, a.attempt);
        int main_param = 5, detail_param = 2;
        bool any_detail = false;
        for (size_t k = results::kAttemptKeyFields; k < values.size(); ++k) {
            if (results::is_detail_column(fields[k].name)) {
                bind_value(det, detail_param++, values[k]);
                if (auto t = std::get_if<std::string>(&values[k])) any_detail |= !t->empty();
            } else {
                bind_value(ins, main_param++, values[k]);
            }
        }
        ins.run();
        if (db_->changes() == 0) {
            det.reset();
            return false;
        }
        if (any_detail) {
            det.bind(1, db_->last_insert_rowid());
            det.run();
        } else {
            det.reset();
        }
        return true;
    }

    void write_call(ApiCallJob & job) {
        ApiCallRecord & c = job.call;
        bool cut = results::truncate_utf8(c.response_body, options_.api_body_limit);
        cut |= results::truncate_utf8(c.request_json, options_.api_body_limit);
        auto & st = *statements_.insert_call;
        st.bind_all(job.run, c.solver, c.provider, c.model_id, c.example_id, c.attempt, c.cache_key, c.started_at_ms,
                    c.latency_ms, c.http_status, c.retries, c.wait_ms, c.outcome, c.error, c.request_id, c.request_json,
                    c.response_body, static_cast<int64_t>(cut ? 1 : 0));
        st.run();
    }

    void write_metric(const TrainMetric & m) {
        auto & st = *statements_.insert_metric;
        st.bind_all(m.run_id, m.series, m.step, m.wall_time_s, m.name, m.value);
        st.run();
    }

    std::filesystem::path path_;
    StoreOptions options_;
    std::unique_ptr<sql::Database> db_;
    Statements statements_;
    std::map<std::pair<RunId, std::string>, int64_t> solver_ids_;

    std::mutex mutex_;
    std::condition_variable work_, space_, done_;
    std::deque<Job> queue_;
    uint64_t enqueued_ = 0, committed_ = 0;
    bool stopping_ = false;
    std::exception_ptr error_;
    bool reported_ = false;
    std::thread thread_;
};

// ---------------------------------------------------------------------------------------------

struct ResultsStore::Sync {
    std::mutex mutex;
    std::unique_ptr<sql::Database> db;
};

ResultsStore::ResultsStore(const std::filesystem::path & path, StoreOptions options)
    : path_(path), options_(std::move(options)), sync_(std::make_unique<Sync>()) {
    results::ConnectionOptions co;
    co.busy_timeout_ms = options_.busy_timeout_ms;
    co.synchronous_full = options_.synchronous_full;
    co.vfs = options_.vfs;
    sync_->db = results::open_results_db(path_, co);
    writer_ = std::make_unique<Writer>(path_, options_);
}

ResultsStore::~ResultsStore() {
    try {
        close();
    } catch (const std::exception & e) {
        std::fprintf(stderr, "trmbench: error: %s\n", e.what());
    }
}

void ResultsStore::check_open() const {
    if (closed_) programming_error(path_, "the store is closed");
}

RunId ResultsStore::begin_run(RunInfo info) {
    check_open();
    if (info.git_sha.empty()) info.git_sha = git_sha();
    if (info.harness_version.empty()) info.harness_version = harness_version();
    if (info.host.empty()) info.host = host_name();
    if (info.cpu.empty()) info.cpu = cpu_model();
    if (info.created_at_ms == 0) info.created_at_ms = now_ms();
    if (info.shard_count < 1 || info.shard_index < 0 || info.shard_index >= info.shard_count)
        throw UsageError("shard " + std::to_string(info.shard_index) + "/" + std::to_string(info.shard_count) +
                         " is not a valid shard (need 0 <= index < count)");
    info.status = kRunRunning;
    info.finished_at_ms = -1;
    info.resume_count = 0;
    std::lock_guard lock(sync_->mutex);
    return results::insert_run(*sync_->db, info);
}

std::optional<RunInfo> ResultsStore::find_resumable_run(const std::string & config_hash, int shard_index,
                                                        int shard_count) {
    check_open();
    std::lock_guard lock(sync_->mutex);
    sql::Statement st(*sync_->db, std::string("SELECT ") + results::kRunColumns +
                                      " FROM runs WHERE config_hash = ? AND shard_index = ? AND shard_count = ? "
                                      "AND status != ? ORDER BY id DESC LIMIT 1");
    st.bind_all(config_hash, shard_index, shard_count, std::string(kRunCompleted));
    if (!st.step()) return std::nullopt;
    return results::read_run(st);
}

void ResultsStore::resume_run(RunId run) {
    check_open();
    std::lock_guard lock(sync_->mutex);
    sql::Statement st(*sync_->db,
                      "UPDATE runs SET status = ?, finished_at_ms = NULL, resume_count = resume_count + 1 WHERE id = ?");
    st.bind(1, std::string(kRunRunning)).bind(2, run);
    st.run();
    if (sync_->db->changes() == 0) programming_error(path_, "resume_run: no run with id " + std::to_string(run));
}

void ResultsStore::end_run(RunId run, std::string_view status) {
    check_open();
    if (status != kRunCompleted && status != kRunInterrupted && status != kRunFailed && status != kRunRunning)
        programming_error(path_, "end_run: unknown status '" + std::string(status) + "'");
    flush();
    std::lock_guard lock(sync_->mutex);
    sql::Statement st(*sync_->db, "UPDATE runs SET status = ?, finished_at_ms = ? WHERE id = ?");
    st.bind_all(std::string(status), now_ms(), run);
    st.run();
    if (sync_->db->changes() == 0) programming_error(path_, "end_run: no run with id " + std::to_string(run));
}

std::optional<RunInfo> ResultsStore::run(RunId run) {
    check_open();
    std::lock_guard lock(sync_->mutex);
    return results::load_run(*sync_->db, run);
}

void ResultsStore::insert_items(RunId run, std::span<const ItemRecord> items) {
    check_open();
    std::lock_guard lock(sync_->mutex);
    auto & db = *sync_->db;
    sql::Transaction tx(db);
    sql::Statement ins(db, std::string("INSERT INTO items (run_id, ") + results::kItemColumns +
                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, dataset, example_id) DO NOTHING");
    sql::Statement existing(db, std::string("SELECT ") + results::kItemColumns +
                                    " FROM items WHERE run_id = ? AND dataset = ? AND example_id = ?");
    for (const auto & it : items) {
        if (it.dataset.empty() || it.example_id.empty())
            throw InputError("results database " + path_.string() + ": item with an empty dataset or example id");
        ins.bind(1, run);
        results::bind_item(ins, 2, it);
        ins.run();
        if (db.changes() > 0) continue;
        // Already there (resumed run): harmless only when it is the same item.
        existing.bind_all(run, it.dataset, it.example_id);
        existing.step();
        ItemRecord old = results::read_item(existing);
        existing.reset();
        if (!(old == it))
            throw InputError("results database " + path_.string() + ": item " + it.dataset + ":" + it.example_id +
                             " is already in run " + std::to_string(run) +
                             " with different contents (family, group, position, difficulty, stratum or target); "
                             "the manifest of a resumed run must not change");
    }
    tx.commit();
}

void ResultsStore::register_solver(RunId run, const SolverInfo & s) {
    check_open();
    if (s.name.empty()) throw UsageError("register_solver: empty solver name");
    std::lock_guard lock(sync_->mutex);
    auto & db = *sync_->db;
    sql::Transaction tx(db);
    sql::Statement ins(db, std::string("INSERT INTO solvers (run_id, ") + results::kSolverColumns +
                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, name) DO NOTHING");
    ins.bind_all(run, s.name, s.kind, s.provider, s.model_id);
    ins.bind(6, s.n_params < 0 ? std::optional<int64_t>() : std::optional<int64_t>(s.n_params));
    ins.bind(7, s.active_params < 0 ? std::optional<int64_t>() : std::optional<int64_t>(s.active_params));
    ins.bind(8, s.device).bind(9, s.dtype).bind(10, s.checkpoint_sha256).bind(11, s.config_json);
    ins.run();
    if (db.changes() == 0) {
        sql::Statement existing(db, std::string("SELECT ") + results::kSolverColumns +
                                        " FROM solvers WHERE run_id = ? AND name = ?");
        existing.bind_all(run, s.name);
        existing.step();
        std::string field;
        if (!same_solver(results::read_solver(existing), s, field))
            throw InputError("results database " + path_.string() + ": solver '" + s.name + "' is already registered in run " +
                             std::to_string(run) + " with a different " + field);
    }
    tx.commit();
}

void ResultsStore::record_attempt(AttemptRecord record) {
    check_open();
    if (record.run_id <= 0 || record.solver.empty() || record.dataset.empty() || record.example_id.empty() ||
        record.attempt < 0)
        programming_error(path_, "record_attempt: run, solver, dataset, example id and a non-negative attempt are "
                                 "required (got run " + std::to_string(record.run_id) + ", solver '" + record.solver +
                                     "', item " + record.dataset + ":" + record.example_id + ")");
    if (record.created_at_ms == 0) record.created_at_ms = now_ms();
    writer_->push(Job(std::move(record)));
}

void ResultsStore::record_api_call(RunId run, const ApiCallRecord & call) {
    check_open();
    writer_->push(Job(ApiCallJob{run, call}));
}

void ResultsStore::record_train_metric(TrainMetric metric) {
    check_open();
    writer_->push(Job(std::move(metric)));
}

std::unique_ptr<ApiCallSink> ResultsStore::api_call_sink(RunId run) {
    return std::make_unique<RunApiCallSink>(*this, run);
}

void ResultsStore::flush() {
    check_open();
    writer_->flush();
}

void ResultsStore::close() {
    if (closed_.exchange(true)) return;
    writer_->stop();
    std::exception_ptr err = writer_->take_unreported_error();
    writer_.reset();
    cache_.reset();
    batches_.reset();
    sync_->db.reset();
    if (err) std::rethrow_exception(err);
}

std::vector<AttemptKey> ResultsStore::done_attempts(RunId run, const std::string & solver, ResumePolicy policy) {
    flush();
    std::lock_guard lock(sync_->mutex);
    sql::Statement st(*sync_->db,
                      "SELECT i.dataset, i.example_id, a.attempt, a.outcome FROM attempts a "
                      "JOIN items i ON i.id = a.item_id "
                      "WHERE a.solver_id = (SELECT id FROM solvers WHERE run_id = ? AND name = ?)");
    st.bind_all(run, solver);
    std::vector<AttemptKey> out;
    while (st.step()) {
        Outcome o;
        if (parse_outcome(st.get_text(3), o) && results::outcome_done(o, policy.retry_failures))
            out.push_back({st.get_text(0), st.get_text(1), static_cast<int>(st.get_int(2))});
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<AttemptKey> ResultsStore::pending_attempts(RunId run, const std::string & solver, int attempts_per_item,
                                                       ResumePolicy policy, const std::string & dataset) {
    std::vector<AttemptKey> done = done_attempts(run, solver, policy);
    std::lock_guard lock(sync_->mutex);
    sql::Statement st(*sync_->db,
                      "SELECT dataset, example_id FROM items WHERE run_id = ? AND (? = '' OR dataset = ?) "
                      "ORDER BY position, id");
    st.bind_all(run, dataset, dataset);
    std::vector<AttemptKey> out;
    while (st.step()) {
        AttemptKey key{st.get_text(0), st.get_text(1), 0};
        for (int k = 0; k < attempts_per_item; ++k) {
            key.attempt = k;
            if (!std::binary_search(done.begin(), done.end(), key)) out.push_back(key);
        }
    }
    return out;
}

ResponseCache & ResultsStore::response_cache() {
    check_open();
    std::lock_guard lock(sync_->mutex);
    if (!cache_) cache_ = std::make_unique<SqliteResponseCache>(path_, options_.busy_timeout_ms, options_.vfs);
    return *cache_;
}

BatchJobStore & ResultsStore::batch_jobs() {
    check_open();
    std::lock_guard lock(sync_->mutex);
    if (!batches_) batches_ = std::make_unique<SqliteBatchJobStore>(path_, 0, options_.busy_timeout_ms, options_.vfs);
    return *batches_;
}

}  // namespace trmbench
