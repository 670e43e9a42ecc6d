// Fake OpenAI Batch and Anthropic Message Batches servers for the batch tests, on top of FakeServer:
// stateful handlers that speak the real wire formats (multipart file upload, batch objects, polls
// that move through the provider's statuses, JSONL result files in an order different from the
// input), plus an in-memory BatchJobStore. JSON stays in this test-only header.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "harness/core/llm_records.h"
#include "tests/unit/adapters/adapter_test_support.h"

namespace trmbench::test {

class MemoryBatchStore final : public BatchJobStore {
public:
    void save_batch(const BatchJobRecord & r) override {
        std::lock_guard<std::mutex> lock(m_);
        ++saves;
        for (auto & [rec, collected] : rows_)
            if (rec.batch_id == r.batch_id) {
                rec = r;
                return;
            }
        rows_.push_back({r, false});
    }
    std::vector<BatchJobRecord> open_batches(const std::string & solver) override {
        std::lock_guard<std::mutex> lock(m_);
        std::vector<BatchJobRecord> out;
        for (const auto & [rec, collected] : rows_)
            if (!collected && rec.solver == solver) out.push_back(rec);
        return out;
    }
    void mark_batch_collected(const std::string & batch_id) override {
        std::lock_guard<std::mutex> lock(m_);
        for (auto & [rec, collected] : rows_)
            if (rec.batch_id == batch_id) collected = true;
    }
    std::vector<std::pair<BatchJobRecord, bool>> rows() const {
        std::lock_guard<std::mutex> lock(m_);
        return rows_;
    }
    int saves = 0;

private:
    mutable std::mutex m_;
    std::vector<std::pair<BatchJobRecord, bool>> rows_;
};

// The answer the fake model gives: FakeTask parses the first digit grid.
inline constexpr const char * kFakeAnswer = "The grid is [[1,2],[3,4]]";

struct FakeBatchBehaviour {
    std::vector<std::string> statuses;          // what successive polls report; the last one repeats
    std::map<size_t, int> http_error_lines;     // input line index -> status_code of an error response
    std::set<size_t> expired_lines;             // input lines reported expired (in the error file)
    std::set<size_t> canceled_lines;            // Anthropic: canceled entries
    std::set<size_t> malformed_lines;           // lines replaced by garbage in the results file
    bool fail_validation = false;               // OpenAI: batch "failed" with errors.data
    std::string echo_in_poll;                   // text put into the first poll reply (key-leak test)
};

// A behaviour whose successive polls report `statuses`.
inline FakeBatchBehaviour polls_reporting(std::vector<std::string> statuses) {
    FakeBatchBehaviour b;
    b.statuses = std::move(statuses);
    return b;
}

// OpenAI: POST /v1/files, POST /v1/batches, GET /v1/batches/{id}, GET /v1/files/{id}/content.
class FakeOpenAiBatch {
public:
    explicit FakeOpenAiBatch(FakeBatchBehaviour b) : b_(std::move(b)) {}

    Scripted handle(const Received & r) {
        std::lock_guard<std::mutex> lock(m_);
        using nlohmann::json;
        if (r.method == "POST" && r.path == "/v1/files") {
            for (const auto & [name, content] : r.form_parts) {
                if (name == "file") uploaded = content;
                if (name == "purpose") purpose = content;
            }
            return ok(json{{"id", "file-in1"}, {"object", "file"}, {"purpose", purpose}, {"bytes", uploaded.size()}});
        }
        if (r.method == "POST" && r.path == "/v1/batches") {
            ++creates;
            create_body = json::parse(r.body, nullptr, false);
            return ok(batch_object("validating"));
        }
        if (r.method == "GET" && r.path == "/v1/batches/batch_abc") {
            std::string status = b_.statuses.empty() ? "completed" : b_.statuses[std::min(polls, b_.statuses.size() - 1)];
            ++polls;
            json obj = batch_object(status);
            if (polls == 1 && !b_.echo_in_poll.empty()) obj["metadata"] = json{{"note", b_.echo_in_poll}};
            return ok(obj);
        }
        if (r.method == "GET" && r.path == "/v1/files/file-out1/content") return jsonl(output_lines());
        if (r.method == "GET" && r.path == "/v1/files/file-err1/content") return jsonl(error_lines());
        Scripted s;
        s.status = 404;
        s.body = R"({"error":{"message":"fake openai batch: no route","type":"invalid_request_error"}})";
        return s;
    }

    std::vector<nlohmann::json> input_lines() const {
        std::vector<nlohmann::json> out;
        size_t pos = 0;
        while (pos < uploaded.size()) {
            size_t nl = uploaded.find('\n', pos);
            std::string line = uploaded.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            if (!line.empty()) out.push_back(nlohmann::json::parse(line, nullptr, false));
            if (nl == std::string::npos) break;
            pos = nl + 1;
        }
        return out;
    }

    std::string uploaded, purpose;
    nlohmann::json create_body;
    size_t polls = 0;
    int creates = 0;

private:
    static Scripted ok(const nlohmann::json & j) {
        Scripted s;
        s.body = j.dump();
        return s;
    }
    static Scripted jsonl(const std::vector<std::string> & lines) {
        Scripted s;
        s.content_type = "application/octet-stream";
        for (const auto & l : lines) s.body += l + "\n";
        return s;
    }

    nlohmann::json batch_object(const std::string & status) const {
        using nlohmann::json;
        bool done = status == "completed" || status == "expired" || status == "cancelled";
        json obj = {{"id", "batch_abc"},       {"object", "batch"},           {"endpoint", "/v1/chat/completions"},
                    {"input_file_id", "file-in1"}, {"completion_window", "24h"}, {"status", status},
                    {"output_file_id", done ? json("file-out1") : json(nullptr)},
                    {"error_file_id", done && !b_.expired_lines.empty() ? json("file-err1") : json(nullptr)},
                    {"request_counts", {{"total", input_lines().size()}, {"completed", 0}, {"failed", 0}}}};
        if (status == "failed")
            obj["errors"] = {{"object", "list"},
                             {"data", json::array({json{{"code", "invalid_json_line"}, {"message", "line 2 is not JSON"}, {"line", 2}}})}};
        return obj;
    }

    // Succeeded and HTTP-error lines, last input first (providers do not keep the input order).
    std::vector<std::string> output_lines() const {
        using nlohmann::json;
        auto in = input_lines();
        std::vector<std::string> out;
        for (size_t k = in.size(); k-- > 0;) {
            if (b_.expired_lines.count(k)) continue;
            if (b_.malformed_lines.count(k)) {
                out.push_back("{\"id\": \"batch_req_" + std::to_string(k) + "\", \"custom_id\": ");  // cut off
                continue;
            }
            std::string cid = in[k].value("custom_id", "");
            json response;
            if (auto e = b_.http_error_lines.find(k); e != b_.http_error_lines.end()) {
                response = {{"status_code", e->second},
                            {"request_id", "req_err" + std::to_string(k)},
                            {"body", {{"error", {{"message", "fake error " + std::to_string(e->second)},
                                                 {"type", e->second == 429 ? "rate_limit_exceeded" : "invalid_request_error"},
                                                 {"code", e->second == 429 ? "rate_limit_exceeded" : "invalid_value"}}}}}};
            } else if (in[k].value("url", "").ends_with("/responses")) {
                json body = {{"id", "resp_" + std::to_string(k)},
                             {"object", "response"},
                             {"status", "completed"},
                             {"model", "test-model"},
                             {"output", json::array({json{{"type", "message"},
                                                          {"role", "assistant"},
                                                          {"content", json::array({json{{"type", "output_text"}, {"text", kFakeAnswer}}})}}})},
                             {"usage", {{"input_tokens", 100}, {"output_tokens", 50}, {"total_tokens", 150},
                                        {"output_tokens_details", {{"reasoning_tokens", 20}}}}}};
                response = {{"status_code", 200}, {"request_id", "req_" + std::to_string(k)}, {"body", body}};
            } else {
                json body = {{"id", "chatcmpl-" + std::to_string(k)},
                             {"object", "chat.completion"},
                             {"model", "test-model"},
                             {"choices", json::array({json{{"index", 0},
                                                           {"message", {{"role", "assistant"}, {"content", kFakeAnswer}}},
                                                           {"finish_reason", "stop"}}})},
                             {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 50}, {"total_tokens", 150},
                                        {"completion_tokens_details", {{"reasoning_tokens", 20}}}}}};
                response = {{"status_code", 200}, {"request_id", "req_" + std::to_string(k)}, {"body", body}};
            }
            out.push_back(json{{"id", "batch_req_" + std::to_string(k)}, {"custom_id", cid}, {"response", response},
                               {"error", nullptr}}.dump());
        }
        return out;
    }

    std::vector<std::string> error_lines() const {
        using nlohmann::json;
        auto in = input_lines();
        std::vector<std::string> out;
        for (size_t k : b_.expired_lines)
            if (k < in.size())
                out.push_back(json{{"id", "batch_req_" + std::to_string(k)},
                                   {"custom_id", in[k].value("custom_id", "")},
                                   {"response", nullptr},
                                   {"error", {{"code", "batch_expired"}, {"message", "This request could not be executed before the completion window expired."}}}}
                                  .dump());
        return out;
    }

    FakeBatchBehaviour b_;
    std::mutex m_;
};

// Anthropic: POST /v1/messages/batches, GET /v1/messages/batches/{id}, GET .../results.
class FakeAnthropicBatch {
public:
    FakeAnthropicBatch(FakeBatchBehaviour b, std::string base_url) : b_(std::move(b)), base_url_(std::move(base_url)) {}

    Scripted handle(const Received & r) {
        std::lock_guard<std::mutex> lock(m_);
        using nlohmann::json;
        if (r.method == "POST" && r.path == "/v1/messages/batches") {
            ++creates;
            create_body = json::parse(r.body, nullptr, false);
            return ok(batch_object("in_progress"));
        }
        if (r.method == "GET" && r.path == "/v1/messages/batches/msgbatch_01") {
            std::string status = b_.statuses.empty() ? "ended" : b_.statuses[std::min(polls, b_.statuses.size() - 1)];
            ++polls;
            return ok(batch_object(status));
        }
        if (r.method == "GET" && r.path == "/v1/messages/batches/msgbatch_01/results") {
            ++result_downloads;
            Scripted s;
            s.content_type = "application/binary";
            for (const auto & l : result_lines()) s.body += l + "\n";
            return s;
        }
        Scripted s;
        s.status = 404;
        s.body = R"({"type":"error","error":{"type":"not_found_error","message":"fake anthropic batch: no route"}})";
        return s;
    }

    nlohmann::json create_body;
    size_t polls = 0;
    int creates = 0;
    int result_downloads = 0;

private:
    static Scripted ok(const nlohmann::json & j) {
        Scripted s;
        s.body = j.dump();
        return s;
    }

    nlohmann::json batch_object(const std::string & status) const {
        using nlohmann::json;
        size_t n = create_body.is_object() ? create_body["requests"].size() : 0;
        bool ended = status == "ended";
        return {{"id", "msgbatch_01"},
                {"type", "message_batch"},
                {"processing_status", status},
                {"request_counts", {{"processing", ended ? 0 : n}, {"succeeded", ended ? n : 0}, {"errored", 0},
                                    {"canceled", 0}, {"expired", 0}}},
                {"results_url", ended ? json(base_url_ + "/messages/batches/msgbatch_01/results") : json(nullptr)},
                {"created_at", "2026-11-28T10:00:00Z"},
                {"expires_at", "2026-11-29T10:00:00Z"}};
    }

    std::vector<std::string> result_lines() const {
        using nlohmann::json;
        std::vector<std::string> out;
        const json & reqs = create_body["requests"];
        for (size_t k = reqs.size(); k-- > 0;) {
            std::string cid = reqs[k].value("custom_id", "");
            json result;
            if (b_.malformed_lines.count(k)) {
                out.push_back("<html>502 bad gateway</html>");
                continue;
            }
            if (auto e = b_.http_error_lines.find(k); e != b_.http_error_lines.end()) {
                std::string type = e->second == 529 ? "overloaded_error" : "invalid_request_error";
                result = {{"type", "errored"},
                          {"error", {{"type", "error"}, {"error", {{"type", type}, {"message", "fake " + type}}}}}};
            } else if (b_.expired_lines.count(k)) {
                result = {{"type", "expired"}};
            } else if (b_.canceled_lines.count(k)) {
                result = {{"type", "canceled"}};
            } else {
                result = {{"type", "succeeded"},
                          {"message", {{"id", "msg_" + std::to_string(k)},
                                       {"type", "message"},
                                       {"role", "assistant"},
                                       {"model", "claude-test"},
                                       {"content", json::array({json{{"type", "thinking"}, {"thinking", "hmm"}},
                                                                json{{"type", "text"}, {"text", kFakeAnswer}}})},
                                       {"stop_reason", "end_turn"},
                                       {"usage", {{"input_tokens", 200}, {"output_tokens", 80}, {"service_tier", "batch"}}}}}};
            }
            out.push_back(json{{"custom_id", cid}, {"result", result}}.dump());
        }
        return out;
    }

    FakeBatchBehaviour b_;
    std::string base_url_;
    std::mutex m_;
};

}  // namespace trmbench::test
