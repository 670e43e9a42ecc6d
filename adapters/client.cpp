// LlmClient: the dispatcher event loop (see client.h for the contract).
#include "adapters/client.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <limits>
#include <list>
#include <map>

#include "adapters/http_curl.h"
#include "adapters/providers/json_util.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"

namespace trmbench {

// ---------------------------------------------------------------------------------------------------
// Small pieces

void RetryCounts::add(FailureKind k) {
    switch (k) {
        case FailureKind::rate_limited: ++rate_limited; break;
        case FailureKind::overloaded: ++overloaded; break;
        case FailureKind::server_error: ++server_error; break;
        case FailureKind::timeout: ++timeout; break;
        case FailureKind::connection: ++connection; break;
        case FailureKind::malformed: ++malformed; break;
        default: break;
    }
}

RetryCounts & RetryCounts::operator+=(const RetryCounts & o) {
    rate_limited += o.rate_limited;
    overloaded += o.overloaded;
    server_error += o.server_error;
    timeout += o.timeout;
    connection += o.connection;
    malformed += o.malformed;
    return *this;
}

bool SpendBudget::try_reserve(double usd) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (spent_ + reserved_ + usd > cap_) return false;
    reserved_ += usd;
    return true;
}

void SpendBudget::settle(double reserved_usd, double actual_usd) {
    std::lock_guard<std::mutex> lock(mutex_);
    reserved_ = std::max(0.0, reserved_ - reserved_usd);
    spent_ += std::max(0.0, actual_usd);
}

double SpendBudget::spent() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return spent_;
}

double SpendBudget::reserved() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return reserved_;
}

std::string Preflight::to_text() const {
    char buf[512];
    auto usd = [](double v) {
        if (v < 0) return std::string("unknown");
        char b[32];
        std::snprintf(b, sizeof b, "$%.4f", v);
        return std::string(b);
    };
    std::snprintf(buf, sizeof buf,
                  "%zu requests, ~%lld input tokens, ~%lld output tokens expected (worst %s); cost ~%s expected, "
                  "%s worst case (%s)",
                  requests, static_cast<long long>(input_tokens), static_cast<long long>(expected_output_tokens),
                  worst_output_tokens < 0 ? "unbounded" : std::to_string(worst_output_tokens).c_str(),
                  usd(expected_usd).c_str(), usd(worst_usd).c_str(), method.c_str());
    return buf;
}

std::string api_key_for(const ModelEntry & entry) {
    if (!entry.needs_key()) return {};
    auto key = env(entry.api_key_env.c_str());
    if (!key)
        throw UsageError("model '" + entry.name + "' needs an API key: set the environment variable " +
                         entry.api_key_env + " (nothing was sent)");
    return *key;
}

std::shared_ptr<HttpTransport> default_transport() {
    static std::mutex m;
    static std::shared_ptr<HttpTransport> transport;
    std::lock_guard<std::mutex> lock(m);
    if (!transport) transport = std::make_shared<CurlTransport>();
    return transport;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Tokens a chat request adds around the prompt (roles, message framing).
constexpr int64_t kMessageOverheadTokens = 16;

std::string limiter_key(const ModelEntry & e) { return e.provider + " @ " + e.base_url; }

// Worst-case dollars of one request with `input` prompt tokens.
double worst_cost(const ModelEntry & e, int64_t input) {
    int64_t out = e.worst_output_tokens();
    if (!e.pricing.known() || out < 0) return -1;
    double out_price = std::max(e.pricing.output, e.pricing.reasoning_price());
    return (static_cast<double>(input) * e.pricing.input + static_cast<double>(out) * out_price) / 1e6;
}

std::string selected_headers_json(const HttpHeaders & headers) {
    jsonu::json j = jsonu::json::object();
    for (const char * name : {"x-request-id", "request-id", "x-goog-request-id", "openai-processing-ms",
                              "openai-version", "anthropic-organization-id"}) {
        std::string_view v = header_value(headers, name);
        if (!v.empty()) j[name] = std::string(v);
    }
    return j.dump();
}

std::string request_id_from_cached(const std::string & headers_json) {
    auto j = jsonu::json::parse(headers_json, nullptr, false);
    if (!j.is_object()) return {};
    for (const char * name : {"x-request-id", "request-id", "x-goog-request-id"}) {
        std::string v = jsonu::str(j, name);
        if (!v.empty()) return v;
    }
    return {};
}

std::string ms_text(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f ms", ms);
    return buf;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// One run(): all state of the event loop.

class ClientRun {
public:
    ClientRun(LlmClient & client, const JobSource & source, const std::function<void(LlmResult &&)> & on_result,
              const std::function<bool()> & stop)
        : c_(client),
          entry_(client.entry_),
          source_(source),
          on_result_(on_result),
          stop_(stop),
          clock_(client.options_.clock ? *client.options_.clock : system_clock()),
          transport_(client.options_.transport ? client.options_.transport : default_transport()),
          solver_name_(client.options_.solver_name.empty() ? client.entry_.name : client.options_.solver_name) {}

    void run();

private:
    struct Job {
        size_t index = 0;
        std::string example_id;
        int attempt = 0;
        std::string body;          // canonical request body (kept for retries)
        std::string cache_key;
        int64_t est_input = 0;
        int64_t est_tokens = 0;    // for the tokens/minute bucket
        double reserved_usd = 0;   // spend-cap reservation held by this job
        bool in_flight = false;
        double ready_at = 0;
        bool polling = false;      // background job submitted: polling for its result
        bool persisted = false;    // its response id is in options.background_jobs
        std::string response_id;
        double job_deadline = kInf;
        int tries = 0;             // submit exchanges
        int poll_failures = 0;     // consecutive failed polls
        int timeouts = 0;
        int exchanges = 0;
        double waited_ms = 0;
        double rate_wait_ms = 0;
        double blocked_since = -1; // when a rate limit (token bucket / pause) held it back
        double first_sent_ms = -1;
        double sent_ms = 0;
        int64_t sent_unix_ms = 0;
        RetryCounts counts;
    };
    enum class ExchangeKind { submit, poll, cancel };
    struct Completion {
        Job * job;                 // null for cancel requests
        ExchangeKind kind;
        HttpResponse response;
        std::string cancel_example_id;
        int cancel_attempt = 0;
        int64_t sent_unix_ms = 0;
    };

    // Limits
    RateLimiter::Grant acquire(double now, int64_t tokens);
    void release(double now, int64_t est, int64_t actual, bool rate_limited);

    // Dispatch
    std::unique_ptr<Job> make_job(size_t i);
    bool try_cache(Job & job);
    void dispatch();
    bool try_send(Job & job, double now);
    void send(Job & job, double now);
    void send_cancel(Job & job);

    // Completions
    void handle(Completion & c);
    void handle_success(Job & job, const HttpResponse & r, ExchangeKind kind);
    void handle_failure(Job & job, const Failure & f, const HttpResponse & r, ExchangeKind kind);
    void finish_reply(Job & job, const ProviderReply & reply, const HttpResponse & r, bool from_cache,
                      const std::string & cached_request_id);
    void finish_failure(Job & job, const Failure & f, const std::string & why);
    void finish_skipped(Job & job, const std::string & why);
    void deliver(Job & job, LlmResult && result, double actual_cost);
    void remove(Job & job);

    // Background jobs persisted by an earlier run
    void load_background_jobs();
    void resume_background(Job & job, double now);
    void persist_background(Job & job, const std::string & status);

    // Halting (stop requested, spend cap, error)
    void halt(const std::string & reason);
    void skip_waiting_jobs();

    void record(const Job & job, const HttpResponse & r, ExchangeKind kind, const std::string & outcome,
                const std::string & error, const std::string & request_json);
    void log(const std::string & line);
    double next_deadline(double now) const;

    LlmClient & c_;
    const ModelEntry & entry_;
    const JobSource & source_;
    const std::function<void(LlmResult &&)> & on_result_;
    const std::function<bool()> & stop_;
    Clock & clock_;
    std::shared_ptr<HttpTransport> transport_;
    std::string solver_name_;

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Completion> completions_;  // guarded by mutex_

    size_t next_ = 0;                    // next job index to pull from the source
    std::list<std::unique_ptr<Job>> active_;
    std::unique_ptr<Job> staged_;        // pulled, waiting for limits
    int outstanding_ = 0;                // HTTP exchanges whose callback has not been handled
    bool halted_ = false;
    std::string halt_reason_;
    double limiter_wake_ms_ = kInf;      // when a limiter that refused a job may grant again
    double dispatch_now_ = 0;            // the time of the last dispatch()
    std::map<std::string, std::string> resumable_;  // cache key -> response id of a running background job
    std::exception_ptr error_;
};

RateLimiter::Grant ClientRun::acquire(double now, int64_t tokens) {
    auto g = c_.provider_limiter_->try_acquire(now, tokens);
    if (!g.granted) return g;
    auto m = c_.model_limiter_->try_acquire(now, tokens);
    if (!m.granted) c_.provider_limiter_->undo_acquire(now, tokens);
    return m;
}

void ClientRun::release(double now, int64_t est, int64_t actual, bool rate_limited) {
    c_.provider_limiter_->release(now, est, actual, rate_limited);
    c_.model_limiter_->release(now, est, actual, rate_limited);
}

std::unique_ptr<ClientRun::Job> ClientRun::make_job(size_t i) {
    auto job = std::make_unique<Job>();
    job->index = i;
    job->example_id = source_.example_id(i);
    job->attempt = source_.attempt(i);
    std::string prompt = source_.prompt(i);
    job->body = c_.provider_.build_body(entry_, prompt, job->attempt);
    job->cache_key = LlmClient::cache_key(entry_, job->body, job->attempt);
    job->est_input = estimate_tokens(prompt) + kMessageOverheadTokens;
    job->est_tokens = job->est_input + std::max<int64_t>(0, entry_.expected_output_tokens());
    return job;
}

bool ClientRun::try_cache(Job & job) {
    if (!c_.options_.cache) return false;
    auto hit = c_.options_.cache->get(job.cache_key);
    if (!hit || hit->http_status < 200 || hit->http_status >= 300) return false;
    ProviderReply reply = c_.provider_.parse_reply(hit->body);
    if (reply.malformed || reply.finish == FinishKind::pending) return false;  // unusable entry: ask again
    HttpResponse r;
    r.status = hit->http_status;
    finish_reply(job, reply, r, true, request_id_from_cached(hit->headers_json));
    return true;
}

void ClientRun::send(Job & job, double now) {
    HttpRequest request;
    ExchangeKind kind = job.polling ? ExchangeKind::poll : ExchangeKind::submit;
    if (job.polling) {
        auto poll = c_.provider_.poll_request(entry_, job.response_id, c_.api_key_);
        if (!poll) {
            // Providers without polling never report pending; if one does, fail the job cleanly.
            release(now, 0, -1, false);
            Failure f;
            f.kind = FailureKind::client_error;
            f.reason = "the " + entry_.api + " api has no way to poll background job " + job.response_id;
            finish_failure(job, f, "no polling");
            return;
        }
        request = std::move(*poll);
    } else {
        request = c_.provider_.build_request(entry_, job.body, c_.api_key_);
    }
    job.in_flight = true;
    job.sent_ms = now;
    job.sent_unix_ms = clock_.unix_ms();
    if (job.first_sent_ms < 0) job.first_sent_ms = now;
    if (job.blocked_since >= 0) {
        job.rate_wait_ms += now - job.blocked_since;
        job.waited_ms += now - job.blocked_since;
        job.blocked_since = -1;
    }
    ++job.exchanges;
    if (!job.polling) ++job.tries;
    ++outstanding_;
    {
        std::lock_guard<std::mutex> lock(c_.stats_mutex_);
        ++c_.stats_.requests_sent;
    }
    Job * ptr = &job;
    transport_->start(std::move(request), [this, ptr, kind](HttpResponse && r) {
        std::lock_guard<std::mutex> lock(mutex_);
        completions_.push_back(Completion{ptr, kind, std::move(r), {}, 0, 0});
        cv_.notify_one();
    });
}

void ClientRun::send_cancel(Job & job) {
    auto request = c_.provider_.cancel_request(entry_, job.response_id, c_.api_key_);
    if (!request) return;
    ++outstanding_;
    std::string id = job.example_id;
    int attempt = job.attempt;
    int64_t unix_ms = clock_.unix_ms();
    transport_->start(std::move(*request), [this, id, attempt, unix_ms](HttpResponse && r) {
        std::lock_guard<std::mutex> lock(mutex_);
        completions_.push_back(Completion{nullptr, ExchangeKind::cancel, std::move(r), id, attempt, unix_ms});
        cv_.notify_one();
    });
}

// Sends `job` when the limiters allow it; otherwise notes when to try again.
bool ClientRun::try_send(Job & job, double now) {
    auto g = acquire(now, job.polling ? 0 : job.est_tokens);
    if (!g.granted) {
        if (g.by_rate && job.blocked_since < 0) job.blocked_since = now;
        limiter_wake_ms_ = std::min(limiter_wake_ms_, g.retry_at_ms);
        return false;
    }
    send(job, now);
    return true;
}

void ClientRun::dispatch() {
    double now = clock_.now_ms();
    dispatch_now_ = now;
    limiter_wake_ms_ = kInf;
    // Retries and polls first: they already hold budget and have waited.
    for (auto & job : active_) {
        if (!job || job->in_flight || job->ready_at > now) continue;
        if (job->polling && now >= job->job_deadline) {
            send_cancel(*job);
            Failure f;
            f.kind = FailureKind::timeout;
            f.reason = "background job " + job->response_id + " still running after " +
                       format_duration(entry_.timeout_s) + " (timeout_s); cancelled";
            finish_failure(*job, f, "job deadline");
            continue;
        }
        if (!try_send(*job, now)) break;
    }
    while (!halted_ && (staged_ || next_ < source_.size())) {
        if (!staged_) {
            staged_ = make_job(next_++);
            if (try_cache(*staged_)) {
                staged_.reset();
                continue;
            }
            resume_background(*staged_, now);
        }
        if (c_.options_.budget && staged_->reserved_usd == 0) {
            double worst = worst_cost(entry_, staged_->est_input);
            if (worst < 0) {
                halt("spend cap set, but '" + entry_.name +
                     "' has no max_output_tokens or prices, so a request's cost has no bound");
                break;
            }
            if (!c_.options_.budget->try_reserve(worst)) {
                char buf[200];
                std::snprintf(buf, sizeof buf,
                              "spend cap $%.4f reached (spent $%.4f, in flight worst case $%.4f, next request worst "
                              "case $%.4f)",
                              c_.options_.budget->cap(), c_.options_.budget->spent(), c_.options_.budget->reserved(),
                              worst);
                halt(buf);
                break;
            }
            staged_->reserved_usd = worst;
        }
        if (!try_send(*staged_, now)) break;
        active_.push_back(std::move(staged_));
    }
    active_.remove_if([](const std::unique_ptr<Job> & j) { return !j; });
}

void ClientRun::load_background_jobs() {
    if (!c_.options_.background_jobs || !entry_.background) return;
    for (const auto & rec : c_.options_.background_jobs->open_batches(solver_name_)) {
        if (rec.provider != entry_.provider || rec.status.rfind("background", 0) != 0) continue;
        auto ids = jsonu::json::parse(rec.custom_ids_json, nullptr, false);
        if (ids.is_array() && ids.size() == 1 && ids[0].is_string()) resumable_[ids[0].get<std::string>()] = rec.batch_id;
    }
}

// A job whose identical request is still running as a background job of an earlier run polls that
// job instead of submitting again.
void ClientRun::resume_background(Job & job, double now) {
    auto it = resumable_.find(job.cache_key);
    if (it == resumable_.end()) return;
    job.polling = true;
    job.persisted = true;
    job.response_id = it->second;
    job.first_sent_ms = now;
    job.job_deadline = now + entry_.timeout_s * 1000;
    resumable_.erase(it);
    log(entry_.name + ": " + job.example_id + "#" + std::to_string(job.attempt) + ": resuming background job " +
        job.response_id);
}

void ClientRun::persist_background(Job & job, const std::string & status) {
    if (!c_.options_.background_jobs) return;
    BatchJobRecord rec;
    rec.batch_id = job.response_id;
    rec.provider = entry_.provider;
    rec.solver = solver_name_;
    rec.status = "background " + status;
    rec.custom_ids_json = jsonu::json::array({job.cache_key}).dump();
    rec.created_at_ms = rec.updated_at_ms = clock_.unix_ms();
    c_.options_.background_jobs->save_batch(rec);
    job.persisted = true;
}

void ClientRun::halt(const std::string & reason) {
    if (halted_) return;
    halted_ = true;
    halt_reason_ = reason;
    log(entry_.name + ": stopped dispatching: " + reason);
}

// After a halt: every job not on the wire and not a running background job becomes skipped.
void ClientRun::skip_waiting_jobs() {
    if (staged_) {
        finish_skipped(*staged_, halt_reason_);
        staged_.reset();
    }
    for (auto & job : active_)
        if (job && !job->in_flight && !job->polling) finish_skipped(*job, halt_reason_);
    active_.remove_if([](const std::unique_ptr<Job> & j) { return !j; });
    while (next_ < source_.size()) {
        Job job;
        job.index = next_;
        job.example_id = source_.example_id(next_);
        job.attempt = source_.attempt(next_);
        ++next_;
        finish_skipped(job, halt_reason_);
    }
}

void ClientRun::handle(Completion & c) {
    --outstanding_;
    if (c.kind == ExchangeKind::cancel) {
        if (c_.options_.calls) {
            Job pseudo;
            pseudo.example_id = c.cancel_example_id;
            pseudo.attempt = c.cancel_attempt;
            pseudo.sent_unix_ms = c.sent_unix_ms;
            record(pseudo, c.response, ExchangeKind::cancel, "cancel", "", "POST cancel");
        }
        return;
    }
    Job & job = *c.job;
    job.in_flight = false;
    const HttpResponse & r = c.response;
    if (r.ok()) handle_success(job, r, c.kind);
    else handle_failure(job, classify_failure(r, clock_.unix_ms()), r, c.kind);
}

void ClientRun::handle_success(Job & job, const HttpResponse & r, ExchangeKind kind) {
    ProviderReply reply = c_.provider_.parse_reply(r.body);
    if (reply.malformed) {
        handle_failure(job, malformed_failure(r, reply.malformed_reason), r, kind);
        return;
    }
    double now = clock_.now_ms();
    const std::string request_json = kind == ExchangeKind::poll ? "GET responses/" + reply.response_id : job.body;
    if (reply.finish == FinishKind::pending) {
        release(now, kind == ExchangeKind::submit ? job.est_tokens : 0, -1, false);
        if (reply.response_id.empty()) {
            handle_failure(job, malformed_failure(r, "background job without an id"), r, kind);
            return;
        }
        job.polling = true;
        job.poll_failures = 0;
        job.response_id = reply.response_id;
        if (!job.persisted) persist_background(job, reply.finish_raw);
        if (std::isinf(job.job_deadline)) job.job_deadline = job.first_sent_ms + entry_.timeout_s * 1000;
        job.ready_at = now + entry_.poll_interval_s * 1000;
        record(job, r, kind, "pending", "background job " + reply.finish_raw + ", polling", request_json);
        return;
    }
    int64_t actual = kind == ExchangeKind::submit ? reply.tokens.billed_tokens() : -1;
    release(now, kind == ExchangeKind::submit ? job.est_tokens : 0, actual, false);
    if (c_.options_.cache) {
        CachedResponse cached{r.status, c_.redactor_.apply(r.body), selected_headers_json(r.headers)};
        c_.options_.cache->put(job.cache_key, entry_.provider + "/" + entry_.api, entry_.model, cached);
    }
    finish_reply(job, reply, r, false, request_id_from_headers(r.headers));
}

void ClientRun::handle_failure(Job & job, const Failure & f, const HttpResponse & r, ExchangeKind kind) {
    double now = clock_.now_ms();
    bool rate_limited = f.kind == FailureKind::rate_limited;
    release(now, kind == ExchangeKind::submit ? job.est_tokens : 0, -1, rate_limited);
    if (f.kind == FailureKind::timeout) ++job.timeouts;
    // A 429 with a hint pauses the whole account, not just this job (hints beyond the retry budget
    // end this job instead and must not freeze the others).
    if (rate_limited && f.server_delay_ms && *f.server_delay_ms > 0 &&
        *f.server_delay_ms <= c_.options_.retry.max_retry_wall_ms)
        c_.provider_limiter_->pause_until(now + *f.server_delay_ms);
    int attempts = kind == ExchangeKind::poll ? ++job.poll_failures : job.tries;
    RetryDecision d = decide_retry(c_.options_.retry, f, attempts, job.waited_ms, job.timeouts, c_.rng_);
    // A timed-out or garbled call may have been billed: book its worst case and reserve again.
    bool maybe_billed = kind == ExchangeKind::submit && (f.kind == FailureKind::timeout || f.kind == FailureKind::malformed);
    if (maybe_billed && c_.options_.budget) {
        c_.options_.budget->settle(job.reserved_usd, job.reserved_usd);
        double held = job.reserved_usd;
        job.reserved_usd = 0;
        if (d.retry && !c_.options_.budget->try_reserve(held)) {
            d.retry = false;
            d.why = "not retried: spend cap reached";
        } else if (d.retry) {
            job.reserved_usd = held;
        }
    }
    if (d.retry && halted_ && kind == ExchangeKind::submit) {
        d.retry = false;
        d.why = "not retried: " + halt_reason_;
    }
    std::string request_json = kind == ExchangeKind::poll ? "GET responses/" + job.response_id : job.body;
    std::string status = r.status ? "HTTP " + std::to_string(r.status) : std::string(transport_error_name(r.error));
    if (d.retry) {
        int retry_no = job.counts.total() + 1;
        std::string line = "retry " + std::to_string(retry_no) + " in " + ms_text(d.wait_ms) + " (" + d.why + "): " +
                           std::string(failure_kind_name(f.kind)) + ": " + f.reason;
        record(job, r, kind, std::string(outcome_name(failure_outcome(f.kind))), line, request_json);
        log(entry_.name + ": " + job.example_id + "#" + std::to_string(job.attempt) + ": " + line);
        job.counts.add(f.kind);
        job.ready_at = now + d.wait_ms;
        job.waited_ms += d.wait_ms;
        if (rate_limited) job.rate_wait_ms += d.wait_ms;
        return;
    }
    std::string line = "giving up (" + d.why + "): " + std::string(failure_kind_name(f.kind)) + ": " + f.reason;
    record(job, r, kind, std::string(outcome_name(failure_outcome(f.kind))), line, request_json);
    log(entry_.name + ": " + job.example_id + "#" + std::to_string(job.attempt) + ": " + line);
    if (kind == ExchangeKind::poll) send_cancel(job);
    Failure final_failure = f;
    if (final_failure.request_id.empty()) final_failure.request_id = request_id_from_headers(r.headers);
    finish_failure(job, final_failure, d.why);
}

void ClientRun::finish_reply(Job & job, const ProviderReply & reply, const HttpResponse & r, bool from_cache,
                             const std::string & request_id) {
    LlmResult res;
    res.finish = reply.finish;
    res.finish_raw = reply.finish_raw;
    res.text = reply.text;
    res.reasoning = reply.reasoning;
    res.http_status = r.status;
    res.response_id = reply.response_id;
    res.request_id = request_id.empty() ? reply.response_id : request_id;
    res.latency_ms = r.total_ms;
    res.from_cache = from_cache;
    res.usage = to_usage(reply.tokens, entry_.pricing, reply.usage_json);
    res.compute.flops = estimate_flops(entry_.active_params, reply.tokens);
    res.compute.flops_estimated = res.compute.flops >= 0;
    std::string reasoning_note = reply.tokens.reasoning >= 0
                                     ? " after " + std::to_string(reply.tokens.reasoning) + " reasoning tokens"
                                     : "";
    switch (reply.finish) {
        case FinishKind::stop:
        case FinishKind::other:
            if (reply.think_unterminated && reply.text.empty()) {
                res.outcome = Outcome::parse_error;
                res.error = "reasoning never closed (<think> without </think>), no answer";
            } else if (reply.text.empty()) {
                res.outcome = Outcome::parse_error;
                res.error = "empty answer (finish: " + (reply.finish_raw.empty() ? "none" : reply.finish_raw) + ")";
            } else {
                res.outcome = Outcome::ok;
            }
            break;
        case FinishKind::length:
            res.outcome = Outcome::truncated;
            res.error = "stopped at the output limit (" + reply.finish_raw + ")" + reasoning_note + "; billed, no usable answer";
            break;
        case FinishKind::refusal:
        case FinishKind::content_filter:
            res.outcome = Outcome::refused;
            res.error = (reply.error.empty() ? "refused" : reply.error) + " (" + reply.finish_raw + ")";
            break;
        case FinishKind::failed:
        case FinishKind::pending:
            res.outcome = Outcome::http_error;
            res.error = "provider job failed: " + reply.error;
            break;
    }
    double cost = from_cache ? 0 : res.usage.cost_usd;
    if (!from_cache && cost < 0) cost = job.reserved_usd;  // unknown usage: book the worst case
    if (from_cache) {
        std::lock_guard<std::mutex> lock(c_.stats_mutex_);
        ++c_.stats_.cache_hits;
    } else {
        record(job, r, job.polling ? ExchangeKind::poll : ExchangeKind::submit, std::string(outcome_name(res.outcome)),
               res.error, job.polling ? "GET responses/" + job.response_id : job.body);
    }
    deliver(job, std::move(res), cost);
}

void ClientRun::finish_failure(Job & job, const Failure & f, const std::string & why) {
    LlmResult res;
    res.outcome = failure_outcome(f.kind);
    res.http_status = f.http_status;
    res.request_id = f.request_id;
    res.error = f.reason + " (" + why + ")";
    // Error statuses are not billed; a timeout or a garbled 2xx may have been (unknown cost).
    bool maybe_billed = f.kind == FailureKind::timeout || f.kind == FailureKind::malformed ||
                        f.kind == FailureKind::connection;
    res.usage.cost_usd = maybe_billed ? -1 : 0;
    deliver(job, std::move(res), maybe_billed ? job.reserved_usd : 0);
}

void ClientRun::finish_skipped(Job & job, const std::string & why) {
    LlmResult res;
    res.outcome = Outcome::skipped;
    res.error = why;
    res.usage.cost_usd = 0;
    {
        std::lock_guard<std::mutex> lock(c_.stats_mutex_);
        ++c_.stats_.skipped;
    }
    deliver(job, std::move(res), 0);
}

void ClientRun::deliver(Job & job, LlmResult && res, double actual_cost) {
    const Redactor & red = c_.redactor_;
    res.index = job.index;
    res.example_id = job.example_id;
    res.attempt = job.attempt;
    res.cache_key = job.cache_key;
    res.retries = job.counts.total();
    res.retry_counts = job.counts;
    res.wait_ms = job.waited_ms;
    res.rate_limit_wait_ms = job.rate_wait_ms;
    res.compute.wall_ms = job.first_sent_ms >= 0 ? clock_.now_ms() - job.first_sent_ms : 0;
    res.text = red.apply(res.text);
    res.reasoning = red.apply(res.reasoning);
    res.error = red.apply(res.error);
    res.request_id = red.apply(res.request_id);
    res.response_id = red.apply(res.response_id);
    res.usage.raw_json = red.apply(res.usage.raw_json);
    if (c_.options_.budget) c_.options_.budget->settle(job.reserved_usd, actual_cost);
    job.reserved_usd = 0;
    if (job.persisted) {
        c_.options_.background_jobs->mark_batch_collected(job.response_id);
        job.persisted = false;
    }
    {
        std::lock_guard<std::mutex> lock(c_.stats_mutex_);
        c_.stats_.retries += job.counts;
        if (actual_cost > 0) c_.stats_.spent_usd += actual_cost;
    }
    remove(job);
    if (!error_) on_result_(std::move(res));
}

// Marks the job finished; active_ drops it (the unique_ptr is reset, the list compacted later).
void ClientRun::remove(Job & job) {
    for (auto & p : active_)
        if (p.get() == &job) {
            p.reset();
            return;
        }
}

void ClientRun::record(const Job & job, const HttpResponse & r, ExchangeKind kind, const std::string & outcome,
                       const std::string & error, const std::string & request_json) {
    if (!c_.options_.calls) return;
    const Redactor & red = c_.redactor_;
    ApiCallRecord rec;
    rec.solver = solver_name_;
    rec.provider = entry_.provider;
    rec.model_id = entry_.model;
    rec.example_id = job.example_id;
    rec.attempt = job.attempt;
    rec.cache_key = job.cache_key;
    rec.started_at_ms = job.sent_unix_ms;
    rec.latency_ms = r.total_ms;
    rec.http_status = r.status;
    rec.retries = kind == ExchangeKind::submit ? std::max(0, job.tries - 1) : job.counts.total();
    rec.wait_ms = job.waited_ms;
    rec.outcome = outcome;
    rec.error = red.apply(error);
    rec.request_id = red.apply(request_id_from_headers(r.headers));
    rec.request_json = red.apply(request_json);
    rec.response_body = red.apply(r.transport_failed() ? "" : r.body);
    c_.options_.calls->record_api_call(rec);
}

void ClientRun::log(const std::string & line) {
    if (c_.options_.log) c_.options_.log(c_.redactor_.apply(line));
}

// Jobs that were due at the last dispatch() and are still waiting are held by a limiter (its wake
// time counts); jobs due later count with their own time.
double ClientRun::next_deadline(double now) const {
    double deadline = limiter_wake_ms_;
    for (const auto & job : active_)
        if (job && !job->in_flight && job->ready_at > dispatch_now_) deadline = std::min(deadline, job->ready_at);
    return deadline;
}

void ClientRun::run() {
    load_background_jobs();
    for (;;) {
        std::deque<Completion> batch;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            batch.swap(completions_);
        }
        for (auto & c : batch) {
            try {
                handle(c);
            } catch (...) {
                if (!error_) error_ = std::current_exception();
                halt("error while handling a response");
            }
        }
        active_.remove_if([](const std::unique_ptr<Job> & j) { return !j; });
        if (!halted_ && stop_ && stop_()) halt("stop requested");
        try {
            if (halted_) skip_waiting_jobs();
            dispatch();  // after a halt: only background polls and in-flight retries of polls
        } catch (...) {
            if (!error_) error_ = std::current_exception();
            halt("error while dispatching");
            // Jobs pulled but not sent are dropped silently: the run ends in an exception anyway.
            staged_.reset();
            next_ = source_.size();
        }
        bool drained = next_ >= source_.size() && !staged_ && active_.empty() && outstanding_ == 0;
        if (drained) break;
        double now = clock_.now_ms();
        double deadline = next_deadline(now);
        std::unique_lock<std::mutex> lock(mutex_);
        if (completions_.empty() && deadline > now) clock_.wait_until(cv_, lock, deadline);
    }
    if (error_) std::rethrow_exception(error_);
}

// ---------------------------------------------------------------------------------------------------
// LlmClient

LlmClient::LlmClient(ModelEntry entry, LimitSettings provider_limits, LlmClientOptions options)
    : entry_(std::move(entry)),
      provider_(provider_for_api(entry_.api)),
      options_(std::move(options)),
      api_key_(api_key_for(entry_)),
      rng_(options_.seed) {
    redactor_.add_secret(api_key_);
    LimiterRegistry & reg = options_.limiters ? *options_.limiters : global_limiters();
    provider_limiter_ = reg.get(limiter_key(entry_), provider_limits);
    model_limiter_ = reg.get(limiter_key(entry_) + " / " + entry_.model, entry_.limits);
}

LlmClient::~LlmClient() = default;

void LlmClient::run(const JobSource & jobs, const std::function<void(LlmResult &&)> & on_result,
                    const std::function<bool()> & stop_requested) {
    std::lock_guard<std::mutex> lock(run_mutex_);
    {
        std::lock_guard<std::mutex> s(stats_mutex_);
        stats_.jobs += static_cast<int64_t>(jobs.size());
    }
    ClientRun run(*this, jobs, on_result, stop_requested);
    run.run();
}

Preflight LlmClient::preflight(const JobSource & jobs) const { return estimate_run(entry_, jobs); }

Preflight estimate_run(const ModelEntry & entry, const JobSource & jobs) {
    Preflight p;
    p.requests = jobs.size();
    p.method = "prompt tokens by the trmbench heuristic (letters/4, digits/3, 1 per symbol and line break) + " +
               std::to_string(kMessageOverheadTokens) + " per message; output from " +
               (entry.typical_output_tokens >= 0 ? "typical_output_tokens" : "max_output_tokens");
    for (size_t i = 0; i < jobs.size(); ++i) p.input_tokens += estimate_tokens(jobs.prompt(i)) + kMessageOverheadTokens;
    int64_t expected = entry.expected_output_tokens();
    int64_t worst = entry.worst_output_tokens();
    p.expected_output_tokens = expected >= 0 ? expected * static_cast<int64_t>(p.requests) : -1;
    p.worst_output_tokens = worst >= 0 ? worst * static_cast<int64_t>(p.requests) : -1;
    if (entry.pricing.known() && expected >= 0) {
        // Output may be all reasoning: price it at the dearer of the two.
        double out_price = std::max(entry.pricing.output, entry.pricing.reasoning_price());
        p.expected_usd = (static_cast<double>(p.input_tokens) * entry.pricing.input +
                          static_cast<double>(p.expected_output_tokens) * out_price) / 1e6;
        if (worst >= 0)
            p.worst_usd = (static_cast<double>(p.input_tokens) * entry.pricing.input +
                           static_cast<double>(p.worst_output_tokens) * out_price) / 1e6;
    }
    return p;
}

RunStats LlmClient::stats() const {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    return stats_;
}

std::string LlmClient::cache_key(const ModelEntry & entry, const std::string & body, int attempt) {
    return sha256_hex(entry.provider + "/" + entry.api + "\n" + entry.model + "\n" + body + "\n" + std::to_string(attempt));
}

}  // namespace trmbench
