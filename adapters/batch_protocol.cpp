// Batch envelopes of OpenAI Batch and Anthropic Message Batches; see batch_protocol.h.
#include "adapters/batch_protocol.h"

#include "adapters/providers/json_util.h"
#include "harness/core/sha256.h"

namespace trmbench {
namespace {

using jsonu::json;

// The path part of a URL ("https://api.openai.com/v1" -> "/v1"), without a trailing slash.
std::string url_path(const std::string & url) {
    size_t scheme = url.find("://");
    size_t start = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (start == std::string::npos) return {};
    std::string path = url.substr(start);
    size_t query = path.find_first_of("?#");
    if (query != std::string::npos) path.resize(query);
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path;
}

json parse_object(std::string_view body, std::string * why) {
    json doc = jsonu::parse_body(body, why);
    if (!doc.is_discarded() && !doc.is_object()) {
        *why = "not a JSON object";
        return json(json::value_t::discarded);
    }
    return doc;
}

// An error object's message, whatever shape it has ({"message"}, {"error": {"message"}}, a string).
std::string error_text(const json & e) {
    if (e.is_string()) return e.get<std::string>();
    if (!e.is_object()) return e.is_null() ? "" : e.dump();
    std::string msg = jsonu::str(e, "message");
    if (msg.empty()) msg = jsonu::str(jsonu::obj(e, "error"), "message");
    std::string code = jsonu::str(e, "code");
    if (code.empty()) code = jsonu::str(jsonu::obj(e, "error"), "type");
    if (code.empty()) code = jsonu::str(e, "type");
    if (msg.empty()) return code.empty() ? e.dump() : code;
    return code.empty() ? msg : code + ": " + msg;
}

// HTTP status an Anthropic error type stands for (errored batch entries carry no status), so the
// retry classifier (retry.h) maps the entry to the same outcome as an interactive call.
int anthropic_error_status(const std::string & type) {
    if (type == "invalid_request_error") return 400;
    if (type == "authentication_error") return 401;
    if (type == "billing_error") return 402;
    if (type == "permission_error") return 403;
    if (type == "not_found_error") return 404;
    if (type == "request_too_large") return 413;
    if (type == "rate_limit_error") return 429;
    if (type == "timeout_error") return 504;
    if (type == "overloaded_error") return 529;
    return 500;  // api_error and unknown types
}

std::optional<BatchEntry> openai_entry(const json & line, std::string * why) {
    BatchEntry e;
    e.custom_id = jsonu::str(line, "custom_id");
    if (e.custom_id.empty()) {
        *why = "no custom_id";
        return std::nullopt;
    }
    const json * response = jsonu::child(line, "response");
    const json * error = jsonu::child(line, "error");
    if (response && response->is_object()) {
        e.http_status = static_cast<int>(jsonu::int_or(*response, "status_code", 0));
        e.request_id = jsonu::str(*response, "request_id");
        const json * body = jsonu::child(*response, "body");
        if (!body) {
            *why = "response without a body";
            return std::nullopt;
        }
        e.body = body->is_string() ? body->get<std::string>() : body->dump();
        if (e.http_status >= 200 && e.http_status < 300) {
            e.kind = BatchEntryKind::succeeded;
        } else {
            e.kind = BatchEntryKind::errored;
            e.error = "HTTP " + std::to_string(e.http_status) + ": " +
                      (body->is_object() ? error_text(jsonu::obj(*body, "error")) : e.body);
        }
        return e;
    }
    if (error && error->is_object()) {
        std::string code = jsonu::str(*error, "code");
        e.error = error_text(*error);
        e.body = json{{"error", *error}}.dump();
        if (code == "batch_expired") e.kind = BatchEntryKind::expired;
        else if (code == "batch_cancelled" || code == "batch_canceled") e.kind = BatchEntryKind::canceled;
        else e.kind = BatchEntryKind::errored;
        return e;
    }
    *why = "neither a response nor an error";
    return std::nullopt;
}

std::optional<BatchEntry> anthropic_entry(const json & line, std::string * why) {
    BatchEntry e;
    e.custom_id = jsonu::str(line, "custom_id");
    if (e.custom_id.empty()) {
        *why = "no custom_id";
        return std::nullopt;
    }
    const json & result = jsonu::obj(line, "result");
    std::string type = jsonu::str(result, "type");
    if (type == "succeeded") {
        const json * message = jsonu::child(result, "message");
        if (!message || !message->is_object()) {
            *why = "succeeded without a message";
            return std::nullopt;
        }
        e.kind = BatchEntryKind::succeeded;
        e.http_status = 200;
        e.body = message->dump();
        return e;
    }
    if (type == "errored") {
        const json & err = jsonu::obj(result, "error");  // ErrorResponse {type: error, error: {type, message}}
        const json & inner = jsonu::obj(err, "error");
        e.kind = BatchEntryKind::errored;
        e.http_status = anthropic_error_status(jsonu::str(inner, "type"));
        e.request_id = jsonu::str(err, "request_id");
        e.body = err.dump();
        e.error = error_text(inner.empty() ? err : inner);
        return e;
    }
    if (type == "expired" || type == "canceled") {
        e.kind = type == "expired" ? BatchEntryKind::expired : BatchEntryKind::canceled;
        e.error = "request " + type + " before it ran";
        return e;
    }
    *why = type.empty() ? "no result type" : "unknown result type '" + type + "'";
    return std::nullopt;
}

}  // namespace

std::string_view batch_wire_name(BatchWire w) {
    return w == BatchWire::openai ? "openai-batch" : "anthropic-message-batches";
}

std::optional<BatchWire> batch_wire_for(const ModelEntry & entry) {
    if ((entry.api == "openai-chat" || entry.api == "openai-responses") && entry.provider == "openai")
        return BatchWire::openai;
    if (entry.api == "anthropic-messages") return BatchWire::anthropic;
    return std::nullopt;
}

BatchLimits batch_limits(BatchWire w) {
    if (w == BatchWire::openai) return {50'000, 200u << 20};
    return {100'000, 256u << 20};
}

std::string batch_custom_id(const std::string & cache_key, const std::string & example_id, int attempt) {
    std::string h = sha256_hex(cache_key + '\n' + example_id + '\n' + std::to_string(attempt));
    return "r" + h.substr(0, 40);
}

std::string openai_batch_endpoint(const ModelEntry & entry) {
    std::string base = url_path(entry.base_url);
    if (base.empty()) base = "/v1";
    return base + (entry.api == "openai-responses" ? "/responses" : "/chat/completions");
}

std::string openai_batch_line(const BatchRequestItem & item, const std::string & endpoint) {
    json body = json::parse(item.body, nullptr, false);
    json line = json::object();
    line["custom_id"] = item.custom_id;
    line["method"] = "POST";
    line["url"] = endpoint;
    // The body is canonical JSON from Provider::build_body; kept as a string if it somehow is not.
    line["body"] = body.is_discarded() ? json(item.body) : body;
    return jsonu::canonical(line);
}

std::string openai_batch_jsonl(std::span<const BatchRequestItem> items, const std::string & endpoint) {
    std::string out;
    for (const auto & item : items) {
        out += openai_batch_line(item, endpoint);
        out += '\n';
    }
    return out;
}

std::string openai_batch_create_body(const std::string & input_file_id, const std::string & endpoint,
                                     const std::string & description) {
    json body = {{"input_file_id", input_file_id}, {"endpoint", endpoint}, {"completion_window", "24h"}};
    if (!description.empty()) body["metadata"] = json{{"description", description.substr(0, 512)}};
    return jsonu::canonical(body);
}

MultipartBody multipart_file_upload(const std::vector<std::pair<std::string, std::string>> & fields,
                                    const std::string & file_field, const std::string & filename,
                                    const std::string & file_content) {
    // The boundary must not occur in any part; derive it from the content and re-derive on a clash.
    std::string boundary;
    for (int salt = 0;; ++salt) {
        boundary = "trmbench-" + sha256_hex(std::to_string(salt) + file_content).substr(0, 32);
        bool clash = file_content.find(boundary) != std::string::npos;
        for (const auto & [name, value] : fields) clash = clash || value.find(boundary) != std::string::npos;
        if (!clash) break;
    }
    MultipartBody m;
    m.content_type = "multipart/form-data; boundary=" + boundary;
    for (const auto & [name, value] : fields)
        m.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    m.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + file_field + "\"; filename=\"" +
              filename + "\"\r\nContent-Type: application/jsonl\r\n\r\n";
    m.body += file_content;
    m.body += "\r\n--" + boundary + "--\r\n";
    return m;
}

std::string parse_openai_file_id(std::string_view body) {
    std::string why;
    json doc = parse_object(body, &why);
    return doc.is_discarded() ? std::string() : jsonu::str(doc, "id");
}

std::string anthropic_batch_create_body(std::span<const BatchRequestItem> items) {
    json requests = json::array();
    for (const auto & item : items) {
        json params = json::parse(item.body, nullptr, false);
        requests.push_back(json{{"custom_id", item.custom_id}, {"params", params.is_discarded() ? json(item.body) : params}});
    }
    return jsonu::canonical(json{{"requests", std::move(requests)}});
}

BatchStatus parse_openai_batch(std::string_view body) {
    BatchStatus s;
    std::string why;
    json doc = parse_object(body, &why);
    if (doc.is_discarded()) {
        s.malformed = true;
        s.malformed_reason = why;
        return s;
    }
    s.id = jsonu::str(doc, "id");
    s.status = jsonu::str(doc, "status");
    if (s.id.empty() || s.status.empty()) {
        s.malformed = true;
        s.malformed_reason = "no batch id or status";
        return s;
    }
    s.ended = s.status == "completed" || s.status == "expired" || s.status == "cancelled" || s.status == "failed";
    s.failed = s.status == "failed";
    s.input_file_id = jsonu::str(doc, "input_file_id");
    s.output_file_id = jsonu::str(doc, "output_file_id");
    s.error_file_id = jsonu::str(doc, "error_file_id");
    const json & counts = jsonu::obj(doc, "request_counts");
    s.total = jsonu::count(counts, "total", -1);
    s.succeeded = jsonu::count(counts, "completed", -1);
    s.errored = jsonu::count(counts, "failed", -1);
    for (const auto & e : jsonu::arr(jsonu::obj(doc, "errors"), "data")) {
        if (!s.errors.empty()) s.errors += "; ";
        std::string line = jsonu::int_or(e, "line", -1) >= 0 ? " (line " + std::to_string(jsonu::int_or(e, "line", -1)) + ")" : "";
        s.errors += error_text(e) + line;
    }
    return s;
}

BatchStatus parse_anthropic_batch(std::string_view body) {
    BatchStatus s;
    std::string why;
    json doc = parse_object(body, &why);
    if (doc.is_discarded()) {
        s.malformed = true;
        s.malformed_reason = why;
        return s;
    }
    s.id = jsonu::str(doc, "id");
    s.status = jsonu::str(doc, "processing_status");
    if (s.id.empty() || s.status.empty()) {
        s.malformed = true;
        s.malformed_reason = "no batch id or processing_status";
        return s;
    }
    s.ended = s.status == "ended";
    s.results_url = jsonu::str(doc, "results_url");
    const json & counts = jsonu::obj(doc, "request_counts");
    int64_t processing = jsonu::count(counts, "processing", 0), ok = jsonu::count(counts, "succeeded", 0);
    int64_t errored = jsonu::count(counts, "errored", 0), canceled = jsonu::count(counts, "canceled", 0);
    int64_t expired = jsonu::count(counts, "expired", 0);
    if (!counts.empty()) {
        s.total = processing + ok + errored + canceled + expired;
        s.succeeded = ok;
        s.errored = errored + canceled + expired;
    }
    return s;
}

BatchStatus parse_batch_status(BatchWire w, std::string_view body) {
    return w == BatchWire::openai ? parse_openai_batch(body) : parse_anthropic_batch(body);
}

std::string_view batch_entry_kind_name(BatchEntryKind k) {
    switch (k) {
        case BatchEntryKind::succeeded: return "succeeded";
        case BatchEntryKind::errored: return "errored";
        case BatchEntryKind::expired: return "expired";
        case BatchEntryKind::canceled: return "canceled";
    }
    return "errored";
}

BatchResults parse_batch_results(BatchWire w, std::string_view jsonl) {
    BatchResults out;
    size_t line_no = 0;
    while (!jsonl.empty()) {
        size_t nl = jsonl.find('\n');
        std::string_view line = jsonl.substr(0, nl);
        jsonl = nl == std::string_view::npos ? std::string_view() : jsonl.substr(nl + 1);
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        std::string why;
        json doc = parse_object(line, &why);
        std::optional<BatchEntry> e;
        if (!doc.is_discarded()) e = w == BatchWire::openai ? openai_entry(doc, &why) : anthropic_entry(doc, &why);
        if (e) out.entries.push_back(std::move(*e));
        else out.bad_lines.push_back("line " + std::to_string(line_no) + ": " + why);
    }
    return out;
}

}  // namespace trmbench
