// LlmSolver: Task-aware wrapper around LlmClient.
#include "adapters/llm_solver.h"

namespace trmbench {
namespace {

// Items of one solve() call as client jobs; prompts are rendered when the client asks.
class WorkItemJobs final : public JobSource {
public:
    WorkItemJobs(const Task & task, std::span<const WorkItem> items) : task_(task), items_(items) {}
    size_t size() const override { return items_.size(); }
    std::string example_id(size_t i) const override { return items_[i].example ? items_[i].example->id : ""; }
    int attempt(size_t i) const override { return items_[i].attempt; }
    std::string prompt(size_t i) const override { return task_.render_prompt(*items_[i].example); }

private:
    const Task & task_;
    std::span<const WorkItem> items_;
};

}  // namespace

Prediction prediction_from_result(const Task & task, const Example & example, LlmResult && r) {
    Prediction p;
    p.example_id = r.example_id;
    p.attempt = r.attempt;
    p.outcome = r.outcome;
    p.error = std::move(r.error);
    p.http_status = r.http_status;
    p.request_id = std::move(r.request_id);
    p.retries = r.retries;
    p.rate_limit_wait_ms = r.rate_limit_wait_ms;
    p.usage = std::move(r.usage);
    p.compute = r.compute;
    if (r.outcome == Outcome::ok) {
        ParsedAnswer parsed = task.parse_answer(r.text, example);
        if (parsed.grid) {
            p.answer = std::move(parsed.grid);
        } else {
            p.outcome = Outcome::parse_error;
            p.error = "no grid in the answer: " + parsed.reason;
        }
    }
    p.raw_text = std::move(r.text);
    p.reasoning_text = std::move(r.reasoning);
    return p;
}

LlmSolver::LlmSolver(ModelEntry entry, LimitSettings provider_limits, LlmClientOptions options, size_t batch_size)
    : client_(std::move(entry), provider_limits, std::move(options)), batch_size_(batch_size ? batch_size : 256) {}

SolverInfo LlmSolver::info() const {
    const ModelEntry & e = client_.entry();
    SolverInfo s;
    s.name = e.name;
    s.kind = "llm";
    s.provider = e.provider;
    s.model_id = e.model;
    s.n_params = e.params;
    s.active_params = e.active_params;
    s.device = "remote";
    s.config_json = e.to_json();
    return s;
}

void LlmSolver::solve(const Task & task, std::span<const WorkItem> items, PredictionSink & sink) {
    for (const auto & item : items)
        if (!item.example) throw std::invalid_argument("LlmSolver::solve: work item without an example");
    WorkItemJobs jobs(task, items);
    client_.run(
        jobs,
        [&](LlmResult && r) {
            const Example & ex = *items[r.index].example;
            sink.put(prediction_from_result(task, ex, std::move(r)));
        },
        [&sink] { return sink.stop_requested(); });
}

Preflight LlmSolver::preflight(const Task & task, std::span<const WorkItem> items) const {
    WorkItemJobs jobs(task, items);
    return client_.preflight(jobs);
}

Preflight preflight_for(const ModelEntry & entry, const Task & task, std::span<const WorkItem> items) {
    WorkItemJobs jobs(task, items);
    return estimate_run(entry, jobs);
}

}  // namespace trmbench
