// SudokuExactSolver: the classical baseline solver (see sudoku_exact_solver.h).
#include "tasks/sudoku/sudoku_exact_solver.h"

#include <chrono>

#include "harness/core/error.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_solver.h"

namespace trmbench {
namespace {

class SudokuExactSolver final : public Solver {
public:
    SolverInfo info() const override {
        SolverInfo i;
        i.name = "sudoku-exact";
        i.kind = "baseline";
        i.provider = "classical";
        i.model_id = "trmbench-dpll";
        i.n_params = 0;
        i.active_params = 0;
        i.device = "cpu";
        i.config_json =
            R"({"propagation":"naked singles, hidden singles, locked candidates","branching":"fewest candidates, binary","solutions_limit":1})";
        return i;
    }

    bool supports(const Task & task) const override { return task.family() == "sudoku"; }
    size_t preferred_batch_size() const override { return 256; }

    void solve(const Task &, std::span<const WorkItem> items, PredictionSink & sink) override {
        for (const WorkItem & item : items) {
            if (!item.example) throw UsageError("sudoku-exact: work item without an example");
            sink.put(sink.stop_requested() ? skipped(item) : attempt(item));
        }
    }

private:
    static Prediction start(const WorkItem & item, Outcome outcome) {
        Prediction p;
        p.example_id = item.example->id;
        p.attempt = item.attempt;
        p.outcome = outcome;
        return p;
    }

    static Prediction skipped(const WorkItem & item) {
        Prediction p = start(item, Outcome::skipped);
        p.error = "stop requested before this item";
        return p;
    }

    static Prediction attempt(const WorkItem & item) {
        using Clock = std::chrono::steady_clock;
        auto t0 = Clock::now();
        Prediction p = start(item, Outcome::ok);
        auto cells = sudoku::to_cells(item.example->input);
        if (!cells) {
            p.outcome = Outcome::error;
            p.error = "input is not a 9x9 Sudoku board with values 0..9";
        } else if (sudoku::SolveResult r = sudoku::solve(*cells, 1); r.solutions == 0) {
            p.outcome = Outcome::error;
            p.error = "puzzle has no solution";
        } else {
            p.answer = sudoku::to_grid(r.first);
        }
        p.compute.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        return p;
    }
};

}  // namespace

std::unique_ptr<Solver> make_sudoku_exact_solver() { return std::make_unique<SudokuExactSolver>(); }

}  // namespace trmbench
