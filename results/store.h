// ResultsStore: the writing side of the results database, used by the runner.
//
// Life of a run:
//   ResultsStore store(path);
//   RunId run = store.find_resumable_run(hash)  ->  store.resume_run(id)   (or store.begin_run(info))
//   store.insert_items(run, manifest);          // every item up front: the denominator is the dataset
//   store.register_solver(run, solver.info());  // idempotent, checked against a resumed run
//   for (key : store.pending_attempts(run, solver, k)) ... store.record_attempt(record);
//   store.end_run(run, kRunCompleted);
//
// Threads and durability:
//   * record_attempt(), record_api_call() and record_train_metric() only enqueue (thread-safe, may
//     block when the queue is full). One writer thread with its own connection commits what is
//     queued as soon as it is there: one transaction per finished item when items arrive one by one,
//     a few hundred per transaction under load. flush() waits until everything queued is committed.
//   * A writer failure (disk full, database locked past the busy timeout, ...) is kept and thrown,
//     naming the database, by the next record_*(), flush(), end_run() or close(); the store accepts
//     no more records after it. Rows committed before the failure stay intact.
//   * The other methods write synchronously on the caller's thread through a second connection
//     (serialised by a mutex); reads flush the queue first so they see every recorded attempt.
//   * response_cache() and batch_jobs() use a third connection with synchronous=FULL, and write on
//     the caller's thread: put() is durable (even against power loss) when it returns.
// Re-recording an attempt that is already stored (a retried failure after resume) replaces it and
// moves the old row to superseded_attempts, so the tokens and dollars it cost are never lost.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/llm_records.h"
#include "harness/core/solver.h"
#include "results/records.h"

namespace trmbench {

struct StoreOptions {
    int busy_timeout_ms = 30000;    // wait this long for another writer before failing
    bool synchronous_full = false;  // fsync every attempt commit (power-loss durable, slower)
    size_t max_queue = 8192;        // record_*() blocks while this many records wait
    size_t max_batch = 512;         // most records per writer transaction
    size_t api_body_limit = 1 << 20;  // bytes of request/response body kept per api call
    std::string vfs;                // SQLite VFS name; empty for the default (tests inject faults)
};

// Which stored attempts count as done when resuming. Finished outcomes (ok, parse_error,
// truncated, refused) are always done; skipped never is.
struct ResumePolicy {
    bool retry_failures = true;  // false: rate_limited, quota_exhausted, http_error, timeout, error count as done
};

class SqliteResponseCache;
class SqliteBatchJobStore;

class ResultsStore {
public:
    explicit ResultsStore(const std::filesystem::path & path, StoreOptions options = {});
    ~ResultsStore();  // close(), reporting (not throwing) an error nobody has seen yet
    ResultsStore(const ResultsStore &) = delete;
    ResultsStore & operator=(const ResultsStore &) = delete;

    const std::filesystem::path & path() const { return path_; }

    // ---- runs
    // Inserts a run with status "running". Empty git/host/version fields are filled from this build.
    RunId begin_run(RunInfo info);
    // The most recent run with this config hash and shard that did not complete, if any.
    std::optional<RunInfo> find_resumable_run(const std::string & config_hash, int shard_index = 0, int shard_count = 1);
    // Marks a found run as running again (resume_count + 1).
    void resume_run(RunId run);
    // Flushes, then sets the final status (kRunCompleted, kRunInterrupted, kRunFailed) and time.
    void end_run(RunId run, std::string_view status);
    std::optional<RunInfo> run(RunId run);

    // ---- manifest and solvers (synchronous; re-inserting identical rows is harmless)
    // Throws InputError when an item already in the run has a different family, group or target.
    void insert_items(RunId run, std::span<const ItemRecord> items);
    // Throws InputError when a solver of that name is registered with a different model/config.
    void register_solver(RunId run, const SolverInfo & solver);

    // ---- asynchronous records
    void record_attempt(AttemptRecord record);
    void record_api_call(RunId run, const ApiCallRecord & call);
    void record_train_metric(TrainMetric metric);
    // An ApiCallSink for adapters that records into `run`. The store must outlive it.
    std::unique_ptr<ApiCallSink> api_call_sink(RunId run);
    // Waits until every record queued so far is committed; throws the writer's error if any.
    void flush();
    // Flushes, stops the writer and closes the connections. Idempotent.
    void close();

    // ---- resume
    // Attempts of (run, solver) stored with an outcome the policy counts as done, sorted.
    std::vector<AttemptKey> done_attempts(RunId run, const std::string & solver, ResumePolicy policy = {});
    // Every (item, attempt < attempts_per_item) of the run's manifest that is not done, in manifest
    // order. `dataset` restricts to one dataset when not empty.
    std::vector<AttemptKey> pending_attempts(RunId run, const std::string & solver, int attempts_per_item,
                                             ResumePolicy policy = {}, const std::string & dataset = "");

    // ---- the adapters' durable stores in the same file (created on first use)
    ResponseCache & response_cache();
    BatchJobStore & batch_jobs();

private:
    class Writer;
    void check_open() const;

    std::filesystem::path path_;
    StoreOptions options_;
    struct Sync;
    std::unique_ptr<Sync> sync_;       // the caller-thread connection and its mutex
    std::unique_ptr<Writer> writer_;
    std::unique_ptr<SqliteResponseCache> cache_;
    std::unique_ptr<SqliteBatchJobStore> batches_;
    std::atomic<bool> closed_{false};
};

}  // namespace trmbench
