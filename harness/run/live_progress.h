// LiveProgress: the per-solver progress display of a run.
//
// One line per solver: done/total attempts (stored ones of a resumed run included), accuracy of the
// attempts made in this session, rate, ETA, dollars spent, retries and time waited on rate limits,
// and the task it is on. On a terminal the block is redrawn in place (at most 5 times a second,
// lines cut to the terminal width so the redraw never scrolls); otherwise a plain line per active
// solver is printed every `plain_interval_s` seconds, so CI and Slurm logs stay readable. log()
// prints a message above the block without tearing it. Thread-safe: solvers update their own line
// from their threads; a drawing thread owned by the object redraws.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace trmbench {

struct SolverProgress {
    std::string name;
    std::string task;              // current task
    std::string state = "waiting"; // "waiting" | "running" | "done" | "stopped" | "failed"
    int64_t total = 0;             // attempts of this solver in this run (and shard)
    int64_t done_before = 0;       // already stored when the session started (resume)
    int64_t done = 0;              // recorded in this session
    int64_t correct = 0;           // of `done`
    int64_t correct_before = 0;    // of `done_before`
    int64_t skipped = 0;           // not made (stop, spend cap)
    double usd = 0;                // the whole run's (a resumed run starts with what is stored)
    int64_t retries = 0;
    double rate_limit_wait_ms = 0;
    std::chrono::steady_clock::time_point started{};
    bool has_started = false;
};

class LiveProgress {
public:
    LiveProgress(std::FILE * out, bool quiet, double plain_interval_s = 10.0);
    ~LiveProgress();  // stops the drawing thread and draws the final state
    LiveProgress(const LiveProgress &) = delete;
    LiveProgress & operator=(const LiveProgress &) = delete;

    size_t add(const SolverProgress & initial);
    // Applies `f` to line `i` under the lock.
    template <class F>
    void update(size_t i, F && f) {
        std::lock_guard lock(mutex_);
        f(lines_[i]);
        dirty_ = true;
    }
    SolverProgress get(size_t i) const;
    void log(const std::string & message);
    // Starts the drawing thread (call after every add()).
    void start();
    // Stops drawing and prints the final block once.
    void finish();

    // One rendered line (exposed for tests).
    static std::string render(const SolverProgress & p, std::chrono::steady_clock::time_point now);

private:
    void loop();
    void draw_locked(bool final_draw);
    int columns() const;

    std::FILE * out_;
    bool quiet_;
    bool tty_;
    double plain_interval_s_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<SolverProgress> lines_;
    size_t drawn_lines_ = 0;
    bool dirty_ = true;
    bool stop_ = false;
    bool finished_ = false;
    std::thread thread_;
};

}  // namespace trmbench
