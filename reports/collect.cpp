// collect: see collect.h. One pass over the attempts of a run, in the reader's order (solver,
// manifest position, attempt); per (solver, dataset) only bit masks per item and running sums.
#include "reports/collect.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>
#include <functional>
#include <limits>
#include <map>
#include <unordered_map>

#include "harness/core/error.h"
#include "harness/core/progress.h"
#include "harness/core/sha256.h"
#include "harness/core/version.h"
#include "reports/format.h"
#include "results/reader.h"
#include "results/schema.h"
#include "results/sqlite.h"

namespace trmbench {
namespace {

constexpr int kMaxK = 32;      // attempts tracked per item for pass@k (bit masks)
constexpr int kArcMaxK = 2;    // the ARC Prize format has attempt_1 and attempt_2
constexpr const char * kUnknownStratum = "unknown";

struct DatasetState {
    DatasetEntry entry;
    std::vector<std::string> stratum;     // per local item
    std::vector<double> difficulty;       // per local item
    bool arc = false;
    std::vector<ArcTaskTruth> truths;     // ARC: the task set, manifest order
};

// ACT steps of attempt 0 for one (solver, dataset): direct counts for steps s < n, and per step
// count n the value carried to every later step (an item that halted keeps its last answer).
struct StepAcc {
    std::vector<int64_t> correct;                      // [s]: attempts whose step s is right
    std::vector<int64_t> halted_correct;               // [n]: attempts with n steps whose last step is right
    std::vector<double> flops;                         // [s]: FLOPs up to step s, summed
    std::vector<double> halted_flops;                  // [n]: FLOPs of attempts with n steps
    int64_t flops_known = 0;
    size_t max_steps = 0;
};

struct CellAcc {
    size_t dataset = 0;
    std::string solver;
    std::vector<uint32_t> present, correct;            // per local item: attempt bit masks
    std::vector<std::string> measure_names;
    std::vector<std::vector<uint32_t>> measure_bits;   // [measure][item]
    int max_attempt = -1;
    int64_t n_attempts = 0;
    std::array<int64_t, kOutcomeCount> outcomes{};
    int64_t retries = 0;
    QuantitySum flops, wall, device, input, output, reasoning, cost;
    double superseded_cost = 0;
    int64_t superseded_cost_known = 0;
    double act_sum = 0;
    int64_t act_known = 0;
    StepAcc steps;
    // ARC: the stored answers as submission entries.
    std::map<std::pair<std::string, int>, size_t> entry_index;
    std::vector<ArcPredictionEntry> entries;
};

std::string key(const std::string & a, const std::string & b) { return a + '\x1f' + b; }

std::string command_from_config(const std::string & config_json) {
    if (config_json.empty()) return "";
    auto j = nlohmann::json::parse(config_json, nullptr, false);
    if (!j.is_object()) return "";
    if (auto it = j.find("command"); it != j.end() && it->is_string()) return it->get<std::string>();
    if (auto it = j.find("argv"); it != j.end() && it->is_array()) {
        std::string out;
        for (const auto & a : *it) {
            if (!a.is_string()) return "";
            std::string s = a.get<std::string>();
            bool quote = s.empty() || s.find_first_of(" \t'\"\\$`") != std::string::npos;
            if (quote) {
                std::string q = "'";
                for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
                s = q + "'";
            }
            out += (out.empty() ? "" : " ") + s;
        }
        return out;
    }
    return "";
}

RunEntry run_entry(const RunInfo & r) {
    RunEntry e;
    e.id = r.id;
    e.status = r.status;
    e.created_at_ms = r.created_at_ms;
    e.finished_at_ms = r.finished_at_ms;
    e.resume_count = r.resume_count;
    e.git_sha = r.git_sha;
    e.harness_version = r.harness_version;
    e.host = r.host;
    e.cpu = r.cpu;
    e.gpu = r.gpu;
    e.suite_name = r.suite_name;
    e.config_json = r.config_json;
    e.config_hash = r.config_hash;
    e.dataset_hashes = r.dataset_hashes;
    e.prompt_template_hashes = r.prompt_template_hashes;
    e.seeds = r.seeds;
    e.price_table_date = r.price_table_date;
    e.shard_index = r.shard_index;
    e.shard_count = r.shard_count;
    e.merged_from_json = r.merged_from_json;
    e.command = command_from_config(r.config_json);
    return e;
}

// Display order of strata: the family's bands in their order, other labels by their smallest
// difficulty, then by name; "unknown" last.
std::vector<std::pair<std::string, int64_t>> order_strata(const DatasetState & d) {
    std::map<std::string, std::pair<double, int64_t>> by_label;  // label -> (min difficulty, items)
    for (size_t i = 0; i < d.stratum.size(); ++i) {
        auto [it, fresh] = by_label.try_emplace(d.stratum[i], std::numeric_limits<double>::infinity(), 0);
        if (d.difficulty[i] >= 0) it->second.first = std::min(it->second.first, d.difficulty[i]);
        ++it->second.second;
    }
    const auto & bands = difficulty_bands(d.entry.task_family);
    auto rank = [&](const std::string & label) -> std::pair<int, double> {
        if (label == kUnknownStratum) return {2, 0};
        for (size_t b = 0; b < bands.size(); ++b)
            if (bands[b].label == label) return {0, static_cast<double>(b)};
        return {1, by_label[label].first};
    };
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto & [label, v] : by_label) out.emplace_back(label, v.second);
    std::stable_sort(out.begin(), out.end(), [&](const auto & a, const auto & b) { return rank(a.first) < rank(b.first); });
    return out;
}

// The manifest of one run, by dataset (manifest order), with an index from (dataset, example id).
struct Manifest {
    std::vector<DatasetState> datasets;
    std::unordered_map<std::string, std::pair<size_t, size_t>> index;  // key(dataset, id) -> (dataset, local item)
    // The same by manifest position, when positions are unique and dense enough (the runner's
    // manifests are 0..n-1): one array access per attempt instead of a string hash.
    std::vector<std::pair<uint32_t, uint32_t>> by_position;  // (dataset + 1, local item); dataset 0 = none
    const std::pair<size_t, size_t> * find(const ItemRecord & it, std::pair<size_t, size_t> & out) const {
        if (!by_position.empty()) {
            if (it.position < 0 || it.position >= static_cast<int64_t>(by_position.size())) return nullptr;
            const auto & e = by_position[static_cast<size_t>(it.position)];
            if (e.first == 0) return nullptr;
            out = {e.first - 1, e.second};
            return &out;
        }
        auto f = index.find(key(it.dataset, it.example_id));
        if (f == index.end()) return nullptr;
        out = f->second;
        return &out;
    }
    std::string subset_hash;
    int64_t n_items = 0;
};

void build_position_index(const std::vector<ItemRecord> & items, Manifest & m) {
    const int64_t limit = 4 * static_cast<int64_t>(items.size()) + 1024;
    std::vector<std::pair<uint32_t, uint32_t>> idx;
    for (const auto & it : items) {
        auto f = m.index.find(key(it.dataset, it.example_id));
        if (it.position < 0 || it.position >= limit || f == m.index.end()) return;  // keep the hash lookup
        if (idx.size() <= static_cast<size_t>(it.position)) idx.resize(static_cast<size_t>(it.position) + 1, {0, 0});
        auto & e = idx[static_cast<size_t>(it.position)];
        if (e.first != 0) return;  // a duplicate position
        e = {static_cast<uint32_t>(f->second.first + 1), static_cast<uint32_t>(f->second.second)};
    }
    m.by_position = std::move(idx);
}

Manifest load_manifest(ResultsReader & reader, int64_t run) {
    Manifest m;
    std::vector<ItemRecord> items = reader.items(run);
    m.n_items = static_cast<int64_t>(items.size());
    std::vector<std::pair<std::string, std::string>> ids;
    ids.reserve(items.size());
    std::unordered_map<std::string, size_t> dataset_index;
    std::vector<std::map<std::string, size_t>> arc_task_index;  // per dataset: task id -> truths index
    for (const auto & it : items) {
        ids.emplace_back(it.dataset, it.example_id);
        auto [d_it, fresh] = dataset_index.try_emplace(it.dataset, m.datasets.size());
        if (fresh) {
            DatasetState d;
            d.entry.run_id = run;
            d.entry.task_family = it.task_family;
            d.entry.dataset = it.dataset;
            d.arc = it.task_family == "arc";
            m.datasets.push_back(std::move(d));
            arc_task_index.emplace_back();
        }
        size_t di = d_it->second;
        DatasetState & d = m.datasets[di];
        size_t local = d.stratum.size();
        if (!m.index.try_emplace(key(it.dataset, it.example_id), di, local).second) continue;  // duplicate row: ignore
        d.stratum.push_back(!it.stratum.empty() ? it.stratum : band_label(difficulty_bands(it.task_family), it.difficulty));
        d.difficulty.push_back(it.difficulty);
        ++d.entry.n_items;
        if (d.arc) {
            auto [t_it, new_task] = arc_task_index[di].try_emplace(it.group, d.truths.size());
            if (new_task) d.truths.push_back({it.group, {}});
            ArcTaskTruth & t = d.truths[t_it->second];
            if (it.index >= 0 && it.index < 100000) {
                if (t.outputs.size() <= static_cast<size_t>(it.index)) t.outputs.resize(static_cast<size_t>(it.index) + 1);
                t.outputs[static_cast<size_t>(it.index)] = it.target.value_or(Grid{});
            }
        }
    }
    build_position_index(items, m);
    for (auto & d : m.datasets) {
        d.entry.n_tasks = d.arc ? static_cast<int64_t>(d.truths.size()) : d.entry.n_items;
        d.entry.strata = order_strata(d);
    }
    m.subset_hash = item_subset_hash(ids);
    return m;
}

CellAcc new_cell(const Manifest & m, const std::string & solver, size_t dataset) {
    CellAcc c;
    c.dataset = dataset;
    c.solver = solver;
    size_t n = static_cast<size_t>(m.datasets[dataset].entry.n_items);
    c.present.assign(n, 0);
    c.correct.assign(n, 0);
    return c;
}

// Attempt 0's per-step correctness ("0011...", one character per ACT step run) and FLOPs.
void add_steps(StepAcc & c, std::string_view correct, double flops) {
    size_t n = correct.size();
    if (n == 0 || correct.find_first_not_of("01") != std::string_view::npos) return;  // not a step record: ignore
    c.max_steps = std::max(c.max_steps, n);
    if (c.correct.size() < n) c.correct.resize(n, 0), c.flops.resize(n, 0);
    if (c.halted_correct.size() <= n) c.halted_correct.resize(n + 1, 0), c.halted_flops.resize(n + 1, 0);
    for (size_t s = 0; s < n; ++s) c.correct[s] += correct[s] == '1';
    c.halted_correct[n] += correct.back() == '1';
    if (flops >= 0) {
        ++c.flops_known;
        for (size_t s = 0; s < n; ++s) c.flops[s] += flops * static_cast<double>(s + 1) / static_cast<double>(n);
        c.halted_flops[n] += flops;
    }
}

// Reads attempts.steps_correct of attempt 0 for every attempt of the run that has ACT steps.
// ResultsReader has no query for the per-step correctness alone: AttemptQuery::with_steps also
// parses every step's answer grid (about 50x the cost of the rest of the row, 40 s for 500k TRM
// rows), so this one narrow query goes through the results module's own SQL layer, read-only.
void scan_steps(const std::filesystem::path & db, int64_t run,
                const std::function<void(std::string_view solver, std::string_view dataset, std::string_view correct, double flops)> & fn) {
    results::ConnectionOptions o;
    o.access = results::Access::read_only;
    auto conn = results::open_results_db(db, o);
    sql::Statement st(*conn,
                      "SELECT s.name, i.dataset, a.steps_correct, a.flops FROM attempts a JOIN solvers s ON s.id = a.solver_id "
                      "JOIN items i ON i.id = a.item_id WHERE a.run_id = ? AND a.attempt = 0 AND a.steps_correct IS NOT NULL");
    st.bind(1, run);
    while (st.step()) fn(st.get_view(0), st.get_view(1), st.get_view(2), st.is_null(3) ? -1.0 : st.get_double(3));
}

void add_arc_answer(CellAcc & c, const AttemptRecord & a, const ItemRecord & it) {
    if (a.attempt < 0 || a.attempt >= kArcMaxK) return;
    auto [e_it, fresh] = c.entry_index.try_emplace({it.group, it.index}, c.entries.size());
    if (fresh) c.entries.push_back({it.group, it.index, {}});
    auto & attempts = c.entries[e_it->second].attempts;
    if (attempts.size() <= static_cast<size_t>(a.attempt)) attempts.resize(static_cast<size_t>(a.attempt) + 1);
    if (a.answer) attempts[static_cast<size_t>(a.attempt)] = *a.answer;
}

void add_attempt(CellAcc & c, const DatasetState & d, size_t local, const AttemptRecord & a, const ItemRecord & it) {
    ++c.n_attempts;
    c.max_attempt = std::max(c.max_attempt, a.attempt);
    auto o = static_cast<size_t>(a.outcome);
    if (o < c.outcomes.size()) ++c.outcomes[o];
    c.retries += a.retries;
    if (a.attempt >= 0 && a.attempt < kMaxK) {
        uint32_t bit = 1u << a.attempt;
        c.present[local] |= bit;
        if (a.correct()) c.correct[local] |= bit;
        for (const auto & m : a.measures) {
            auto pos = std::find(c.measure_names.begin(), c.measure_names.end(), m.name);
            size_t mi = static_cast<size_t>(pos - c.measure_names.begin());
            if (pos == c.measure_names.end()) {
                c.measure_names.push_back(m.name);
                c.measure_bits.emplace_back(c.present.size(), 0);
            }
            if (m.value) c.measure_bits[mi][local] |= bit;
        }
    }
    c.flops.add(a.compute.flops, a.compute.flops_estimated);
    c.wall.add(a.compute.wall_ms);
    c.device.add(a.compute.device_ms);
    c.input.add(static_cast<double>(a.usage.input_tokens));
    c.output.add(static_cast<double>(a.usage.output_tokens));
    c.reasoning.add(static_cast<double>(a.usage.reasoning_tokens));
    c.cost.add(a.usage.cost_usd);
    if (a.compute.act_steps >= 0) c.act_sum += a.compute.act_steps, ++c.act_known;
    if (d.arc) add_arc_answer(c, a, it);
}

uint32_t mask_below(int k) { return k >= kMaxK ? 0xFFFFFFFFu : (1u << k) - 1; }

std::vector<StepPoint> finish_steps(const StepAcc & c) {
    std::vector<StepPoint> out;
    int64_t carried = 0;
    double carried_flops = 0;
    for (size_t s = 0; s < c.max_steps; ++s) {
        // Attempts that ran exactly s steps stop here: their last value holds from step s + 1 on.
        if (s < c.halted_correct.size()) carried += c.halted_correct[s], carried_flops += c.halted_flops[s];
        StepPoint p;
        p.step = static_cast<int>(s + 1);
        p.correct = c.correct[s] + carried;
        if (c.flops_known > 0) p.flops_per_puzzle = (c.flops[s] + carried_flops) / static_cast<double>(c.flops_known);
        out.push_back(p);
    }
    return out;
}

void finish_arc(Cell & cell, const CellAcc & c, const DatasetState & d, int64_t run, std::vector<SubmissionEntry> & subs) {
    // Scored from the answers alone, so that tasks without any attempt count as missing (and 0);
    // the file written for official tools lists every task and pair of the set.
    ArcSubmission answered = make_arc_submission(c.entries);
    ArcConventionScores scores{score_arc_submission(d.truths, answered, 1), score_arc_submission(d.truths, answered, 2)};
    ArcSubmission sub = make_arc_submission(c.entries, d.truths);
    const ArcScore & head = cell.k >= 2 ? scores.pass2 : scores.pass1;
    cell.accuracy = head.arc_prize;
    cell.denominator = head.tasks;
    cell.unit = "tasks";
    cell.ci = wilson_interval(head.arc_prize * head.tasks, head.tasks);
    cell.metric = "ARC Prize per-task, pass@" + std::to_string(head.k);
    cell.arc = std::move(scores);
    SubmissionEntry e;
    e.run_id = run;
    e.solver = c.solver;
    e.dataset = d.entry.dataset;
    e.file_name = "submissions/run" + std::to_string(run) + "_" + fmt::slug(c.solver) + "_" + fmt::slug(d.entry.dataset) + ".json";
    e.submission = std::move(sub);
    subs.push_back(std::move(e));
}

Cell finish_cell(const CellAcc & c, const DatasetState & d, int64_t run, std::vector<SubmissionEntry> & subs) {
    Cell cell;
    cell.run_id = run;
    cell.solver = c.solver;
    cell.task_family = d.entry.task_family;
    cell.dataset = d.entry.dataset;
    cell.k = std::clamp(c.max_attempt + 1, 1, d.arc ? kArcMaxK : kMaxK);
    const uint32_t mask = mask_below(cell.k);
    cell.n_items = d.entry.n_items;
    cell.n_attempts = c.n_attempts;
    int64_t slots_filled = 0;
    std::map<std::string, ReportStratum> strata;
    for (const auto & [label, n] : d.entry.strata) strata[label] = {label, n, 0};
    for (size_t i = 0; i < c.present.size(); ++i) {
        bool right = (c.correct[i] & mask) != 0;
        cell.n_items_attempted += c.present[i] != 0;
        cell.n_items_correct += right;
        cell.n_items_correct_pass1 += (c.correct[i] & 1u) != 0;
        slots_filled += std::popcount(c.present[i] & mask);
        strata[d.stratum[i]].correct += right;
    }
    cell.missing_attempts = cell.n_items * cell.k - slots_filled;
    cell.outcomes = c.outcomes;
    cell.retries = c.retries;
    for (const auto & [label, n] : d.entry.strata) cell.strata.push_back(strata[label]);
    for (size_t m = 0; m < c.measure_names.size(); ++m) {
        MeasureCount mc{c.measure_names[m], 0};
        for (uint32_t bits : c.measure_bits[m]) mc.items_true += (bits & mask) != 0;
        cell.measures.push_back(mc);
    }
    int64_t attempted = cell.n_items_attempted;
    cell.flops = c.flops.per_puzzle(c.n_attempts, attempted);
    cell.wall_ms = c.wall.per_puzzle(c.n_attempts, attempted);
    cell.device_ms = c.device.per_puzzle(c.n_attempts, attempted);
    cell.input_tokens = c.input.per_puzzle(c.n_attempts, attempted);
    cell.output_tokens = c.output.per_puzzle(c.n_attempts, attempted);
    cell.reasoning_tokens = c.reasoning.per_puzzle(c.n_attempts, attempted);
    cell.cost_usd = c.cost.per_puzzle(c.n_attempts, attempted);
    if (c.cost.known + c.superseded_cost_known > 0) cell.total_cost_usd = c.cost.sum + c.superseded_cost;
    if (c.act_known > 0) cell.act_steps_mean = c.act_sum / static_cast<double>(c.act_known);
    cell.steps = finish_steps(c.steps);
    std::string headline = c.measure_names.empty() ? "correct" : c.measure_names.front();
    cell.metric = headline + ", pass@" + std::to_string(cell.k);
    cell.accuracy = cell.n_items > 0 ? static_cast<double>(cell.n_items_correct) / static_cast<double>(cell.n_items) : 0;
    cell.denominator = static_cast<double>(cell.n_items);
    cell.ci = wilson_interval(static_cast<double>(cell.n_items_correct), static_cast<double>(cell.n_items));
    if (d.arc) finish_arc(cell, c, d, run, subs);
    return cell;
}

// The attempts of one solver: one cell per dataset, read on its own connection.
struct SolverPass {
    std::string solver;
    std::vector<CellAcc> cells;
    std::vector<int> cell_of_dataset;  // manifest dataset -> index in cells, -1 none
};

void read_solver(const std::filesystem::path & db, int64_t run, const Manifest & m, SolverPass & pass, std::atomic<int64_t> & seen) {
    ResultsReader reader(db);
    pass.cell_of_dataset.assign(m.datasets.size(), -1);
    // Rows come in (item, attempt) order: consecutive rows usually share the item and the cell.
    int64_t last_position = -1;
    std::string last_dataset;
    std::pair<size_t, size_t> where{0, 0};
    bool where_ok = false;
    int64_t local = 0;
    AttemptQuery q(run, pass.solver, "", /*with_text=*/false, /*with_steps=*/false, /*with_targets=*/false);
    reader.for_each_attempt(q, [&](const AttemptRecord & a, const ItemRecord & it) {
        if ((++local & 4095) == 0) seen += 4096;
        if (m.by_position.empty() || it.position != last_position || it.dataset != last_dataset) {
            where_ok = m.find(it, where) != nullptr;
            last_position = it.position;
            last_dataset = it.dataset;
        }
        if (!where_ok) return;  // an attempt for an item outside the manifest cannot be counted
        int & ci = pass.cell_of_dataset[where.first];
        if (ci < 0) {
            ci = static_cast<int>(pass.cells.size());
            pass.cells.push_back(new_cell(m, pass.solver, where.first));
        }
        add_attempt(pass.cells[static_cast<size_t>(ci)], m.datasets[where.first], where.second, a, it);
    });
    seen += local & 4095;
}

// Runs the tasks on up to `threads` worker threads while the calling thread shows progress.
// The first exception of any task is rethrown after all have finished.
void run_parallel(std::vector<std::function<void()>> & tasks, int threads, Progress & progress, const std::atomic<int64_t> & seen) {
    std::atomic<size_t> next{0};
    std::atomic<int> running{0};
    std::vector<std::exception_ptr> errors(tasks.size());
    auto worker = [&] {
        for (size_t t; (t = next++) < tasks.size();) {
            try {
                tasks[t]();
            } catch (...) {
                errors[t] = std::current_exception();
            }
        }
        --running;
    };
    int n = std::clamp(threads, 1, static_cast<int>(tasks.size()));
    running = n;
    std::vector<std::thread> pool;
    for (int i = 0; i < n; ++i) pool.emplace_back(worker);
    while (running > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        progress.update(seen);
    }
    for (auto & t : pool) t.join();
    for (auto & e : errors)
        if (e) std::rethrow_exception(e);
}

// The run's training curves, one per (series, metric); the reader returns them ordered by series,
// name and step.
void collect_train_curves(ResultsReader & reader, int64_t run, ReportData & data) {
    TrainCurve * curve = nullptr;
    for (const auto & m : reader.train_metrics(run)) {
        if (!curve || curve->series != m.series || curve->name != m.name) {
            data.train_curves.push_back({run, m.series, m.name, {}, 0});
            curve = &data.train_curves.back();
        }
        if (std::isfinite(m.value) && std::isfinite(m.wall_time_s))
            curve->points.push_back({m.step, m.wall_time_s, m.value});
        else
            ++curve->dropped;
    }
}

void collect_run(ResultsReader & reader, int64_t run, const CollectOptions & opts, ReportData & data) {
    std::optional<RunInfo> info = reader.run(run);
    if (!info) throw UsageError("run " + std::to_string(run) + ": no such run in " + reader.path().string());
    RunEntry entry = run_entry(*info);
    Manifest m = load_manifest(reader, run);
    entry.n_items = m.n_items;
    entry.item_subset_hash = m.subset_hash;
    data.runs.push_back(entry);
    std::vector<SolverInfo> solvers = reader.solvers(run);
    for (const auto & s : solvers) data.solvers.push_back({run, s});
    for (const auto & d : m.datasets) data.datasets.push_back(d.entry);
    collect_train_curves(reader, run, data);

    // One pass per solver and one over the ACT steps, in parallel: each has its own read-only
    // connection and its own cells, so the result does not depend on the number of threads.
    Progress progress("report run " + std::to_string(run), reader.count_attempts(run));
    progress.set_quiet(opts.quiet);
    std::atomic<int64_t> seen{0};
    std::vector<SolverPass> passes(solvers.size());
    std::map<std::string, StepAcc> steps;  // key(solver, dataset)
    std::vector<std::function<void()>> tasks;
    tasks.push_back([&] {
        std::string last;
        StepAcc * acc = nullptr;
        scan_steps(reader.path(), run, [&](std::string_view solver, std::string_view dataset, std::string_view correct, double flops) {
            std::string k = key(std::string(solver), std::string(dataset));
            if (!acc || k != last) last = k, acc = &steps[k];
            add_steps(*acc, correct, flops);
        });
    });
    for (size_t i = 0; i < solvers.size(); ++i) {
        passes[i].solver = solvers[i].name;
        tasks.push_back([&, i] { read_solver(reader.path(), run, m, passes[i], seen); });
    }
    run_parallel(tasks, opts.threads > 0 ? opts.threads : cpu_cores(), progress, seen);
    progress.finish();

    // Retried attempts that were replaced still cost money.
    std::map<std::string, std::pair<double, int64_t>> superseded;  // key(solver, dataset) -> (dollars, attempts)
    for (const auto & a : reader.superseded_attempts(run)) {
        if (a.usage.cost_usd < 0) continue;
        auto & s = superseded[key(a.solver, a.dataset)];
        s.first += a.usage.cost_usd;
        ++s.second;
    }
    // Cells in solver registration order, then manifest dataset order.
    for (auto & pass : passes)
        for (size_t d = 0; d < m.datasets.size(); ++d) {
            if (pass.cell_of_dataset.empty() || pass.cell_of_dataset[d] < 0) continue;
            CellAcc & c = pass.cells[static_cast<size_t>(pass.cell_of_dataset[d])];
            std::string k = key(pass.solver, m.datasets[d].entry.dataset);
            if (auto st = steps.find(k); st != steps.end()) c.steps = std::move(st->second);
            if (auto sc = superseded.find(k); sc != superseded.end()) c.superseded_cost = sc->second.first, c.superseded_cost_known = sc->second.second;
            data.cells.push_back(finish_cell(c, m.datasets[d], run, data.submissions));
        }
}

}  // namespace

std::string item_subset_hash(const std::vector<std::pair<std::string, std::string>> & ids) {
    Sha256 h;
    for (const auto & [dataset, example] : ids) {
        h.update(dataset);
        h.update("\t");
        h.update(example);
        h.update("\n");
    }
    return h.hex_digest();
}

ReportData collect_report(ResultsReader & reader, const std::vector<int64_t> & runs, const CollectOptions & opts) {
    ReportData data;
    data.db_label = opts.db_label.empty() ? reader.path().string() : opts.db_label;
    for (int64_t run : runs) {
        try {
            collect_run(reader, run, opts, data);
        } catch (const UsageError &) {
            throw;
        } catch (...) {
            rethrow_with_context("reading run " + std::to_string(run) + " of " + reader.path().string());
        }
    }
    return data;
}

}  // namespace trmbench
