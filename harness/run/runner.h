// The run loop: executes a Plan into a results database.
//
//   1. open (or create) the database; resume a run of the same config hash and shard, or begin one
//      with everything needed to reproduce it (git sha, host, CPU, config JSON, dataset and prompt
//      template hashes, seeds, price-table date, shard);
//   2. insert the whole manifest up front (every item of every task, in every shard): the
//      denominator is the dataset, never what happened to finish;
//   3. register the solvers, then give each solver, task by task, the attempts the database does not
//      have yet (in this shard), in batches of its preferred size. Each Prediction is scored with the
//      task's Scorer as it arrives and queued to the store, which commits every finished item, so a
//      crash or `kill -9` loses only the calls in flight, and a resumed run never repeats a stored one;
//   4. end the run as completed, or as interrupted (Ctrl-C, time budget, spend cap) with the command
//      that resumes it.
//
// Scheduler. CPU-bound solvers (baselines, local models, which use every core themselves) run one
// after another on one lane. Each LLM solver — I/O-bound, its requests bounded by the catalogue's and
// the suite's concurrency limits — runs on its own lane at the same time, at most
// limits.parallel_solvers of them at once. So a slow API never holds up the local models, and local
// models never compete with each other for cores.
//
// Stopping. Solvers check stop_requested() before dispatching more work: it turns true on the first
// SIGINT/SIGTERM, when the time budget is used up, or after `stop_after_attempts` (tests). The shared
// spend cap is enforced inside the LLM solvers (they report the items they could not afford as
// skipped). Skipped items are not stored: they stay pending for a resume.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/run/plan.h"

namespace trmbench {

enum class ResumeMode {
    ask,        // a plain re-run: ask on a terminal (confirm callback), else print the hint and start anew
    automatic,  // --resume auto: resume the latest unfinished run of this config and shard, if any
    never,      // --new: always start a new run
    run_id,     // --resume ID
};

struct RunOptions {
    std::filesystem::path db;
    ResumeMode resume = ResumeMode::ask;
    int64_t resume_id = 0;
    bool retry_failures = true;            // resume re-attempts stored failures (HTTP errors, timeouts, ...)
    int busy_timeout_ms = 30000;           // wait this long for another writer of the database
    bool quiet = false;
    std::FILE * out = stderr;              // progress and messages
    double plain_interval_s = 10;          // progress line interval when `out` is not a terminal
    bool handle_signals = true;            // install the SIGINT/SIGTERM handlers for the run
    std::string command;                   // the command line, for "resume with: <command> --resume N"
    // Asked on a plain re-run when an unfinished run exists; null: never ask.
    std::function<bool(const std::string & question)> confirm;
    // Test hook: stop dispatching once this many attempts were recorded in this session (-1: off).
    int64_t stop_after_attempts = -1;
    int threads = 0;
    // Test hook: the SQLite VFS the store writes through ("" = SQLite's default); the tests use a
    // fault-injecting one to fill the disk mid-run.
    std::string store_vfs;
};

struct SummaryRow {
    std::string solver;
    std::string task;                      // suite task name
    std::string dataset;
    int attempts_per_item = 0;
    int64_t items = 0;                     // manifest items of the task (all shards)
    int64_t items_attempted = 0;
    int64_t items_correct = 0;             // pass@k
    int64_t attempts = 0;
    double cost_usd = 0;
    double wall_ms = 0;
};

struct RunSummary {
    int64_t run_id = 0;
    bool resumed = false;
    std::string status;                    // "completed" | "interrupted" | "failed"
    std::string stop_reason;               // "" or what stopped it ("interrupted (SIGINT)", "time budget", ...)
    int64_t recorded = 0;                  // attempts recorded in this session
    int64_t not_made = 0;                  // attempts left pending (stop, spend cap)
    int64_t pending_at_start = 0;
    double elapsed_s = 0;
    std::vector<SummaryRow> rows;
    std::string resume_command;            // when not completed
    std::string shard;                     // "i/N" for a sharded run, "" otherwise
    int exit_code = 0;                     // 0 ok (budget stops included), 130 after a signal
};

RunSummary run_plan(Plan & plan, const RunOptions & options);

// Results table and closing lines for the terminal.
std::string format_summary(const RunSummary & s, const std::filesystem::path & db);

}  // namespace trmbench
