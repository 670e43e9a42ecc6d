// Suite -> Plan: datasets found or generated, subsets drawn, solvers built, skips explained.
#include "harness/run/plan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"
#include "harness/run/llm_registry.h"
#include "harness/run/solver_registry.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace trmbench {
namespace {

// The command that brings a missing dataset into the data dir.
std::string fetch_hint(const std::string & dataset) {
    std::string top = dataset.substr(0, dataset.find('/'));
    if (top == "arc-agi-1" || top == "arc-agi-2" || top == "conceptarc") return "trmbench data fetch " + top;
    if (top == "sudoku") return "trmbench data fetch sudoku";
    return "see `trmbench data list`";
}

std::string option_text(double v) {
    if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void check_unique_ids(const std::vector<Example> & examples, const std::string & dataset) {
    std::set<std::string_view> seen;
    for (const auto & e : examples)
        if (!seen.insert(e.id).second) throw InputError(dataset + ": duplicate example id '" + e.id + "'");
}

// Resolves one task entry; returns false (and appends a skip) for a missing optional dataset.
bool resolve_task(const TaskEntry & e, const PlanOptions & o, PlannedTask & out, std::vector<Skipped> & skipped) {
    out.entry = e;
    out.task = &task_by_family(e.family);
    if (e.generate) {
        auto [name, path] = materialise_generated(*out.task, *e.generate, o.cache_dir, o.threads, o.quiet);
        out.dataset = name;
        out.path = path;
        out.generated = true;
    } else {
        std::vector<DatasetInfo> found;
        std::error_code ec;
        if (fs::is_directory(o.data_dir, ec)) found = out.task->find_datasets(o.data_dir);
        auto it = std::find_if(found.begin(), found.end(), [&](const DatasetInfo & d) { return d.name == e.dataset; });
        if (it == found.end()) {
            if (e.optional) {
                skipped.push_back({e.name == e.dataset ? e.dataset : e.name + " (" + e.dataset + ")",
                                   "not in data dir " + o.data_dir.string() + " (" + fetch_hint(e.dataset) + ")"});
                return false;
            }
            std::string known;
            for (const auto & d : found) known += (known.empty() ? "" : ", ") + d.name;
            throw UsageError(e.where + ".dataset: no " + e.family + " dataset '" + e.dataset + "' in data dir " + o.data_dir.string() +
                             (known.empty() ? " (it has none; " + fetch_hint(e.dataset) + ")" : " (known: " + known + ")"));
        }
        if (!e.split.empty() && it->split != e.split)
            throw UsageError(e.where + ".split: dataset '" + e.dataset + "' is split '" + it->split + "', not '" + e.split + "'");
        out.dataset = it->name;
        out.path = it->path;
    }
    std::vector<Example> all;
    try {
        all = out.task->load(out.path);
    } catch (...) {
        rethrow_with_context(e.where + ": loading " + out.dataset);
    }
    if (all.empty()) throw InputError(e.where + ": dataset " + out.dataset + " (" + out.path.string() + ") has no examples");
    check_unique_ids(all, out.dataset);
    out.dataset_sha256 = sha256_tree(out.path);
    out.dataset_examples = static_cast<int64_t>(all.size());
    out.subset = e.subset ? select_subset(all, *e.subset) : select_all(all);
    out.examples.reserve(out.subset.indices.size());
    for (size_t i : out.subset.indices) out.examples.push_back(std::move(all[i]));
    for (const auto & ex : out.examples)
        if (in_shard(out.dataset, ex.group.empty() ? ex.id : ex.group, o.shard)) ++out.shard_examples;
    return true;
}

int attempts_for(const Suite & suite, const SolverEntry & s, const TaskEntry & t) {
    if (s.attempts > 0) return s.attempts;
    if (t.attempts > 0) return t.attempts;
    return suite.attempts;
}

// Decides which tasks each solver runs; solvers left with none are skipped.
void assign_tasks(Plan & plan, std::vector<PlannedSolver> & built) {
    for (auto & s : built) {
        std::vector<std::string> unsupported;
        for (size_t i = 0; i < plan.tasks.size(); ++i) {
            const PlannedTask & t = plan.tasks[i];
            bool named = std::find(s.entry.tasks.begin(), s.entry.tasks.end(), t.entry.name) != s.entry.tasks.end();
            if (!s.entry.tasks.empty() && !named) continue;
            if (!s.solver->supports(*t.task)) {
                if (named)
                    throw UsageError(s.entry.where + ".tasks: solver '" + s.name + "' cannot do task '" + t.entry.name + "' (family " +
                                     t.entry.family + ")");
                continue;
            }
            s.tasks.push_back(i);
            s.attempts.push_back(attempts_for(plan.suite, s.entry, t.entry));
        }
        if (s.tasks.empty()) {
            plan.skipped.push_back({s.name, "none of the tasks in this run is one it can do"});
            continue;
        }
        plan.solvers.push_back(std::move(s));
    }
}

void fill_identity(Plan & plan) {
    json tasks = json::array();
    for (const auto & t : plan.tasks) {
        json j;
        j["name"] = t.entry.name;
        j["family"] = t.entry.family;
        j["task_version"] = std::string(t.task->version());
        j["dataset"] = t.dataset;
        j["dataset_sha256"] = t.dataset_sha256;
        j["generated"] = t.generated;
        j["dataset_examples"] = t.dataset_examples;
        j["items"] = static_cast<int64_t>(t.examples.size());
        j["groups"] = t.subset.groups;
        j["ids_sha256"] = t.subset.ids_sha256;
        if (t.entry.subset) {
            j["subset"] = {{"size", t.entry.subset->size}, {"seed", t.entry.subset->seed}, {"strata", t.entry.subset->strata},
                           {"allocation", t.entry.subset->allocation}};
        }
        if (t.entry.augmentations >= 0) j["augmentations"] = t.entry.augmentations;
        tasks.push_back(j);
        plan.dataset_hashes[t.dataset] = t.dataset_sha256;
        const PromptTemplate & tmpl = t.task->prompt_template();
        plan.prompt_template_hashes[tmpl.name + "@" + tmpl.version] = tmpl.hash();
        if (t.entry.subset) plan.seeds["subset:" + t.entry.name] = t.entry.subset->seed;
        if (t.entry.generate) plan.seeds["generate:" + t.entry.name] = t.entry.generate->seed;
    }
    plan.seeds["suite"] = plan.suite.seed;
    json solvers = json::array();
    for (const auto & s : plan.solvers) {
        json j;
        j["name"] = s.name;
        j["kind"] = std::string(solver_kind_name(s.kind));
        j["provider"] = s.info.provider;
        j["model_id"] = s.info.model_id;
        j["checkpoint_sha256"] = s.info.checkpoint_sha256;
        j["config"] = s.info.config_json.empty() ? json(nullptr) : json::parse(s.info.config_json, nullptr, false);
        json on = json::array();
        for (size_t k = 0; k < s.tasks.size(); ++k)
            on.push_back({{"task", plan.tasks[s.tasks[k]].entry.name}, {"attempts", s.attempts[k]}});
        j["tasks"] = on;
        solvers.push_back(j);
    }
    json identity;
    identity["seed"] = plan.suite.seed;
    identity["tasks"] = tasks;
    identity["solvers"] = solvers;
    plan.config_hash = sha256_hex(identity.dump());

    // Only what is the same on every machine that runs a shard of this run (merge compares it):
    // no paths, no host, no shard index. Those are in the run's other fields.
    json full = json::parse(plan.suite.canonical_json());
    full["resolved"] = {{"tasks", tasks}, {"solvers", solvers}};
    json skipped = json::array();
    for (const auto & k : plan.skipped) skipped.push_back(k.what);
    full["skipped"] = skipped;
    plan.config_json = full.dump();
}

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string tokens_text(int64_t n) {
    if (n < 0) return "?";
    if (n >= 1'000'000) return format_sci(static_cast<double>(n), 2);
    return format_thousands(n);
}

std::string usd_text(double usd) {
    if (usd < 0) return "?";
    char buf[32];
    std::snprintf(buf, sizeof buf, usd < 10 ? "$%.2f" : "$%.0f", usd);
    return buf;
}

}  // namespace

std::pair<std::string, fs::path> materialise_generated(const Task & task, const GenerateSpec & spec, const fs::path & cache_dir,
                                                       int threads, bool quiet) {
    std::string key = "n" + std::to_string(spec.n) + "-seed" + std::to_string(spec.seed);
    for (const auto & [k, v] : spec.options) key += "-" + k + option_text(v);
    std::string family(task.family());
    std::string name = "generated/" + family + "/" + key;
    fs::path path = cache_dir / "generated" / family / (key + "-" + std::string(task.version()) + ".csv");
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return {name, path};
    GenerateOptions opts = spec.to_options();
    opts.threads = threads;
    opts.quiet = quiet;
    if (!quiet) std::fprintf(stderr, "generating %s into %s\n", name.c_str(), path.string().c_str());
    try {
        // generate() writes atomically, so shards generating the same set at once are harmless.
        task.generate(opts, path);
    } catch (...) {
        rethrow_with_context("generating " + name);
    }
    return {name, path};
}

const PlannedTask * Plan::find_task(std::string_view name) const {
    for (const auto & t : tasks)
        if (t.entry.name == name) return &t;
    return nullptr;
}

std::vector<WorkItem> Plan::work_items(const PlannedSolver & s, size_t i) const {
    std::vector<WorkItem> out;
    const PlannedTask & t = tasks[s.tasks[i]];
    for (const auto & ex : t.examples) {
        if (!in_shard(t.dataset, ex.group.empty() ? ex.id : ex.group, options.shard)) continue;
        for (int a = 0; a < s.attempts[i]; ++a) out.push_back({&ex, a});
    }
    return out;
}

Plan make_plan(Suite suite, PlanOptions options) {
    Plan plan;
    plan.suite = std::move(suite);
    plan.options = std::move(options);
    const Suite & s = plan.suite;
    const PlanOptions & o = plan.options;

    for (const auto & name : o.only_tasks) {
        if (s.find_task(name)) continue;
        std::vector<std::string> names;
        for (const auto & t : s.tasks) names.push_back(t.name);
        throw UsageError("--task: no task '" + name + "' in suite " + s.name + " (tasks: " + join(names, ", ") + ")");
    }
    for (const auto & e : s.tasks) {
        if (!o.only_tasks.empty() && std::find(o.only_tasks.begin(), o.only_tasks.end(), e.name) == o.only_tasks.end()) continue;
        PlannedTask t;
        if (resolve_task(e, o, t, plan.skipped)) plan.tasks.push_back(std::move(t));
    }

    SolverContext ctx;
    ctx.suite = &plan.suite;
    ctx.options = &plan.options;
    ctx.llm = &plan.llm;
    ctx.price_table_date = &plan.price_table_date;
    std::vector<PlannedSolver> built;
    for (const auto & e : s.solvers) {
        SolverResolution r = resolve_solver(e, ctx);
        for (auto & b : r.solvers) built.push_back(std::move(b));
        plan.skipped.insert(plan.skipped.end(), r.skipped.begin(), r.skipped.end());
    }
    if (!o.only_solvers.empty()) {
        for (const auto & name : o.only_solvers) {
            bool found = std::any_of(built.begin(), built.end(), [&](const PlannedSolver & b) { return b.name == name; });
            if (found) continue;
            std::vector<std::string> names;
            for (const auto & b : built) names.push_back(b.name);
            throw UsageError("--solver: no solver '" + name + "' in this run (solvers: " + join(names, ", ") + ")");
        }
        std::erase_if(built, [&](const PlannedSolver & b) {
            return std::find(o.only_solvers.begin(), o.only_solvers.end(), b.name) == o.only_solvers.end();
        });
    }
    {
        std::set<std::string> names;
        for (const auto & b : built)
            if (!names.insert(b.name).second)
                throw UsageError(b.entry.where + ": solver name '" + b.name + "' is used twice in this run (use \"as\")");
    }
    assign_tasks(plan, built);
    fill_identity(plan);
    return plan;
}

std::string format_plan(const Plan & plan) {
    const Suite & s = plan.suite;
    std::string out;
    char buf[512];
    out += "suite " + s.name + " (" + s.source + ")";
    if (!plan.options.shard.whole()) out += ", shard " + plan.options.shard.text();
    out += "\n";
    out += "config sha256 " + plan.config_hash + "\n";
    out += "data dir " + plan.options.data_dir.string() + "\n\n";

    out += "tasks\n";
    size_t w = 4;
    for (const auto & t : plan.tasks) w = std::max(w, t.entry.name.size());
    for (const auto & t : plan.tasks) {
        std::string items = std::to_string(t.examples.size()) + " of " + std::to_string(t.dataset_examples);
        if (t.subset.groups != static_cast<int64_t>(t.examples.size())) items += " (" + std::to_string(t.subset.groups) + " tasks)";
        if (!plan.options.shard.whole()) items += ", " + std::to_string(t.shard_examples) + " in this shard";
        out += "  " + pad(t.entry.name, w) + "  " + t.dataset + "  " + items + "  ids sha256 " + t.subset.ids_sha256.substr(0, 16) + "\n";
        if (!t.subset.counts.empty()) {
            std::string strata;
            for (const auto & c : t.subset.counts)
                strata += (strata.empty() ? "" : ", ") + c.label + " " + std::to_string(c.selected) + "/" + std::to_string(c.available);
            out += "  " + pad("", w) + "  strata: " + strata + "\n";
        }
    }

    out += "\nsolvers\n";
    size_t sw = 4;
    for (const auto & p : plan.solvers) sw = std::max(sw, p.name.size());
    int64_t total_attempts = 0;
    double total_usd = 0, total_worst = 0, total_flops = 0;
    bool usd_unknown = false, flops_known = false;
    for (const auto & p : plan.solvers) {
        for (size_t k = 0; k < p.tasks.size(); ++k) {
            const PlannedTask & t = plan.tasks[p.tasks[k]];
            std::vector<WorkItem> items = plan.work_items(p, k);
            int64_t n_items = static_cast<int64_t>(items.size()) / std::max(1, p.attempts[k]);
            total_attempts += static_cast<int64_t>(items.size());
            std::snprintf(buf, sizeof buf, "  %s  %-8s  %-*s  %5lld items x %d = %6zu attempts", pad(k == 0 ? p.name : "", sw).c_str(),
                          k == 0 ? std::string(solver_kind_name(p.kind)).c_str() : "", static_cast<int>(w), t.entry.name.c_str(),
                          static_cast<long long>(n_items), p.attempts[k], items.size());
            out += buf;
            if (p.estimate) {
                Estimate e = p.estimate(*t.task, items);
                if (e.input_tokens >= 0 || e.usd >= 0) {
                    out += "  tokens in " + tokens_text(e.input_tokens) + " out " + tokens_text(e.output_tokens) + "  " + usd_text(e.usd);
                    if (e.worst_usd >= 0) out += " (worst " + usd_text(e.worst_usd) + ")";
                    if (e.usd >= 0) total_usd += e.usd;
                    else usd_unknown = true;
                    if (e.worst_usd >= 0) total_worst += e.worst_usd;
                }
                if (e.flops >= 0) {
                    out += "  " + format_sci(e.flops) + " FLOPs";
                    total_flops += e.flops;
                    flops_known = true;
                }
                if (!e.note.empty()) out += "  (" + e.note + ")";
            }
            out += "\n";
        }
    }
    out += "\ntotal " + format_thousands(total_attempts) + " attempts";
    bool any_llm = std::any_of(plan.solvers.begin(), plan.solvers.end(), [](const PlannedSolver & p) { return p.io_bound(); });
    if (any_llm) {
        out += ", estimated " + usd_text(total_usd) + (usd_unknown ? " + unknown" : "") + " (worst " + usd_text(total_worst) + ")";
        out += s.limits.spend_usd >= 0 ? ", spend cap " + usd_text(s.limits.spend_usd) : ", NO spend cap";
    }
    if (flops_known) out += ", " + format_sci(total_flops) + " FLOPs (where known)";
    out += "\n";
    if (s.limits.time_budget_s > 0) out += "time budget " + format_duration(s.limits.time_budget_s) + "\n";

    if (!plan.skipped.empty()) {
        out += "\nskipped\n";
        for (const auto & k : plan.skipped) out += "  skipped " + k.what + ": " + k.reason + "\n";
    }
    return out;
}

}  // namespace trmbench
