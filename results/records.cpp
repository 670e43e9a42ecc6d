// The field table of AttemptRecord (names, types, how to read and write each field) and the
// builders that turn a scored Prediction or an Example into rows. One table drives values(),
// from_values(), the SQL column lists and every printer, so a new field is one line here plus a
// column in a schema migration.
#include "results/records.h"

#include <array>
#include <charconv>

#include "harness/core/error.h"
#include "results/json_codec.h"

namespace trmbench {
namespace {

using results::grid_from_json;
using results::grid_to_json;

// -------- value helpers: -1 (unknown) <-> NULL

FieldValue opt_int(int64_t v) { return v < 0 ? FieldValue{} : FieldValue{v}; }
FieldValue opt_real(double v) { return v < 0 ? FieldValue{} : FieldValue{v}; }
FieldValue text(const std::string & s) { return FieldValue{s}; }
FieldValue opt_text(const std::string & s) { return s.empty() ? FieldValue{} : FieldValue{s}; }
FieldValue integer(int64_t v) { return FieldValue{v}; }
FieldValue real(double v) { return FieldValue{v}; }

[[noreturn]] void wrong_type(std::string_view field, std::string_view expected) {
    throw InputError("attempt field '" + std::string(field) + "': expected " + std::string(expected));
}

int64_t get_int(const FieldValue & v, std::string_view field, int64_t if_null) {
    if (std::holds_alternative<std::monostate>(v)) return if_null;
    if (auto p = std::get_if<int64_t>(&v)) return *p;
    if (auto d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
    wrong_type(field, "an integer");
}

double get_real(const FieldValue & v, std::string_view field, double if_null) {
    if (std::holds_alternative<std::monostate>(v)) return if_null;
    if (auto p = std::get_if<double>(&v)) return *p;
    if (auto i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
    wrong_type(field, "a number");
}

std::string get_text(const FieldValue & v, std::string_view field) {
    if (std::holds_alternative<std::monostate>(v)) return "";
    if (auto p = std::get_if<std::string>(&v)) return *p;
    wrong_type(field, "text");
}

int get_int32(const FieldValue & v, std::string_view field, int if_null) {
    int64_t x = get_int(v, field, if_null);
    if (x < INT32_MIN || x > INT32_MAX) wrong_type(field, "a 32-bit integer");
    return static_cast<int>(x);
}

struct FieldDef {
    FieldInfo info;
    FieldValue (*get)(const AttemptRecord &);
    void (*set)(AttemptRecord &, const FieldValue &);
};

using R = AttemptRecord;
using V = FieldValue;
using FT = FieldType;

// The order is the column order of every printer. The first six are the key.
const std::array<FieldDef, 32> kFields = {{
    {{"run_id", FT::integer, "run id in the runs table"},
     [](const R & r) { return integer(r.run_id); },
     [](R & r, const V & v) { r.run_id = get_int(v, "run_id", 0); }},
    {{"solver", FT::text, "solver name (suite or catalogue entry)"},
     [](const R & r) { return text(r.solver); },
     [](R & r, const V & v) { r.solver = get_text(v, "solver"); }},
    {{"task_family", FT::text, "sudoku | maze | arc"},
     [](const R & r) { return text(r.task_family); },
     [](R & r, const V & v) { r.task_family = get_text(v, "task_family"); }},
    {{"dataset", FT::text, "dataset name relative to the data directory"},
     [](const R & r) { return text(r.dataset); },
     [](R & r, const V & v) { r.dataset = get_text(v, "dataset"); }},
    {{"example_id", FT::text, "example id within the dataset"},
     [](const R & r) { return text(r.example_id); },
     [](R & r, const V & v) { r.example_id = get_text(v, "example_id"); }},
    {{"attempt", FT::integer, "0-based attempt index (pass@k)"},
     [](const R & r) { return integer(r.attempt); },
     [](R & r, const V & v) { r.attempt = get_int32(v, "attempt", 0); }},
    {{"outcome", FT::text, "ok, parse_error, truncated, refused, rate_limited, ..."},
     [](const R & r) { return text(std::string(outcome_name(r.outcome))); },
     [](R & r, const V & v) {
         std::string s = get_text(v, "outcome");
         if (!parse_outcome(s, r.outcome)) throw InputError("attempt field 'outcome': unknown outcome '" + s + "'");
     }},
    {{"correct", FT::boolean, "headline measure (NULL when unscored)"},
     [](const R & r) { return r.measures.empty() ? V{} : integer(r.correct() ? 1 : 0); },
     [](R &, const V & v) { get_int(v, "correct", 0); }},  // derived from measures
    {{"answer_json", FT::json, "answer grid as a list of rows (NULL when none was produced)"},
     [](const R & r) { return r.answer ? text(grid_to_json(*r.answer)) : V{}; },
     [](R & r, const V & v) {
         if (std::holds_alternative<std::monostate>(v)) r.answer.reset();
         else r.answer = grid_from_json(get_text(v, "answer_json"), "attempt field 'answer_json'");
     }},
    {{"measures_json", FT::json, "every scoring measure, name -> bool, headline first"},
     [](const R & r) { return r.measures.empty() ? V{} : text(results::measures_to_json(r.measures)); },
     [](R & r, const V & v) {
         r.measures.clear();
         if (!std::holds_alternative<std::monostate>(v))
             r.measures = results::measures_from_json(get_text(v, "measures_json"), "attempt field 'measures_json'");
     }},
    {{"raw_text", FT::text, "model text (LLMs)"},
     [](const R & r) { return text(r.raw_text); },
     [](R & r, const V & v) { r.raw_text = get_text(v, "raw_text"); }},
    {{"reasoning_text", FT::text, "separated reasoning / thinking text"},
     [](const R & r) { return text(r.reasoning_text); },
     [](R & r, const V & v) { r.reasoning_text = get_text(v, "reasoning_text"); }},
    {{"error", FT::text, "why the outcome is not ok"},
     [](const R & r) { return text(r.error); },
     [](R & r, const V & v) { r.error = get_text(v, "error"); }},
    {{"steps_json", FT::json, "per-ACT-step answers and halting logits (local models)"},
     [](const R & r) { return r.steps.empty() ? V{} : text(results::steps_to_json(r.steps)); },
     [](R & r, const V & v) {
         // Parsed together with steps_correct (the next field), which fills in correctness.
         r.steps.clear();
         if (!std::holds_alternative<std::monostate>(v)) {
             r.steps = results::steps_from_json(get_text(v, "steps_json"), "", "attempt field 'steps_json'");
         }
     }},
    {{"steps_correct", FT::text, "per-step headline correctness, e.g. \"0011\""},
     [](const R & r) { return r.steps.empty() ? V{} : text(results::steps_correct_string(r.steps)); },
     [](R & r, const V & v) {
         std::string s = get_text(v, "steps_correct");
         if (s.size() != r.steps.size())
             throw InputError("attempt field 'steps_correct': " + std::to_string(s.size()) + " entries for " +
                              std::to_string(r.steps.size()) + " steps");
         for (size_t i = 0; i < s.size(); ++i) {
             if (s[i] != '0' && s[i] != '1') throw InputError("attempt field 'steps_correct': not a string of 0 and 1");
             r.steps[i].correct = s[i] == '1';
         }
     }},
    {{"input_tokens", FT::integer, "prompt tokens, cached ones included"},
     [](const R & r) { return opt_int(r.usage.input_tokens); },
     [](R & r, const V & v) { r.usage.input_tokens = get_int(v, "input_tokens", -1); }},
    {{"cached_input_tokens", FT::integer, "part of input_tokens served from the provider's cache"},
     [](const R & r) { return opt_int(r.usage.cached_input_tokens); },
     [](R & r, const V & v) { r.usage.cached_input_tokens = get_int(v, "cached_input_tokens", -1); }},
    {{"output_tokens", FT::integer, "visible completion tokens"},
     [](const R & r) { return opt_int(r.usage.output_tokens); },
     [](R & r, const V & v) { r.usage.output_tokens = get_int(v, "output_tokens", -1); }},
    {{"reasoning_tokens", FT::integer, "hidden reasoning tokens"},
     [](const R & r) { return opt_int(r.usage.reasoning_tokens); },
     [](R & r, const V & v) { r.usage.reasoning_tokens = get_int(v, "reasoning_tokens", -1); }},
    {{"total_tokens", FT::integer, "total tokens billed"},
     [](const R & r) { return opt_int(r.usage.total_tokens); },
     [](R & r, const V & v) { r.usage.total_tokens = get_int(v, "total_tokens", -1); }},
    {{"cost_usd", FT::real, "dollars from the dated price table"},
     [](const R & r) { return opt_real(r.usage.cost_usd); },
     [](R & r, const V & v) { r.usage.cost_usd = get_real(v, "cost_usd", -1); }},
    {{"usage_json", FT::json, "the provider's usage object, verbatim"},
     [](const R & r) { return opt_text(r.usage.raw_json); },
     [](R & r, const V & v) { r.usage.raw_json = get_text(v, "usage_json"); }},
    {{"flops", FT::real, "floating-point operations"},
     [](const R & r) { return opt_real(r.compute.flops); },
     [](R & r, const V & v) { r.compute.flops = get_real(v, "flops", -1); }},
    {{"flops_estimated", FT::boolean, "FLOPs are a 2 x active params x tokens style estimate"},
     [](const R & r) { return integer(r.compute.flops_estimated ? 1 : 0); },
     [](R & r, const V & v) { r.compute.flops_estimated = get_int(v, "flops_estimated", 0) != 0; }},
    {{"wall_ms", FT::real, "wall-clock milliseconds"},
     [](const R & r) { return opt_real(r.compute.wall_ms); },
     [](R & r, const V & v) { r.compute.wall_ms = get_real(v, "wall_ms", -1); }},
    {{"device_ms", FT::real, "device milliseconds (CUDA events)"},
     [](const R & r) { return opt_real(r.compute.device_ms); },
     [](R & r, const V & v) { r.compute.device_ms = get_real(v, "device_ms", -1); }},
    {{"act_steps", FT::integer, "ACT steps actually run"},
     [](const R & r) { return opt_int(r.compute.act_steps); },
     [](R & r, const V & v) { r.compute.act_steps = get_int32(v, "act_steps", -1); }},
    {{"http_status", FT::integer, "last HTTP status, 0 if none"},
     [](const R & r) { return integer(r.http_status); },
     [](R & r, const V & v) { r.http_status = get_int32(v, "http_status", 0); }},
    {{"request_id", FT::text, "provider's request id"},
     [](const R & r) { return text(r.request_id); },
     [](R & r, const V & v) { r.request_id = get_text(v, "request_id"); }},
    {{"retries", FT::integer, "HTTP retries"},
     [](const R & r) { return integer(r.retries); },
     [](R & r, const V & v) { r.retries = get_int32(v, "retries", 0); }},
    {{"rate_limit_wait_ms", FT::real, "time spent waiting on rate limits"},
     [](const R & r) { return real(r.rate_limit_wait_ms); },
     [](R & r, const V & v) { r.rate_limit_wait_ms = get_real(v, "rate_limit_wait_ms", 0); }},
    {{"created_at_ms", FT::timestamp_ms, "when the attempt was stored (unix ms)"},
     [](const R & r) { return integer(r.created_at_ms); },
     [](R & r, const V & v) { r.created_at_ms = get_int(v, "created_at_ms", 0); }},
}};

const std::array<FieldInfo, kFields.size()> kFieldInfos = [] {
    std::array<FieldInfo, kFields.size()> out{};
    for (size_t i = 0; i < kFields.size(); ++i) out[i] = kFields[i].info;
    return out;
}();

}  // namespace

std::string_view field_type_name(FieldType t) {
    switch (t) {
        case FieldType::integer: return "int";
        case FieldType::real: return "real";
        case FieldType::text: return "text";
        case FieldType::boolean: return "bool";
        case FieldType::json: return "json";
        case FieldType::timestamp_ms: return "timestamp_ms";
    }
    return "?";
}

std::string field_value_text(const FieldValue & v) {
    if (auto i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (auto d = std::get_if<double>(&v)) {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
        return ec == std::errc() ? std::string(buf, end) : std::string();
    }
    if (auto s = std::get_if<std::string>(&v)) return *s;
    return "";
}

std::span<const FieldInfo> AttemptRecord::fields() { return kFieldInfos; }

std::vector<FieldValue> AttemptRecord::values() const {
    std::vector<FieldValue> out;
    out.reserve(kFields.size());
    for (const auto & f : kFields) out.push_back(f.get(*this));
    return out;
}

AttemptRecord AttemptRecord::from_values(const std::vector<FieldValue> & values) {
    if (values.size() != kFields.size())
        throw InputError("attempt record: " + std::to_string(values.size()) + " values for " +
                         std::to_string(kFields.size()) + " fields");
    AttemptRecord r;
    for (size_t i = 0; i < kFields.size(); ++i) kFields[i].set(r, values[i]);
    return r;
}

bool AttemptRecord::operator==(const AttemptRecord & other) const { return values() == other.values(); }

AttemptRecord make_attempt_record(RunId run, const std::string & solver, const std::string & dataset,
                                  const Example & ex, const Prediction & p, const Score & score,
                                  const std::vector<bool> & step_correct) {
    AttemptRecord r;
    r.run_id = run;
    r.solver = solver;
    r.task_family = ex.family;
    r.dataset = dataset;
    r.example_id = ex.id;
    r.attempt = p.attempt;
    r.outcome = p.outcome;
    r.answer = p.answer;
    r.measures = score.measures;
    r.raw_text = p.raw_text;
    r.reasoning_text = p.reasoning_text;
    r.error = p.error;
    r.steps.reserve(p.steps.size());
    for (size_t i = 0; i < p.steps.size(); ++i)
        r.steps.push_back({p.steps[i].answer, p.steps[i].q_halt, p.steps[i].q_continue,
                           i < step_correct.size() && step_correct[i]});
    r.usage = p.usage;
    r.compute = p.compute;
    r.http_status = p.http_status;
    r.request_id = p.request_id;
    r.retries = p.retries;
    r.rate_limit_wait_ms = p.rate_limit_wait_ms;
    return r;
}

ItemRecord item_from_example(const Example & ex, const std::string & dataset, int64_t position,
                             const std::string & stratum) {
    ItemRecord it;
    it.task_family = ex.family;
    it.dataset = dataset;
    it.example_id = ex.id;
    it.group = ex.group.empty() ? ex.id : ex.group;
    it.index = ex.index;
    it.position = position;
    it.difficulty = ex.difficulty;
    it.stratum = stratum;
    if (!ex.target.empty()) it.target = ex.target;
    return it;
}

}  // namespace trmbench
