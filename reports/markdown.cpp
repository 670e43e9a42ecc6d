// markdown: see markdown.h.
#include "reports/markdown.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include "harness/core/sha256.h"
#include "reports/format.h"
#include "reports/published.h"

namespace trmbench {
namespace {

// ---- a markdown table ---------------------------------------------------------------------------

class Table {
public:
    // A header ending in ':' is right-aligned (numbers); the ':' is not printed.
    explicit Table(std::vector<std::string> headers) {
        for (auto & h : headers) {
            bool right = !h.empty() && h.back() == ':';
            if (right) h.pop_back();
            right_.push_back(right);
            headers_.push_back(h);
        }
    }
    void row(std::vector<std::string> cells) {
        cells.resize(headers_.size());
        rows_.push_back(std::move(cells));
    }
    bool empty() const { return rows_.empty(); }
    std::string str() const {
        std::string out = "|";
        for (const auto & h : headers_) out += " " + h + " |";
        out += "\n|";
        for (bool r : right_) out += r ? "---:|" : "---|";
        out += "\n";
        for (const auto & r : rows_) {
            out += "|";
            for (const auto & c : r) out += " " + c + " |";
            out += "\n";
        }
        return out;
    }

private:
    std::vector<std::string> headers_;
    std::vector<bool> right_;
    std::vector<std::vector<std::string>> rows_;
};

// ---- SummaryRecord by field name ------------------------------------------------------------------

class RecordView {
public:
    explicit RecordView(const SummaryRecord & r) : values_(r.values()) {}
    const ReportValue & get(std::string_view name) const {
        static const std::map<std::string_view, size_t> index = [] {
            std::map<std::string_view, size_t> m;
            const auto & f = SummaryRecord::fields();
            for (size_t i = 0; i < f.size(); ++i) m[f[i].name] = i;
            return m;
        }();
        static const ReportValue null;
        auto it = index.find(name);
        return it == index.end() || it->second >= values_.size() ? null : values_[it->second];
    }
    double real(std::string_view name) const {
        const auto & v = get(name);
        if (auto d = std::get_if<double>(&v)) return *d;
        if (auto i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
        return -1;
    }
    int64_t integer(std::string_view name) const {
        const auto & v = get(name);
        if (auto i = std::get_if<int64_t>(&v)) return *i;
        if (auto d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
        return -1;
    }
    bool flag(std::string_view name) const { return integer(name) > 0; }
    std::string text(std::string_view name) const {
        const auto & v = get(name);
        if (auto s = std::get_if<std::string>(&v)) return *s;
        return "";
    }
    Quantity quantity(std::string_view value, std::string_view estimated, std::string_view partial) const {
        Quantity q;
        q.value = real(value);
        q.estimated = !estimated.empty() && flag(estimated);
        q.partial = !partial.empty() && flag(partial);
        return q;
    }

private:
    std::vector<ReportValue> values_;
};

std::string count_or_unknown(int64_t v) { return v < 0 ? fmt::kUnknown : fmt::count(v); }

std::string ratio(int64_t x, int64_t n) {
    if (n <= 0) return fmt::kUnknown;
    return fmt::percent(static_cast<double>(x) / static_cast<double>(n)) + " (" + fmt::count(x) + "/" + fmt::count(n) + ")";
}

std::string params_text(const RecordView & r) {
    int64_t n = r.integer("n_params"), active = r.integer("active_params");
    std::string s = fmt::si_count(static_cast<double>(n));
    if (active > 0 && active != n) s += " (" + fmt::si_count(static_cast<double>(active)) + " active)";
    return s;
}

std::string denominator_text(const RecordView & r) {
    double n = r.real("n");
    return fmt::count(static_cast<int64_t>(n + 0.5)) + " " + r.text("unit");
}

// ---- sections -------------------------------------------------------------------------------------

std::string header(const ReportData & data, const MarkdownOptions & opts) {
    std::string out;
    if (data.runs.size() == 1) {
        const RunEntry & r = data.runs.front();
        out += "# trmbench report: run " + std::to_string(r.id) + (r.suite_name.empty() ? "" : " (" + fmt::md_cell(r.suite_name) + ")") + "\n\n";
    } else {
        std::string ids;
        for (const auto & r : data.runs) ids += (ids.empty() ? "" : ", ") + std::to_string(r.id);
        out += "# trmbench report: runs " + ids + " compared\n\n";
    }
    out += "Generated from the results database " + fmt::md_code(data.db_label) + " alone";
    if (!opts.generator.empty()) out += " by " + fmt::md_cell(opts.generator);
    out += ".\n\n";
    for (const auto & r : data.runs) {
        out += "- Run " + std::to_string(r.id) + ": " + r.status + ", started " + fmt::utc_time(r.created_at_ms) + ", finished " +
               fmt::utc_time(r.finished_at_ms) + ", " + fmt::count(r.n_items) + " items";
        if (r.resume_count > 0) out += ", resumed " + std::to_string(r.resume_count) + "\xC3\x97";
        out += ".\n";
    }
    for (const auto & r : data.runs)
        if (r.status != "completed")
            out += "\n> **Run " + std::to_string(r.id) + " is " + r.status +
                   ":** items without answers count as wrong; the outcome table shows how many are missing.\n";
    out += "\n";
    return out;
}

std::string summary_section(const ReportData & data) {
    std::string out = "## Summary\n\n";
    out += "Accuracy is over the run's whole item set: an item without a stored answer counts as wrong (the Outcomes table "
           "shows how many). The interval is the 95% Wilson score interval over n. Per-puzzle figures are means over the "
           "attempted puzzles, all attempts of a puzzle included.\n\n";
    std::vector<std::string> h = {"solver", "dataset", "metric", "accuracy:", "95% CI:", "n:", "params:", "FLOPs/puzzle:",
                                  "wall/puzzle:", "tokens in / out / reasoning per puzzle:", "$/puzzle:"};
    if (data.multi_run()) h.insert(h.begin(), "run:");
    Table t(h);
    bool any_est = false, any_partial = false;
    for (const auto & rec : summary_records(data)) {
        RecordView r(rec);
        Quantity flops = r.quantity("flops_per_puzzle", "flops_estimated", "flops_partial");
        Quantity wall = r.quantity("wall_ms_per_puzzle", "", "wall_partial");
        bool tp = r.flag("tokens_partial");
        Quantity in = r.quantity("input_tokens_per_puzzle", "", ""), outq = r.quantity("output_tokens_per_puzzle", "", ""),
                 rs = r.quantity("reasoning_tokens_per_puzzle", "", "");
        Quantity cost = r.quantity("cost_usd_per_puzzle", "", "cost_partial");
        any_est |= flops.estimated;
        any_partial |= flops.partial || wall.partial || tp || cost.partial;
        std::string tokens = fmt::quantity(in, fmt::QuantityKind::tokens) + " / " + fmt::quantity(outq, fmt::QuantityKind::tokens) +
                             " / " + fmt::quantity(rs, fmt::QuantityKind::tokens);
        if (tp && (in.known() || outq.known() || rs.known())) tokens += fmt::kPartial;
        Interval ci{r.real("ci95_low"), r.real("ci95_high")};
        std::vector<std::string> row = {fmt::md_cell(r.text("solver")),
                                        fmt::md_code(r.text("dataset")),
                                        fmt::md_cell(r.text("metric")),
                                        fmt::percent(r.real("accuracy")),
                                        fmt::interval(ci),
                                        denominator_text(r),
                                        params_text(r),
                                        fmt::quantity(flops, fmt::QuantityKind::flops),
                                        fmt::quantity(wall, fmt::QuantityKind::duration_ms),
                                        tokens,
                                        fmt::quantity(cost, fmt::QuantityKind::dollars)};
        if (data.multi_run()) row.insert(row.begin(), std::to_string(r.integer("run_id")));
        t.row(row);
    }
    out += t.str() + "\n";
    out += "\xE2\x80\x93 unknown (not recorded, never guessed)";
    if (any_est) out += " \xC2\xB7 ~ estimate (LLM FLOPs from 2 \xC3\x97 active parameters \xC3\x97 tokens)";
    if (any_partial) out += " \xC2\xB7 \xE2\x80\xA0 known for only some attempts: the mean over those, times attempts per puzzle";
    out += ".\n\n";
    return out;
}

std::string outcomes_section(const ReportData & data) {
    std::string out = "## Outcomes\n\n";
    out += "Counts of attempts by outcome. Everything but a correct grid counts as wrong; missing items (no stored attempt) "
           "and missing attempts (item \xC3\x97 k slots without a record) are wrong too. API error = rate limited + quota + "
           "other HTTP/provider errors. Total $ includes attempts that were retried and replaced.\n\n";
    std::vector<std::string> h = {"solver",  "dataset",   "items:",  "missing items:", "attempts:", "missing attempts:",
                                  "ok:",     "truncated:", "parse error:", "refused:",  "API error:", "timeout:",
                                  "error:",  "skipped:",  "retries:", "total $:"};
    if (data.multi_run()) h.insert(h.begin(), "run:");
    Table t(h);
    for (const auto & rec : summary_records(data)) {
        RecordView r(rec);
        int64_t api = r.integer("outcome_rate_limited") + r.integer("outcome_quota_exhausted") + r.integer("outcome_http_error");
        std::vector<std::string> row = {fmt::md_cell(r.text("solver")),
                                        fmt::md_code(r.text("dataset")),
                                        count_or_unknown(r.integer("n_items")),
                                        count_or_unknown(r.integer("n_items_missing")),
                                        count_or_unknown(r.integer("n_attempts")),
                                        count_or_unknown(r.integer("missing_attempts")),
                                        count_or_unknown(r.integer("outcome_ok")),
                                        count_or_unknown(r.integer("outcome_truncated")),
                                        count_or_unknown(r.integer("outcome_parse_error")),
                                        count_or_unknown(r.integer("outcome_refused")),
                                        count_or_unknown(api),
                                        count_or_unknown(r.integer("outcome_timeout")),
                                        count_or_unknown(r.integer("outcome_error")),
                                        count_or_unknown(r.integer("outcome_skipped")),
                                        count_or_unknown(r.integer("retries")),
                                        fmt::dollars(r.real("total_cost_usd"))};
        if (data.multi_run()) row.insert(row.begin(), std::to_string(r.integer("run_id")));
        t.row(row);
    }
    return out + t.str() + "\n";
}

std::vector<std::string> datasets_in_order(const ReportData & data) {
    std::vector<std::string> out;
    for (const auto & c : data.cells)
        if (std::find(out.begin(), out.end(), c.dataset) == out.end()) out.push_back(c.dataset);
    return out;
}

std::string cell_name(const ReportData & data, const Cell & c) {
    return data.multi_run() ? fmt::md_cell(c.solver) + " (run " + std::to_string(c.run_id) + ")" : fmt::md_cell(c.solver);
}

std::string figures_section(const ReportData & data, const std::vector<FigureFile> & figures) {
    std::string out = "## Accuracy versus compute\n\n";
    out += "One figure per dataset and x quantity. Filled markers are measured here (bars: 95% Wilson interval); hollow "
           "markers are published numbers, never mixed with measured ones. Solvers without a value on the x axis sit in a "
           "strip beside the plot instead of being left out.\n\n";
    int n = 0;
    for (const auto & ds : datasets_in_order(data)) {
        out += "### " + fmt::md_cell(ds) + "\n\n";
        for (const auto & f : figures) {
            if (f.dataset != ds) continue;
            ++n;
            out += "![" + fmt::md_cell(f.alt) + "](" + f.file_name + ")\n\n";
            out += "*Figure " + std::to_string(n) + ".* " + fmt::md_cell(f.caption) + "\n\n";
        }
    }
    return out;
}

std::string steps_section(const ReportData & data) {
    std::string out;
    for (const auto & ds : datasets_in_order(data)) {
        std::vector<const Cell *> cells;
        size_t max_steps = 0;
        for (const auto & c : data.cells)
            if (c.dataset == ds && !c.steps.empty()) cells.push_back(&c), max_steps = std::max(max_steps, c.steps.size());
        if (cells.empty()) continue;
        out += "### " + fmt::md_cell(ds) + "\n\n";
        std::vector<std::string> h = {"ACT step:"};
        for (const Cell * c : cells) {
            h.push_back(cell_name(data, *c) + " accuracy:");
            h.push_back("FLOPs/puzzle:");
        }
        Table t(h);
        for (size_t s = 0; s < max_steps; ++s) {
            std::vector<std::string> row = {std::to_string(s + 1)};
            for (const Cell * c : cells) {
                if (s < c->steps.size()) {
                    row.push_back(ratio(c->steps[s].correct, c->n_items));
                    row.push_back(fmt::flops(c->steps[s].flops_per_puzzle));
                } else {
                    row.push_back(fmt::kUnknown);
                    row.push_back(fmt::kUnknown);
                }
            }
            t.row(row);
        }
        out += t.str() + "\n";
    }
    if (out.empty()) return "";
    return "## Accuracy by ACT step\n\nFirst attempt of the recursive models (TRM, HRM) after each ACT step, from the per-step "
           "predictions recorded in the same run; an item that halted earlier keeps its last answer. FLOPs up to step s are the "
           "attempt's FLOPs \xC3\x97 s / steps run. Denominator: the run's items of the dataset.\n\n" +
           out;
}

std::string strata_section(const ReportData & data) {
    std::string out;
    for (const auto & ds : datasets_in_order(data)) {
        std::vector<const Cell *> cells;
        for (const auto & c : data.cells)
            if (c.dataset == ds && !c.strata.empty()) cells.push_back(&c);
        if (cells.empty()) continue;
        // Columns: the strata of the first run that has this dataset (every run lists all its strata).
        const DatasetEntry * entry = data.dataset(cells.front()->run_id, ds);
        if (!entry || entry->strata.size() < 2) continue;
        out += "### " + fmt::md_cell(ds) + "\n\n";
        std::vector<std::string> h = {"solver"};
        for (const auto & [label, n] : entry->strata) h.push_back(fmt::md_cell(label) + " (n=" + fmt::count(n) + "):");
        Table t(h);
        for (const Cell * c : cells) {
            std::vector<std::string> row = {cell_name(data, *c)};
            for (const auto & [label, n] : entry->strata) {
                auto it = std::find_if(c->strata.begin(), c->strata.end(), [&](const ReportStratum & s) { return s.label == label; });
                row.push_back(it == c->strata.end() ? fmt::kUnknown : ratio(it->correct, it->items));
            }
            t.row(row);
        }
        out += t.str() + "\n";
    }
    if (out.empty()) return "";
    return "## Accuracy by difficulty\n\nHeadline accuracy (pass@k) per difficulty stratum: the subset's strata when the run "
           "was stratified, else Sudoku rating bands (tdoku rating: 0, 1-9, 10-29, 30-59, 60+) and maze shortest-path length "
           "bands. Items of unknown difficulty form their own column.\n\n" +
           out;
}

std::string measures_section(const ReportData & data) {
    std::string out;
    for (const auto & ds : datasets_in_order(data)) {
        std::vector<std::string> names;
        for (const auto & c : data.cells)
            if (c.dataset == ds)
                for (const auto & m : c.measures)
                    if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
        if (names.size() < 2) continue;
        out += "### " + fmt::md_cell(ds) + "\n\n";
        std::vector<std::string> h = {"solver"};
        for (const auto & n : names) h.push_back(fmt::md_cell(n) + ":");
        Table t(h);
        for (const auto & c : data.cells) {
            if (c.dataset != ds) continue;
            std::vector<std::string> row = {cell_name(data, c)};
            for (const auto & n : names) {
                auto it = std::find_if(c.measures.begin(), c.measures.end(), [&](const MeasureCount & m) { return m.name == n; });
                row.push_back(it == c.measures.end() ? fmt::kUnknown : ratio(it->items_true, c.n_items));
            }
            t.row(row);
        }
        out += t.str() + "\n";
    }
    if (out.empty()) return "";
    return "## Scoring measures\n\nEvery measure the task's scorer reports, side by side (pass@k over the run's items). For "
           "Maze-Hard: exact = the labelled path (the papers' metric), valid = a connected start-to-goal path through open "
           "cells, optimal = valid and as short as the shortest path; mazes have many shortest paths, so exact < optimal is "
           "expected.\n\n" +
           out;
}

std::string arc_section(const ReportData & data) {
    Table t({"solver", "dataset", "tasks:", "test outputs:", "ARC Prize pass@1:", "ARC Prize pass@2:", "strict pass@1:",
             "strict pass@2:", "per output pass@1:", "per output pass@2:", "missing tasks:", "submission"});
    for (const auto & c : data.cells) {
        if (!c.arc) continue;
        const ArcScore & p1 = c.arc->pass1;
        const ArcScore & p2 = c.arc->pass2;
        std::string sub = fmt::kUnknown;
        for (const auto & s : data.submissions)
            if (s.run_id == c.run_id && s.solver == c.solver && s.dataset == c.dataset) sub = "[json](" + s.file_name + ")";
        t.row({cell_name(data, c), fmt::md_code(c.dataset), fmt::count(p2.tasks), fmt::count(p2.test_outputs),
               fmt::percent(p1.arc_prize), fmt::percent(p2.arc_prize), fmt::percent(p1.strict), fmt::percent(p2.strict),
               fmt::percent(p1.per_output), fmt::percent(p2.per_output), fmt::count(p2.missing_tasks), sub});
    }
    if (t.empty()) return "";
    return "## ARC-AGI scoring conventions\n\nAll three conventions over the whole task set (a task without an answer counts "
           "0): **ARC Prize** = mean over tasks of the fraction of its test inputs solved (arc-agi-benchmarking and TRM; the "
           "default and the headline above); **strict** = a task counts only if all its test inputs are solved (ARC READMEs, "
           "HRM); **per output** = solved test outputs / all test outputs (Kaggle text). pass@k: one of attempts 1..k equals "
           "the output exactly. Each submission file is in ARC Prize format and can be scored by `trmbench score arc` or the "
           "official tools.\n\n" +
           t.str() + "\n";
}

// A training metric's value: four significant digits ("0.3127", "1.25e+04").
std::string metric_value(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

std::string train_table(const ReportData & data, int64_t run) {
    Table t({"series", "metric", "points:", "steps", "wall time:", "first:", "last:", "min:", "max:"});
    for (const auto & c : data.train_curves) {
        if (c.run_id != run) continue;
        std::string points = fmt::count(static_cast<int64_t>(c.points.size()));
        if (c.dropped > 0) points += " (+" + fmt::count(c.dropped) + " non-finite)";
        if (c.points.empty()) {
            t.row({fmt::md_cell(c.series), fmt::md_cell(c.name), points});
            continue;
        }
        double mn = c.points.front().value, mx = mn;
        for (const auto & p : c.points) mn = std::min(mn, p.value), mx = std::max(mx, p.value);
        t.row({c.series.empty() ? "training" : fmt::md_cell(c.series), fmt::md_cell(c.name), points,
               fmt::count(c.points.front().step) + "\xE2\x80\x93" + fmt::count(c.points.back().step),
               fmt::duration_ms(1000 * c.points.back().wall_time_s), metric_value(c.points.front().value),
               metric_value(c.points.back().value), metric_value(mn), metric_value(mx)});
    }
    return t.str();
}

std::string training_section(const ReportData & data, const std::vector<FigureFile> & figures) {
    if (data.train_curves.empty()) return "";
    std::string out = "## Training curves\n\nAs the trainer stored them in the results database (train_metrics): every metric "
                      "of every training series, against the optimiser step. Wall time: since training start, at the last point.\n\n";
    int n = static_cast<int>(std::count_if(figures.begin(), figures.end(), [](const FigureFile & f) { return f.kind != "train"; }));
    for (const auto & r : data.runs) {
        if (std::none_of(data.train_curves.begin(), data.train_curves.end(), [&](const TrainCurve & c) { return c.run_id == r.id; }))
            continue;
        out += "### Run " + std::to_string(r.id) + "\n\n" + train_table(data, r.id) + "\n";
        std::string prefix = "figures/run" + std::to_string(r.id) + "_train_";
        for (const auto & f : figures) {
            if (f.kind != "train" || f.file_name.rfind(prefix, 0) != 0) continue;
            ++n;
            out += "![" + fmt::md_cell(f.alt) + "](" + f.file_name + ")\n\n";
            out += "*Figure " + std::to_string(n) + ".* " + fmt::md_cell(f.caption) + "\n\n";
        }
    }
    return out;
}

std::string published_section() {
    const PublishedBenchmark order[] = {PublishedBenchmark::sudoku_extreme, PublishedBenchmark::maze_hard,
                                        PublishedBenchmark::arc_agi_1, PublishedBenchmark::arc_agi_2};
    std::vector<std::string> methods;
    for (const auto & r : published_results())
        if (std::find(methods.begin(), methods.end(), r.method) == methods.end()) methods.push_back(r.method);
    std::vector<std::string> h = {"method", "params"};
    for (auto b : order) h.push_back(std::string(published_benchmark_name(b)) + ":");
    h.push_back("source");
    Table t(h);
    for (const auto & m : methods) {
        std::vector<std::string> params, sources;
        std::vector<std::string> row = {fmt::md_cell(m), ""};
        for (auto b : order) {
            std::string cell = "\xC2\xB7";
            for (const auto & r : published_results())
                if (r.method == m && r.benchmark == b) {
                    char buf[32];
                    std::snprintf(buf, sizeof buf, "%.1f%%", r.accuracy_pct);
                    cell = buf;
                    if (std::find(params.begin(), params.end(), r.params_text) == params.end()) params.push_back(r.params_text);
                    if (std::find(sources.begin(), sources.end(), r.source) == sources.end()) sources.push_back(r.source);
                }
            row.push_back(cell);
        }
        std::string p;
        for (const auto & x : params) p += (p.empty() ? "" : " / ") + x;
        row[1] = fmt::md_cell(p);
        std::string s;
        for (const auto & x : sources) s += (s.empty() ? "" : ", ") + x;
        row.push_back(s);
        t.row(row);
    }
    return "## Published reference numbers\n\nFrom the TRM paper (Jolicoeur-Martineau 2025, \"Less is More: Recursive "
           "Reasoning with Tiny Networks\"): Table 4 (% test accuracy) and Table 5 (% test accuracy, 2 tries). They were "
           "measured on the full test sets, not on this report's items, and are shown for reference only (hollow markers in "
           "the figures). \xC2\xB7 = not in that table. TRM-MLP has 5M parameters on Sudoku and 19M on Maze and ARC.\n\n" +
           t.str() + "\n";
}

std::string seeds_text(const std::map<std::string, uint64_t> & seeds) {
    if (seeds.empty()) return fmt::kUnknown;
    std::string s;
    for (const auto & [k, v] : seeds) s += (s.empty() ? "" : ", ") + k + "=" + std::to_string(v);
    return fmt::md_cell(s);
}

std::string or_unknown(const std::string & s) { return s.empty() ? fmt::kUnknown : fmt::md_cell(s); }
std::string code_or_unknown(const std::string & s) { return s.empty() ? fmt::kUnknown : fmt::md_code(s); }

// A fenced code block whose fence is longer than any backtick run in the content.
std::string fenced(const std::string & content, const std::string & info) {
    size_t longest = 0, run = 0;
    for (char c : content) longest = std::max(longest, run = c == '`' ? run + 1 : 0);
    std::string fence(std::max<size_t>(3, longest + 1), '`');
    return fence + info + "\n" + content + (content.empty() || content.back() == '\n' ? "" : "\n") + fence + "\n";
}

std::string reproducibility_section(const ReportData & data, const MarkdownOptions & opts) {
    std::string out = "## Reproducibility\n\n";
    if (!opts.report_command.empty()) out += "This report: " + fmt::md_code(opts.report_command) + "\n\n";
    for (const auto & r : data.runs) {
        out += "### Run " + std::to_string(r.id) + "\n\n";
        Table t({"", ""});
        t.row({"command", r.command.empty() ? "not recorded in the database" : fmt::md_code(r.command)});
        t.row({"status", fmt::md_cell(r.status) + (r.resume_count ? ", resumed " + std::to_string(r.resume_count) + "\xC3\x97" : "")});
        t.row({"started / finished", fmt::utc_time(r.created_at_ms) + " / " + fmt::utc_time(r.finished_at_ms)});
        t.row({"git sha", code_or_unknown(r.git_sha)});
        t.row({"harness version", or_unknown(r.harness_version)});
        t.row({"host", or_unknown(r.host)});
        t.row({"CPU", or_unknown(r.cpu)});
        t.row({"GPU", r.gpu.empty() ? "none" : fmt::md_cell(r.gpu)});
        t.row({"suite", or_unknown(r.suite_name)});
        t.row({"suite config sha256", code_or_unknown(r.config_hash)});
        t.row({"item subset", fmt::count(r.n_items) + " items, sha256 " + code_or_unknown(r.item_subset_hash) +
                                  " (of \"dataset TAB example_id LF\" per item, manifest order)"});
        t.row({"seeds", seeds_text(r.seeds)});
        t.row({"price table", r.price_table_date.empty() ? fmt::kUnknown : "dated " + fmt::md_cell(r.price_table_date)});
        std::string shards = r.shard_index < 0 ? "partial merge of " + std::to_string(r.shard_count) + " shards"
                                               : "shard " + std::to_string(r.shard_index + 1) + " of " + std::to_string(r.shard_count);
        if (!r.merged_from_json.empty()) shards += "; merged from " + fmt::md_code(r.merged_from_json);
        t.row({"shards", shards});
        out += t.str() + "\n";

        Table ds({"dataset", "items:", "sha256"});
        for (const auto & d : data.datasets) {
            if (d.run_id != r.id) continue;
            auto h = r.dataset_hashes.find(d.dataset);
            ds.row({fmt::md_code(d.dataset), fmt::count(d.n_items), h == r.dataset_hashes.end() ? fmt::kUnknown : fmt::md_code(h->second)});
        }
        out += "Datasets:\n\n" + ds.str() + "\n";
        if (!r.prompt_template_hashes.empty()) {
            Table pt({"prompt template", "sha256"});
            for (const auto & [name, hash] : r.prompt_template_hashes) pt.row({fmt::md_code(name), fmt::md_code(hash)});
            out += "Prompt templates:\n\n" + pt.str() + "\n";
        }
        Table sv({"solver", "kind", "provider", "model id", "params:", "device", "dtype", "checkpoint sha256", "config sha256"});
        for (const auto & s : data.solvers) {
            if (s.run_id != r.id) continue;
            const SolverInfo & i = s.info;
            sv.row({fmt::md_cell(i.name), or_unknown(i.kind), or_unknown(i.provider), code_or_unknown(i.model_id),
                    fmt::si_count(static_cast<double>(i.n_params)), or_unknown(i.device), or_unknown(i.dtype),
                    code_or_unknown(i.checkpoint_sha256), i.config_json.empty() ? fmt::kUnknown : fmt::md_code(sha256_hex(i.config_json).substr(0, 16))});
        }
        out += "Solvers (config sha256 shortened to 16 hex digits):\n\n" + sv.str() + "\n";
        if (r.config_json.empty()) {
            out += "Suite config: not recorded.\n\n";
        } else if (r.config_json.size() <= opts.max_inline_config) {
            out += "<details><summary>Suite config JSON (run " + std::to_string(r.id) + ")</summary>\n\n" + fenced(r.config_json, "json") +
                   "\n</details>\n\n";
        } else {
            out += "Suite config: " + fmt::count(static_cast<int64_t>(r.config_json.size())) + " bytes, sha256 " +
                   fmt::md_code(sha256_hex(r.config_json)) + "; stored in `runs.config_json` of run " + std::to_string(r.id) +
                   " in the database.\n\n";
        }
    }
    return out;
}

std::string files_section(const std::vector<FigureFile> & figures, const MarkdownOptions & opts) {
    if (figures.empty() && opts.files.empty()) return "";
    std::string out = "## Files\n\n";
    for (const auto & f : opts.files) out += "- [" + fmt::md_cell(f) + "](" + f + ")\n";
    for (const auto & f : figures) out += "- [" + fmt::md_cell(f.file_name) + "](" + f.file_name + ")\n";
    return out + "\n";
}

}  // namespace

std::string render_markdown(const ReportData & data, const std::vector<FigureFile> & figures, const MarkdownOptions & opts) {
    std::string out = header(data, opts);
    if (data.cells.empty()) out += "No attempts are stored for the selected runs.\n\n";
    out += summary_section(data);
    out += outcomes_section(data);
    out += figures_section(data, figures);
    out += steps_section(data);
    out += strata_section(data);
    out += measures_section(data);
    out += arc_section(data);
    out += training_section(data, figures);
    out += published_section();
    out += reproducibility_section(data, opts);
    out += files_section(figures, opts);
    // One trailing newline.
    while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
    return out;
}

}  // namespace trmbench
