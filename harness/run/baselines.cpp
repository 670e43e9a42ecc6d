// Baselines that are not task-specific (identity, blank, random) and the name table of all baselines.
#include "harness/run/baselines.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "harness/core/error.h"
#include "harness/core/rng.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"
#include "tasks/maze/maze_bfs_solver.h"
#include "tasks/sudoku/sudoku_exact_solver.h"

namespace trmbench {
namespace {

using Clock = std::chrono::steady_clock;

// Shared shape of the trivial baselines: one answer per item from a pure function of the item.
class TrivialSolver : public Solver {
public:
    using Answer = std::function<Grid(const WorkItem &)>;
    TrivialSolver(std::string name, std::string description, Answer answer)
        : name_(std::move(name)), description_(std::move(description)), answer_(std::move(answer)) {}

    SolverInfo info() const override {
        SolverInfo i;
        i.name = name_;
        i.kind = "baseline";
        i.provider = "trivial";
        i.model_id = name_;
        i.n_params = 0;
        i.active_params = 0;
        i.device = "cpu";
        i.config_json = description_;
        return i;
    }
    bool supports(const Task &) const override { return true; }
    size_t preferred_batch_size() const override { return 1024; }

    void solve(const Task &, std::span<const WorkItem> items, PredictionSink & sink) override {
        for (const WorkItem & item : items) {
            if (!item.example) throw UsageError(name_ + ": work item without an example");
            Prediction p;
            p.example_id = item.example->id;
            p.attempt = item.attempt;
            if (sink.stop_requested()) {
                p.outcome = Outcome::skipped;
                p.error = "stop requested before this item";
            } else {
                auto t0 = Clock::now();
                p.answer = answer_(item);
                p.compute.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            }
            sink.put(std::move(p));
        }
    }

private:
    std::string name_;
    std::string description_;
    Answer answer_;
};

// The distinct cell values of the input and of every demonstration output, ascending.
std::vector<uint8_t> seen_values(const Example & ex) {
    std::vector<bool> seen(256, false);
    for (uint8_t v : ex.input.cells) seen[v] = true;
    for (const auto & demo : ex.demos)
        for (uint8_t v : demo.second.cells) seen[v] = true;
    std::vector<uint8_t> out;
    for (int v = 0; v < 256; ++v)
        if (seen[static_cast<size_t>(v)]) out.push_back(static_cast<uint8_t>(v));
    return out;
}

// A stable 64-bit stream id for an example: the first 8 bytes of sha256(id).
uint64_t id_stream(const std::string & id) {
    Sha256 h;
    h.update(id);
    auto d = h.digest();
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | d[static_cast<size_t>(i)];
    return v;
}

}  // namespace

std::unique_ptr<Solver> make_identity_solver() {
    return std::make_unique<TrivialSolver>("identity", R"({"answer":"the input grid"})",
                                           [](const WorkItem & item) { return item.example->input; });
}

std::unique_ptr<Solver> make_blank_solver() {
    return std::make_unique<TrivialSolver>("blank", R"({"answer":"the input's shape filled with 0"})",
                                           [](const WorkItem & item) {
                                               return Grid(item.example->input.rows, item.example->input.cols, 0);
                                           });
}

std::unique_ptr<Solver> make_random_solver(uint64_t seed) {
    std::string config = R"({"answer":"uniform over values seen in the input and demo outputs","seed":)" +
                         std::to_string(seed) + "}";
    return std::make_unique<TrivialSolver>("random", config, [seed](const WorkItem & item) {
        const Example & ex = *item.example;
        Grid g(ex.input.rows, ex.input.cols, 0);
        std::vector<uint8_t> values = seen_values(ex);
        if (values.empty()) return g;
        Rng rng(derive_seed(derive_seed(seed, id_stream(ex.id)), static_cast<uint64_t>(item.attempt)));
        for (uint8_t & c : g.cells) c = values[rng.below(values.size())];
        return g;
    });
}

namespace {

struct BaselineFactory {
    std::string_view name;
    std::unique_ptr<Solver> (*make)(uint64_t seed);
};

// One line per baseline.
const BaselineFactory kBaselines[] = {
    {"sudoku-exact", [](uint64_t) { return make_sudoku_exact_solver(); }},
    {"maze-bfs",     [](uint64_t) { return make_maze_bfs_solver(); }},
    {"identity",     [](uint64_t) { return make_identity_solver(); }},
    {"blank",        [](uint64_t) { return make_blank_solver(); }},
    {"random",       [](uint64_t seed) { return make_random_solver(seed); }},
};

}  // namespace

std::vector<std::string> baseline_names() {
    std::vector<std::string> out;
    for (const auto & b : kBaselines) out.emplace_back(b.name);
    return out;
}

bool is_baseline_name(std::string_view name) {
    return std::any_of(std::begin(kBaselines), std::end(kBaselines), [&](const auto & b) { return b.name == name; });
}

std::unique_ptr<Solver> make_baseline(std::string_view name, uint64_t seed) {
    for (const auto & b : kBaselines)
        if (b.name == name) return b.make(seed);
    throw UsageError("unknown baseline '" + std::string(name) + "' (known: " + join(baseline_names(), ", ") + ")");
}

}  // namespace trmbench
