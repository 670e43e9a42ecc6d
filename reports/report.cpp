// report: see report.h.
#include "reports/report.h"

#include <algorithm>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "harness/core/version.h"
#include "reports/collect.h"
#include "reports/exports.h"
#include "reports/figures.h"
#include "reports/markdown.h"
#include "results/reader.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

std::vector<int64_t> resolve_runs(ResultsReader & reader, const std::vector<int64_t> & wanted) {
    std::vector<RunInfo> runs = reader.runs();
    if (runs.empty()) throw UsageError(reader.path().string() + ": the database holds no runs");
    if (wanted.empty()) {
        int64_t latest = 0;
        for (const auto & r : runs) latest = std::max(latest, r.id);
        return {latest};
    }
    std::vector<int64_t> out;
    for (int64_t id : wanted) {
        bool found = std::any_of(runs.begin(), runs.end(), [&](const RunInfo & r) { return r.id == id; });
        if (!found) {
            std::string known;
            for (const auto & r : runs) known += (known.empty() ? "" : ", ") + std::to_string(r.id);
            throw UsageError("run " + std::to_string(id) + ": not in " + reader.path().string() + " (runs: " + known + ")");
        }
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
    return out;
}

void write(const fs::path & dir, const std::string & rel, const std::string & content, ReportResult & result) {
    fs::path p = dir / rel;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw IoError(p.parent_path().string() + ": cannot create directory: " + ec.message());
    write_file_atomic(p, content);
    result.files.emplace_back(rel);
}

bool has(const std::vector<std::string> & v, const char * s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

std::vector<std::string> parse_report_formats(const std::string & text) {
    std::vector<std::string> out;
    for (auto part : split(text, ',')) {
        std::string f = to_lower(trim(part));
        if (f == "markdown") f = "md";
        if (f != "md" && f != "csv" && f != "json") throw UsageError("--format " + text + ": use md, csv or json (comma separated)");
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    }
    if (out.empty()) throw UsageError("--format: empty");
    return out;
}

ReportResult write_report(const ReportOptions & opts) {
    for (const auto & f : opts.formats)
        if (f != "md" && f != "csv" && f != "json") throw UsageError("format " + f + ": use md, csv or json");
    std::error_code ec;
    if (!fs::exists(opts.db, ec)) throw UsageError(opts.db.string() + ": no such results database");
    if (opts.out_dir.empty()) throw UsageError("--out: an output directory is required");

    ResultsReader reader(opts.db);
    ReportResult result;
    result.runs = resolve_runs(reader, opts.runs);
    CollectOptions co;
    co.db_label = opts.db_label.empty() ? opts.db.string() : opts.db_label;
    co.quiet = opts.quiet;
    co.threads = opts.threads;
    ReportData data = collect_report(reader, result.runs, co);
    result.cells = data.cells.size();
    std::string generator = opts.generator.empty() ? "trmbench " + harness_version() + " (git " + git_sha() + ")" : opts.generator;

    std::vector<FigureFile> figures = has(opts.formats, "md") ? build_figures(data) : std::vector<FigureFile>{};
    std::vector<std::string> listed;
    for (const auto & s : data.submissions) {
        write(opts.out_dir, s.file_name, submission_json(s), result);
        listed.push_back(s.file_name);
    }
    if (has(opts.formats, "csv")) {
        write(opts.out_dir, "summary.csv", summary_csv(data), result);
        write(opts.out_dir, "steps.csv", steps_csv(data), result);
        write(opts.out_dir, "strata.csv", strata_csv(data), result);
        listed.insert(listed.begin(), {"summary.csv", "steps.csv", "strata.csv"});
        // Only runs that trained something have training curves.
        if (!data.train_curves.empty()) {
            write(opts.out_dir, "train.csv", train_csv(data), result);
            listed.insert(listed.begin() + 3, "train.csv");
        }
    }
    if (has(opts.formats, "json")) {
        write(opts.out_dir, "report.json", report_json(data, figures, generator), result);
        listed.insert(listed.begin(), "report.json");
    }
    if (has(opts.formats, "md")) {
        for (const auto & f : figures) write(opts.out_dir, f.file_name, plot::render(f.figure).svg, result);
        MarkdownOptions mo;
        mo.generator = generator;
        mo.report_command = opts.command;
        mo.files = listed;
        write(opts.out_dir, "report.md", render_markdown(data, figures, mo), result);
    }
    return result;
}

}  // namespace trmbench
