// BatchSolver: submit, persist, poll, collect; see batch_solver.h.
#include "adapters/batch_solver.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

#include "adapters/llm_solver.h"
#include "adapters/providers/json_util.h"
#include "harness/core/error.h"
#include "harness/core/progress.h"
#include "harness/core/strings.h"

namespace trmbench {
namespace {

using jsonu::json;

// Ids from a provider go into URL paths: accept only plain ones, so a hostile or garbled reply
// cannot redirect an authenticated request elsewhere.
bool safe_id(const std::string & id) {
    if (id.empty() || id.size() > 200) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    }) && id.find("..") == std::string::npos;
}

// Same scheme, host and port (results_url is only followed when it points at the provider itself).
std::string url_origin(const std::string & url) {
    size_t scheme = url.find("://");
    if (scheme == std::string::npos) return {};
    size_t end = url.find('/', scheme + 3);
    return to_lower(url.substr(0, end));
}

// Worst-case dollars of one batched request with `input` prompt tokens; -1 when unbounded.
double worst_batch_cost(const ModelEntry & e, int64_t input) {
    int64_t out = e.worst_output_tokens();
    if (!e.pricing.known() || out < 0) return -1;
    double out_price = std::max(e.pricing.output, e.pricing.reasoning_price());
    double usd = (static_cast<double>(input) * e.pricing.input + static_cast<double>(out) * out_price) / 1e6;
    return usd * (1.0 - e.pricing.batch_discount);
}

constexpr int64_t kMessageOverheadTokens = 16;

struct Job {
    size_t index = 0;
    std::string example_id;
    int attempt = 0;
    std::string custom_id;
    std::string body;
    int64_t est_input = 0;
    bool claimed = false;  // in a batch (resumed or submitted)
    bool done = false;     // prediction reported
};

struct OpenBatch {
    BatchJobRecord rec;
    std::vector<size_t> members;  // job indices
    bool has_foreign_ids = false; // custom_ids not in this call: do not mark collected
    bool resumed = false;
    double reserved_usd = 0;
    double next_poll_ms = 0;
    double interval_ms = 0;
    BatchStatus last;
    bool finished = false;        // collected or given up in this call
};

std::vector<std::string> parse_id_list(const std::string & text) {
    std::vector<std::string> ids;
    json j = json::parse(text, nullptr, false);
    if (!j.is_array()) return ids;
    for (const auto & v : j)
        if (v.is_string()) ids.push_back(v.get<std::string>());
    return ids;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// One solve() call.

class BatchRun {
public:
    BatchRun(BatchSolver & s, const Task & task, std::span<const WorkItem> items, PredictionSink & sink)
        : s_(s),
          e_(s.entry_),
          provider_(provider_for_api(s.entry_.api)),
          task_(task),
          items_(items),
          sink_(sink),
          clock_(s.options_.clock ? *s.options_.clock : system_clock()),
          transport_(s.options_.transport ? s.options_.transport : default_transport()),
          solver_name_(s.options_.solver_name.empty() ? s.entry_.name : s.options_.solver_name),
          progress_("batch " + s.entry_.name, static_cast<int64_t>(items.size())) {
        progress_.set_quiet(!s.options_.show_progress);
    }

    void run() {
        make_jobs();
        resume_open_batches();
        submit_remaining();
        if (s_.options_.submit_only) {
            for (auto & b : batches_)
                if (b.resumed) poll(b);  // collect what has already ended
            skip_all_open("submitted; not waiting (submit-only): run again with the same results store to collect");
        } else {
            poll_until_done();
        }
        progress_.finish(summary());
    }

private:
    // ---- jobs and custom ids
    void make_jobs() {
        std::set<std::string> used;
        for (size_t i = 0; i < items_.size(); ++i) {
            Job j;
            j.index = i;
            j.example_id = items_[i].example->id;
            j.attempt = items_[i].attempt;
            std::string prompt = task_.render_prompt(*items_[i].example);
            j.body = provider_.build_body(e_, prompt, j.attempt);
            j.est_input = estimate_tokens(prompt) + kMessageOverheadTokens;
            std::string key = LlmClient::cache_key(e_, j.body, j.attempt);
            j.custom_id = batch_custom_id(key, j.example_id, j.attempt);
            // The same item twice in one call: suffix the later copies (still deterministic).
            for (int n = 2; used.count(j.custom_id); ++n)
                j.custom_id = batch_custom_id(key, j.example_id + "#" + std::to_string(n), j.attempt);
            used.insert(j.custom_id);
            by_custom_id_[j.custom_id] = i;
            jobs_.push_back(std::move(j));
        }
    }

    // ---- resume
    void resume_open_batches() {
        for (auto & rec : s_.options_.store->open_batches(solver_name_)) {
            if (rec.provider != e_.provider || rec.status.rfind("background", 0) == 0) continue;  // not a batch
            OpenBatch b;
            b.rec = rec;
            b.resumed = true;
            for (const auto & id : parse_id_list(rec.custom_ids_json)) {
                auto it = by_custom_id_.find(id);
                if (it == by_custom_id_.end() || jobs_[it->second].claimed) {
                    b.has_foreign_ids = true;
                    continue;
                }
                jobs_[it->second].claimed = true;
                b.members.push_back(it->second);
            }
            if (b.members.empty()) continue;  // another run's batch
            if (!safe_id(rec.batch_id)) {
                fail_members(b, Outcome::error, "stored batch id '" + rec.batch_id + "' is not a plain id");
                continue;
            }
            b.next_poll_ms = clock_.now_ms();  // it may have ended while we were away
            b.interval_ms = s_.options_.poll_interval_s * 1000;
            log("resuming batch " + rec.batch_id + " (" + rec.status + ", " + std::to_string(b.members.size()) +
                " of this run's requests)");
            ++s_.stats_.resumed_batches;
            batches_.push_back(std::move(b));
        }
    }

    // ---- submit
    void submit_remaining() {
        std::vector<size_t> pending;
        for (const auto & j : jobs_)
            if (!j.claimed) pending.push_back(j.index);
        BatchLimits lim = batch_limits(s_.wire_);
        size_t max_n = s_.options_.max_requests_per_batch ? std::min(s_.options_.max_requests_per_batch, lim.max_requests)
                                                          : lim.max_requests;
        size_t pos = 0;
        while (pos < pending.size()) {
            if (sink_.stop_requested()) return skip_jobs(pending, pos, "stop requested before submitting");
            // Chunk by count and (approximate, JSON-escaped) bytes, with room for the envelope.
            size_t end = pos, bytes = 0;
            while (end < pending.size() && end - pos < max_n) {
                size_t add = jobs_[pending[end]].body.size() + 200;
                if (end > pos && bytes + add > lim.max_bytes * 9 / 10) break;
                bytes += add;
                ++end;
            }
            std::vector<size_t> chunk(pending.begin() + pos, pending.begin() + end);
            double reserved = 0;
            if (!reserve(chunk, reserved)) return skip_jobs(pending, pos, halt_reason_);
            submit(chunk, reserved);
            pos = end;
        }
    }

    // Reserves the chunk's worst case against the spend cap; shrinks the chunk to what fits.
    bool reserve(std::vector<size_t> & chunk, double & reserved) {
        auto & budget = s_.options_.budget;
        if (!budget) return true;
        size_t fit = 0;
        for (; fit < chunk.size(); ++fit) {
            double worst = worst_batch_cost(e_, jobs_[chunk[fit]].est_input);
            if (worst < 0) {
                halt_reason_ = "spend cap set, but '" + e_.name + "' has no max_output_tokens or prices";
                break;
            }
            if (!budget->try_reserve(worst)) {
                char buf[160];
                std::snprintf(buf, sizeof buf, "spend cap $%.4f reached (spent $%.4f, reserved $%.4f)", budget->cap(),
                              budget->spent(), budget->reserved());
                halt_reason_ = buf;
                break;
            }
            reserved += worst;
        }
        if (fit == 0) return false;
        if (fit < chunk.size()) {
            std::vector<size_t> rest(chunk.begin() + fit, chunk.end());
            skip_jobs(rest, 0, halt_reason_);
            chunk.resize(fit);
        }
        return true;
    }

    void submit(const std::vector<size_t> & chunk, double reserved) {
        std::vector<BatchRequestItem> reqs;
        for (size_t i : chunk) reqs.push_back({jobs_[i].custom_id, jobs_[i].body});
        std::string input_file_id;
        HttpResponse r;
        if (s_.wire_ == BatchWire::openai) {
            std::string endpoint = openai_batch_endpoint(e_);
            std::string jsonl = openai_batch_jsonl(reqs, endpoint);
            MultipartBody mp = multipart_file_upload({{"purpose", "batch"}}, "file", "trmbench-" + e_.name + ".jsonl", jsonl);
            HttpRequest up = request("POST", "files", mp.body, mp.content_type);
            HttpResponse ur = exchange(std::move(up), "POST files (purpose=batch, " + std::to_string(reqs.size()) +
                                                          " requests, " + std::to_string(jsonl.size()) + " bytes)", true);
            input_file_id = ur.ok() ? parse_openai_file_id(ur.body) : "";
            if (!ur.ok() || !safe_id(input_file_id)) {
                settle(reserved, 0);
                return fail_jobs(chunk, ur, "uploading the batch file failed");
            }
            std::string body = openai_batch_create_body(input_file_id, endpoint, "trmbench " + solver_name_);
            r = exchange(request("POST", "batches", body), body, false);
        } else {
            std::string body = anthropic_batch_create_body(reqs);
            r = exchange(request("POST", "messages/batches", body), body, false);
        }
        BatchStatus st = r.ok() ? parse_batch_status(s_.wire_, r.body) : BatchStatus{};
        if (!r.ok() || st.malformed || !safe_id(st.id)) {
            settle(reserved, 0);
            return fail_jobs(chunk, r, r.ok() ? "creating the batch returned no usable id: " + st.malformed_reason
                                               : "creating the batch failed");
        }
        OpenBatch b;
        b.rec.batch_id = st.id;
        b.rec.provider = e_.provider;
        b.rec.solver = solver_name_;
        b.rec.status = st.status;
        b.rec.input_file_id = input_file_id;
        json ids = json::array();
        for (const auto & q : reqs) ids.push_back(q.custom_id);
        b.rec.custom_ids_json = ids.dump();
        b.rec.created_at_ms = b.rec.updated_at_ms = clock_.unix_ms();
        // Persist before the first poll: from here on a crash resumes instead of paying twice.
        s_.options_.store->save_batch(b.rec);
        for (size_t i : chunk) jobs_[i].claimed = true;
        b.members = chunk;
        b.reserved_usd = reserved;
        b.interval_ms = s_.options_.poll_interval_s * 1000;
        b.next_poll_ms = clock_.now_ms() + b.interval_ms;
        b.last = st;
        ++s_.stats_.submitted_batches;
        log("submitted batch " + st.id + " (" + std::to_string(chunk.size()) + " requests, " +
            std::string(batch_wire_name(s_.wire_)) + ")");
        batches_.push_back(std::move(b));
    }

    // ---- poll and collect
    void poll_until_done() {
        double give_up_ms = clock_.now_ms() + s_.options_.max_wait_s * 1000;
        std::mutex m;
        std::condition_variable cv;
        std::unique_lock<std::mutex> lock(m);
        for (;;) {
            double next = kNoDeadline;
            for (auto & b : batches_) {
                if (b.finished) continue;
                if (clock_.now_ms() >= b.next_poll_ms) poll(b);
                if (!b.finished) next = std::min(next, b.next_poll_ms);
            }
            if (std::isinf(next)) return;
            progress_.update(delivered_, summary());
            if (sink_.stop_requested())
                return skip_all_open("stop requested; the batch stays open: run again with the same results store");
            if (next > give_up_ms)
                return skip_all_open("still running after " + format_duration(s_.options_.max_wait_s) +
                                     " (max wait); the batch stays open: run again with the same results store");
            while (clock_.now_ms() < next && !sink_.stop_requested()) clock_.wait_until(cv, lock, next);
        }
    }

    void poll(OpenBatch & b) {
        std::string path = (s_.wire_ == BatchWire::openai ? "batches/" : "messages/batches/") + b.rec.batch_id;
        HttpResponse r = exchange(request("GET", path, ""), "GET " + path, true);
        BatchStatus st = r.ok() ? parse_batch_status(s_.wire_, r.body) : BatchStatus{};
        if (!r.ok() || st.malformed) {
            // Keep the batch open: a later run (or a fixed key / network) can still collect it.
            fail_members(b, Outcome::http_error,
                         "polling batch " + b.rec.batch_id + " failed (" + describe(r, st) + "); it stays open");
            return;
        }
        b.last = st;
        if (st.status != b.rec.status || (!st.output_file_id.empty() && st.output_file_id != b.rec.output_file_id)) {
            b.rec.status = st.status;
            if (!st.output_file_id.empty()) b.rec.output_file_id = st.output_file_id;
            b.rec.updated_at_ms = clock_.unix_ms();
            s_.options_.store->save_batch(b.rec);
        }
        if (!st.ended) {
            b.interval_ms = std::min(b.interval_ms * 1.5, s_.options_.max_poll_interval_s * 1000);
            b.next_poll_ms = clock_.now_ms() + b.interval_ms;
            return;
        }
        collect(b);
    }

    void collect(OpenBatch & b) {
        const BatchStatus & st = b.last;
        BatchResults results;
        std::vector<std::string> sources;
        if (s_.wire_ == BatchWire::openai) {
            for (const std::string & file : {st.output_file_id, st.error_file_id}) {
                if (file.empty()) continue;
                if (!download(b, "files/" + file + "/content", "", results)) return;
            }
        } else {
            std::string path = "messages/batches/" + b.rec.batch_id + "/results";
            std::string url = st.results_url;
            if (url.empty() || url_origin(url) != url_origin(e_.base_url)) url.clear();
            if (!download(b, path, url, results)) return;
        }
        std::string bad = results.bad_lines.empty()
                              ? ""
                              : std::to_string(results.bad_lines.size()) + " result line(s) unusable, first: " +
                                    results.bad_lines.front();
        if (!bad.empty()) log("batch " + b.rec.batch_id + ": " + bad);
        std::set<size_t> members(b.members.begin(), b.members.end());
        double actual = 0;
        for (auto & entry : results.entries) {
            auto it = by_custom_id_.find(entry.custom_id);
            if (it == by_custom_id_.end() || !members.count(it->second) || jobs_[it->second].done) continue;
            actual += deliver_entry(jobs_[it->second], entry, b.rec.batch_id);
        }
        for (size_t i : b.members)
            if (!jobs_[i].done) deliver_missing(jobs_[i], b, bad);
        settle(b.reserved_usd, actual);
        b.finished = true;
        if (b.has_foreign_ids) {
            log("batch " + b.rec.batch_id + " also holds requests of another run; left open for that run");
            return;
        }
        s_.options_.store->mark_batch_collected(b.rec.batch_id);
        ++s_.stats_.collected_batches;
    }

    // Downloads one results file into `out`; on failure the members fail and the batch stays open.
    bool download(OpenBatch & b, const std::string & path, const std::string & absolute_url, BatchResults & out) {
        HttpRequest req = request("GET", path, "");
        if (!absolute_url.empty()) req.url = absolute_url;
        HttpResponse r = exchange(std::move(req), "GET " + path, true);
        if (!r.ok()) {
            fail_members(b, Outcome::http_error,
                         "downloading the results of batch " + b.rec.batch_id + " failed (" + describe(r, {}) +
                             "); it stays open");
            return false;
        }
        BatchResults part = parse_batch_results(s_.wire_, r.body);
        for (auto & e : part.entries) out.entries.push_back(std::move(e));
        for (auto & l : part.bad_lines) out.bad_lines.push_back(path + " " + l);
        return true;
    }

    // Returns the dollars the entry cost.
    double deliver_entry(Job & job, const BatchEntry & entry, const std::string & batch_id) {
        LlmResult res;
        res.http_status = entry.http_status;
        res.request_id = entry.request_id;
        switch (entry.kind) {
            case BatchEntryKind::succeeded: return deliver_reply(job, entry, std::move(res));
            case BatchEntryKind::errored: {
                HttpResponse fake;
                fake.status = entry.http_status ? entry.http_status : 500;
                fake.body = entry.body;
                Failure f = classify_failure(fake, clock_.unix_ms());
                res.outcome = failure_outcome(f.kind);
                res.error = "batch " + batch_id + " entry errored: " + entry.error;
                break;
            }
            case BatchEntryKind::expired:
                res.outcome = Outcome::timeout;
                res.error = "batch " + batch_id + " expired (24 h window) before this request ran; not billed";
                break;
            case BatchEntryKind::canceled:
                res.outcome = Outcome::skipped;
                res.error = "batch " + batch_id + " was canceled before this request ran";
                break;
        }
        res.usage.cost_usd = 0;
        deliver(job, std::move(res));
        return 0;
    }

    double deliver_reply(Job & job, const BatchEntry & entry, LlmResult && res) {
        ProviderReply reply = provider_.parse_reply(entry.body);
        if (reply.malformed) {
            res.outcome = failure_outcome(FailureKind::malformed);
            res.error = "unusable response body in the batch results: " + reply.malformed_reason;
            res.usage.cost_usd = -1;  // billed, but the usage could not be read
            deliver(job, std::move(res));
            return 0;
        }
        res.finish = reply.finish;
        res.finish_raw = reply.finish_raw;
        res.text = reply.text;
        res.reasoning = reply.reasoning;
        res.response_id = reply.response_id;
        if (res.request_id.empty()) res.request_id = reply.response_id;
        res.usage = to_usage(reply.tokens, e_.pricing, reply.usage_json);
        res.usage.cost_usd = cost_usd(reply.tokens, e_.pricing, true);
        res.compute.flops = estimate_flops(e_.active_params, reply.tokens);
        res.compute.flops_estimated = res.compute.flops >= 0;
        switch (reply.finish) {
            case FinishKind::stop:
            case FinishKind::other:
                res.outcome = reply.text.empty() ? Outcome::parse_error : Outcome::ok;
                if (reply.text.empty())
                    res.error = reply.think_unterminated ? "reasoning never closed (<think> without </think>), no answer"
                                                         : "empty answer (finish: " + reply.finish_raw + ")";
                break;
            case FinishKind::length:
                res.outcome = Outcome::truncated;
                res.error = "stopped at the output limit (" + reply.finish_raw + "); billed, no usable answer";
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
        double cost = std::max(0.0, res.usage.cost_usd);
        deliver(job, std::move(res));
        return cost;
    }

    // A member with no result line: the batch's own state says why.
    void deliver_missing(Job & job, const OpenBatch & b, const std::string & bad_lines) {
        const BatchStatus & st = b.last;
        LlmResult res;
        res.usage.cost_usd = 0;
        if (st.failed) {
            res.outcome = Outcome::http_error;
            res.error = "batch " + b.rec.batch_id + " failed: " + (st.errors.empty() ? "no reason given" : st.errors);
        } else if (st.status == "expired") {
            res.outcome = Outcome::timeout;
            res.error = "batch " + b.rec.batch_id + " expired (24 h window) before this request ran; not billed";
        } else if (st.status == "cancelled" || st.status == "canceled") {
            res.outcome = Outcome::skipped;
            res.error = "batch " + b.rec.batch_id + " was cancelled before this request ran";
        } else {
            res.outcome = Outcome::http_error;
            res.usage.cost_usd = -1;  // it may have run and been billed
            res.error = "no result for this request in batch " + b.rec.batch_id +
                        (bad_lines.empty() ? "" : " (" + bad_lines + ")");
        }
        deliver(job, std::move(res));
    }

    // ---- failures and skips
    void fail_jobs(const std::vector<size_t> & idx, const HttpResponse & r, const std::string & what) {
        Failure f = r.ok() ? malformed_failure(r, "unusable reply") : classify_failure(r, clock_.unix_ms());
        for (size_t i : idx) {
            LlmResult res;
            res.outcome = failure_outcome(f.kind);
            res.http_status = r.status;
            res.request_id = f.request_id.empty() ? request_id_from_headers(r.headers) : f.request_id;
            res.error = what + ": " + f.reason;
            res.usage.cost_usd = 0;
            deliver(jobs_[i], std::move(res));
        }
    }

    void fail_members(OpenBatch & b, Outcome outcome, const std::string & why) {
        for (size_t i : b.members) {
            if (jobs_[i].done) continue;
            LlmResult res;
            res.outcome = outcome;
            res.error = why;
            deliver(jobs_[i], std::move(res));
        }
        settle(b.reserved_usd, b.reserved_usd);  // it may still run and be billed
        b.finished = true;
    }

    void skip_jobs(const std::vector<size_t> & idx, size_t from, const std::string & why) {
        for (size_t k = from; k < idx.size(); ++k) {
            LlmResult res;
            res.outcome = Outcome::skipped;
            res.error = why;
            res.usage.cost_usd = 0;
            deliver(jobs_[idx[k]], std::move(res));
        }
    }

    void skip_all_open(const std::string & why) {
        for (auto & b : batches_) {
            if (b.finished) continue;
            for (size_t i : b.members) {
                if (jobs_[i].done) continue;
                LlmResult res;
                res.outcome = Outcome::skipped;
                res.error = "batch " + b.rec.batch_id + " " + b.rec.status + ": " + why;
                res.usage.cost_usd = 0;
                deliver(jobs_[i], std::move(res));
            }
            settle(b.reserved_usd, b.reserved_usd);
            b.finished = true;
        }
    }

    void settle(double reserved, double actual) {
        if (actual > 0) s_.stats_.spent_usd += actual;
        if (s_.options_.budget && (reserved > 0 || actual > 0)) s_.options_.budget->settle(reserved, actual);
    }

    void deliver(Job & job, LlmResult && res) {
        job.done = true;
        res.index = job.index;
        res.example_id = job.example_id;
        res.attempt = job.attempt;
        res.error = s_.redactor_.apply(res.error);
        sink_.put(prediction_from_result(task_, *items_[job.index].example, std::move(res)));
        ++delivered_;
        progress_.update(delivered_, summary());
    }

    // ---- HTTP
    // A request to `path` under the base URL with the provider's auth headers.
    HttpRequest request(const std::string & method, const std::string & path, const std::string & body,
                        const std::string & content_type = "application/json") {
        HttpRequest r = provider_.build_request(e_, "", s_.api_key_);
        r.method = method;
        r.url = provider_detail::join_url(e_.base_url, path);
        r.body = body;
        std::erase_if(r.headers, [](const auto & h) { return h.first == "content-type"; });
        if (method != "GET") r.headers.emplace_back("content-type", content_type);
        return r;
    }

    // Sends with retries; returns the final response. `may_repeat`: false for batch creation, which
    // is not repeated when the server may already have acted on it (timeout, 5xx, garbled 2xx).
    HttpResponse exchange(HttpRequest req, const std::string & what, bool may_repeat) {
        const RetryPolicy & policy = s_.options_.retry;
        int attempts = 0, timeouts = 0;
        double waited = 0;
        std::mutex m;
        std::condition_variable cv;
        for (;;) {
            int64_t started = clock_.unix_ms();
            HttpResponse r = perform_blocking(*transport_, req);
            ++attempts;
            ++s_.stats_.http_requests;
            if (r.ok()) {
                record(r, what, started, attempts - 1, waited, "ok", "");
                return r;
            }
            Failure f = classify_failure(r, clock_.unix_ms());
            if (f.kind == FailureKind::timeout) ++timeouts;
            bool ambiguous = f.kind == FailureKind::timeout || f.kind == FailureKind::server_error ||
                             f.kind == FailureKind::malformed || f.kind == FailureKind::overloaded ||
                             (f.kind == FailureKind::connection && r.error != TransportError::connect);
            RetryDecision d = decide_retry(policy, f, attempts, waited, timeouts, s_.rng_);
            if (d.retry && !may_repeat && ambiguous) {
                d.retry = false;
                d.why = "not repeated: the provider may have created the batch already";
            }
            std::string line = (d.retry ? "retry in " + std::to_string(static_cast<long>(d.wait_ms)) + " ms (" + d.why + ")"
                                        : "giving up (" + d.why + ")") +
                               ": " + std::string(failure_kind_name(f.kind)) + ": " + f.reason;
            record(r, what, started, attempts - 1, waited, std::string(outcome_name(failure_outcome(f.kind))), line);
            log(e_.name + ": " + what.substr(0, 80) + ": " + line);
            if (!d.retry) return r;
            waited += d.wait_ms;
            double until = clock_.now_ms() + d.wait_ms;
            std::unique_lock<std::mutex> lock(m);
            while (clock_.now_ms() < until) clock_.wait_until(cv, lock, until);
        }
    }

    void record(const HttpResponse & r, const std::string & what, int64_t started, int retry, double waited,
                const std::string & outcome, const std::string & error) {
        if (!s_.options_.calls) return;
        ApiCallRecord rec;
        rec.solver = solver_name_;
        rec.provider = e_.provider;
        rec.model_id = e_.model;
        rec.started_at_ms = started;
        rec.latency_ms = r.total_ms;
        rec.http_status = r.status;
        rec.retries = retry;
        rec.wait_ms = waited;
        rec.outcome = outcome;
        rec.error = s_.redactor_.apply(error.empty() ? r.error_text : error);
        rec.request_id = request_id_from_headers(r.headers);
        rec.request_json = s_.redactor_.apply(what);
        rec.response_body = s_.redactor_.apply(r.body);
        s_.options_.calls->record_api_call(rec);
    }

    std::string describe(const HttpResponse & r, const BatchStatus & st) const {
        if (r.transport_failed()) return std::string(transport_error_name(r.error)) + ": " + r.error_text;
        if (!r.ok()) return "HTTP " + std::to_string(r.status) + ": " + summarize_body(r.body);
        return "unusable status: " + st.malformed_reason;
    }

    std::string summary() const {
        std::map<std::string, int> by_status;
        for (const auto & b : batches_)
            if (!b.finished) ++by_status[b.last.status.empty() ? b.rec.status : b.last.status];
        std::string out;
        for (const auto & [status, n] : by_status) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + status;
        return out.empty() ? "no batch open" : "batches: " + out;
    }

    void log(const std::string & line) {
        if (s_.options_.log) s_.options_.log(s_.redactor_.apply(line));
    }

    BatchSolver & s_;
    const ModelEntry & e_;
    const Provider & provider_;
    const Task & task_;
    std::span<const WorkItem> items_;
    PredictionSink & sink_;
    Clock & clock_;
    std::shared_ptr<HttpTransport> transport_;
    std::string solver_name_;
    Progress progress_;
    std::vector<Job> jobs_;
    std::map<std::string, size_t> by_custom_id_;
    std::vector<OpenBatch> batches_;
    std::string halt_reason_;
    int64_t delivered_ = 0;
};

// ---------------------------------------------------------------------------------------------------

BatchSolver::BatchSolver(ModelEntry entry, BatchSolverOptions options)
    : entry_(std::move(entry)), wire_(BatchWire::openai), options_(std::move(options)), rng_(options_.seed) {
    auto wire = batch_wire_for(entry_);
    if (!wire)
        throw UsageError("model '" + entry_.name + "' (api " + entry_.api + ", provider " + entry_.provider +
                         ") has no batch API; batches work with OpenAI (openai-chat, openai-responses) and Anthropic "
                         "(anthropic-messages) entries");
    wire_ = *wire;
    // A batch line already runs asynchronously; Responses background mode is not allowed inside one.
    entry_.background = false;
    if (!options_.store) throw UsageError("batch mode for '" + entry_.name + "' needs a results store for the batch ids");
    if (options_.poll_interval_s <= 0 || options_.max_poll_interval_s < options_.poll_interval_s)
        throw UsageError("batch poll interval must be > 0 and <= the maximum poll interval");
    provider_for_api(entry_.api);  // throws for an unknown api
    api_key_ = api_key_for(entry_);
    redactor_.add_secret(api_key_);
}

BatchSolver::~BatchSolver() = default;

SolverInfo BatchSolver::info() const {
    SolverInfo s;
    s.name = options_.solver_name.empty() ? entry_.name : options_.solver_name;
    s.kind = "llm";
    s.provider = entry_.provider;
    s.model_id = entry_.model;
    s.n_params = entry_.params;
    s.active_params = entry_.active_params;
    s.device = "remote";
    json cfg = json::parse(entry_.to_json(), nullptr, false);
    if (cfg.is_object()) {
        cfg["batch"] = std::string(batch_wire_name(wire_));
        s.config_json = jsonu::canonical(cfg);
    } else {
        s.config_json = entry_.to_json();
    }
    return s;
}

size_t BatchSolver::preferred_batch_size() const {
    size_t lim = batch_limits(wire_).max_requests;
    return options_.max_requests_per_batch ? std::min(options_.max_requests_per_batch, lim) : lim;
}

void BatchSolver::solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) {
    for (const auto & item : items)
        if (!item.example) throw std::invalid_argument("BatchSolver::solve: work item without an example");
    if (items.empty()) return;
    BatchRun run(*this, task, items, sink);
    run.run();
}

std::string describe_open_batches(BatchJobStore & store, const std::string & solver) {
    std::string out;
    for (const auto & b : store.open_batches(solver)) {
        size_t n = parse_id_list(b.custom_ids_json).size();
        out += b.batch_id + "  " + b.provider + "  " + b.status + "  " + std::to_string(n) + " requests";
        if (!b.output_file_id.empty()) out += "  output " + b.output_file_id;
        out += "\n";
    }
    return out;
}

}  // namespace trmbench
