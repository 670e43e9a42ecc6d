// `trmbench data fetch`: download datasets and checkpoints into the data directory (or copy them
// from a directory with the same layout), verified and recorded in <data_dir>/MANIFEST.json.
//
//   trmbench data fetch arc-agi-1 sudoku-extreme      fetch (no-op when the manifest matches)
//   trmbench data fetch arc --from /work/shared/data  copy from a local copy (CI, offline)
//   trmbench data fetch --list                        known names, sizes, licenses, URLs
//   trmbench data fetch --verify [NAME...]            re-hash installed files against the manifest
#include <CLI/CLI.hpp>

#include <cstdio>

#include "adapters/download_fetch.h"
#include "adapters/download_sources.h"
#include "harness/cli/cmd_data_fetch.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

struct FetchCliOptions {
    std::vector<std::string> names;
    std::string from;
    std::string revision;
    bool list = false;
    bool verify = false;
    bool force = false;
    bool link = false;
    double connect_timeout_s = 15;
};

void print_list(const fs::path & data_dir) {
    std::printf("%-20s %-10s %-9s %-20s %s\n", "name", "kind", "size", "installed", "source / license");
    for (const auto & s : data_sources()) {
        std::string url = s.kind == SourceKind::github_archive
                              ? archive_url(s, default_base_url(s))
                              : file_url(s, s.files.front(), default_base_url(s), "");
        if (s.kind == SourceKind::huggingface) url = url.substr(0, url.rfind('/') + 1) + "{";
        if (s.kind == SourceKind::huggingface) {
            for (size_t i = 0; i < s.files.size(); ++i) url += (i ? "," : "") + s.files[i].remote;
            url += "}";
        }
        std::string date = installed_date(data_dir, s.name);
        std::printf("%-20s %-10s %-9s %-20s %s\n", s.name.c_str(), s.category.c_str(),
                    ("~" + format_bytes(s.approx_bytes)).c_str(), date.empty() ? "-" : date.c_str(), url.c_str());
        std::printf("%-20s %s; license: %s\n", "", s.description.c_str(), s.license.c_str());
    }
    std::printf("groups: arc (arc-agi-1 arc-agi-2 conceptarc), datasets, checkpoints, all\n");
    std::printf("data directory: %s\n", data_dir.string().c_str());
}

void run_verify(const fs::path & data_dir, const std::vector<std::string> & names, bool quiet) {
    std::vector<std::string> resolved;
    for (const auto * s : resolve_source_names(names)) resolved.push_back(s->name);
    auto reports = verify_sources(data_dir, names.empty() ? std::vector<std::string>{} : resolved, quiet);
    if (reports.empty()) std::printf("nothing installed in %s (no MANIFEST.json entries)\n", data_dir.string().c_str());
    size_t bad = 0;
    for (const auto & r : reports) {
        if (r.problems.empty()) {
            std::printf("%-20s ok (%lld files re-hashed)\n", r.name.c_str(), static_cast<long long>(r.files_ok));
            continue;
        }
        ++bad;
        std::printf("%-20s FAILED (%zu problems)\n", r.name.c_str(), r.problems.size());
        for (size_t i = 0; i < r.problems.size() && i < 20; ++i) std::printf("  %s\n", r.problems[i].c_str());
        if (r.problems.size() > 20) std::printf("  ... and %zu more\n", r.problems.size() - 20);
    }
    if (bad) throw Error(std::to_string(bad) + " source(s) failed verification; re-fetch with `trmbench data fetch NAME --force`",
                         kExitFailure);
}

void run_fetch(const FetchCliOptions & o, const GlobalOptions & g) {
    fs::path data_dir = resolve_data_dir(g.data_dir);
    if (o.list) return print_list(data_dir);
    if (o.verify) return run_verify(data_dir, o.names, g.quiet);
    if (o.names.empty()) throw UsageError("data fetch: give one or more names (see `trmbench data fetch --list`)");
    FetchOptions opt;
    opt.data_dir = data_dir;
    opt.from = o.from;
    opt.force = o.force;
    opt.link = o.link;
    opt.revision = o.revision;
    opt.quiet = g.quiet;
    opt.connect_timeout_s = o.connect_timeout_s;
    for (const DataSource * s : resolve_source_names(o.names)) {
        if (!o.revision.empty() && s->kind != SourceKind::huggingface)
            throw UsageError("--revision applies to Hugging Face sources only; " + s->name + " is pinned at " + s->revision);
        FetchReport r = fetch_source(*s, opt);
        std::string what = format_thousands(r.files) + " files, " + format_bytes(r.bytes);
        if (r.up_to_date)
            std::printf("%s: up to date (%s; --verify re-hashes, --force re-fetches)\n", r.name.c_str(), what.c_str());
        else
            std::printf("%s: installed %s at %s, content sha256 %s\n", r.name.c_str(), what.c_str(),
                        r.revision.substr(0, 12).c_str(), r.content_sha256.c_str());
        if (!r.unmanaged.empty())
            std::printf("%s: note: %zu other file(s) in its folders were left alone, e.g. %s\n", r.name.c_str(),
                        r.unmanaged.size(), r.unmanaged.front().c_str());
    }
}

}  // namespace

void add_data_fetch(CLI::App * data, const GlobalOptions & g) {
    auto o = std::make_shared<FetchCliOptions>();
    auto * fetch = data->add_subcommand(
        "fetch", "Download datasets and checkpoints into the data directory (verified, resumable, recorded in MANIFEST.json)");
    fetch->add_option("names", o->names, "Names or groups (arc, datasets, checkpoints, all); see --list");
    fetch->add_option("--from", o->from,
                      "Base URL instead of github.com/huggingface.co, or a local directory with the data-dir layout to copy from");
    fetch->add_option("--revision", o->revision, "Hugging Face revision (branch, tag or commit; default main)");
    fetch->add_flag("--list", o->list, "List the known names with size, license and URL");
    fetch->add_flag("--verify", o->verify, "Re-hash installed files against the manifest (all when no names)");
    fetch->add_flag("--force", o->force, "Fetch even when the manifest says the files are installed");
    fetch->add_flag("--link", o->link, "With --from DIR: hard-link files instead of copying where possible");
    fetch->add_option("--connect-timeout", o->connect_timeout_s, "Seconds to wait for a connection (default 15)")
        ->check(CLI::PositiveNumber);
    fetch->callback([o, &g] { run_fetch(*o, g); });
}

}  // namespace trmbench
