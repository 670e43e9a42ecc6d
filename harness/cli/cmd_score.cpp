// `trmbench score arc`: scores an ARC Prize submission (one JSON file, or a directory of per-task
// files as arc-agi-benchmarking writes them) against a task set, in all three conventions of
// tasks/arc/arc_scoring.h and at pass@1..k. The denominator is always the task set: tasks without
// a submission count 0 and are reported, unlike arc-agi-benchmarking's scorer (its issue #97).
//
//   trmbench score arc --tasks DIR --submission FILE [--k 2] [--convention all] [--json]
//
// --tasks takes a task directory or file, or a dataset name of the data directory
// ("arc-agi-2/evaluation"). Malformed entries are wrong answers listed as warnings; exit 0.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <set>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/version.h"
#include "tasks/arc/arc_scoring.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

struct ScoreArcOptions {
    std::string tasks;
    std::string submission;
    int k = 2;
    std::string convention = "all";
    bool json = false;
    bool per_task = false;
    int max_warnings = 20;
};

struct TaskSet {
    std::string label;  // what --tasks resolved to, for the report
    std::vector<ArcTaskTruth> truths;
};

// --tasks as a path, else as a dataset name in the data directory.
TaskSet load_task_set(const GlobalOptions & g, const std::string & tasks_arg) {
    const Task & arc = task_by_family("arc");
    fs::path path = tasks_arg;
    std::string label = tasks_arg;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        fs::path data_dir = resolve_data_dir(g.data_dir);
        bool found = false;
        if (fs::is_directory(data_dir, ec))
            for (const auto & d : arc.find_datasets(data_dir))
                if (d.name == tasks_arg) path = d.path, found = true;
        if (!found)
            throw UsageError("--tasks " + tasks_arg + ": no such file or directory, and no ARC dataset of that name in " +
                             data_dir.string());
        label = tasks_arg + " (" + path.string() + ")";
    }
    auto examples = arc.load(path);
    TaskSet set{label, arc_task_set(examples)};
    for (const auto & t : set.truths)
        for (size_t i = 0; i < t.outputs.size(); ++i)
            if (t.outputs[i].empty())
                throw InputError(path.string() + ": task " + t.id + " test[" + std::to_string(i) +
                                 "] has no output; scoring needs a task set with solutions");
    return set;
}

std::vector<int> pass_ks(int k) {
    std::set<int> ks = {1, std::min(2, k), k};
    return {ks.begin(), ks.end()};
}

std::vector<ArcConvention> selected_conventions(const std::string & name) {
    if (name == "all") return {std::begin(kArcConventions), std::end(kArcConventions)};
    ArcConvention c;
    if (!parse_arc_convention(name, c)) throw UsageError("--convention " + name + ": use arc-prize, strict, per-output or all");
    return {c};
}

std::string percent(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * v);
    return buf;
}

// Raw counts behind a convention's score at k, e.g. "18.50/120 tasks".
std::string raw_count(const ArcScore & s, ArcConvention c) {
    char buf[96];
    switch (c) {
        case ArcConvention::strict: std::snprintf(buf, sizeof buf, "%d/%d tasks", s.strict_tasks_solved, s.tasks); break;
        case ArcConvention::per_output: std::snprintf(buf, sizeof buf, "%d/%d test outputs", s.solved_outputs, s.test_outputs); break;
        default: std::snprintf(buf, sizeof buf, "%.2f/%d tasks", s.arc_prize * s.tasks, s.tasks); break;
    }
    return buf;
}

void print_text(const ScoreArcOptions & o, const TaskSet & set, const ArcSubmission & sub, const std::vector<ArcScore> & scores,
                const std::vector<ArcConvention> & conventions) {
    const ArcScore & top = scores.back();  // at k
    std::printf("tasks:       %s: %d tasks, %d test outputs\n", set.label.c_str(), top.tasks, top.test_outputs);
    std::printf("submission:  %s: %zu tasks (%zu not in the task set, ignored)\n", o.submission.c_str(), sub.tasks.size(),
                top.unknown_tasks.size());
    std::printf("missing:     %d tasks, %d test outputs without an entry; %d of %d attempt slots unanswered at k=%d\n",
                top.missing_tasks, top.missing_outputs, top.unanswered_attempts, (top.test_outputs - top.missing_outputs) * top.k,
                top.k);
    std::printf("\n%-36s", "convention");
    for (const auto & s : scores) std::printf("  %8s", ("pass@" + std::to_string(s.k)).c_str());
    std::printf("  %s\n", ("solved at k=" + std::to_string(top.k)).c_str());
    for (ArcConvention c : conventions) {
        std::printf("%-36s", std::string(arc_convention_title(c)).c_str());
        for (const auto & s : scores) std::printf("  %8s", percent(s.value(c)).c_str());
        std::printf("  %s\n", raw_count(top, c).c_str());
    }
    const ArcConvention head = conventions.front();
    std::printf("\nscore: %s (%s, pass@%d)\n", percent(top.value(head)).c_str(), std::string(arc_convention_name(head)).c_str(), top.k);
    if (o.per_task) {
        std::printf("\n%-24s %7s %7s %s\n", "task", "solved", "tests", "");
        for (const auto & t : top.per_task)
            std::printf("%-24s %7d %7d %s\n", t.id.c_str(), t.solved, t.outputs, t.submitted ? "" : "(no submission)");
    }
    std::vector<std::string> warnings = top.warnings;
    for (const auto & id : top.unknown_tasks) warnings.push_back("task " + id + ": not in the task set; ignored");
    if (!warnings.empty()) {
        std::printf("\nwarnings (%zu):\n", warnings.size());
        const size_t shown = std::min(warnings.size(), static_cast<size_t>(std::max(0, o.max_warnings)));
        for (size_t i = 0; i < shown; ++i) std::printf("  %s\n", warnings[i].c_str());
        if (shown < warnings.size()) std::printf("  ... %zu more (--json lists all)\n", warnings.size() - shown);
    }
}

void print_json(const ScoreArcOptions & o, const TaskSet & set, const std::vector<ArcScore> & scores,
                const std::vector<ArcConvention> & conventions) {
    using nlohmann::json;
    const ArcScore & top = scores.back();
    json doc = {{"tasks_source", set.label},
                {"submission", o.submission},
                {"k", top.k},
                {"tasks", top.tasks},
                {"test_outputs", top.test_outputs},
                {"missing_tasks", top.missing_tasks},
                {"missing_outputs", top.missing_outputs},
                {"unanswered_attempts", top.unanswered_attempts},
                {"unknown_tasks", top.unknown_tasks},
                {"warnings", top.warnings},
                {"harness_version", harness_version()},
                {"git_sha", git_sha()}};
    json conv = json::object();
    for (ArcConvention c : conventions) {
        json by_k = json::object();
        for (const auto & s : scores) by_k["pass@" + std::to_string(s.k)] = s.value(c);
        conv[std::string(arc_convention_name(c))] = by_k;
    }
    doc["scores"] = conv;
    json per_task = json::object();
    for (size_t t = 0; t < top.per_task.size(); ++t) {
        json entry = {{"tests", top.per_task[t].outputs}, {"submitted", top.per_task[t].submitted}};
        for (const auto & s : scores) entry["solved@" + std::to_string(s.k)] = s.per_task[t].solved;
        per_task[top.per_task[t].id] = entry;
    }
    doc["per_task"] = per_task;
    std::printf("%s\n", doc.dump(2, ' ', false, json::error_handler_t::replace).c_str());
}

void run_score_arc(const GlobalOptions & g, const ScoreArcOptions & o) {
    const auto conventions = selected_conventions(o.convention);
    TaskSet set = load_task_set(g, o.tasks);
    ArcSubmission sub = load_arc_submission(o.submission);
    std::vector<ArcScore> scores;
    for (int k : pass_ks(o.k)) scores.push_back(score_arc_submission(set.truths, sub, k));
    if (o.json)
        print_json(o, set, scores, conventions);
    else
        print_text(o, set, sub, scores, conventions);
}

}  // namespace

void setup_score(CLI::App & app, const GlobalOptions & g) {
    auto * score = app.add_subcommand("score", "Score submission files against a task set");
    score->require_subcommand(1);
    auto o = std::make_shared<ScoreArcOptions>();
    auto * arc = score->add_subcommand("arc", "Score an ARC Prize submission (pass@k, three conventions, over all tasks of the set)");
    arc->add_option("--tasks", o->tasks, "Task directory, task/Kaggle challenges file, or ARC dataset name")->required();
    arc->add_option("--submission", o->submission, "Submission JSON {task_id: [{attempt_1, attempt_2}, ...]} or a directory of <task_id>.json")
        ->required();
    arc->add_option("--k", o->k, "Attempts per test input (pass@k)")->capture_default_str()->check(CLI::Range(1, 1000));
    arc->add_option("--convention", o->convention, "arc-prize | strict | per-output | all")
        ->capture_default_str()
        ->check(CLI::IsMember({"arc-prize", "strict", "per-output", "all"}));
    arc->add_flag("--json", o->json, "Print the result as JSON");
    arc->add_flag("--per-task", o->per_task, "List every task's solved/total");
    arc->add_option("--max-warnings", o->max_warnings, "Warnings printed in text mode (all go into --json)")
        ->capture_default_str();
    arc->callback([&g, o] { run_score_arc(g, *o); });
}

}  // namespace trmbench
