// The report model's helpers and the field table of SummaryRecord (see report_model.h). A new
// column of the exports is one line in kFields.
#include "reports/report_model.h"

#include <functional>

namespace trmbench {

Quantity QuantitySum::per_puzzle(int64_t attempts, int64_t puzzles_attempted) const {
    Quantity q;
    if (known == 0 || puzzles_attempted <= 0) return q;
    q.value = sum / static_cast<double>(known) * static_cast<double>(attempts) / static_cast<double>(puzzles_attempted);
    q.estimated = estimated;
    q.partial = known < attempts;
    return q;
}

int64_t Cell::api_errors() const {
    return outcome(Outcome::rate_limited) + outcome(Outcome::quota_exhausted) + outcome(Outcome::http_error);
}

const ReportSolver * ReportData::solver(int64_t run, std::string_view name) const {
    for (const auto & s : solvers)
        if (s.run_id == run && s.info.name == name) return &s;
    return nullptr;
}

const RunEntry * ReportData::run(int64_t id) const {
    for (const auto & r : runs)
        if (r.id == id) return &r;
    return nullptr;
}

const DatasetEntry * ReportData::dataset(int64_t run, std::string_view name) const {
    for (const auto & d : datasets)
        if (d.run_id == run && d.dataset == name) return &d;
    return nullptr;
}

namespace {

using V = ReportValue;
using T = ReportFieldType;
using Getter = std::function<V(const Cell &, const ReportSolver *)>;

V int_or_null(int64_t v) { return v < 0 ? V{} : V{v}; }
V real_or_null(double v) { return v < 0 ? V{} : V{v}; }
V quantity(const Quantity & q) { return q.known() ? V{q.value} : V{}; }
V boolean(bool b) { return V{static_cast<int64_t>(b ? 1 : 0)}; }

V arc_value(const Cell & c, bool pass2, ArcConvention conv) {
    if (!c.arc) return {};
    return V{(pass2 ? c.arc->pass2 : c.arc->pass1).value(conv)};
}

std::string measures_text(const Cell & c) {
    std::string out;
    for (const auto & m : c.measures) {
        if (!out.empty()) out += ';';
        out += m.name + "=" + std::to_string(m.items_true);
    }
    return out;
}

struct FieldDef {
    ReportField info;
    Getter get;
};

V outcome_count(const Cell & c, Outcome o) { return V{c.outcome(o)}; }

const std::vector<FieldDef> & field_defs() {
    static const std::vector<FieldDef> defs = {
        {{"run_id", T::integer, "run id in the results database"}, [](const Cell & c, auto) { return V{c.run_id}; }},
        {{"solver", T::text, "solver name"}, [](const Cell & c, auto) { return V{c.solver}; }},
        {{"solver_kind", T::text, "local | llm | baseline"}, [](auto &, const ReportSolver * s) { return s ? V{s->info.kind} : V{}; }},
        {{"provider", T::text, "torch, openai, anthropic, classical, ..."}, [](auto &, const ReportSolver * s) { return s ? V{s->info.provider} : V{}; }},
        {{"model_id", T::text, "provider model id or checkpoint"}, [](auto &, const ReportSolver * s) { return s ? V{s->info.model_id} : V{}; }},
        {{"task_family", T::text, "sudoku | maze | arc"}, [](const Cell & c, auto) { return V{c.task_family}; }},
        {{"dataset", T::text, "dataset name relative to the data directory"}, [](const Cell & c, auto) { return V{c.dataset}; }},
        {{"metric", T::text, "what accuracy measures (measure or ARC convention, pass@k)"}, [](const Cell & c, auto) { return V{c.metric}; }},
        {{"k", T::integer, "attempts that count (pass@k)"}, [](const Cell & c, auto) { return V{static_cast<int64_t>(c.k)}; }},
        {{"accuracy", T::real, "headline accuracy, fraction of the run's item set (missing = wrong)"}, [](const Cell & c, auto) { return V{c.accuracy}; }},
        {{"ci95_low", T::real, "95% Wilson interval, lower bound"}, [](const Cell & c, auto) { return c.ci.known() ? V{c.ci.low} : V{}; }},
        {{"ci95_high", T::real, "95% Wilson interval, upper bound"}, [](const Cell & c, auto) { return c.ci.known() ? V{c.ci.high} : V{}; }},
        {{"n", T::real, "denominator of accuracy and its interval (items, or tasks for ARC)"}, [](const Cell & c, auto) { return V{c.denominator}; }},
        {{"unit", T::text, "puzzles | tasks"}, [](const Cell & c, auto) { return V{c.unit}; }},
        {{"n_items", T::integer, "items of the dataset in the run's manifest"}, [](const Cell & c, auto) { return V{c.n_items}; }},
        {{"n_items_attempted", T::integer, "items with at least one stored attempt"}, [](const Cell & c, auto) { return V{c.n_items_attempted}; }},
        {{"n_items_missing", T::integer, "items without any stored attempt (counted wrong)"}, [](const Cell & c, auto) { return V{c.n_items - c.n_items_attempted}; }},
        {{"n_items_correct", T::integer, "items solved at pass@k (headline measure)"}, [](const Cell & c, auto) { return V{c.n_items_correct}; }},
        {{"accuracy_pass1", T::real, "items solved by attempt 1 / items"}, [](const Cell & c, auto) {
             return c.n_items > 0 ? V{static_cast<double>(c.n_items_correct_pass1) / static_cast<double>(c.n_items)} : V{}; }},
        {{"n_attempts", T::integer, "stored attempts"}, [](const Cell & c, auto) { return V{c.n_attempts}; }},
        {{"missing_attempts", T::integer, "attempt slots (items x k) without a stored attempt"}, [](const Cell & c, auto) { return V{c.missing_attempts}; }},
        {{"outcome_ok", T::integer, "attempts that produced a grid"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::ok); }},
        {{"outcome_parse_error", T::integer, "attempts whose text held no grid"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::parse_error); }},
        {{"outcome_truncated", T::integer, "attempts stopped at the length limit"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::truncated); }},
        {{"outcome_refused", T::integer, "attempts refused by the model or provider"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::refused); }},
        {{"outcome_rate_limited", T::integer, "attempts given up after rate limits"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::rate_limited); }},
        {{"outcome_quota_exhausted", T::integer, "attempts failed on quota or billing"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::quota_exhausted); }},
        {{"outcome_http_error", T::integer, "attempts failed with another HTTP or provider error"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::http_error); }},
        {{"outcome_timeout", T::integer, "attempts without an answer in time"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::timeout); }},
        {{"outcome_error", T::integer, "attempts failed locally"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::error); }},
        {{"outcome_skipped", T::integer, "attempts not made (spend cap, time budget)"}, [](const Cell & c, auto) { return outcome_count(c, Outcome::skipped); }},
        {{"retries", T::integer, "HTTP retries over all attempts"}, [](const Cell & c, auto) { return V{c.retries}; }},
        {{"n_params", T::integer, "solver parameters"}, [](auto &, const ReportSolver * s) { return s ? int_or_null(s->info.n_params) : V{}; }},
        {{"active_params", T::integer, "active parameters (mixture of experts)"}, [](auto &, const ReportSolver * s) { return s ? int_or_null(s->info.active_params) : V{}; }},
        {{"flops_per_puzzle", T::real, "FLOPs per attempted puzzle, all attempts"}, [](const Cell & c, auto) { return quantity(c.flops); }},
        {{"flops_estimated", T::boolean, "FLOPs are an estimate"}, [](const Cell & c, auto) { return boolean(c.flops.estimated); }},
        {{"flops_partial", T::boolean, "FLOPs known for only some attempts"}, [](const Cell & c, auto) { return boolean(c.flops.partial); }},
        {{"wall_ms_per_puzzle", T::real, "wall time per attempted puzzle (ms)"}, [](const Cell & c, auto) { return quantity(c.wall_ms); }},
        {{"wall_partial", T::boolean, "wall time known for only some attempts"}, [](const Cell & c, auto) { return boolean(c.wall_ms.partial); }},
        {{"device_ms_per_puzzle", T::real, "accelerator time per attempted puzzle (ms)"}, [](const Cell & c, auto) { return quantity(c.device_ms); }},
        {{"input_tokens_per_puzzle", T::real, "prompt tokens per attempted puzzle"}, [](const Cell & c, auto) { return quantity(c.input_tokens); }},
        {{"output_tokens_per_puzzle", T::real, "visible output tokens per attempted puzzle"}, [](const Cell & c, auto) { return quantity(c.output_tokens); }},
        {{"reasoning_tokens_per_puzzle", T::real, "reasoning tokens per attempted puzzle"}, [](const Cell & c, auto) { return quantity(c.reasoning_tokens); }},
        {{"tokens_partial", T::boolean, "token counts known for only some attempts"}, [](const Cell & c, auto) {
             return boolean(c.input_tokens.partial || c.output_tokens.partial || c.reasoning_tokens.partial); }},
        {{"cost_usd_per_puzzle", T::real, "dollars per attempted puzzle (dated price table)"}, [](const Cell & c, auto) { return quantity(c.cost_usd); }},
        {{"cost_partial", T::boolean, "cost known for only some attempts"}, [](const Cell & c, auto) { return boolean(c.cost_usd.partial); }},
        {{"total_cost_usd", T::real, "dollars spent, superseded (retried) attempts included"}, [](const Cell & c, auto) { return real_or_null(c.total_cost_usd); }},
        {{"act_steps_mean", T::real, "mean ACT steps run (local recursive models)"}, [](const Cell & c, auto) { return real_or_null(c.act_steps_mean); }},
        {{"measures", T::text, "items true at pass@k per scoring measure, name=count;..."}, [](const Cell & c, auto) { return V{measures_text(c)}; }},
        {{"arc_prize_pass1", T::real, "ARC Prize per-task fraction, pass@1"}, [](const Cell & c, auto) { return arc_value(c, false, ArcConvention::arc_prize); }},
        {{"arc_prize_pass2", T::real, "ARC Prize per-task fraction, pass@2"}, [](const Cell & c, auto) { return arc_value(c, true, ArcConvention::arc_prize); }},
        {{"arc_strict_pass1", T::real, "strict per-task (all test inputs), pass@1"}, [](const Cell & c, auto) { return arc_value(c, false, ArcConvention::strict); }},
        {{"arc_strict_pass2", T::real, "strict per-task (all test inputs), pass@2"}, [](const Cell & c, auto) { return arc_value(c, true, ArcConvention::strict); }},
        {{"arc_per_output_pass1", T::real, "per test output (micro), pass@1"}, [](const Cell & c, auto) { return arc_value(c, false, ArcConvention::per_output); }},
        {{"arc_per_output_pass2", T::real, "per test output (micro), pass@2"}, [](const Cell & c, auto) { return arc_value(c, true, ArcConvention::per_output); }},
    };
    return defs;
}

}  // namespace

const std::vector<ReportField> & SummaryRecord::fields() {
    static const std::vector<ReportField> fields = [] {
        std::vector<ReportField> out;
        for (const auto & d : field_defs()) out.push_back(d.info);
        return out;
    }();
    return fields;
}

std::vector<ReportValue> SummaryRecord::values() const {
    std::vector<ReportValue> out;
    if (!cell) return out;
    out.reserve(field_defs().size());
    for (const auto & d : field_defs()) out.push_back(d.get(*cell, solver));
    return out;
}

std::vector<SummaryRecord> summary_records(const ReportData & data) {
    std::vector<SummaryRecord> out;
    for (const auto & c : data.cells) out.push_back({&c, data.solver(c.run_id, c.solver)});
    return out;
}

}  // namespace trmbench
