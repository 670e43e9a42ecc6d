// Background (openai-responses) jobs persisted through the BatchJobStore: a run that dies while its
// job is running leaves the response id in the store, and the next run with the same store polls
// that job instead of submitting and paying for it again.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "tests/unit/adapters/batch_fakes.h"
#include "tests/unit/adapters/scenario_harness.h"

using namespace trmbench;
using namespace trmbench::test;

namespace {

// Throws the first time the dispatcher waits: the process "dies" while the job runs remotely.
class DyingClock final : public Clock {
public:
    explicit DyingClock(SkipClock & inner) : inner_(inner) {}
    double now_ms() override { return inner_.now_ms(); }
    int64_t unix_ms() override { return inner_.unix_ms(); }
    // Waits for responses in flight normally (dying then would leave callbacks without a target);
    // dies at the first timed wait, i.e. while the job runs remotely and nothing is in flight.
    void wait_until(std::condition_variable & cv, std::unique_lock<std::mutex> & lock, double deadline_ms) override {
        if (std::isinf(deadline_ms)) return inner_.wait_until(cv, lock, deadline_ms);
        throw std::runtime_error("simulated crash");
    }

private:
    SkipClock & inner_;
};

}  // namespace

TEST_CASE("background job ids are persisted and a restarted run polls instead of resubmitting",
          "[adapters][batch][background]") {
    ScenarioHarness h;
    MemoryBatchStore store;
    ModelEntry e = fake_entry("openai-responses", h.server);
    e.background = true;
    e.poll_interval_s = 10;
    e.timeout_s = 3600;
    auto examples = fake_examples(1);
    std::vector<WorkItem> items = {{&examples[0], 0}};

    h.server.push(reply("openai-responses/queued.json"));
    {
        DyingClock dying(h.clock);
        LlmClientOptions o = h.options();
        o.clock = &dying;
        o.background_jobs = &store;
        LlmSolver solver(e, {}, o);
        VectorSink sink;
        REQUIRE_THROWS_WITH(solver.solve(h.task, items, sink), Catch::Contains("simulated crash"));
        CHECK(sink.predictions.empty());
    }
    auto open = store.open_batches(e.name);
    REQUIRE(open.size() == 1);
    CHECK(open[0].batch_id == "resp_bg1");
    CHECK(open[0].status.rfind("background", 0) == 0);

    h.server.push(reply("openai-responses/in_progress.json"));
    h.server.push(reply("openai-responses/background_completed.json"));
    LlmClientOptions o = h.options();
    o.background_jobs = &store;
    LlmSolver solver(e, {}, o);
    VectorSink sink;
    solver.solve(h.task, items, sink);
    REQUIRE(sink.predictions.size() == 1);
    CHECK(sink.predictions[0].outcome == Outcome::ok);
    auto got = h.server.received();
    REQUIRE(got.size() == 3);
    CHECK(got[0].method == "POST");  // the only submission, by the first run
    CHECK(got[1].method == "GET");
    CHECK(got[1].path == "/v1/responses/resp_bg1");
    CHECK(got[2].path == "/v1/responses/resp_bg1");
    CHECK(store.open_batches(e.name).empty());  // collected
}

TEST_CASE("a background job is saved while it runs and marked collected when it ends",
          "[adapters][batch][background]") {
    ScenarioHarness h;
    MemoryBatchStore store;
    ModelEntry e = fake_entry("openai-responses", h.server);
    e.background = true;
    e.poll_interval_s = 10;
    e.timeout_s = 3600;
    h.server.push(reply("openai-responses/queued.json"));
    h.server.push(reply("openai-responses/background_completed.json"));
    LlmClientOptions o = h.options();
    o.background_jobs = &store;
    auto examples = fake_examples(1);
    std::vector<WorkItem> items = {{&examples[0], 0}};
    LlmSolver solver(e, {}, o);
    VectorSink sink;
    solver.solve(h.task, items, sink);
    REQUIRE(sink.predictions.size() == 1);
    CHECK(sink.predictions[0].outcome == Outcome::ok);
    auto rows = store.rows();
    REQUIRE(rows.size() == 1);  // saved while running...
    CHECK(rows[0].second);      // ...and collected at the end
    CHECK(h.server.count() == 2);
}
