// OpenAI Chat Completions (POST {base}/chat/completions), also the adapter for every OpenAI-compatible
// server: DeepSeek, xAI, vLLM, llama.cpp llama-server, Ollama /v1, OpenRouter, Together.
//
// Request: model, one user message, max_completion_tokens (or max_tokens for older servers),
// reasoning_effort, temperature, seed (+attempt), store, then the entry's extra_body merged in.
// Reply: choices[0].message.content; reasoning from `reasoning_content` (DeepSeek, llama-server,
// older vLLM) or `reasoning` (vLLM >= 0.11, Ollama, OpenRouter), and <think> blocks split off the
// content. Usage: completion_tokens includes reasoning_tokens (OpenAI); DeepSeek reports cache hits
// as prompt_cache_hit_tokens.
#include "adapters/provider.h"
#include "adapters/providers/json_util.h"
#include "adapters/text_util.h"

namespace trmbench {
namespace {

using jsonu::json;

FinishKind finish_of(const std::string & reason) {
    if (reason == "stop" || reason == "eos" || reason == "end_turn") return FinishKind::stop;
    if (reason == "length" || reason == "max_tokens") return FinishKind::length;
    if (reason == "content_filter") return FinishKind::content_filter;
    return FinishKind::other;
}

// `content` is a string, null, or (some compatible servers) a list of {type:text, text} parts.
std::string content_text(const json & message) {
    const json * c = jsonu::child(message, "content");
    if (!c) return {};
    if (c->is_string()) return c->get<std::string>();
    std::string out;
    if (c->is_array())
        for (const auto & part : *c) out += jsonu::str(part, "text");
    return out;
}

TokenCounts chat_tokens(const json & usage) {
    TokenCounts t;
    if (!usage.is_object()) return t;
    t.input = jsonu::count(usage, "prompt_tokens", -1);
    int64_t completion = jsonu::count(usage, "completion_tokens", -1);
    t.total = jsonu::count(usage, "total_tokens", -1);
    t.cached_input = jsonu::count(jsonu::obj(usage, "prompt_tokens_details"), "cached_tokens", -1);
    if (t.cached_input < 0) t.cached_input = jsonu::count(usage, "prompt_cache_hit_tokens", -1);
    if (t.input >= 0 && t.cached_input < 0) t.cached_input = 0;
    t.reasoning = jsonu::count(jsonu::obj(usage, "completion_tokens_details"), "reasoning_tokens", -1);
    if (completion >= 0) t.output = t.reasoning >= 0 ? std::max<int64_t>(0, completion - t.reasoning) : completion;
    return t;
}

class OpenAiChat final : public Provider {
public:
    std::string_view api() const override { return "openai-chat"; }

    std::string build_body(const ModelEntry & e, const std::string & prompt, int attempt) const override {
        json body = json::object();
        body["model"] = e.model;
        body["messages"] = json::array({json{{"role", "user"}, {"content", prompt}}});
        if (e.max_output_tokens > 0) body[e.max_tokens_field] = e.max_output_tokens;
        if (!e.reasoning_effort.empty()) body["reasoning_effort"] = e.reasoning_effort;
        if (e.temperature) body["temperature"] = *e.temperature;
        if (e.seed) body["seed"] = *e.seed + attempt;
        if (e.store) body["store"] = *e.store;
        if (!e.extra_body_json.empty()) body.merge_patch(json::parse(e.extra_body_json, nullptr, false));
        return jsonu::canonical(body);
    }

    HttpRequest build_request(const ModelEntry & e, const std::string & body, const std::string & key) const override {
        HttpRequest r = provider_detail::json_post(e, provider_detail::join_url(e.base_url, "chat/completions"), body);
        if (!key.empty()) r.headers.emplace_back("authorization", "Bearer " + key);
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
        // OpenRouter and some proxies put an upstream error inside a 200.
        if (const json * err = jsonu::child(doc, "error"); err && !err->is_null()) {
            r.malformed = true;
            r.malformed_reason = "error object in a 2xx reply: " + (err->is_object() ? jsonu::str(*err, "message") : err->dump());
            return r;
        }
        const json & choices = jsonu::arr(doc, "choices");
        if (choices.empty() || !choices[0].is_object()) {
            r.malformed = true;
            r.malformed_reason = "no choices in the reply";
            return r;
        }
        const json & choice = choices[0];
        const json & message = jsonu::obj(choice, "message");
        r.finish_raw = jsonu::str(choice, "finish_reason");
        r.finish = finish_of(r.finish_raw);
        std::string reasoning = jsonu::str(message, "reasoning_content");
        if (reasoning.empty()) reasoning = jsonu::str(message, "reasoning");
        ThinkSplit split = split_think(content_text(message));
        r.text = std::move(split.answer);
        r.think_unterminated = split.unterminated;
        r.reasoning = reasoning;
        if (!split.reasoning.empty()) r.reasoning += (r.reasoning.empty() ? "" : "\n\n") + split.reasoning;
        if (std::string refusal = jsonu::str(message, "refusal"); !refusal.empty()) {
            r.finish = FinishKind::refusal;
            r.error = refusal;
        }
        const json * usage = jsonu::child(doc, "usage");
        if (usage && usage->is_object()) {
            r.tokens = chat_tokens(*usage);
            r.usage_json = usage->dump();
        }
        r.response_id = jsonu::str(doc, "id");
        r.model_returned = jsonu::str(doc, "model");
        return r;
    }
};

}  // namespace

const Provider & openai_chat_provider() {
    static const OpenAiChat p;
    return p;
}

}  // namespace trmbench
