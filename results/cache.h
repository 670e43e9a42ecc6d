// SQLite implementations of the adapters' durable stores (harness/core/llm_records.h):
//
//   SqliteResponseCache  content-addressed responses (response_cache table)
//   SqliteBatchJobStore  provider batch jobs (batch_jobs table)
//
// Each owns its own connection with synchronous=FULL and writes on the caller's thread, so put()
// and save_batch() are durable when they return: a crash, even a power loss, right afterwards
// keeps the row, and a resumed run never pays twice for the same answer. Both are thread-safe
// (one mutex around the connection; the HTTP call they save dwarfs the wait). They can use the
// results database itself (ResultsStore::response_cache()) or a separate file shared across runs.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/llm_records.h"
#include "results/records.h"

namespace trmbench {

namespace sql {
class Database;
}

class SqliteResponseCache final : public ResponseCache {
public:
    explicit SqliteResponseCache(const std::filesystem::path & path, int busy_timeout_ms = 30000,
                                 const std::string & vfs = "");
    ~SqliteResponseCache() override;

    std::optional<CachedResponse> get(const std::string & key) override;
    // Inserts, or replaces an entry with the same key. Durable on return. Throws DbError on failure.
    void put(const std::string & key, const std::string & provider, const std::string & model_id,
             const CachedResponse & response) override;
    int64_t size();

private:
    std::mutex mutex_;
    std::unique_ptr<sql::Database> db_;
};

class SqliteBatchJobStore final : public BatchJobStore {
public:
    // `run` (0: none) is recorded with every batch saved through this object.
    explicit SqliteBatchJobStore(const std::filesystem::path & path, RunId run = 0, int busy_timeout_ms = 30000,
                                 const std::string & vfs = "");
    ~SqliteBatchJobStore() override;

    // Inserts or updates by batch_id; keeps the collected flag. Durable on return.
    void save_batch(const BatchJobRecord & r) override;
    // Batches of `solver` not yet collected, oldest first.
    std::vector<BatchJobRecord> open_batches(const std::string & solver) override;
    // Throws Error when no batch has that id.
    void mark_batch_collected(const std::string & batch_id) override;
    std::optional<BatchJobRecord> batch(const std::string & batch_id);

private:
    std::mutex mutex_;
    std::unique_ptr<sql::Database> db_;
    RunId run_;
};

}  // namespace trmbench
