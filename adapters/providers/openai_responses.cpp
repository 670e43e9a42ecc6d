// OpenAI Responses API (POST {base}/responses), with background mode for long reasoning jobs.
//
// Request: model, input (one user message), max_output_tokens, reasoning.effort, temperature, store,
// background. A background job answers at once with status "queued"; the client polls
// GET {base}/responses/{id} until the status is final and cancels with POST .../{id}/cancel when the
// job runs past the entry's time limit. Final statuses: completed; incomplete with
// incomplete_details.reason max_output_tokens (truncated: often only a reasoning item and no message)
// or content_filter; failed; cancelled. Usage: output_tokens includes reasoning_tokens.
#include "adapters/provider.h"
#include "adapters/providers/json_util.h"

namespace trmbench {
namespace {

using jsonu::json;

TokenCounts responses_tokens(const json & usage) {
    TokenCounts t;
    t.input = jsonu::count(usage, "input_tokens", -1);
    int64_t output = jsonu::count(usage, "output_tokens", -1);
    t.total = jsonu::count(usage, "total_tokens", -1);
    t.cached_input = jsonu::count(jsonu::obj(usage, "input_tokens_details"), "cached_tokens", t.input >= 0 ? 0 : -1);
    t.reasoning = jsonu::count(jsonu::obj(usage, "output_tokens_details"), "reasoning_tokens", -1);
    if (output >= 0) t.output = t.reasoning >= 0 ? std::max<int64_t>(0, output - t.reasoning) : output;
    return t;
}

void append(std::string & to, const std::string & part) {
    if (part.empty()) return;
    if (!to.empty()) to += "\n\n";
    to += part;
}

// Collects answer text, reasoning summaries and refusals from output[].
void read_output(const json & output, ProviderReply & r) {
    for (const auto & item : output) {
        std::string type = jsonu::str(item, "type");
        if (type == "reasoning") {
            for (const auto & s : jsonu::arr(item, "summary")) append(r.reasoning, jsonu::str(s, "text"));
            for (const auto & c : jsonu::arr(item, "content")) append(r.reasoning, jsonu::str(c, "text"));
        } else if (type == "message") {
            for (const auto & c : jsonu::arr(item, "content")) {
                std::string ctype = jsonu::str(c, "type");
                if (ctype == "output_text") r.text += jsonu::str(c, "text");
                else if (ctype == "refusal") append(r.error, jsonu::str(c, "refusal"));
            }
        }
    }
}

class OpenAiResponses final : public Provider {
public:
    std::string_view api() const override { return "openai-responses"; }

    std::string build_body(const ModelEntry & e, const std::string & prompt, int attempt) const override {
        json body = json::object();
        body["model"] = e.model;
        body["input"] = json::array({json{{"role", "user"}, {"content", prompt}}});
        if (e.max_output_tokens > 0) body["max_output_tokens"] = e.max_output_tokens;
        if (!e.reasoning_effort.empty()) body["reasoning"] = json{{"effort", e.reasoning_effort}};
        if (e.temperature) body["temperature"] = *e.temperature;
        if (e.background) {
            body["background"] = true;
            body["store"] = true;  // background jobs must be stored to be polled
        } else if (e.store) {
            body["store"] = *e.store;
        }
        if (!e.extra_body_json.empty()) body.merge_patch(json::parse(e.extra_body_json, nullptr, false));
        return jsonu::canonical(body);
    }

    HttpRequest build_request(const ModelEntry & e, const std::string & body, const std::string & key) const override {
        HttpRequest r = provider_detail::json_post(e, provider_detail::join_url(e.base_url, "responses"), body);
        if (!key.empty()) r.headers.emplace_back("authorization", "Bearer " + key);
        if (e.background) r.total_timeout_ms = 120'000;  // the submit itself is quick
        return r;
    }

    ProviderReply parse_reply(std::string_view raw) const override {
        ProviderReply r;
        std::string why;
        json doc = jsonu::parse_body(raw, &why);
        if (doc.is_discarded() || !doc.is_object()) {
            r.malformed = true;
            r.malformed_reason = doc.is_discarded() ? why : "body is not a JSON object";
            return r;
        }
        std::string status = jsonu::str(doc, "status");
        if (status.empty()) {
            r.malformed = true;
            r.malformed_reason = "no status in the reply";
            return r;
        }
        r.response_id = jsonu::str(doc, "id");
        r.model_returned = jsonu::str(doc, "model");
        read_output(jsonu::arr(doc, "output"), r);
        const json * usage = jsonu::child(doc, "usage");
        if (usage && usage->is_object()) {
            r.tokens = responses_tokens(*usage);
            r.usage_json = usage->dump();
        }
        r.finish_raw = status;
        if (status == "completed") {
            r.finish = r.error.empty() ? FinishKind::stop : FinishKind::refusal;
        } else if (status == "queued" || status == "in_progress") {
            r.finish = FinishKind::pending;
        } else if (status == "incomplete") {
            std::string reason = jsonu::str(jsonu::obj(doc, "incomplete_details"), "reason");
            r.finish_raw += ": " + reason;
            r.finish = reason == "content_filter" ? FinishKind::content_filter
                       : reason == "max_output_tokens" ? FinishKind::length : FinishKind::other;
        } else if (status == "failed" || status == "cancelled") {
            r.finish = FinishKind::failed;
            const json & err = jsonu::obj(doc, "error");
            append(r.error, jsonu::str(err, "code"));
            append(r.error, jsonu::str(err, "message"));
            if (r.error.empty()) r.error = "job " + status;
        } else {
            r.finish = FinishKind::other;
        }
        return r;
    }

    std::optional<HttpRequest> poll_request(const ModelEntry & e, const std::string & id,
                                            const std::string & key) const override {
        HttpRequest r;
        r.method = "GET";
        r.url = provider_detail::join_url(e.base_url, "responses/" + id);
        if (!key.empty()) r.headers.emplace_back("authorization", "Bearer " + key);
        for (const auto & h : e.extra_headers) r.headers.push_back(h);
        r.total_timeout_ms = 120'000;
        r.connect_timeout_ms = static_cast<long>(e.connect_timeout_s * 1000);
        return r;
    }

    std::optional<HttpRequest> cancel_request(const ModelEntry & e, const std::string & id,
                                              const std::string & key) const override {
        HttpRequest r = provider_detail::json_post(e, provider_detail::join_url(e.base_url, "responses/" + id + "/cancel"), "");
        if (!key.empty()) r.headers.emplace_back("authorization", "Bearer " + key);
        r.total_timeout_ms = 60'000;
        return r;
    }
};

}  // namespace

const Provider & openai_responses_provider() {
    static const OpenAiResponses p;
    return p;
}

}  // namespace trmbench
