// Interfaces between the LLM adapters and the results store, kept in core so that neither module
// depends on the other (adapters/ implements the calls, results/ implements the storage).
//
//   ApiCallSink    every HTTP call an adapter makes (status, retries, waits, request id, latency,
//                  raw bodies with secrets redacted) -> the api_calls table
//   ResponseCache  content-addressed responses, keyed by sha256(provider, model, canonical request,
//                  attempt index), so a resumed run never pays twice for the same answer
//   BatchJobStore  provider batch jobs (OpenAI Batch, Anthropic Message Batches), so polling resumes
//                  after a crash
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace trmbench {

struct ApiCallRecord {
    std::string solver;          // catalogue entry name
    std::string provider;        // "openai", "anthropic", "gemini", "openai-compatible", ...
    std::string model_id;        // provider's model id
    std::string example_id;
    int attempt = 0;
    std::string cache_key;       // hex sha256 (see ResponseCache)
    int64_t started_at_ms = 0;   // unix epoch milliseconds
    double latency_ms = 0;       // of the final HTTP exchange
    int http_status = 0;         // final status, 0 for a transport failure
    int retries = 0;
    double wait_ms = 0;          // total time slept in backoff and rate-limit waits
    std::string outcome;         // outcome_name() of the resulting Prediction
    std::string error;           // provider error text, redacted
    std::string request_id;      // provider request id header/body field
    std::string request_json;    // redacted request body
    std::string response_body;   // redacted response body (may be truncated by the store)
};

class ApiCallSink {
public:
    virtual ~ApiCallSink() = default;
    virtual void record_api_call(const ApiCallRecord & r) = 0;
};

struct CachedResponse {
    int http_status = 0;
    std::string body;            // raw response body as received
    std::string headers_json;    // selected response headers (request id, ...)
};

class ResponseCache {
public:
    virtual ~ResponseCache() = default;
    virtual std::optional<CachedResponse> get(const std::string & key) = 0;
    // Must be durable when it returns: a crash right after put() must not lose the response.
    virtual void put(const std::string & key, const std::string & provider, const std::string & model_id,
                     const CachedResponse & response) = 0;
};

struct BatchJobRecord {
    std::string batch_id;        // provider's id
    std::string provider;
    std::string solver;
    std::string status;          // provider status text ("validating", "in_progress", "ended", ...)
    std::string input_file_id;   // OpenAI: uploaded JSONL file
    std::string output_file_id;  // OpenAI: results file when done
    std::string custom_ids_json; // JSON list of the custom_ids in the batch (joins results to items)
    int64_t created_at_ms = 0;
    int64_t updated_at_ms = 0;
};

class BatchJobStore {
public:
    virtual ~BatchJobStore() = default;
    virtual void save_batch(const BatchJobRecord & r) = 0;  // insert or update by batch_id
    virtual std::vector<BatchJobRecord> open_batches(const std::string & solver) = 0;  // not yet collected
    virtual void mark_batch_collected(const std::string & batch_id) = 0;
};

}  // namespace trmbench
