// exports: see exports.h. Numbers are printed with %.17g so that a CSV or JSON export reads back
// to the same doubles; unknown values are empty CSV fields and JSON nulls.
#include "reports/exports.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "reports/published.h"

namespace trmbench {
namespace {

using ojson = nlohmann::ordered_json;

std::string csv_number(double v) {
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string csv_value(const ReportValue & v) {
    if (auto i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (auto d = std::get_if<double>(&v)) return csv_number(*d);
    if (auto s = std::get_if<std::string>(&v)) return csv_field(*s);
    return "";
}

ojson json_value(const ReportValue & v, ReportFieldType type) {
    if (auto i = std::get_if<int64_t>(&v)) return type == ReportFieldType::boolean ? ojson(*i != 0) : ojson(*i);
    if (auto d = std::get_if<double>(&v)) return std::isfinite(*d) ? ojson(*d) : ojson(nullptr);
    if (auto s = std::get_if<std::string>(&v)) return ojson(*s);
    return nullptr;
}

std::string_view type_name(ReportFieldType t) {
    switch (t) {
        case ReportFieldType::integer: return "int";
        case ReportFieldType::real: return "real";
        case ReportFieldType::boolean: return "bool";
        default: return "text";
    }
}

ojson or_null(double v) { return v >= 0 && std::isfinite(v) ? ojson(v) : ojson(nullptr); }

ojson run_json(const RunEntry & r) {
    ojson seeds = ojson::object();
    for (const auto & [k, v] : r.seeds) seeds[k] = v;
    return {{"id", r.id},
            {"status", r.status},
            {"created_at_ms", r.created_at_ms},
            {"finished_at_ms", r.finished_at_ms < 0 ? ojson(nullptr) : ojson(r.finished_at_ms)},
            {"resume_count", r.resume_count},
            {"command", r.command},
            {"git_sha", r.git_sha},
            {"harness_version", r.harness_version},
            {"host", r.host},
            {"cpu", r.cpu},
            {"gpu", r.gpu},
            {"suite_name", r.suite_name},
            {"config_hash", r.config_hash},
            {"config_json", r.config_json},
            {"dataset_hashes", r.dataset_hashes},
            {"prompt_template_hashes", r.prompt_template_hashes},
            {"seeds", seeds},
            {"price_table_date", r.price_table_date},
            {"shard_index", r.shard_index},
            {"shard_count", r.shard_count},
            {"merged_from_json", r.merged_from_json},
            {"n_items", r.n_items},
            {"item_subset_hash", r.item_subset_hash}};
}

ojson solver_json(const ReportSolver & s) {
    const SolverInfo & i = s.info;
    return {{"run_id", s.run_id},
            {"name", i.name},
            {"kind", i.kind},
            {"provider", i.provider},
            {"model_id", i.model_id},
            {"n_params", i.n_params < 0 ? ojson(nullptr) : ojson(i.n_params)},
            {"active_params", i.active_params < 0 ? ojson(nullptr) : ojson(i.active_params)},
            {"device", i.device},
            {"dtype", i.dtype},
            {"checkpoint_sha256", i.checkpoint_sha256},
            {"config_json", i.config_json}};
}

ojson arc_score_json(const ArcScore & s) {
    ojson per_task = ojson::array();
    for (const auto & t : s.per_task)
        per_task.push_back({{"task", t.id}, {"outputs", t.outputs}, {"solved", t.solved}, {"submitted", t.submitted}});
    return {{"k", s.k},
            {"tasks", s.tasks},
            {"test_outputs", s.test_outputs},
            {"solved_outputs", s.solved_outputs},
            {"strict_tasks_solved", s.strict_tasks_solved},
            {"missing_tasks", s.missing_tasks},
            {"missing_outputs", s.missing_outputs},
            {"arc_prize", s.arc_prize},
            {"strict", s.strict},
            {"per_output", s.per_output},
            {"per_task", per_task}};
}

ojson key(const Cell & c) { return {{"run_id", c.run_id}, {"solver", c.solver}, {"dataset", c.dataset}}; }

}  // namespace

std::string csv_field(const std::string & s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string summary_csv(const ReportData & data) {
    std::string out;
    const auto & fields = SummaryRecord::fields();
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + std::string(fields[i].name);
    out += "\n";
    for (const auto & rec : summary_records(data)) {
        auto values = rec.values();
        for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + csv_value(values[i]);
        out += "\n";
    }
    return out;
}

std::string steps_csv(const ReportData & data) {
    std::string out = "run_id,solver,dataset,step,correct,n_items,accuracy,flops_per_puzzle\n";
    for (const auto & c : data.cells)
        for (const auto & s : c.steps) {
            double acc = c.n_items > 0 ? static_cast<double>(s.correct) / static_cast<double>(c.n_items) : NAN;
            out += std::to_string(c.run_id) + "," + csv_field(c.solver) + "," + csv_field(c.dataset) + "," + std::to_string(s.step) + "," +
                   std::to_string(s.correct) + "," + std::to_string(c.n_items) + "," + csv_number(acc) + "," +
                   (s.flops_per_puzzle >= 0 ? csv_number(s.flops_per_puzzle) : "") + "\n";
        }
    return out;
}

std::string strata_csv(const ReportData & data) {
    std::string out = "run_id,solver,dataset,stratum,items,correct,accuracy\n";
    for (const auto & c : data.cells)
        for (const auto & s : c.strata) {
            double acc = s.items > 0 ? static_cast<double>(s.correct) / static_cast<double>(s.items) : NAN;
            out += std::to_string(c.run_id) + "," + csv_field(c.solver) + "," + csv_field(c.dataset) + "," + csv_field(s.label) + "," +
                   std::to_string(s.items) + "," + std::to_string(s.correct) + "," + csv_number(acc) + "\n";
        }
    return out;
}

std::string train_csv(const ReportData & data) {
    std::string out = "run_id,series,metric,step,wall_time_s,value\n";
    for (const auto & c : data.train_curves)
        for (const auto & p : c.points)
            out += std::to_string(c.run_id) + "," + csv_field(c.series) + "," + csv_field(c.name) + "," + std::to_string(p.step) + "," +
                   csv_number(p.wall_time_s) + "," + csv_number(p.value) + "\n";
    return out;
}

std::string report_json(const ReportData & data, const std::vector<FigureFile> & figures, const std::string & generator) {
    ojson doc;
    doc["generator"] = generator;
    doc["database"] = data.db_label;
    const auto & fields = SummaryRecord::fields();
    ojson f = ojson::array();
    for (const auto & x : fields) f.push_back({{"name", x.name}, {"type", type_name(x.type)}, {"description", x.description}});
    doc["fields"] = f;
    ojson rows = ojson::array();
    for (const auto & rec : summary_records(data)) {
        auto values = rec.values();
        ojson row = ojson::object();
        for (size_t i = 0; i < values.size() && i < fields.size(); ++i) row[std::string(fields[i].name)] = json_value(values[i], fields[i].type);
        rows.push_back(row);
    }
    doc["rows"] = rows;
    doc["runs"] = ojson::array();
    for (const auto & r : data.runs) doc["runs"].push_back(run_json(r));
    doc["solvers"] = ojson::array();
    for (const auto & s : data.solvers) doc["solvers"].push_back(solver_json(s));
    doc["datasets"] = ojson::array();
    for (const auto & d : data.datasets) {
        ojson strata = ojson::array();
        for (const auto & [label, n] : d.strata) strata.push_back({{"stratum", label}, {"items", n}});
        doc["datasets"].push_back({{"run_id", d.run_id}, {"task_family", d.task_family}, {"dataset", d.dataset},
                                   {"n_items", d.n_items}, {"n_tasks", d.n_tasks}, {"strata", strata}});
    }
    ojson steps = ojson::array(), strata = ojson::array(), measures = ojson::array(), arc = ojson::array();
    for (const auto & c : data.cells) {
        for (const auto & s : c.steps) {
            ojson j = key(c);
            j["step"] = s.step, j["correct"] = s.correct, j["n_items"] = c.n_items, j["flops_per_puzzle"] = or_null(s.flops_per_puzzle);
            steps.push_back(j);
        }
        for (const auto & s : c.strata) {
            ojson j = key(c);
            j["stratum"] = s.label, j["items"] = s.items, j["correct"] = s.correct;
            strata.push_back(j);
        }
        for (const auto & m : c.measures) {
            ojson j = key(c);
            j["measure"] = m.name, j["items_true"] = m.items_true, j["n_items"] = c.n_items;
            measures.push_back(j);
        }
        if (c.arc) {
            ojson j = key(c);
            j["pass1"] = arc_score_json(c.arc->pass1);
            j["pass2"] = arc_score_json(c.arc->pass2);
            arc.push_back(j);
        }
    }
    doc["steps"] = steps;
    doc["strata"] = strata;
    doc["measures"] = measures;
    doc["arc"] = arc;
    ojson published = ojson::array();
    for (const auto & p : published_results())
        published.push_back({{"method", p.method}, {"params", p.params_text}, {"params_count", or_null(p.params)},
                             {"benchmark", published_benchmark_name(p.benchmark)}, {"accuracy_pct", p.accuracy_pct}, {"source", p.source}});
    doc["published"] = published;
    ojson train = ojson::array();
    for (const auto & c : data.train_curves) {
        ojson points = ojson::array();
        for (const auto & p : c.points) points.push_back(ojson::array({p.step, p.wall_time_s, p.value}));
        train.push_back({{"run_id", c.run_id}, {"series", c.series}, {"metric", c.name}, {"non_finite_dropped", c.dropped},
                         {"points", points}});
    }
    doc["train_metrics"] = train;
    ojson figs = ojson::array();
    for (const auto & x : figures) figs.push_back({{"file", x.file_name}, {"dataset", x.dataset}, {"kind", x.kind}, {"caption", x.caption}});
    doc["figures"] = figs;
    ojson subs = ojson::array();
    for (const auto & s : data.submissions) subs.push_back({{"run_id", s.run_id}, {"solver", s.solver}, {"dataset", s.dataset}, {"file", s.file_name}});
    doc["submissions"] = subs;
    // Invalid UTF-8 in a stored name must not make the export throw: replace it.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string submission_json(const SubmissionEntry & entry) {
    ArcSubmissionWriteOptions opts;
    opts.attempts = 2;
    return arc_submission_json(entry.submission, opts);
}

}  // namespace trmbench
