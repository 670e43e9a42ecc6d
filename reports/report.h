// report: `trmbench report` as a library call. Reads runs from a results database, and writes into
// an output directory:
//
//   report.md                 (format md, the default) with figures/*.svg
//   summary.csv, steps.csv, strata.csv   (format csv), train.csv when a run has training curves
//   report.json               (format json)
//   submissions/*.json        ARC Prize submission per (run, solver, ARC dataset), always
//
// Formats combine: {"md", "csv", "json"}. The output directory is created when missing; files in
// it are replaced atomically one by one, other files are left alone.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace trmbench {

struct ReportOptions {
    std::filesystem::path db;
    std::vector<int64_t> runs;          // explicit runs; empty: the latest run (highest id)
    std::filesystem::path out_dir;
    std::vector<std::string> formats = {"md"};
    std::string db_label;               // how the database is named in the report (default: db path)
    std::string generator;              // "trmbench X (git Y)"; default from this build
    std::string command;                // the report's own command line, printed in the report
    bool quiet = true;                  // progress output on stderr
    int threads = 0;                    // reader threads; <= 0: all usable cores
};

struct ReportResult {
    std::vector<std::filesystem::path> files;  // written, relative to out_dir
    std::vector<int64_t> runs;
    size_t cells = 0;
};

// Throws UsageError (bad format, unknown run, empty database), IoError (cannot write), InputError
// or a database error (unreadable database).
ReportResult write_report(const ReportOptions & opts);

// "md,csv" -> {"md", "csv"}; throws UsageError for an unknown or empty format.
std::vector<std::string> parse_report_formats(const std::string & text);

}  // namespace trmbench
