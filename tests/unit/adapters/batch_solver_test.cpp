// BatchSolver against fake OpenAI Batch and Anthropic Message Batches servers on 127.0.0.1 (real
// curl transport, virtual time): happy paths, per-entry errors, expiry, malformed result lines,
// crash-and-resume without resubmitting, and no API key in any stored byte. The [.api] cases send
// one tiny batch to the real providers when their keys are set.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "adapters/batch_solver.h"
#include "adapters/http_curl.h"
#include "harness/core/error.h"
#include "tests/unit/adapters/batch_fakes.h"

using nlohmann::json;
using namespace trmbench;
using namespace trmbench::test;

namespace {

constexpr const char * kKeyEnv = "TRMBENCH_TEST_BATCH_KEY";
constexpr const char * kKey = "sk-test-BATCHSECRET-0123456789abcdef";

ModelEntry batch_entry(const std::string & api, const FakeServer & server) {
    ModelEntry e = fake_entry(api, server, kKeyEnv);
    e.provider = api == "anthropic-messages" ? "anthropic" : "openai";
    e.pricing.batch_discount = 0.5;
    return e;
}

struct BatchHarness {
    FakeServer server;
    MemoryBatchStore store;
    MemoryCalls calls;
    SkipClock clock;
    std::shared_ptr<HttpTransport> transport = std::make_shared<CurlTransport>();
    FakeTask task;
    std::vector<Example> examples;
    std::vector<std::string> log;
    ScopedEnv key{kKeyEnv, kKey};

    BatchSolverOptions options(Clock * clock_override = nullptr) {
        BatchSolverOptions o;
        o.store = &store;
        o.transport = transport;
        o.calls = &calls;
        o.clock = clock_override ? clock_override : &clock;
        o.retry.max_attempts = 3;
        o.retry.base_delay_ms = 1000;
        o.poll_interval_s = 30;
        o.max_poll_interval_s = 300;
        o.show_progress = false;
        o.seed = 7;
        o.log = [this](const std::string & l) { log.push_back(l); };
        return o;
    }

    std::vector<Prediction> solve(const ModelEntry & e, size_t n, BatchSolverOptions o, BatchRunStats * stats = nullptr) {
        if (examples.size() != n) examples = fake_examples(n);
        std::vector<WorkItem> items;
        for (const auto & ex : examples) items.push_back({&ex, 0});
        BatchSolver solver(e, o);
        VectorSink sink;
        solver.solve(task, items, sink);
        if (stats) *stats = solver.stats();
        return sink.predictions;
    }

    size_t requests(const std::string & method, const std::string & path) const {
        size_t n = 0;
        for (const auto & r : server.received())
            if (r.method == method && r.path == path) ++n;
        return n;
    }
};

std::map<std::string, Prediction> by_id(std::vector<Prediction> ps) {
    std::map<std::string, Prediction> out;
    for (auto & p : ps) out[p.example_id] = std::move(p);
    return out;
}

// Clock that "crashes" the process (throws) the first time the solver waits between polls.
class CrashingClock final : public Clock {
public:
    explicit CrashingClock(SkipClock & inner) : inner_(inner) {}
    double now_ms() override { return inner_.now_ms(); }
    int64_t unix_ms() override { return inner_.unix_ms(); }
    void wait_until(std::condition_variable & cv, std::unique_lock<std::mutex> & lock, double deadline_ms) override {
        if (std::isinf(deadline_ms)) return inner_.wait_until(cv, lock, deadline_ms);
        throw std::runtime_error("simulated crash while waiting to poll");
    }

private:
    SkipClock & inner_;
};

}  // namespace

TEST_CASE("OpenAI batch: upload, create, poll to completed, download, join by custom_id", "[adapters][batch]") {
    BatchHarness h;
    FakeOpenAiBatch fake(polls_reporting({"validating", "in_progress", "finalizing", "completed"}));
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    ModelEntry e = batch_entry("openai-chat", h.server);
    BatchRunStats stats;
    auto preds = by_id(h.solve(e, 3, h.options(), &stats));

    REQUIRE(preds.size() == 3);
    for (const auto & [id, p] : preds) {
        INFO(id << ": " << p.error);
        CHECK(p.outcome == Outcome::ok);
        REQUIRE(p.answer);
        CHECK(p.answer->rows == 2);
        CHECK(p.answer->cells == std::vector<uint8_t>{1, 2, 3, 4});
        CHECK(p.usage.input_tokens == 100);
        CHECK(p.usage.reasoning_tokens == 20);
        CHECK(p.usage.output_tokens == 30);
        // (100 x $1 + 30 x $10 + 20 x $20) / 1M, half price in a batch.
        CHECK(p.usage.cost_usd == Approx(0.0004));
    }
    // Each result went to its own item although the file lists them in reverse.
    auto lines = fake.input_lines();
    REQUIRE(lines.size() == 3);
    CHECK(fake.purpose == "batch");
    for (size_t k = 0; k < 3; ++k) {
        CHECK(lines[k]["url"] == "/v1/chat/completions");
        CHECK(lines[k]["body"]["model"] == "test-model");
        CHECK(lines[k]["body"]["messages"][0]["content"].get<std::string>().find("ex" + std::to_string(k)) != std::string::npos);
        CHECK(preds.at("ex" + std::to_string(k)).request_id == "req_" + std::to_string(k));
    }
    CHECK(fake.create_body["input_file_id"] == "file-in1");
    CHECK(fake.create_body["completion_window"] == "24h");
    CHECK(h.requests("POST", "/v1/files") == 1);
    CHECK(h.requests("POST", "/v1/batches") == 1);
    CHECK(h.requests("GET", "/v1/batches/batch_abc") == 4);
    CHECK(h.requests("GET", "/v1/files/file-out1/content") == 1);
    CHECK(h.requests("GET", "/v1/files/file-err1/content") == 0);
    // Polls back off: after 30 s, then 45 s, 67.5 s and 101.25 s more (virtual time).
    CHECK(h.clock.skipped_ms() == Approx(30'000 + 45'000 + 67'500 + 101'250).margin(1000));
    // The batch was persisted with its custom ids, then marked collected.
    auto rows = h.store.rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].first.batch_id == "batch_abc");
    CHECK(rows[0].first.input_file_id == "file-in1");
    CHECK(rows[0].first.output_file_id == "file-out1");
    CHECK(rows[0].first.status == "completed");
    CHECK(json::parse(rows[0].first.custom_ids_json).size() == 3);
    CHECK(rows[0].second);
    CHECK(stats.submitted_batches == 1);
    CHECK(stats.collected_batches == 1);
    CHECK(stats.spent_usd == Approx(0.0012));
    // Authenticated like the interactive path.
    for (const auto & r : h.server.received()) CHECK(std::string(header_value(r.headers, "authorization")) == std::string("Bearer ") + kKey);
}

TEST_CASE("OpenAI batch of Responses requests: no background flag inside, parsed as responses", "[adapters][batch]") {
    BatchHarness h;
    FakeOpenAiBatch fake(polls_reporting({"completed"}));
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    ModelEntry e = batch_entry("openai-responses", h.server);
    e.background = true;  // interactive runs would poll; a batch line must not ask for background mode
    e.reasoning_effort = "high";
    auto preds = h.solve(e, 2, h.options());
    REQUIRE(preds.size() == 2);
    for (const auto & p : preds) {
        INFO(p.error);
        CHECK(p.outcome == Outcome::ok);
        CHECK(p.usage.reasoning_tokens == 20);
        CHECK(p.usage.cost_usd == Approx(0.0004));
    }
    auto lines = fake.input_lines();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0]["url"] == "/v1/responses");
    CHECK_FALSE(lines[0]["body"].contains("background"));
    CHECK(lines[0]["body"]["reasoning"]["effort"] == "high");
    CHECK(fake.create_body["endpoint"] == "/v1/responses");
}

TEST_CASE("OpenAI batch: per-entry HTTP errors become outcomes of their items only", "[adapters][batch]") {
    BatchHarness h;
    FakeBatchBehaviour b = polls_reporting({"in_progress", "completed"});
    b.http_error_lines = {{1, 400}, {3, 429}};
    FakeOpenAiBatch fake(b);
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    auto preds = by_id(h.solve(batch_entry("openai-chat", h.server), 4, h.options()));
    REQUIRE(preds.size() == 4);
    CHECK(preds.at("ex0").outcome == Outcome::ok);
    CHECK(preds.at("ex2").outcome == Outcome::ok);
    CHECK(preds.at("ex1").outcome == Outcome::http_error);
    CHECK(preds.at("ex1").http_status == 400);
    CHECK(preds.at("ex1").error.find("fake error 400") != std::string::npos);
    CHECK(preds.at("ex1").usage.cost_usd == 0);
    CHECK(preds.at("ex3").outcome == Outcome::rate_limited);
    CHECK(preds.at("ex3").request_id == "req_err3");
}

TEST_CASE("OpenAI batch: an expired batch keeps finished lines and marks the rest timed out", "[adapters][batch]") {
    BatchHarness h;
    FakeBatchBehaviour b = polls_reporting({"in_progress", "expired"});
    b.expired_lines = {0, 2};
    FakeOpenAiBatch fake(b);
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    auto preds = by_id(h.solve(batch_entry("openai-chat", h.server), 3, h.options()));
    REQUIRE(preds.size() == 3);
    CHECK(preds.at("ex1").outcome == Outcome::ok);
    for (const char * id : {"ex0", "ex2"}) {
        CHECK(preds.at(id).outcome == Outcome::timeout);
        CHECK(preds.at(id).error.find("expired") != std::string::npos);
        CHECK(preds.at(id).usage.cost_usd == 0);
    }
    CHECK(h.requests("GET", "/v1/files/file-err1/content") == 1);
    CHECK(h.store.rows().at(0).second);  // collected: nothing more will come
}

TEST_CASE("OpenAI batch: a failed (rejected) batch fails every item with the provider's reason", "[adapters][batch]") {
    BatchHarness h;
    FakeOpenAiBatch fake(polls_reporting({"validating", "failed"}));
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    auto preds = h.solve(batch_entry("openai-chat", h.server), 2, h.options());
    REQUIRE(preds.size() == 2);
    for (const auto & p : preds) {
        CHECK(p.outcome == Outcome::http_error);
        CHECK(p.error.find("line 2 is not JSON") != std::string::npos);
    }
}

TEST_CASE("OpenAI batch: a malformed result line fails its item, not the batch", "[adapters][batch]") {
    BatchHarness h;
    FakeBatchBehaviour b = polls_reporting({"completed"});
    b.malformed_lines = {1};
    FakeOpenAiBatch fake(b);
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    auto preds = by_id(h.solve(batch_entry("openai-chat", h.server), 3, h.options()));
    REQUIRE(preds.size() == 3);
    CHECK(preds.at("ex0").outcome == Outcome::ok);
    CHECK(preds.at("ex2").outcome == Outcome::ok);
    CHECK(preds.at("ex1").outcome == Outcome::http_error);
    CHECK(preds.at("ex1").error.find("no result for this request") != std::string::npos);
    CHECK(preds.at("ex1").error.find("unusable") != std::string::npos);
    CHECK(preds.at("ex1").usage.cost_usd == -1);  // it may have been billed
}

TEST_CASE("Batch crash and resume: a second solver with the same store polls, never resubmits", "[adapters][batch]") {
    BatchHarness h;
    FakeOpenAiBatch fake(polls_reporting({"in_progress", "in_progress", "completed"}));
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    ModelEntry e = batch_entry("openai-chat", h.server);

    CrashingClock crashing(h.clock);
    REQUIRE_THROWS_WITH(h.solve(e, 3, h.options(&crashing)), Catch::Contains("simulated crash"));
    REQUIRE(h.store.open_batches(e.name).size() == 1);  // persisted before the first poll
    CHECK(h.requests("POST", "/v1/batches") == 1);

    BatchRunStats stats;
    auto preds = h.solve(e, 3, h.options(), &stats);
    REQUIRE(preds.size() == 3);
    for (const auto & p : preds) CHECK(p.outcome == Outcome::ok);
    CHECK(h.requests("POST", "/v1/files") == 1);
    CHECK(h.requests("POST", "/v1/batches") == 1);
    CHECK(stats.resumed_batches == 1);
    CHECK(stats.submitted_batches == 0);
    CHECK(h.store.open_batches(e.name).empty());

    // A third run of the same items finds nothing open and submits afresh (the lead's runner skips
    // items already recorded; the batch layer only guarantees no double submission while open).
    CHECK(h.store.rows().size() == 1);
}

TEST_CASE("Batch submit-only leaves the batch open; a later run collects it", "[adapters][batch]") {
    BatchHarness h;
    FakeOpenAiBatch fake(polls_reporting({"in_progress", "completed"}));
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    ModelEntry e = batch_entry("openai-chat", h.server);
    BatchSolverOptions o = h.options();
    o.submit_only = true;
    auto first = h.solve(e, 2, o);
    REQUIRE(first.size() == 2);
    for (const auto & p : first) {
        CHECK(p.outcome == Outcome::skipped);
        CHECK(p.error.find("batch_abc") != std::string::npos);
    }
    CHECK(h.requests("GET", "/v1/batches/batch_abc") == 0);
    REQUIRE(h.store.open_batches(e.name).size() == 1);
    CHECK(describe_open_batches(h.store, e.name).find("batch_abc") != std::string::npos);

    auto second = h.solve(e, 2, o);  // still submit-only: one poll (in_progress), nothing resubmitted
    for (const auto & p : second) CHECK(p.outcome == Outcome::skipped);
    auto third = h.solve(e, 2, o);   // now completed: collected
    for (const auto & p : third) CHECK(p.outcome == Outcome::ok);
    CHECK(h.requests("POST", "/v1/batches") == 1);
    CHECK(h.store.open_batches(e.name).empty());
}

TEST_CASE("Anthropic message batch: create, poll to ended, mixed result types", "[adapters][batch]") {
    BatchHarness h;
    FakeBatchBehaviour b = polls_reporting({"in_progress", "in_progress", "ended"});
    b.http_error_lines = {{1, 400}, {2, 529}};
    b.expired_lines = {3};
    b.canceled_lines = {4};
    FakeAnthropicBatch fake(b, h.server.url() + "/v1");
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    ModelEntry e = batch_entry("anthropic-messages", h.server);
    auto preds = by_id(h.solve(e, 5, h.options()));

    REQUIRE(preds.size() == 5);
    const Prediction & ok = preds.at("ex0");
    CHECK(ok.outcome == Outcome::ok);
    CHECK(ok.reasoning_text == "hmm");
    CHECK(ok.usage.input_tokens == 200);
    CHECK(ok.usage.cost_usd == Approx((200 * 1.0 + 80 * 10.0) / 1e6 * 0.5));
    CHECK(preds.at("ex1").outcome == Outcome::http_error);
    CHECK(preds.at("ex1").error.find("invalid_request_error") != std::string::npos);
    CHECK(preds.at("ex2").outcome == Outcome::overloaded);
    CHECK(preds.at("ex3").outcome == Outcome::timeout);
    CHECK(preds.at("ex4").outcome == Outcome::skipped);

    REQUIRE(fake.create_body["requests"].size() == 5);
    CHECK(fake.create_body["requests"][0]["params"]["model"] == "claude-test");
    CHECK(fake.create_body["requests"][0]["params"]["max_tokens"] == 4096);
    CHECK(fake.polls == 3);
    CHECK(fake.result_downloads == 1);
    for (const auto & r : h.server.received()) {
        CHECK(header_value(r.headers, "x-api-key") == kKey);
        CHECK(header_value(r.headers, "anthropic-version") == "2023-06-01");
    }
    CHECK(h.store.rows().at(0).first.status == "ended");
    CHECK(h.store.rows().at(0).second);
}

TEST_CASE("Anthropic message batch: a garbled results line fails only its item", "[adapters][batch]") {
    BatchHarness h;
    FakeBatchBehaviour b = polls_reporting({"ended"});
    b.malformed_lines = {0};
    FakeAnthropicBatch fake(b, h.server.url() + "/v1");
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    auto preds = by_id(h.solve(batch_entry("anthropic-messages", h.server), 2, h.options()));
    CHECK(preds.at("ex0").outcome == Outcome::http_error);
    CHECK(preds.at("ex1").outcome == Outcome::ok);
}

TEST_CASE("Batch: a poll that fails for good leaves the batch open for a later run", "[adapters][batch]") {
    BatchHarness h;
    FakeOpenAiBatch fake(polls_reporting({"in_progress", "completed"}));
    bool broken = true;
    h.server.set_fallback([&](const Received & r) {
        if (broken && r.method == "GET") {
            Scripted s;
            s.status = 401;
            s.body = R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}})";
            return s;
        }
        return fake.handle(r);
    });
    ModelEntry e = batch_entry("openai-chat", h.server);
    auto first = h.solve(e, 2, h.options());
    for (const auto & p : first) {
        CHECK(p.outcome == Outcome::http_error);
        CHECK(p.error.find("stays open") != std::string::npos);
    }
    CHECK(h.store.open_batches(e.name).size() == 1);
    broken = false;
    auto second = h.solve(e, 2, h.options());
    for (const auto & p : second) CHECK(p.outcome == Outcome::ok);
    CHECK(h.requests("POST", "/v1/batches") == 1);
}

TEST_CASE("Batch: the API key appears in no stored byte", "[adapters][batch]") {
    BatchHarness h;
    FakeBatchBehaviour b = polls_reporting({"in_progress", "completed"});
    b.echo_in_poll = std::string("you sent ") + kKey;  // a server that reflects the key back
    b.http_error_lines = {{0, 400}};
    FakeOpenAiBatch fake(b);
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    ModelEntry e = batch_entry("openai-chat", h.server);
    auto preds = h.solve(e, 2, h.options());
    REQUIRE(preds.size() == 2);

    std::string stored;
    for (const auto & [rec, collected] : h.store.rows())
        stored += rec.batch_id + rec.provider + rec.solver + rec.status + rec.input_file_id + rec.output_file_id +
                  rec.custom_ids_json;
    for (const auto & c : h.calls.records())
        stored += c.solver + c.provider + c.model_id + c.error + c.request_id + c.request_json + c.response_body;
    for (const auto & p : preds) stored += p.error + p.raw_text + p.reasoning_text + p.request_id + p.usage.raw_json;
    for (const auto & l : h.log) stored += l;
    BatchSolver probe(e, h.options());
    stored += probe.info().config_json;
    REQUIRE(h.calls.records().size() >= 5);
    CHECK(stored.find("you sent [REDACTED]") != std::string::npos);  // the echo was recorded, redacted
    CHECK(stored.find(kKey) == std::string::npos);
    CHECK(stored.find("BATCHSECRET") == std::string::npos);
}

TEST_CASE("Batch solver refuses entries without a batch API, a store or a key", "[adapters][batch]") {
    FakeServer server;
    MemoryBatchStore store;
    BatchSolverOptions o;
    o.store = &store;
    ModelEntry gemini = fake_entry("gemini", server);
    CHECK_THROWS_AS(BatchSolver(gemini, o), UsageError);
    ModelEntry compat = fake_entry("openai-chat", server);  // provider "fake-openai-chat": no batch API
    CHECK_THROWS_AS(BatchSolver(compat, o), UsageError);
    ModelEntry e = fake_entry("openai-chat", server, "TRMBENCH_TEST_UNSET_BATCH_KEY");
    e.provider = "openai";
    CHECK_THROWS_WITH(BatchSolver(e, o), Catch::Contains("TRMBENCH_TEST_UNSET_BATCH_KEY"));
    e.api_key_env.clear();
    CHECK_THROWS_AS(BatchSolver(e, BatchSolverOptions{}), UsageError);  // no store
    CHECK(server.count() == 0);
}

TEST_CASE("Batch spend cap: items whose worst case does not fit are skipped, not submitted", "[adapters][batch]") {
    BatchHarness h;
    FakeOpenAiBatch fake(polls_reporting({"completed"}));
    h.server.set_fallback([&](const Received & r) { return fake.handle(r); });
    ModelEntry e = batch_entry("openai-chat", h.server);
    e.max_output_tokens = 1000;  // worst case per request ~ (30 x $1 + 1000 x $20) / 1M / 2 ~ $0.01
    BatchSolverOptions o = h.options();
    o.budget = std::make_shared<SpendBudget>(0.025);
    auto preds = by_id(h.solve(e, 4, o));
    REQUIRE(preds.size() == 4);
    int ok = 0, skipped = 0;
    for (const auto & [id, p] : preds) {
        ok += p.outcome == Outcome::ok;
        skipped += p.outcome == Outcome::skipped;
        if (p.outcome == Outcome::skipped) CHECK(p.error.find("spend cap") != std::string::npos);
    }
    CHECK(ok == 2);
    CHECK(skipped == 2);
    CHECK(fake.input_lines().size() == 2);
    CHECK(o.budget->reserved() == Approx(0).margin(1e-12));
    CHECK(o.budget->spent() == Approx(0.0008));
}

// ---- real providers (hidden; need keys; cost a fraction of a cent, results may take hours)

namespace {

void real_batch(const std::string & name) {
    Catalog catalog = Catalog::builtin();
    ModelEntry e = catalog.resolve(name);
    if (!e.key_present()) {
        WARN("skipped: " << e.api_key_env << " not set");
        return;
    }
    bool anthropic = e.api == "anthropic-messages";
    e.max_output_tokens = anthropic ? 64 : 512;
    e.reasoning_effort = anthropic ? "" : "low";  // keep the probe cheap
    e.thinking_budget = -1;
    MemoryBatchStore store;
    BatchSolverOptions o;
    o.store = &store;
    o.poll_interval_s = 20;
    o.max_wait_s = 3 * 3600;
    FakeTask task;
    auto examples = fake_examples(1);
    std::vector<WorkItem> items = {{&examples[0], 0}};
    BatchSolver solver(e, o);
    VectorSink sink;
    solver.solve(task, items, sink);
    REQUIRE(sink.predictions.size() == 1);
    INFO(sink.predictions[0].error);
    CHECK(sink.predictions[0].outcome != Outcome::http_error);
    CHECK(sink.predictions[0].usage.input_tokens > 0);
}

}  // namespace

TEST_CASE("Real OpenAI batch with one tiny prompt", "[.api][adapters][batch]") {
    const char * model = std::getenv("TRMBENCH_BATCH_OPENAI_MODEL");
    real_batch(model ? model : "gpt-5.5-high-chat");
}

TEST_CASE("Real Anthropic message batch with one tiny prompt", "[.api][adapters][batch]") {
    const char * model = std::getenv("TRMBENCH_BATCH_ANTHROPIC_MODEL");
    real_batch(model ? model : "claude-sonnet-5.5");
}
