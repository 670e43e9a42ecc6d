// Provider batch APIs as pure functions: OpenAI Batch (JSONL file upload, POST /batches, poll,
// download the output and error files) and Anthropic Message Batches (inline POST
// /messages/batches, poll, GET .../results JSONL). See harness-anchors §2.7.
//
// Only the batch envelope lives here. The request inside each line is exactly what the interactive
// path sends (Provider::build_body), and each result's body is parsed by the same
// Provider::parse_reply, so a batch answer and an interactive answer are parsed identically. Every
// function is total: a body it cannot use comes back marked malformed with a reason, never as an
// exception, so a garbled result line becomes a recorded outcome for its item.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/catalog.h"

namespace trmbench {

enum class BatchWire { openai, anthropic };

std::string_view batch_wire_name(BatchWire w);
// The batch API of an entry: openai-chat and openai-responses entries of provider "openai" use
// OpenAI Batch, anthropic-messages entries Anthropic Message Batches; nullopt for the rest (Gemini
// and OpenAI-compatible servers have no batch API trmbench speaks).
std::optional<BatchWire> batch_wire_for(const ModelEntry & entry);

// Provider limits of one batch (requests and bytes of the request file / body).
struct BatchLimits {
    size_t max_requests = 0;
    size_t max_bytes = 0;
};
BatchLimits batch_limits(BatchWire w);

// One request of a batch: its custom_id and the canonical request body from Provider::build_body.
struct BatchRequestItem {
    std::string custom_id;
    std::string body;
};

// A custom_id both providers accept (Anthropic: ^[a-zA-Z0-9_-]{1,64}$): "r" + 40 hex digits of
// sha256(cache_key, example_id, attempt). Deterministic, so a restarted run computes the same ids
// and joins a persisted batch's results back to its work items.
std::string batch_custom_id(const std::string & cache_key, const std::string & example_id, int attempt);

// ---- OpenAI Batch

// The endpoint of the batch lines: the path of the entry's base URL plus "/chat/completions" or
// "/responses" ("/v1/chat/completions" for https://api.openai.com/v1).
std::string openai_batch_endpoint(const ModelEntry & entry);
// One JSONL line {"custom_id", "method": "POST", "url", "body"} (no trailing newline).
std::string openai_batch_line(const BatchRequestItem & item, const std::string & endpoint);
// The request file: one line per item, each ending in '\n'.
std::string openai_batch_jsonl(std::span<const BatchRequestItem> items, const std::string & endpoint);
// Body of POST /batches.
std::string openai_batch_create_body(const std::string & input_file_id, const std::string & endpoint,
                                     const std::string & description);

// A multipart/form-data body with text fields and one file part (POST /files, purpose=batch).
struct MultipartBody {
    std::string content_type;  // "multipart/form-data; boundary=..."
    std::string body;
};
MultipartBody multipart_file_upload(const std::vector<std::pair<std::string, std::string>> & fields,
                                    const std::string & file_field, const std::string & filename,
                                    const std::string & file_content);
// The id of an uploaded file from the POST /files reply ("" when absent).
std::string parse_openai_file_id(std::string_view body);

// ---- Anthropic Message Batches

// Body of POST /messages/batches: {"requests": [{"custom_id", "params": <Messages request>}]}.
std::string anthropic_batch_create_body(std::span<const BatchRequestItem> items);

// ---- status of a batch (both providers)

struct BatchStatus {
    bool malformed = false;
    std::string malformed_reason;
    std::string id;
    std::string status;        // provider's word: OpenAI status, Anthropic processing_status
    bool ended = false;        // terminal: results (if any) can be downloaded, nothing will change
    bool failed = false;       // OpenAI "failed": the input was rejected, there are no results
    std::string input_file_id, output_file_id, error_file_id;  // OpenAI
    std::string results_url;   // Anthropic, once ended
    int64_t total = -1, succeeded = -1, errored = -1;  // request counts when reported
    std::string errors;        // batch-level errors (OpenAI validation failures), joined
};
BatchStatus parse_openai_batch(std::string_view body);
BatchStatus parse_anthropic_batch(std::string_view body);
BatchStatus parse_batch_status(BatchWire w, std::string_view body);

// ---- result lines

enum class BatchEntryKind { succeeded, errored, expired, canceled };
std::string_view batch_entry_kind_name(BatchEntryKind k);

struct BatchEntry {
    std::string custom_id;
    BatchEntryKind kind = BatchEntryKind::errored;
    int http_status = 0;       // OpenAI: the request's status_code; Anthropic errored: mapped from the type
    std::string request_id;
    std::string body;          // succeeded: the response body (chat.completion / response / Message);
                               // errored: the error JSON in the provider's usual error shape
    std::string error;         // short reason for errored / expired / canceled
};

struct BatchResults {
    std::vector<BatchEntry> entries;
    std::vector<std::string> bad_lines;  // "line 3: not JSON (...)" for lines that could not be used
};
// Parses a whole results file (JSONL; blank lines ignored, a missing final newline tolerated).
BatchResults parse_batch_results(BatchWire w, std::string_view jsonl);

}  // namespace trmbench
