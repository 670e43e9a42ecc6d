// run_plan(): the run loop and its scheduler (see runner.h).
#include "harness/run/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "harness/core/version.h"
#include "harness/run/interrupt.h"
#include "harness/run/live_progress.h"
#include "harness/run/llm_registry.h"
#include "results/reader.h"
#include "results/store.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

using Clock = std::chrono::steady_clock;

// Why dispatching stops; shared by every lane.
class RunControl {
public:
    RunControl(double time_budget_s, int64_t stop_after) : stop_after_(stop_after) {
        if (time_budget_s > 0)
            deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(time_budget_s));
    }

    bool should_stop() {
        if (stopped_.load(std::memory_order_relaxed)) return true;
        if (interrupt_requested()) {
            int sig = interrupt_signal();
            stop(sig == SIGTERM ? "terminated (SIGTERM)" : "interrupted (Ctrl-C)");
            return true;
        }
        if (deadline_ && Clock::now() >= *deadline_) {
            stop("time budget used up");
            return true;
        }
        return false;
    }
    void stop(const std::string & reason) {
        std::lock_guard lock(mutex_);
        if (reason_.empty()) reason_ = reason;
        stopped_ = true;
    }
    std::string reason() const {
        std::lock_guard lock(mutex_);
        return reason_;
    }
    bool stopped() const { return stopped_.load(); }
    void count_recorded() {
        int64_t n = recorded_.fetch_add(1) + 1;
        if (stop_after_ >= 0 && n >= stop_after_) stop("stopped after " + std::to_string(stop_after_) + " attempts (test hook)");
    }
    int64_t recorded() const { return recorded_.load(); }

private:
    std::atomic<bool> stopped_{false};
    mutable std::mutex mutex_;
    std::string reason_;
    std::optional<Clock::time_point> deadline_;
    int64_t stop_after_;
    std::atomic<int64_t> recorded_{0};
};

// One solver's pending work on one task.
struct TaskWork {
    size_t k = 0;                    // index into PlannedSolver::tasks
    std::vector<WorkItem> items;
};

struct SolverJob {
    PlannedSolver * solver = nullptr;
    size_t line = 0;                 // LiveProgress line
    std::vector<TaskWork> work;
};

// Scores each prediction and hands it to the store. One per solve() call.
class ScoringSink final : public PredictionSink {
public:
    ScoringSink(ResultsStore & store, RunId run, const PlannedSolver & solver, const PlannedTask & task,
                std::span<const WorkItem> batch, RunControl & control, LiveProgress & progress, size_t line)
        : store_(store), run_(run), solver_(solver), task_(task), control_(control), progress_(progress), line_(line) {
        for (const WorkItem & w : batch) expected_.emplace(w.example->id, w.attempt);
        for (const WorkItem & w : batch) examples_.emplace(w.example->id, w.example);
    }

    void put(Prediction && p) override {
        auto key = std::make_pair(p.example_id, p.attempt);
        if (!expected_.erase(key))
            throw Error("solver " + solver_.name + " reported a prediction for " + p.example_id + " attempt " +
                            std::to_string(p.attempt) + " that it was not given (or twice)",
                        kExitFailure);
        if (p.outcome == Outcome::skipped) {
            ++skipped_;
            if (skip_reason_.empty()) skip_reason_ = p.error;
            progress_.update(line_, [&](SolverProgress & s) { ++s.skipped; });
            return;
        }
        const Example & ex = *examples_.at(p.example_id);
        const Scorer & scorer = task_.task->scorer();
        Score score = scorer.score(ex, p.answer);
        std::vector<bool> step_correct;
        step_correct.reserve(p.steps.size());
        for (const StepRecord & st : p.steps)
            step_correct.push_back(!st.answer.empty() && scorer.score(ex, st.answer).correct());
        AttemptRecord rec = make_attempt_record(run_, solver_.name, task_.dataset, ex, p, score, step_correct);
        bool correct = rec.correct();
        double usd = p.usage.cost_usd > 0 ? p.usage.cost_usd : 0;
        store_.record_attempt(std::move(rec));
        progress_.update(line_, [&](SolverProgress & s) {
            ++s.done;
            if (correct) ++s.correct;
            s.usd += usd;
            s.retries += p.retries;
            s.rate_limit_wait_ms += p.rate_limit_wait_ms;
        });
        control_.count_recorded();
    }

    bool stop_requested() const override { return control_.should_stop(); }

    // Items of the batch the solver never reported (a contract violation): counted as not made.
    size_t missing() const { return expected_.size(); }
    size_t skipped() const { return skipped_; }
    const std::string & skip_reason() const { return skip_reason_; }

private:
    ResultsStore & store_;
    RunId run_;
    const PlannedSolver & solver_;
    const PlannedTask & task_;
    RunControl & control_;
    LiveProgress & progress_;
    size_t line_;
    std::set<std::pair<std::string, int>> expected_;
    std::map<std::string, const Example *> examples_;
    size_t skipped_ = 0;
    std::string skip_reason_;
};

// Every item of every task, in plan order (position runs across tasks).
std::vector<ItemRecord> manifest(const Plan & plan) {
    std::vector<ItemRecord> items;
    int64_t position = 0;
    for (const auto & t : plan.tasks)
        for (size_t i = 0; i < t.examples.size(); ++i)
            items.push_back(item_from_example(t.examples[i], t.dataset, position++, t.subset.strata[i]));
    return items;
}

RunInfo run_info(const Plan & plan) {
    RunInfo info;
    info.suite_name = plan.suite.name;
    info.config_json = plan.config_json;
    info.config_hash = plan.config_hash;
    info.dataset_hashes = plan.dataset_hashes;
    info.prompt_template_hashes = plan.prompt_template_hashes;
    info.seeds = plan.seeds;
    info.price_table_date = plan.price_table_date;
    info.shard_index = plan.options.shard.index;
    info.shard_count = plan.options.shard.count;
    for (const auto & s : plan.solvers)
        if (s.info.device.rfind("cuda", 0) == 0 && info.gpu.empty()) info.gpu = s.info.device;
    return info;
}

// What a resumed run's solvers have stored already, for the progress display.
struct StoredSoFar {
    int64_t correct = 0;  // correct attempts
    double usd = 0;
};

std::map<std::string, StoredSoFar> stored_so_far(ResultsStore & store, RunId run, int busy_timeout_ms) {
    store.flush();
    ResultsReader reader(store.path(), busy_timeout_ms);
    std::map<std::string, StoredSoFar> out;
    for (const auto & a : reader.aggregate(run)) {
        out[a.solver].correct += a.n_attempts_correct;
        out[a.solver].usd += std::max(0.0, a.cost_usd);
    }
    return out;
}

// Dollars the stored attempts of a run cost, replaced (retried) ones included.
double stored_cost_usd(ResultsStore & store, RunId run, int busy_timeout_ms) {
    store.flush();
    ResultsReader reader(store.path(), busy_timeout_ms);
    double usd = 0;
    for (const auto & a : reader.aggregate(run)) usd += std::max(0.0, a.cost_usd);
    for (const auto & a : reader.superseded_attempts(run)) usd += std::max(0.0, a.usage.cost_usd);
    return usd;
}

std::string run_label(const RunInfo & r, int64_t attempts) {
    return "run " + std::to_string(r.id) + " (" + r.status + ", " + std::to_string(attempts) + " attempts stored, resumed " +
           std::to_string(r.resume_count) + "x)";
}

// Which run to continue, if any (see ResumeMode).
std::optional<RunInfo> choose_resume(ResultsStore & store, const Plan & plan, const RunOptions & o, LiveProgress & progress) {
    const Shard & shard = plan.options.shard;
    if (o.resume == ResumeMode::never) return std::nullopt;
    if (o.resume == ResumeMode::run_id) {
        auto r = store.run(o.resume_id);
        if (!r) throw UsageError("--resume " + std::to_string(o.resume_id) + ": no such run in " + store.path().string());
        if (r->config_hash != plan.config_hash)
            throw UsageError("--resume " + std::to_string(o.resume_id) + ": that run was made with a different configuration (suite " +
                             r->suite_name + ", config sha256 " + r->config_hash.substr(0, 12) + " vs " + plan.config_hash.substr(0, 12) +
                             " now: datasets, subsets or solvers differ); use the same suite, data and keys, or start a new run");
        if (r->shard_index != shard.index || r->shard_count != shard.count)
            throw UsageError("--resume " + std::to_string(o.resume_id) + ": that run is shard " + std::to_string(r->shard_index) + "/" +
                             std::to_string(r->shard_count) + ", not " + shard.text());
        return r;
    }
    auto r = store.find_resumable_run(plan.config_hash, shard.index, shard.count);
    if (!r) return std::nullopt;
    if (o.resume == ResumeMode::automatic) return r;
    int64_t stored = 0;
    {
        store.flush();
        ResultsReader reader(store.path(), o.busy_timeout_ms);
        for (const auto & a : reader.aggregate(r->id)) stored += a.n_attempts;
    }
    std::string label = run_label(*r, stored);
    if (r->status == kRunRunning) label += "; it may have crashed, or still be running elsewhere";
    if (o.confirm && o.confirm("resume " + label + "? [Y/n] ")) return r;
    if (!o.confirm)
        progress.log("note: " + label + " of this suite can be resumed: " + o.command + " --resume " + std::to_string(r->id) +
                     " (or --resume auto); starting a new run");
    return std::nullopt;
}

void run_job(SolverJob & job, const Plan & plan, ResultsStore & store, RunId run, RunControl & control, LiveProgress & progress,
             std::atomic<int64_t> & not_made, std::mutex & stop_reason_mutex, std::string & solver_stop_reason) {
    PlannedSolver & s = *job.solver;
    progress.update(job.line, [](SolverProgress & p) {
        p.state = "running";
        p.started = Clock::now();
        p.has_started = true;
    });
    size_t batch_size = s.entry.batch_size > 0 ? static_cast<size_t>(s.entry.batch_size) : std::max<size_t>(1, s.solver->preferred_batch_size());
    for (TaskWork & w : job.work) {
        const PlannedTask & task = plan.tasks[s.tasks[w.k]];
        progress.update(job.line, [&](SolverProgress & p) { p.task = task.entry.name; });
        int64_t before_done = progress.get(job.line).done, before_correct = progress.get(job.line).correct;
        size_t pos = 0;
        while (pos < w.items.size()) {
            if (control.should_stop()) break;
            size_t n = std::min(batch_size, w.items.size() - pos);
            std::span<const WorkItem> batch(w.items.data() + pos, n);
            ScoringSink sink(store, run, s, task, batch, control, progress, job.line);
            s.solver->solve(*task.task, batch, sink);
            not_made += static_cast<int64_t>(sink.skipped() + sink.missing());
            if (sink.missing() > 0)
                progress.log("warning: " + s.name + " returned no prediction for " + std::to_string(sink.missing()) + " of " +
                             std::to_string(n) + " items on " + task.entry.name + " (left pending)");
            if (sink.skipped() > 0 && !control.stopped()) {
                // The solver itself declined work (e.g. the spend cap): it stops for this run.
                std::lock_guard lock(stop_reason_mutex);
                if (solver_stop_reason.empty()) solver_stop_reason = s.name + ": " + sink.skip_reason();
                pos += n;
                not_made += static_cast<int64_t>(w.items.size() - pos);
                pos = w.items.size();
                progress.update(job.line, [&](SolverProgress & p) { p.state = "stopped"; });
                progress.log(s.name + ": stopped on " + task.entry.name + ": " + sink.skip_reason());
                return;
            }
            pos += n;
        }
        if (pos < w.items.size()) not_made += static_cast<int64_t>(w.items.size() - pos);
        SolverProgress now = progress.get(job.line);
        int64_t done = now.done - before_done, correct = now.correct - before_correct;
        if (pos >= w.items.size() && !w.items.empty())
            progress.log(s.name + " on " + task.entry.name + ": " + std::to_string(done) + " attempts, " + std::to_string(correct) +
                         " correct");
        if (control.stopped()) {
            for (size_t j = &w - job.work.data() + 1; j < job.work.size(); ++j) not_made += static_cast<int64_t>(job.work[j].items.size());
            progress.update(job.line, [](SolverProgress & p) { p.state = "stopped"; });
            return;
        }
    }
    progress.update(job.line, [](SolverProgress & p) { p.state = "done"; });
}

// A counting gate for the LLM lanes (limits.parallel_solvers).
class Gate {
public:
    explicit Gate(int n) : free_(n <= 0 ? 1 << 30 : n) {}
    void acquire() {
        std::unique_lock lock(m_);
        cv_.wait(lock, [this] { return free_ > 0; });
        --free_;
    }
    void release() {
        {
            std::lock_guard lock(m_);
            ++free_;
        }
        cv_.notify_one();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    int free_;
};

std::vector<SummaryRow> summary_rows(const Plan & plan, const fs::path & db, RunId run, int busy_timeout_ms) {
    ResultsReader reader(db, busy_timeout_ms);
    std::vector<Aggregate> aggs = reader.aggregate(run);
    std::vector<SummaryRow> rows;
    for (const auto & s : plan.solvers) {
        for (size_t k = 0; k < s.tasks.size(); ++k) {
            const PlannedTask & t = plan.tasks[s.tasks[k]];
            SummaryRow row;
            row.solver = s.name;
            row.task = t.entry.name;
            row.dataset = t.dataset;
            row.attempts_per_item = s.attempts[k];
            row.items = plan.options.shard.whole() ? static_cast<int64_t>(t.examples.size()) : t.shard_examples;
            for (const auto & a : aggs) {
                if (a.solver != s.name || a.dataset != t.dataset) continue;
                // A shard's denominator is its share of the manifest (the merged run has the rest).
                row.items = plan.options.shard.whole() ? a.n_items : t.shard_examples;
                row.items_attempted = a.n_items_attempted;
                row.items_correct = a.n_items_correct;
                row.attempts = a.n_attempts;
                row.cost_usd = a.cost_usd;
                row.wall_ms = a.wall_ms;
            }
            rows.push_back(row);
        }
    }
    return rows;
}

}  // namespace

RunSummary run_plan(Plan & plan, const RunOptions & o) {
    RunSummary summary;
    auto t0 = Clock::now();
    std::optional<InterruptGuard> signals;
    if (o.handle_signals) signals.emplace();

    StoreOptions store_options;
    store_options.busy_timeout_ms = o.busy_timeout_ms;
    store_options.vfs = o.store_vfs;
    ResultsStore store(o.db, store_options);
    LiveProgress progress(o.out, o.quiet, o.plain_interval_s);

    std::optional<RunInfo> resumed = choose_resume(store, plan, o, progress);
    RunId run = 0;
    if (resumed) {
        run = resumed->id;
        if (resumed->git_sha != git_sha())
            progress.log("note: run " + std::to_string(run) + " was started by trmbench " + resumed->git_sha + ", this is " + git_sha());
        store.resume_run(run);
        summary.resumed = true;
        progress.log("resuming run " + std::to_string(run) + " in " + o.db.string());
    } else {
        run = store.begin_run(run_info(plan));
        progress.log("run " + std::to_string(run) + " in " + o.db.string());
    }
    summary.run_id = run;
    summary.resume_command = o.command + " --resume " + std::to_string(run);

    RunControl control(plan.suite.limits.time_budget_s, o.stop_after_attempts);
    std::unique_ptr<ApiCallSink> calls;
    try {
        store.insert_items(run, manifest(plan));
        for (const auto & s : plan.solvers) store.register_solver(run, s.info);
        if (plan.llm) {
            if (summary.resumed) plan.llm->book_previous_spend(stored_cost_usd(store, run, o.busy_timeout_ms));
            calls = store.api_call_sink(run);
            plan.llm->attach(&store.response_cache(), calls.get(), &store.batch_jobs());
            plan.llm->set_log([&progress](const std::string & line) { progress.log(line); });
        }

        // What is left to do, per solver and task, in this shard.
        ResumePolicy policy;
        policy.retry_failures = o.retry_failures;
        std::vector<SolverJob> jobs;
        std::map<std::string, StoredSoFar> stored;
        if (summary.resumed) stored = stored_so_far(store, run, o.busy_timeout_ms);
        for (auto & s : plan.solvers) {
            SolverJob job;
            job.solver = &s;
            int64_t total = 0, pending = 0;
            for (size_t k = 0; k < s.tasks.size(); ++k) {
                const PlannedTask & t = plan.tasks[s.tasks[k]];
                std::map<std::string, const Example *> by_id;
                for (const auto & ex : t.examples) by_id.emplace(ex.id, &ex);
                TaskWork w;
                w.k = k;
                for (const AttemptKey & key : store.pending_attempts(run, s.name, s.attempts[k], policy, t.dataset)) {
                    auto it = by_id.find(key.example_id);
                    if (it == by_id.end()) continue;  // an item of the manifest this plan does not have (cannot happen for a matching hash)
                    const Example & ex = *it->second;
                    if (!in_shard(t.dataset, ex.group.empty() ? ex.id : ex.group, plan.options.shard)) continue;
                    w.items.push_back({&ex, key.attempt});
                }
                total += static_cast<int64_t>(plan.work_items(s, k).size());
                pending += static_cast<int64_t>(w.items.size());
                job.work.push_back(std::move(w));
            }
            SolverProgress line;
            line.name = s.name;
            line.total = total;
            line.done_before = total - pending;
            if (auto it = stored.find(s.name); it != stored.end()) {
                line.correct_before = std::min(it->second.correct, line.done_before);
                line.usd = it->second.usd;
            }
            job.line = progress.add(line);
            summary.pending_at_start += pending;
            jobs.push_back(std::move(job));
        }
        if (summary.resumed)
            progress.log(std::to_string(summary.pending_at_start) + " attempts left to make");

        // Lanes: CPU-bound solvers in sequence on one thread; each LLM solver on its own thread.
        progress.start();
        std::atomic<int64_t> not_made{0};
        std::mutex error_mutex, reason_mutex;
        std::exception_ptr first_error;
        std::string solver_stop_reason;
        auto guarded = [&](SolverJob & job) {
            try {
                run_job(job, plan, store, run, control, progress, not_made, reason_mutex, solver_stop_reason);
            } catch (...) {
                {
                    std::lock_guard lock(error_mutex);
                    if (!first_error) first_error = std::current_exception();
                }
                control.stop("error in solver " + job.solver->name);
                progress.update(job.line, [](SolverProgress & p) { p.state = "failed"; });
            }
        };
        Gate gate(plan.suite.limits.parallel_solvers);
        std::vector<std::thread> lanes;
        lanes.emplace_back([&] {
            for (auto & job : jobs)
                if (!job.solver->io_bound()) guarded(job);
        });
        for (auto & job : jobs) {
            if (!job.solver->io_bound()) continue;
            lanes.emplace_back([&, j = &job] {
                gate.acquire();
                guarded(*j);
                gate.release();
            });
        }
        for (auto & t : lanes) t.join();
        if (plan.llm) {
            plan.llm->attach(nullptr, nullptr);
            plan.llm->set_log(nullptr);
        }
        progress.finish();
        store.flush();
        if (first_error) std::rethrow_exception(first_error);

        summary.recorded = control.recorded();
        summary.not_made = not_made.load();
        summary.stop_reason = control.reason();
        if (summary.stop_reason.empty()) summary.stop_reason = solver_stop_reason;
    } catch (...) {
        if (plan.llm) {
            plan.llm->attach(nullptr, nullptr);
            plan.llm->set_log(nullptr);
        }
        progress.finish();
        try {
            store.end_run(run, kRunFailed);
        } catch (...) {
            // The store's own error is the one to report (rethrown below with context).
        }
        rethrow_with_context("run " + std::to_string(run) + " in " + o.db.string());
    }

    // Completed when nothing is pending any more in this shard.
    int64_t left = 0;
    ResumePolicy policy;
    policy.retry_failures = o.retry_failures;
    for (const auto & s : plan.solvers)
        for (size_t k = 0; k < s.tasks.size(); ++k) {
            const PlannedTask & t = plan.tasks[s.tasks[k]];
            std::map<std::string_view, const Example *> by_id;
            for (const auto & e : t.examples) by_id.emplace(e.id, &e);
            for (const AttemptKey & key : store.pending_attempts(run, s.name, s.attempts[k], policy, t.dataset)) {
                auto it = by_id.find(key.example_id);
                if (it == by_id.end()) continue;
                const Example & ex = *it->second;
                if (in_shard(t.dataset, ex.group.empty() ? ex.id : ex.group, plan.options.shard)) ++left;
            }
        }
    summary.status = left == 0 ? std::string(kRunCompleted) : std::string(kRunInterrupted);
    store.end_run(run, summary.status);
    store.close();
    summary.not_made = left;
    summary.rows = summary_rows(plan, o.db, run, o.busy_timeout_ms);
    if (!plan.options.shard.whole()) summary.shard = plan.options.shard.text();
    summary.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
    summary.exit_code = interrupt_requested() ? kExitInterrupted : kExitOk;
    return summary;
}

std::string format_summary(const RunSummary & s, const fs::path & db) {
    std::string out;
    char buf[512];
    size_t sw = 6, tw = 4;
    for (const auto & r : s.rows) sw = std::max(sw, r.solver.size()), tw = std::max(tw, r.task.size());
    std::snprintf(buf, sizeof buf, "\n%-*s  %-*s  %9s  %13s  %9s  %9s\n", static_cast<int>(sw), "solver", static_cast<int>(tw), "task",
                  "pass@k", "items", "accuracy", "cost");
    out += buf;
    for (const auto & r : s.rows) {
        std::string items = std::to_string(r.items_attempted) + "/" + std::to_string(r.items);
        std::string acc = r.items > 0 ? [&] {
            char a[32];
            std::snprintf(a, sizeof a, "%.1f%%", 100.0 * static_cast<double>(r.items_correct) / static_cast<double>(r.items));
            return std::string(a);
        }()
                                      : std::string("-");
        std::string cost = r.cost_usd > 0 ? [&] {
            char c[32];
            std::snprintf(c, sizeof c, "$%.2f", r.cost_usd);
            return std::string(c);
        }()
                                          : std::string("-");
        std::snprintf(buf, sizeof buf, "%-*s  %-*s  %9s  %13s  %9s  %9s\n", static_cast<int>(sw), r.solver.c_str(), static_cast<int>(tw),
                      r.task.c_str(), ("pass@" + std::to_string(r.attempts_per_item)).c_str(), items.c_str(), acc.c_str(), cost.c_str());
        out += buf;
    }
    out += s.shard.empty() ? "(accuracy over every item of the task; items shows attempted/total)\n\n"
                           : "(shard " + s.shard + ": accuracy over this shard's items; `trmbench merge` combines the shards)\n\n";
    out += "run " + std::to_string(s.run_id) + " " + s.status + " in " + format_duration(s.elapsed_s) + ": " +
           std::to_string(s.recorded) + " attempts recorded this session";
    if (s.not_made > 0) out += ", " + std::to_string(s.not_made) + " still to make";
    out += "\n";
    if (!s.stop_reason.empty()) out += "stopped: " + s.stop_reason + "\n";
    if (s.status != kRunCompleted) out += "resume with: " + s.resume_command + "\n";
    out += "results: " + db.string() + "\n";
    return out;
}

}  // namespace trmbench
