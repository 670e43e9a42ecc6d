// exports: the machine-readable printers of a report.
//
//   summary.csv   one SummaryRecord per line, header = SummaryRecord::fields() names (RFC 4180)
//   steps.csv     long format: run, solver, dataset, step, correct, items, accuracy, FLOPs
//   strata.csv    long format: run, solver, dataset, stratum, items, correct, accuracy
//   train.csv     long format: run, series, metric, step, wall time, value (every stored point)
//   report.json   everything: the field list, the summary rows (same fields as the CSV), runs,
//                 solvers, datasets, per-step, per-stratum, per-measure and ARC scores, published
//                 numbers, training curves ([step, wall_time_s, value] points), figure and
//                 submission files
//   submissions   ARC Prize submission.json per (run, solver, ARC dataset), written by tasks/arc
#pragma once

#include <string>
#include <vector>

#include "reports/figures.h"
#include "reports/report_model.h"

namespace trmbench {

std::string summary_csv(const ReportData & data);
std::string steps_csv(const ReportData & data);
std::string strata_csv(const ReportData & data);
std::string train_csv(const ReportData & data);
std::string report_json(const ReportData & data, const std::vector<FigureFile> & figures, const std::string & generator);
// The ARC Prize submission of one entry: {task_id: [{"attempt_1": grid|null, "attempt_2": ...}]}.
std::string submission_json(const SubmissionEntry & entry);

// One CSV field, quoted when it holds a comma, quote, CR or LF (quotes doubled).
std::string csv_field(const std::string & s);

}  // namespace trmbench
