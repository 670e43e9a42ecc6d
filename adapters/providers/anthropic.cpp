// Anthropic Messages API (POST {base}/messages; x-api-key, anthropic-version: 2023-06-01).
//
// Request: model, max_tokens (required; includes thinking), one user message, and thinking either
// {type: enabled, budget_tokens} (thinking_budget) or {type: adaptive} with output_config.effort
// (reasoning_effort, newer models). Reply: text blocks are the answer, thinking blocks (and a marker
// for redacted_thinking) the reasoning; stop_reason max_tokens or model_context_window_exceeded ->
// length, refusal -> refusal. Usage: input_tokens excludes cache reads and writes, output_tokens
// includes thinking; output_tokens_details.thinking_tokens splits it when present (newer API).
#include "adapters/provider.h"
#include "adapters/providers/json_util.h"

namespace trmbench {
namespace {

using jsonu::json;

constexpr const char * kAnthropicVersion = "2023-06-01";

FinishKind finish_of(const std::string & reason) {
    if (reason == "end_turn" || reason == "stop_sequence") return FinishKind::stop;
    if (reason == "max_tokens" || reason == "model_context_window_exceeded") return FinishKind::length;
    if (reason == "refusal") return FinishKind::refusal;
    return FinishKind::other;
}

TokenCounts anthropic_tokens(const json & usage) {
    TokenCounts t;
    int64_t fresh = jsonu::count(usage, "input_tokens", -1);
    int64_t read = jsonu::count(usage, "cache_read_input_tokens", 0);
    int64_t written = jsonu::count(usage, "cache_creation_input_tokens", 0);
    if (fresh >= 0) {
        t.input = fresh + std::max<int64_t>(0, read) + std::max<int64_t>(0, written);
        t.cached_input = std::max<int64_t>(0, read);
        t.cache_write = std::max<int64_t>(0, written);
    }
    int64_t output = jsonu::count(usage, "output_tokens", -1);
    t.reasoning = jsonu::count(jsonu::obj(usage, "output_tokens_details"), "thinking_tokens", -1);
    if (output >= 0) t.output = t.reasoning >= 0 ? std::max<int64_t>(0, output - t.reasoning) : output;
    if (t.input >= 0 && output >= 0) t.total = t.input + output;
    return t;
}

void append(std::string & to, const std::string & part) {
    if (part.empty()) return;
    if (!to.empty()) to += "\n\n";
    to += part;
}

class Anthropic final : public Provider {
public:
    std::string_view api() const override { return "anthropic-messages"; }

    std::string build_body(const ModelEntry & e, const std::string & prompt, int attempt) const override {
        json body = json::object();
        body["model"] = e.model;
        body["max_tokens"] = e.max_output_tokens;
        body["messages"] = json::array({json{{"role", "user"}, {"content", prompt}}});
        if (e.thinking_budget > 0) {
            body["thinking"] = json{{"type", "enabled"}, {"budget_tokens", e.thinking_budget}};
        } else if (!e.reasoning_effort.empty()) {
            body["thinking"] = json{{"type", "adaptive"}};
            body["output_config"] = json{{"effort", e.reasoning_effort}};
        }
        if (e.temperature) body["temperature"] = *e.temperature;
        if (!e.extra_body_json.empty()) body.merge_patch(json::parse(e.extra_body_json, nullptr, false));
        return jsonu::canonical(body);
    }

    HttpRequest build_request(const ModelEntry & e, const std::string & body, const std::string & key) const override {
        HttpRequest r = provider_detail::json_post(e, provider_detail::join_url(e.base_url, "messages"), body);
        if (!key.empty()) r.headers.emplace_back("x-api-key", key);
        r.headers.emplace_back("anthropic-version", kAnthropicVersion);
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
        if (jsonu::str(doc, "type") == "error") {
            r.malformed = true;
            r.malformed_reason = "error object in a 2xx reply: " + jsonu::str(jsonu::obj(doc, "error"), "message");
            return r;
        }
        const json * content = jsonu::child(doc, "content");
        if (!content || !content->is_array()) {
            r.malformed = true;
            r.malformed_reason = "no content array in the reply";
            return r;
        }
        for (const auto & block : *content) {
            std::string type = jsonu::str(block, "type");
            if (type == "text") r.text += jsonu::str(block, "text");
            else if (type == "thinking") append(r.reasoning, jsonu::str(block, "thinking"));
            else if (type == "redacted_thinking") append(r.reasoning, "[redacted thinking]");
        }
        r.finish_raw = jsonu::str(doc, "stop_reason");
        r.finish = finish_of(r.finish_raw);
        if (r.finish == FinishKind::refusal) r.error = r.text.empty() ? "the model refused" : r.text;
        const json * usage = jsonu::child(doc, "usage");
        if (usage && usage->is_object()) {
            r.tokens = anthropic_tokens(*usage);
            r.usage_json = usage->dump();
        }
        r.response_id = jsonu::str(doc, "id");
        r.model_returned = jsonu::str(doc, "model");
        return r;
    }

    std::string check_entry(const ModelEntry & e) const override {
        if (e.max_output_tokens <= 0) return "field 'max_output_tokens': required (> 0) for anthropic-messages";
        if (e.thinking_budget > 0 && (e.thinking_budget < 1024 || e.thinking_budget >= e.max_output_tokens))
            return "field 'thinking_budget': must be >= 1024 and below max_output_tokens (" +
                   std::to_string(e.max_output_tokens) + ")";
        if (e.temperature && (e.thinking_budget > 0 || !e.reasoning_effort.empty()))
            return "field 'temperature': cannot be set together with extended thinking";
        return {};
    }
};

}  // namespace

const Provider & anthropic_provider() {
    static const Anthropic p;
    return p;
}

}  // namespace trmbench
