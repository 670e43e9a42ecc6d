// `trmbench run [SUITE]`: run a comparison suite into a results database (harness/run/runner.h).
//
// SUITE is a built-in suite name ("default" when omitted) or a suite JSON file. --dry-run prints the
// plan (items, attempts, estimated tokens, dollars and FLOPs, what is skipped and why) and sends
// nothing. A re-run of the same suite offers to resume its unfinished run: on a terminal it asks,
// otherwise it prints the hint and starts a new run unless --resume auto. --shard i/N (or a Slurm
// job array) runs one part of the items; `trmbench merge` combines the parts.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "harness/run/plan.h"
#include "harness/run/runner.h"
#include "harness/run/suite.h"

namespace trmbench {
namespace {

struct RunCliOptions {
    std::string suite = "default";
    std::string db;
    bool dry_run = false;
    std::string resume;
    bool fresh = false;
    std::string shard;
    std::vector<std::string> tasks;
    std::vector<std::string> solvers;
    std::vector<std::string> catalogs;
    bool keep_failures = false;
    double progress_interval_s = 10;
    std::string print_suite;
    bool list_suites = false;
    int64_t stop_after = -1;  // testing: stop after N recorded attempts
    int busy_timeout_ms = 30000;
};

std::string shell_quote(const std::string & s) {
    bool plain = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+@%") == std::string::npos;
    if (plain) return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The command that repeats this run (for "resume with: ..." hints).
std::string repeat_command(const GlobalOptions & g, const RunCliOptions & o, const std::string & db, const Shard & shard, bool shard_given) {
    std::string cmd = "trmbench";
    if (!g.data_dir.empty()) cmd += " --data-dir " + shell_quote(g.data_dir);
    cmd += " run " + shell_quote(o.suite) + " --db " + shell_quote(db);
    if (shard_given) cmd += " --shard " + shard.text();
    for (const auto & t : o.tasks) cmd += " --task " + shell_quote(t);
    for (const auto & s : o.solvers) cmd += " --solver " + shell_quote(s);
    for (const auto & c : o.catalogs) cmd += " --catalog " + shell_quote(c);
    if (o.keep_failures) cmd += " --keep-failures";
    return cmd;
}

bool ask_on_terminal(const std::string & question) {
    std::fprintf(stderr, "%s", question.c_str());
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer.empty() || answer[0] == 'y' || answer[0] == 'Y';
}

void cmd_run(const GlobalOptions & g, const RunCliOptions & o) {
    if (o.list_suites) {
        for (const auto & name : builtin_suite_names()) {
            Suite s = load_suite(name);
            std::printf("%-12s %s\n", name.c_str(), s.description.c_str());
        }
        return;
    }
    if (!o.print_suite.empty()) {
        auto text = builtin_suite_text(o.print_suite);
        if (!text) throw UsageError("--print-suite: no built-in suite '" + o.print_suite + "' (known: " + join(builtin_suite_names(), ", ") + ")");
        std::fwrite(text->data(), 1, text->size(), stdout);
        return;
    }

    Suite suite = load_suite(o.suite);
    PlanOptions po;
    po.data_dir = resolve_data_dir(g.data_dir);
    po.cache_dir = default_cache_dir();
    po.catalog_files = o.catalogs;
    po.only_tasks = o.tasks;
    po.only_solvers = o.solvers;
    po.threads = g.threads;
    po.quiet = g.quiet;
    bool shard_given = !o.shard.empty();
    if (shard_given) po.shard = parse_shard(o.shard);
    else if (auto slurm = shard_from_slurm_env()) po.shard = *slurm;

    std::string db = !o.db.empty() ? o.db : !suite.output.empty() ? suite.output : "results.db";
    if (!o.db.empty() || suite.output.empty()) {
        // as given
    } else if (std::filesystem::path(db).is_relative() && suite.source.rfind("built-in:", 0) != 0) {
        db = (suite.base_dir / db).string();  // a suite file's output is relative to the file
    }
    if (!shard_given && !po.shard.whole()) std::fprintf(stderr, "Slurm job array: shard %s\n", po.shard.text().c_str());
    // Each shard writes its own database unless told otherwise: shards on several machines (or one
    // shared file system) must not contend for one SQLite file.
    if (!po.shard.whole() && o.db.empty()) {
        std::filesystem::path p(db);
        db = (p.parent_path() / (p.stem().string() + ".shard" + std::to_string(po.shard.index) + "of" + std::to_string(po.shard.count) +
                                 p.extension().string()))
                 .string();
    }

    Plan plan = make_plan(std::move(suite), std::move(po));
    if (o.dry_run) {
        std::printf("%s", format_plan(plan).c_str());
        std::printf("\ndatabase %s (dry run: nothing sent, nothing written)\n", db.c_str());
        return;
    }
    if (plan.solvers.empty()) throw UsageError("nothing to run: no solver of suite " + plan.suite.name + " is available here (see --dry-run)");
    if (!g.quiet && !plan.skipped.empty()) {
        for (const auto & k : plan.skipped) std::fprintf(stderr, "skipped %s: %s\n", k.what.c_str(), k.reason.c_str());
    }

    if (auto parent = std::filesystem::path(db).parent_path(); !parent.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);  // a failure is reported by the store, naming the path
    }
    RunOptions ro;
    ro.db = db;
    ro.quiet = g.quiet;
    ro.plain_interval_s = o.progress_interval_s;
    ro.retry_failures = !o.keep_failures;
    ro.stop_after_attempts = o.stop_after;
    ro.threads = g.threads;
    ro.busy_timeout_ms = o.busy_timeout_ms;
    ro.command = repeat_command(g, o, db, plan.options.shard, shard_given);
    if (o.fresh) {
        ro.resume = ResumeMode::never;
    } else if (o.resume == "auto") {
        ro.resume = ResumeMode::automatic;
    } else if (!o.resume.empty()) {
        ro.resume = ResumeMode::run_id;
        try {
            size_t used = 0;
            ro.resume_id = std::stoll(o.resume, &used);
            if (used != o.resume.size() || ro.resume_id <= 0) throw std::invalid_argument("");
        } catch (const std::exception &) {
            throw UsageError("--resume: expected a run id (a positive integer) or 'auto', got '" + o.resume + "'");
        }
    }
    if (ro.resume == ResumeMode::ask && ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO)) ro.confirm = ask_on_terminal;

    RunSummary summary = run_plan(plan, ro);
    std::printf("%s", format_summary(summary, db).c_str());
    std::fflush(stdout);
    if (summary.exit_code != kExitOk) throw Error("interrupted; resume with: " + summary.resume_command, summary.exit_code);
}

}  // namespace

void setup_run(CLI::App & app, const GlobalOptions & g) {
    auto o = std::make_shared<RunCliOptions>();
    auto * run = app.add_subcommand("run", "Run a comparison suite (default: the built-in 'default' suite) into a results database");
    run->add_option("suite", o->suite, "Built-in suite name or suite JSON file (default: default)");
    run->add_option("--db", o->db, "Results database (default: the suite's \"output\", else results.db)");
    run->add_flag("--dry-run", o->dry_run, "Print the plan (items, attempts, estimated tokens/dollars/FLOPs, skipped) and exit");
    run->add_option("--resume", o->resume, "Continue run ID of the database, or 'auto': the latest unfinished run of this suite");
    run->add_flag("--new", o->fresh, "Start a new run even when an unfinished run of this suite exists")->excludes("--resume");
    run->add_option("--shard", o->shard, "Run shard i of N (0-based, e.g. 0/4); default from a Slurm job array");
    run->add_option("--task", o->tasks, "Only this suite task (repeatable)");
    run->add_option("--solver", o->solvers, "Only this solver (repeatable)");
    run->add_option("--catalog", o->catalogs, "Extra model catalogue file (repeatable; later files override)");
    run->add_flag("--keep-failures", o->keep_failures, "On resume, do not retry stored failed attempts (HTTP errors, timeouts)");
    run->add_option("--progress-interval", o->progress_interval_s, "Seconds between progress lines when not on a terminal")
        ->check(CLI::PositiveNumber);
    run->add_option("--busy-timeout", o->busy_timeout_ms, "Milliseconds to wait for another writer of the database (default 30000)")
        ->check(CLI::NonNegativeNumber);
    run->add_option("--print-suite", o->print_suite, "Print a built-in suite's JSON (a starting point for your own) and exit");
    run->add_flag("--list-suites", o->list_suites, "List the built-in suites and exit");
    run->add_option("--stop-after", o->stop_after, "Testing: stop dispatching after N recorded attempts")->group("");
    run->callback([&g, o] { cmd_run(g, *o); });
}

}  // namespace trmbench
