// Google Gemini generateContent (POST {base}/models/{model}:generateContent).
//
// The API key travels in the x-goog-api-key header, never in the URL (URLs end up in logs and proxy
// records). Request: contents (one user turn), generationConfig {maxOutputTokens, temperature, seed,
// thinkingConfig {thinkingBudget | thinkingLevel, includeThoughts}}. Reply: parts with thought=true
// are reasoning, the rest the answer; finishReason MAX_TOKENS -> length, SAFETY and friends ->
// content filter; a blocked prompt has promptFeedback.blockReason and no candidates. Usage:
// candidatesTokenCount excludes thoughtsTokenCount (priced at the reasoning price); counts that are
// zero are often omitted.
#include <cctype>

#include "adapters/provider.h"
#include "adapters/providers/json_util.h"

namespace trmbench {
namespace {

using jsonu::json;

FinishKind finish_of(const std::string & reason) {
    if (reason == "STOP") return FinishKind::stop;
    if (reason == "MAX_TOKENS") return FinishKind::length;
    if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" || reason == "PROHIBITED_CONTENT" ||
        reason == "SPII" || reason == "IMAGE_SAFETY")
        return FinishKind::content_filter;
    return FinishKind::other;
}

TokenCounts gemini_tokens(const json & usage) {
    TokenCounts t;
    int64_t prompt = jsonu::count(usage, "promptTokenCount", -1);
    int64_t tool = jsonu::count(usage, "toolUsePromptTokenCount", 0);
    if (prompt >= 0) {
        t.input = prompt + std::max<int64_t>(0, tool);
        t.cached_input = jsonu::count(usage, "cachedContentTokenCount", 0);
    }
    // Counts that are zero are omitted, so absent means 0 once the usage block itself is there.
    t.output = jsonu::count(usage, "candidatesTokenCount", 0);
    t.reasoning = jsonu::count(usage, "thoughtsTokenCount", 0);
    t.total = jsonu::count(usage, "totalTokenCount", -1);
    return t;
}

void append(std::string & to, const std::string & part) {
    if (part.empty()) return;
    if (!to.empty()) to += "\n\n";
    to += part;
}

std::string upper(std::string s) {
    for (char & c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

class Gemini final : public Provider {
public:
    std::string_view api() const override { return "gemini"; }

    std::string build_body(const ModelEntry & e, const std::string & prompt, int attempt) const override {
        json config = json::object();
        if (e.max_output_tokens > 0) config["maxOutputTokens"] = e.max_output_tokens;
        if (e.temperature) config["temperature"] = *e.temperature;
        if (e.seed) config["seed"] = *e.seed + attempt;
        if (e.thinking_budget >= 0) {
            config["thinkingConfig"] = json{{"thinkingBudget", e.thinking_budget}, {"includeThoughts", true}};
        } else if (!e.reasoning_effort.empty()) {
            config["thinkingConfig"] = json{{"thinkingLevel", upper(e.reasoning_effort)}, {"includeThoughts", true}};
        }
        json body = json::object();
        body["contents"] = json::array({json{{"role", "user"}, {"parts", json::array({json{{"text", prompt}}})}}});
        if (!config.empty()) body["generationConfig"] = config;
        if (!e.extra_body_json.empty()) body.merge_patch(json::parse(e.extra_body_json, nullptr, false));
        return jsonu::canonical(body);
    }

    HttpRequest build_request(const ModelEntry & e, const std::string & body, const std::string & key) const override {
        std::string url = provider_detail::join_url(e.base_url, "models/" + e.model + ":generateContent");
        HttpRequest r = provider_detail::json_post(e, std::move(url), body);
        if (!key.empty()) r.headers.emplace_back("x-goog-api-key", key);
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
        if (const json * err = jsonu::child(doc, "error"); err && err->is_object()) {
            r.malformed = true;
            r.malformed_reason = "error object in a 2xx reply: " + jsonu::str(*err, "message");
            return r;
        }
        const json * usage = jsonu::child(doc, "usageMetadata");
        if (usage && usage->is_object()) {
            r.tokens = gemini_tokens(*usage);
            r.usage_json = usage->dump();
        }
        r.response_id = jsonu::str(doc, "responseId");
        r.model_returned = jsonu::str(doc, "modelVersion");
        const json & candidates = jsonu::arr(doc, "candidates");
        std::string block = jsonu::str(jsonu::obj(doc, "promptFeedback"), "blockReason");
        if (candidates.empty()) {
            if (block.empty()) {
                r.malformed = true;
                r.malformed_reason = "no candidates and no promptFeedback.blockReason";
                return r;
            }
            r.finish = FinishKind::content_filter;
            r.finish_raw = "blockReason: " + block;
            r.error = "prompt blocked: " + block;
            return r;
        }
        const json & cand = candidates[0];
        for (const auto & part : jsonu::arr(jsonu::obj(cand, "content"), "parts")) {
            const json * thought = jsonu::child(part, "thought");
            if (thought && thought->is_boolean() && thought->get<bool>()) append(r.reasoning, jsonu::str(part, "text"));
            else r.text += jsonu::str(part, "text");
        }
        r.finish_raw = jsonu::str(cand, "finishReason");
        r.finish = finish_of(r.finish_raw);
        if (r.finish == FinishKind::content_filter) r.error = "stopped by the provider's filter: " + r.finish_raw;
        return r;
    }
};

}  // namespace

const Provider & gemini_provider() {
    static const Gemini p;
    return p;
}

}  // namespace trmbench
