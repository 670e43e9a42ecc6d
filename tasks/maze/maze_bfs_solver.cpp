// BFS baseline solver (see maze_bfs_solver.h).
#include "tasks/maze/maze_bfs_solver.h"

#include <chrono>

#include "tasks/maze/maze_core.h"

namespace trmbench {
namespace {

class MazeBfsSolver : public Solver {
public:
    SolverInfo info() const override {
        SolverInfo i;
        i.name = "maze-bfs";
        i.kind = "baseline";
        i.provider = "classical";
        i.model_id = "bfs-up-down-left-right";
        i.n_params = 0;
        i.active_params = 0;
        i.device = "cpu";
        return i;
    }

    bool supports(const Task & task) const override { return task.family() == "maze"; }

    size_t preferred_batch_size() const override { return 256; }

    void solve(const Task &, std::span<const WorkItem> items, PredictionSink & sink) override {
        for (const WorkItem & item : items) {
            Prediction p;
            p.example_id = item.example ? item.example->id : "";
            p.attempt = item.attempt;
            if (!item.example) {
                p.outcome = Outcome::error;
                p.error = "work item without an example";
            } else if (sink.stop_requested()) {
                p.outcome = Outcome::skipped;
            } else {
                auto start = std::chrono::steady_clock::now();
                p.answer = maze::canonical_solution(item.example->input);
                p.compute.wall_ms =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                if (!p.answer) {
                    p.outcome = Outcome::error;
                    p.error = "no path from S to G (or no unique S and G)";
                }
            }
            sink.put(std::move(p));
        }
    }
};

}  // namespace

std::unique_ptr<Solver> make_maze_bfs_solver() { return std::make_unique<MazeBfsSolver>(); }

}  // namespace trmbench
