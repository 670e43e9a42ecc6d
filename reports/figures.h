// figures: the accuracy-versus-compute figures of a report, built from ReportData.
//
// Per dataset (one "task" of the suite), three figures:
//   <slug>_flops.svg    accuracy vs FLOPs per puzzle (log x), with TRM/HRM curves over ACT steps
//                       1..S and the Pareto frontier of the measured solvers
//   <slug>_dollars.svg  accuracy vs dollars per puzzle (log x), with the Pareto frontier
//   <slug>_params.svg   accuracy vs parameter count (log x)
// Measured points are filled markers with 95% Wilson error bars. Solvers whose x is unknown are
// not dropped: they sit in a strip beside the plot, on the same y axis. Published numbers (TRM
// paper, Tables 4 and 5) are hollow, labelled markers in their own legend group; they have no
// FLOPs or dollars, so in those figures they sit in a separate "published" strip, and only the
// parameter figure places them on its x axis (their parameter counts are published).
//
// Per run with training curves (train_metrics), one figure per metric:
//   run<R>_train_<metric>.svg  the metric against the optimiser step, one line per series;
//                       accuracies stored as fractions in percent, wide-ranging losses on a log axis
#pragma once

#include <string>
#include <vector>

#include "reports/plot.h"
#include "reports/report_model.h"

namespace trmbench {

struct FigureFile {
    std::string file_name;   // relative to the report directory, e.g. "figures/sudoku_x_flops.svg"
    std::string dataset;     // "" for training curves
    std::string kind;        // "flops" | "dollars" | "params" | "train"
    std::string alt;         // short alternative text for the markdown image
    std::string caption;     // also drawn under the figure
    plot::Figure figure;
};

// Every figure of the report: datasets in report order, each flops, dollars, params; then the
// training curves, runs in report order, each loss, accuracies, other metrics.
std::vector<FigureFile> build_figures(const ReportData & data);

// The colour and marker of a (run, solver) in every figure of one report: colour by solver name,
// shape by solver and run (so the same solver in two runs keeps its colour).
plot::Style solver_style(const ReportData & data, int64_t run_id, const std::string & solver);

}  // namespace trmbench
