// Test doubles for the adapter tests: a scripted HTTP server on 127.0.0.1 (cpp-httplib) that speaks
// whatever bytes a scenario gives it, a minimal Task, and in-memory cache / call-record / prediction
// sinks. httplib is included only in adapter_test_support.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/catalog.h"
#include "adapters/http.h"
#include "harness/core/llm_records.h"
#include "harness/core/solver.h"
#include "harness/core/task.h"
#include "tests/support/scoped_env.h"

namespace trmbench::test {

// What the fake server answers to one request.
struct Scripted {
    int status = 200;
    std::string body;
    HttpHeaders headers;                      // extra response headers
    std::string content_type = "application/json";
    int delay_ms = 0;                         // sleep before answering (a hang when above the client timeout)
    int keepalive_lines = 0;                  // DeepSeek style: blank lines (one every keepalive_ms) before the body
    int keepalive_ms = 20;
};

struct Received {
    std::string method;
    std::string path;
    std::string body;
    HttpHeaders headers;   // lowercased names
    std::vector<std::pair<std::string, std::string>> form_parts;  // multipart/form-data: field name -> content
    double at_ms = 0;      // steady-clock ms since the server started
};

class FakeServer {
public:
    // Binds 127.0.0.1 on a free port and serves on its own threads until destroyed.
    explicit FakeServer(int threads = 16);
    ~FakeServer();
    FakeServer(const FakeServer &) = delete;
    FakeServer & operator=(const FakeServer &) = delete;

    int port() const { return port_; }
    std::string url() const;  // "http://127.0.0.1:PORT"

    // Responses served in order (any path); when the queue is empty the fallback answers (default:
    // HTTP 500 "script exhausted").
    void push(Scripted s);
    void set_fallback(std::function<Scripted(const Received &)> f);

    std::vector<Received> received() const;
    size_t count() const;
    // Most requests the server was handling at the same time.
    int max_concurrent() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

// Reads tests/data/http/<rel>.
std::string http_data(const std::string & rel);

// A catalogue entry pointing at the fake server.
ModelEntry fake_entry(const std::string & api, const FakeServer & server, const std::string & key_env = "");

// A tiny task: the prompt names the example; the answer is the first "[[..],[..]]" digit grid.
class FakeTask final : public Task {
public:
    std::string_view family() const override { return "fake"; }
    std::string_view version() const override { return "1"; }
    std::vector<DatasetInfo> find_datasets(const std::filesystem::path &) const override { return {}; }
    std::vector<Example> load(const std::filesystem::path &) const override { return {}; }
    const Scorer & scorer() const override;
    const PromptTemplate & prompt_template() const override;
    std::string render_prompt(const Example & ex) const override;
    ParsedAnswer parse_answer(std::string_view text, const Example & ex) const override;
    TokenLayout token_layout() const override { return {}; }
    std::vector<int32_t> encode(const Grid &) const override { return {}; }
    std::optional<Grid> decode(std::span<const int32_t>, const Example &) const override { return std::nullopt; }
    std::string pretty(const Grid & g) const override { return to_digit_rows(g); }
};

// Examples "ex0".."ex{n-1}" with 2x2 inputs.
std::vector<Example> fake_examples(size_t n);

class MemoryCache final : public ResponseCache {
public:
    std::optional<CachedResponse> get(const std::string & key) override;
    void put(const std::string & key, const std::string & provider, const std::string & model_id,
             const CachedResponse & response) override;
    size_t size() const;
    std::map<std::string, CachedResponse> entries() const;
    size_t puts() const { return puts_; }

private:
    mutable std::mutex m_;
    std::map<std::string, CachedResponse> map_;
    size_t puts_ = 0;
};

class MemoryCalls final : public ApiCallSink {
public:
    void record_api_call(const ApiCallRecord & r) override;
    std::vector<ApiCallRecord> records() const;

private:
    mutable std::mutex m_;
    std::vector<ApiCallRecord> records_;
};

class VectorSink final : public PredictionSink {
public:
    void put(Prediction && p) override;
    bool stop_requested() const override { return stop_after_ >= 0 && static_cast<int>(predictions.size()) >= stop_after_; }
    std::vector<Prediction> predictions;
    int stop_after_ = -1;  // ask to stop once this many predictions arrived
};

}  // namespace trmbench::test
