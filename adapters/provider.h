// Provider: one wire protocol (OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, Gemini
// generateContent). A provider is stateless: it builds requests and parses replies with pure
// functions, so golden-file tests cover it without a network. Retries, limits, caching and records
// live in the client (client.h), the same for every provider. The list of providers is explicit, in
// provider_list.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/catalog.h"
#include "adapters/http.h"
#include "adapters/usage.h"

namespace trmbench {

// How a reply ended, normalised across providers.
enum class FinishKind {
    stop,            // normal end: the text is the answer
    length,          // output limit reached (finish_reason length, max_tokens, MAX_TOKENS, incomplete)
    refusal,         // the model refused (Anthropic refusal, OpenAI message.refusal)
    content_filter,  // the provider's safety filter stopped or blocked it
    pending,         // background job still queued or running: poll again
    failed,          // the provider reports the job failed or was cancelled
    other,           // anything else (tool calls, unknown reasons)
};

std::string_view finish_kind_name(FinishKind k);

struct ProviderReply {
    bool malformed = false;       // the body is not this provider's JSON
    std::string malformed_reason;
    FinishKind finish = FinishKind::other;
    std::string finish_raw;       // the provider's own word ("length", "MAX_TOKENS", "incomplete: max_output_tokens")
    std::string text;             // the visible answer (any <think> block removed)
    std::string reasoning;        // reasoning / thinking text when the provider returns it
    bool think_unterminated = false;
    std::string error;            // refusal message, failed job's error
    TokenCounts tokens;
    std::string usage_json;       // the provider's usage object verbatim ("" when absent)
    std::string response_id;      // chatcmpl-..., msg_..., resp_..., responseId
    std::string model_returned;
};

class Provider {
public:
    virtual ~Provider() = default;
    virtual std::string_view api() const = 0;
    // The request body as canonical JSON (sorted keys, no whitespace): cache keys are hashed from it.
    virtual std::string build_body(const ModelEntry & entry, const std::string & prompt, int attempt) const = 0;
    // The HTTP request for a body (URL, auth headers). `api_key` may be empty (local servers).
    virtual HttpRequest build_request(const ModelEntry & entry, const std::string & body,
                                      const std::string & api_key) const = 0;
    // Parses a 2xx body. Never throws: a body it cannot use comes back with malformed = true.
    virtual ProviderReply parse_reply(std::string_view body) const = 0;
    // Background jobs: the request that fetches the job's state (nullopt: this provider has none).
    virtual std::optional<HttpRequest> poll_request(const ModelEntry & entry, const std::string & response_id,
                                                    const std::string & api_key) const {
        return std::nullopt;
    }
    // Background jobs: the request that cancels a job that ran past its time limit.
    virtual std::optional<HttpRequest> cancel_request(const ModelEntry & entry, const std::string & response_id,
                                                      const std::string & api_key) const {
        return std::nullopt;
    }
    // Validates API-specific entry fields; returns an error text naming the field, or "".
    virtual std::string check_entry(const ModelEntry & entry) const { return {}; }
};

// The provider for an `api` name; throws UsageError listing the known names.
const Provider & provider_for_api(std::string_view api);
const Provider * find_provider(std::string_view api);
std::vector<std::string> known_apis();

// The provider's request id from response headers (x-request-id, request-id, ...), or "".
std::string request_id_from_headers(const HttpHeaders & headers);

// Shared by the provider implementations (JSON stays inside .cpp files).
namespace provider_detail {
// base_url + "/" + path without doubling the slash.
std::string join_url(const std::string & base, std::string_view path);
// Common headers: content type, extra headers from the entry.
HttpRequest json_post(const ModelEntry & entry, std::string url, const std::string & body);
}  // namespace provider_detail

}  // namespace trmbench
