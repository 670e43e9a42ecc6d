// markdown: report.md, the human-readable report. Layout:
//
//   title, what was read (database, runs, generator)
//   Summary                 solver x dataset: accuracy, 95% Wilson interval, n, params, FLOPs,
//                           wall time, tokens and dollars per puzzle (printed from SummaryRecord)
//   Outcomes                missing items and attempts, outcome counts, retries, total dollars
//   Accuracy vs compute     per dataset: FLOPs, dollars and parameter figures with captions
//   Accuracy by ACT step    TRM/HRM, per dataset
//   Accuracy by difficulty  Sudoku rating bands, maze path-length bands, subset strata
//   Scoring measures        every measure side by side (Maze: exact / valid / optimal)
//   ARC-AGI conventions     ARC Prize (default), strict per task, per test output; pass@1, pass@2
//   Training curves         per run with train_metrics: a table per series and metric, figures
//   Published numbers       TRM paper Tables 4 and 5, apart from everything measured
//   Reproducibility         per run: command, build, host, config, hashes, seeds, prices, solvers
//   Files                   exports and submissions written with the report
// Sections with nothing to show (no ACT steps, no ARC dataset, ...) are left out.
//
// Nothing in the text depends on the time of rendering or on the machine, so that the same
// database gives the same report (the golden test relies on it).
#pragma once

#include <string>
#include <vector>

#include "reports/figures.h"
#include "reports/report_model.h"

namespace trmbench {

struct MarkdownOptions {
    std::string generator;            // e.g. "trmbench 0.1.0 (git abc1234)"
    std::string report_command;       // the command that made this report ("" to leave out)
    std::vector<std::string> files;   // other files written with the report, relative paths
    size_t max_inline_config = 16384; // suite config JSON shown inline up to this size, else its hash
};

std::string render_markdown(const ReportData & data, const std::vector<FigureFile> & figures, const MarkdownOptions & opts);

}  // namespace trmbench
