// LLM solver entries -> LlmSolvers built from the model catalogue (adapters module), and the
// services they share in a run (llm_registry.h).
//
//   { "kind": "llm", "name": "gpt-5-mini" }                       a catalogue entry; its API key must be set
//   { "kind": "llm", "name": "gpt-5-mini", "as": "gpt-5-mini-low",
//     "request": { "reasoning_effort": "low" } }                   a variant: the entry with these fields
//                                                                  merged in (catalogue merge rules), named "as"
//   { "kind": "llm", "name": "*" }                                every entry whose key is set, except entries
//                                                                  the suite names itself; the others are
//                                                                  listed as skipped ("set X to include it")
//
// limits.concurrency tightens each entry's max_in_flight. The solvers share one SpendBudget (the
// suite's spend cap), the run's response cache and its api_calls sink (attached by the runner).
#include "harness/run/llm_registry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>
#include <set>

#include "adapters/catalog.h"
#include "adapters/client.h"
#include "adapters/llm_solver.h"
#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "harness/run/solver_registry.h"

using json = nlohmann::json;

namespace trmbench {

// Forwards to an attached target; before attach() the cache is empty and calls are dropped.
struct LlmServices::Impl final : ResponseCache, ApiCallSink, BatchJobStore {
    std::mutex mutex;
    ResponseCache * cache_target = nullptr;
    ApiCallSink * calls_target = nullptr;
    BatchJobStore * jobs_target = nullptr;
    std::function<void(const std::string &)> log;
    std::shared_ptr<SpendBudget> budget;

    std::optional<CachedResponse> get(const std::string & key) override {
        ResponseCache * t = nullptr;
        {
            std::lock_guard lock(mutex);
            t = cache_target;
        }
        return t ? t->get(key) : std::nullopt;
    }
    void put(const std::string & key, const std::string & provider, const std::string & model_id,
             const CachedResponse & response) override {
        ResponseCache * t = nullptr;
        {
            std::lock_guard lock(mutex);
            t = cache_target;
        }
        if (t) t->put(key, provider, model_id, response);
    }
    void record_api_call(const ApiCallRecord & r) override {
        ApiCallSink * t = nullptr;
        {
            std::lock_guard lock(mutex);
            t = calls_target;
        }
        if (t) t->record_api_call(r);
    }
    // Background (OpenAI Responses) job ids: persisted so a resumed run polls them instead of resending.
    BatchJobStore * jobs() {
        std::lock_guard lock(mutex);
        return jobs_target;
    }
    void save_batch(const BatchJobRecord & r) override {
        if (BatchJobStore * t = jobs()) t->save_batch(r);
    }
    std::vector<BatchJobRecord> open_batches(const std::string & solver) override {
        BatchJobStore * t = jobs();
        return t ? t->open_batches(solver) : std::vector<BatchJobRecord>{};
    }
    void mark_batch_collected(const std::string & batch_id) override {
        if (BatchJobStore * t = jobs()) t->mark_batch_collected(batch_id);
    }
    void say(const std::string & line) {
        std::function<void(const std::string &)> f;
        {
            std::lock_guard lock(mutex);
            f = log;
        }
        if (f) f(line);
    }
};

LlmServices::LlmServices(double spend_cap_usd) : impl_(std::make_unique<Impl>()), cap_(spend_cap_usd) {
    // No cap: a budget that is never reached (the client reserves worst cases against it).
    impl_->budget = std::make_shared<SpendBudget>(spend_cap_usd >= 0 ? spend_cap_usd : 1e300);
}
LlmServices::~LlmServices() = default;

void LlmServices::attach(ResponseCache * cache, ApiCallSink * calls, BatchJobStore * jobs) {
    std::lock_guard lock(impl_->mutex);
    impl_->cache_target = cache;
    impl_->calls_target = calls;
    impl_->jobs_target = jobs;
}

void LlmServices::set_log(std::function<void(const std::string &)> log) {
    std::lock_guard lock(impl_->mutex);
    impl_->log = std::move(log);
}

ResponseCache & LlmServices::cache() { return *impl_; }
ApiCallSink & LlmServices::calls() { return *impl_; }
double LlmServices::spent_usd() const { return impl_->budget->spent(); }
void LlmServices::book_previous_spend(double usd) {
    if (usd > 0) impl_->budget->settle(0, usd);
}

namespace {

LlmServices & services(SolverContext & ctx) {
    if (!*ctx.llm) *ctx.llm = std::make_shared<LlmServices>(ctx.suite->limits.spend_usd);
    return **ctx.llm;
}

const Catalog & catalog(SolverContext & ctx) {
    if (!ctx.catalog) ctx.catalog = std::make_shared<Catalog>(Catalog::load(ctx.options->catalog_files));
    return *ctx.catalog;
}

// The entry of a suite line, with `request` merged in and renamed to `as`.
ModelEntry entry_for(const SolverEntry & e, const Catalog & cat) {
    ModelEntry base;
    try {
        base = cat.resolve(e.name);
    } catch (const Error &) {
        rethrow_with_context(e.where + ".name");
    }
    if (e.request_json.empty() && e.as.empty()) return base;
    json j = json::parse(base.to_json());
    if (!e.request_json.empty()) j.merge_patch(json::parse(e.request_json));
    j["name"] = e.run_name();
    Catalog variant = cat;  // a copy: the variant must not change what other lines resolve to
    variant.merge_text(json{{"models", json::array({j})}}.dump(), e.where + ".request");
    return variant.resolve(e.run_name());
}

// SolverInfo::config_json without "limits": how fast requests go is not part of what is measured,
// so a resumed run may change the concurrency.
std::string config_without_limits(const std::string & config_json) {
    json j = json::parse(config_json, nullptr, false);
    if (!j.is_object()) return config_json;
    j.erase("limits");
    return j.dump();
}

PlannedSolver build(const ModelEntry & entry_in, const SolverEntry & line, SolverContext & ctx) {
    ModelEntry entry = entry_in;
    int concurrency = ctx.suite->limits.concurrency;
    if (concurrency > 0 && (entry.limits.max_in_flight <= 0 || entry.limits.max_in_flight > concurrency))
        entry.limits.max_in_flight = concurrency;
    LlmServices & svc = services(ctx);
    LlmClientOptions o;
    o.cache = &svc.cache();
    o.calls = &svc.calls();
    o.background_jobs = &svc.impl();
    o.budget = svc.impl().budget;
    o.seed = ctx.suite->seed;
    o.solver_name = entry.name;
    LlmServices * svc_ptr = &svc;
    o.log = [svc_ptr](const std::string & line_text) { svc_ptr->impl().say(line_text); };
    const Catalog & cat = catalog(ctx);
    auto solver = std::make_unique<LlmSolver>(entry, cat.provider_limits(entry.provider), std::move(o));
    PlannedSolver s;
    s.entry = line;
    s.kind = SolverKind::llm;
    s.name = entry.name;
    s.info = solver->info();
    s.info.name = s.name;
    s.info.config_json = config_without_limits(s.info.config_json);
    LlmSolver * raw = solver.get();
    int64_t active = entry.active_params;  // as the adapters count FLOPs (usage.h estimate_flops)
    s.estimate = [raw, active](const Task & task, std::span<const WorkItem> items) {
        Preflight p = raw->preflight(task, items);
        Estimate e;
        e.requests = static_cast<int64_t>(p.requests);
        e.input_tokens = p.input_tokens;
        e.output_tokens = p.expected_output_tokens;
        e.usd = p.expected_usd;
        e.worst_usd = p.worst_usd;
        // The usual 2 x (active) parameters per token; only when the model's size is public.
        if (active > 0 && p.input_tokens >= 0 && p.expected_output_tokens >= 0)
            e.flops = 2.0 * static_cast<double>(active) * static_cast<double>(p.input_tokens + p.expected_output_tokens);
        return e;
    };
    s.solver = std::move(solver);
    if (!entry.pricing.date.empty()) {
        std::string & dates = *ctx.price_table_date;
        std::string item = entry.name + "=" + entry.pricing.date;
        dates += (dates.empty() ? "" : ", ") + item;
    }
    return s;
}

std::string key_hint(const ModelEntry & m) { return "set " + m.api_key_env + " to include it"; }

}  // namespace

SolverResolution resolve_llm(const SolverEntry & e, SolverContext & ctx) {
    SolverResolution r;
    const Catalog & cat = catalog(ctx);
    if (e.name == "*") {
        std::set<std::string> named;  // entries the suite lists itself are not repeated by "*"
        for (const auto & other : ctx.suite->solvers)
            if (other.kind == SolverKind::llm && other.name != "*") named.insert(other.name);
        for (const ModelEntry & m : cat.entries()) {
            if (named.count(m.name)) continue;
            if (!m.needs_key()) {
                r.skipped.push_back({m.name, "a keyless (local server) entry: name it in the suite to include it"});
                continue;
            }
            if (!m.key_present()) {
                r.skipped.push_back({m.name, key_hint(m)});
                continue;
            }
            r.solvers.push_back(build(apply_env_overrides(m), e, ctx));
        }
        return r;
    }
    ModelEntry m = entry_for(e, cat);
    if (m.needs_key() && !m.key_present()) {
        if (!e.optional) throw UsageError(e.where + ": LLM '" + e.name + "' needs its API key: set " + m.api_key_env + " (or mark the entry \"optional\")");
        r.skipped.push_back({e.run_name(), key_hint(m)});
        return r;
    }
    r.solvers.push_back(build(m, e, ctx));
    return r;
}

}  // namespace trmbench
