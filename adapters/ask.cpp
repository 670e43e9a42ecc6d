// One-shot requests and their JSON line.
#include "adapters/ask.h"

#include "adapters/providers/json_util.h"

namespace trmbench {
namespace {

using jsonu::json;

class OnePrompt final : public JobSource {
public:
    OnePrompt(std::string id, int attempt, std::string prompt)
        : id_(std::move(id)), attempt_(attempt), prompt_(std::move(prompt)) {}
    size_t size() const override { return 1; }
    std::string example_id(size_t) const override { return id_; }
    int attempt(size_t) const override { return attempt_; }
    std::string prompt(size_t) const override { return prompt_; }

private:
    std::string id_;
    int attempt_;
    std::string prompt_;
};

json grid_json(const Grid & g) {
    json rows = json::array();
    for (int r = 0; r < g.rows; ++r) {
        json row = json::array();
        for (int c = 0; c < g.cols; ++c) row.push_back(static_cast<int>(g.at(r, c)));
        rows.push_back(std::move(row));
    }
    return rows;
}

json count(int64_t v) { return v < 0 ? json(nullptr) : json(v); }
json money(double v) { return v < 0 ? json(nullptr) : json(v); }

}  // namespace

LlmResult ask_once(LlmClient & client, const std::string & example_id, int attempt, const std::string & prompt) {
    OnePrompt job(example_id, attempt, prompt);
    LlmResult out;
    bool got = false;
    client.run(job, [&](LlmResult && r) {
        out = std::move(r);
        got = true;
    });
    if (!got) {
        out.outcome = Outcome::error;
        out.error = "no result";
    }
    return out;
}

Prediction prediction_without_task(LlmResult && r) {
    Prediction p;
    p.example_id = std::move(r.example_id);
    p.attempt = r.attempt;
    p.outcome = r.outcome;
    p.error = std::move(r.error);
    p.http_status = r.http_status;
    p.request_id = std::move(r.request_id);
    p.retries = r.retries;
    p.rate_limit_wait_ms = r.rate_limit_wait_ms;
    p.usage = std::move(r.usage);
    p.compute = r.compute;
    p.raw_text = std::move(r.text);
    p.reasoning_text = std::move(r.reasoning);
    return p;
}

std::string prediction_json_line(const ModelEntry & entry, const Prediction & p, double last_exchange_ms) {
    json j = json::object();
    j["model"] = entry.name;
    j["provider"] = entry.provider;
    j["model_id"] = entry.model;
    j["example_id"] = p.example_id;
    j["attempt"] = p.attempt;
    j["outcome"] = std::string(outcome_name(p.outcome));
    j["answer"] = p.answer ? grid_json(*p.answer) : json(nullptr);
    j["text"] = p.raw_text;
    j["reasoning_chars"] = p.reasoning_text.size();
    j["error"] = p.error;
    j["http_status"] = p.http_status;
    j["request_id"] = p.request_id;
    j["retries"] = p.retries;
    j["rate_limit_wait_ms"] = p.rate_limit_wait_ms;
    j["latency_ms"] = p.compute.wall_ms;
    j["last_exchange_ms"] = last_exchange_ms;
    j["usage"] = json{{"input_tokens", count(p.usage.input_tokens)},
                      {"cached_input_tokens", count(p.usage.cached_input_tokens)},
                      {"output_tokens", count(p.usage.output_tokens)},
                      {"reasoning_tokens", count(p.usage.reasoning_tokens)},
                      {"total_tokens", count(p.usage.total_tokens)}};
    j["cost_usd"] = money(p.usage.cost_usd);
    j["price_date"] = entry.pricing.date;
    j["flops"] = p.compute.flops < 0 ? json(nullptr) : json(p.compute.flops);
    j["flops_estimated"] = p.compute.flops_estimated;
    return jsonu::canonical(j);
}

}  // namespace trmbench
