// `trmbench report`: the accuracy-vs-compute report of one or more runs, from the results database
// alone (reports/report.h).
//
//   trmbench report [--run ID | --latest | --runs A,B] [--db FILE] --out DIR [--format md|csv|json]
//
// Writes DIR/report.md with DIR/figures/*.svg (md), DIR/summary.csv, steps.csv, strata.csv and,
// when a run has training curves, train.csv (csv),
// DIR/report.json (json), and an ARC Prize submission per solver and ARC dataset in
// DIR/submissions/. Formats combine: --format md,csv,json. Without a run option: the latest run.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "reports/report.h"

namespace trmbench {
namespace {

struct ReportCliOptions {
    int64_t run = 0;
    bool latest = false;
    std::string runs;
    std::string db = "results.db";
    std::string out;
    std::string format = "md";
    std::string command;  // reconstructed for the report's reproducibility block
};

std::vector<int64_t> parse_run_list(const std::string & text) {
    std::vector<int64_t> out;
    for (auto part : split(text, ',')) {
        std::string s(trim(part));
        char * end = nullptr;
        long long v = s.empty() ? 0 : std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0' || v <= 0) throw UsageError("--runs " + text + ": expected run ids like 3,4");
        out.push_back(v);
    }
    return out;
}

void run_report(const GlobalOptions & g, const ReportCliOptions & o) {
    int chosen = (o.run > 0) + o.latest + !o.runs.empty();
    if (chosen > 1) throw UsageError("use only one of --run, --latest and --runs");
    ReportOptions r;
    r.db = o.db;
    r.out_dir = o.out;
    r.formats = parse_report_formats(o.format);
    if (o.run > 0) r.runs = {o.run};
    else if (!o.runs.empty()) r.runs = parse_run_list(o.runs);
    r.command = o.command;
    r.quiet = g.quiet;
    r.threads = g.threads;
    ReportResult res = write_report(r);
    std::string runs;
    for (auto id : res.runs) runs += (runs.empty() ? "" : ",") + std::to_string(id);
    if (!g.quiet)
        std::fprintf(stderr, "report: run%s %s, %zu solver x dataset rows, %zu files in %s\n", res.runs.size() > 1 ? "s" : "",
                     runs.c_str(), res.cells, res.files.size(), o.out.c_str());
    for (const auto & f : res.files) std::printf("%s\n", (std::filesystem::path(o.out) / f).string().c_str());
}

}  // namespace

void setup_report(CLI::App & app, const GlobalOptions & g) {
    auto o = std::make_shared<ReportCliOptions>();
    auto * cmd = app.add_subcommand("report", "Accuracy-vs-compute report (markdown + SVG, CSV, JSON) from the results database");
    cmd->add_option("--run", o->run, "Run id to report")->check(CLI::PositiveNumber);
    cmd->add_flag("--latest", o->latest, "Report the latest run (the default)");
    cmd->add_option("--runs", o->runs, "Compare several runs: comma-separated ids, e.g. 3,4");
    cmd->add_option("--db", o->db, "Results database")->capture_default_str();
    cmd->add_option("--out", o->out, "Output directory (created when missing)")->required();
    cmd->add_option("--format", o->format, "md, csv, json, or a comma-separated mix")->capture_default_str();
    cmd->callback([&g, o, cmd] {
        // The command as given, for the report's reproducibility block (no secrets pass here).
        std::string c = "trmbench report";
        for (const auto * opt : cmd->get_options()) {
            if (opt->count() == 0 || opt->get_name() == "--help") continue;
            c += " " + opt->get_name();
            if (opt->get_name() == "--latest") continue;  // a flag: no value
            for (const auto & v : opt->results()) c += " " + v;
        }
        o->command = c;
        run_report(g, *o);
    });
}

}  // namespace trmbench
