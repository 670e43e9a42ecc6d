// BatchSolver: the Solver for one catalogue entry through the provider's batch API (about half the
// price, results within 24 h): OpenAI Batch for openai-chat / openai-responses entries of provider
// "openai", Anthropic Message Batches for anthropic-messages entries.
//
// solve() renders every item's request exactly as the interactive LlmSolver would, gives each a
// deterministic custom_id (batch_custom_id), and then:
//   1. resumes: every open batch of this solver in the BatchJobStore whose custom_ids match items of
//      this call is polled again instead of resubmitting those items (a crash, Ctrl-C or
//      `submit_only` run leaves the batch open in the store);
//   2. submits the other items in as few batches as the provider allows, and persists each batch id
//      with its custom_ids via BatchJobStore::save_batch() before the first poll;
//   3. polls every open batch with a growing interval (poll_interval_s, x1.5, up to
//      max_poll_interval_s), shows progress, and on the end downloads the results, joins them to the
//      items by custom_id and reports one Prediction per item; then marks the batch collected.
// Per-entry errors, expired and canceled requests, malformed result lines and missing lines become
// outcomes of their items (never exceptions). Cost uses the catalogue's batch_discount.
//
// HTTP exchanges are retried like interactive calls (retry.h), except that creating a batch is not
// retried after a timeout or a 5xx: the provider may have created it, and a duplicate is paid twice.
// Every exchange is recorded through the ApiCallSink with the API key redacted.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "adapters/batch_protocol.h"
#include "adapters/client.h"
#include "harness/core/llm_records.h"
#include "harness/core/solver.h"

namespace trmbench {

struct BatchSolverOptions {
    BatchJobStore * store = nullptr;           // required: where batch ids live between runs
    std::shared_ptr<HttpTransport> transport;  // null: the process-wide curl transport
    ApiCallSink * calls = nullptr;             // null: exchanges are not recorded
    Clock * clock = nullptr;                   // null: system clock
    std::shared_ptr<SpendBudget> budget;       // null: no spend cap (checked before each submit)
    RetryPolicy retry;                         // for each HTTP exchange
    uint64_t seed = 0;                         // backoff jitter
    std::string solver_name;                   // default: the entry's name
    double poll_interval_s = 30;               // first wait before polling a batch
    double max_poll_interval_s = 600;          // polls back off up to this interval
    double max_wait_s = 26 * 3600;             // stop waiting after this (the batch stays open)
    bool submit_only = false;                  // submit and persist, do not wait: items come back skipped
    size_t max_requests_per_batch = 0;         // 0: the provider's limit
    bool show_progress = true;
    std::function<void(const std::string &)> log;  // submit, resume, poll-failure lines (redacted)
};

struct BatchRunStats {
    int submitted_batches = 0;
    int resumed_batches = 0;
    int collected_batches = 0;
    int64_t http_requests = 0;
    double spent_usd = 0;
};

class BatchSolver final : public Solver {
public:
    // Throws UsageError when the entry has no batch API, the store is missing, or the API key's
    // environment variable is unset (nothing is sent).
    BatchSolver(ModelEntry entry, BatchSolverOptions options);
    ~BatchSolver() override;

    SolverInfo info() const override;
    bool supports(const Task & task) const override { return true; }
    size_t preferred_batch_size() const override;
    void solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) override;

    const ModelEntry & entry() const { return entry_; }
    BatchWire wire() const { return wire_; }
    BatchRunStats stats() const { return stats_; }

private:
    friend class BatchRun;
    ModelEntry entry_;
    BatchWire wire_;
    BatchSolverOptions options_;
    std::string api_key_;
    Redactor redactor_;
    Rng rng_;
    BatchRunStats stats_;
};

// One line per open (not yet collected) batch of `solver` in the store, for `trmbench llm batch status`.
std::string describe_open_batches(BatchJobStore & store, const std::string & solver);

}  // namespace trmbench
