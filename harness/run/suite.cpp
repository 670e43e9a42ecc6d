// Suite parsing and validation (see suite.h). Every message names the file and the field path.
#include "harness/run/suite.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "harness/run/baselines.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace trmbench {

// Defined in the generated builtin_suites.cpp (harness/run/suites/embed.cmake).
struct EmbeddedSuite {
    std::string_view name;
    std::string_view text;
};
const std::vector<EmbeddedSuite> & embedded_suites();

namespace {

constexpr int kMaxAttempts = 1000;
constexpr int64_t kMaxGenerate = 10'000'000;

// Reads one JSON object with a path for messages, refusing unknown keys (typos must not pass
// silently: a misspelt "atempts" would otherwise run pass@1 while the author thinks pass@2).
class Obj {
public:
    Obj(const json & j, std::string path, const std::string & file) : j_(j), path_(std::move(path)), file_(file) {
        if (!j_.is_object()) fail_here("must be an object, got " + type_of(j_));
    }

    void allow_only(std::initializer_list<std::string_view> known) const {
        for (auto it = j_.begin(); it != j_.end(); ++it) {
            if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
            std::vector<std::string> names(known.begin(), known.end());
            fail(it.key(), "unknown field (known: " + join(names, ", ") + ")");
        }
    }

    bool has(const char * key) const { return j_.contains(key) && !j_.at(key).is_null(); }
    const json & raw(const char * key) const { return j_.at(key); }
    std::string at(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }
    const std::string & path() const { return path_; }
    const std::string & file() const { return file_; }

    std::string str(const char * key, const std::string & def = "", bool required = false) const {
        if (!has(key)) {
            if (required) fail(key, "required field is missing");
            return def;
        }
        const json & v = j_.at(key);
        if (!v.is_string()) fail(key, "must be a string, got " + describe(v));
        return v.get<std::string>();
    }

    int64_t integer(const char * key, int64_t def, int64_t lo, int64_t hi) const {
        if (!has(key)) return def;
        const json & v = j_.at(key);
        bool integral = v.is_number_integer() || v.is_number_unsigned() ||
                        (v.is_number_float() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>() &&
                         std::fabs(v.get<double>()) < 9e15);
        if (!integral) fail(key, "must be an integer, got " + describe(v));
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)) fail(key, range_text(lo, hi, v));
        int64_t x = v.is_number_float() ? static_cast<int64_t>(v.get<double>()) : v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
        if (x < lo || x > hi) fail(key, range_text(lo, hi, v));
        return x;
    }

    uint64_t seed(const char * key, uint64_t def) const {
        if (!has(key)) return def;
        const json & v = j_.at(key);
        if (v.is_number_unsigned()) return v.get<uint64_t>();
        if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
        fail(key, "must be an integer >= 0, got " + describe(v));
    }

    double number(const char * key, double def, double lo, double hi) const {
        if (!has(key)) return def;
        const json & v = j_.at(key);
        if (!v.is_number()) fail(key, "must be a number, got " + describe(v));
        double x = v.get<double>();
        if (!std::isfinite(x) || x < lo || x > hi) {
            std::string hi_text = hi == std::numeric_limits<double>::max() ? "" : " and <= " + fmt(hi);
            fail(key, "must be >= " + fmt(lo) + hi_text + ", got " + describe(v));
        }
        return x;
    }

    bool boolean(const char * key, bool def) const {
        if (!has(key)) return def;
        const json & v = j_.at(key);
        if (!v.is_boolean()) fail(key, "must be true or false, got " + describe(v));
        return v.get<bool>();
    }

    std::vector<std::string> strings(const char * key) const {
        std::vector<std::string> out;
        if (!has(key)) return out;
        const json & v = j_.at(key);
        if (!v.is_array()) fail(key, "must be a list of strings, got " + type_of(v));
        for (size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string()) fail(std::string(key) + "[" + std::to_string(i) + "]", "must be a string, got " + describe(v[i]));
            out.push_back(v[i].get<std::string>());
        }
        return out;
    }

    Obj child(const char * key) const { return Obj(j_.at(key), at(key), file_); }
    json::const_iterator raw_begin() const { return j_.begin(); }
    json::const_iterator raw_end() const { return j_.end(); }
    bool raw_empty() const { return j_.empty(); }

    [[noreturn]] void fail(std::string_view key, const std::string & msg) const {
        throw InputError(file_ + ": " + at(key) + ": " + msg);
    }
    [[noreturn]] void fail_here(const std::string & msg) const {
        throw InputError(file_ + ": " + (path_.empty() ? std::string("(top level)") : path_) + ": " + msg);
    }
    [[noreturn]] void unknown_name(std::string_view key, const std::string & msg) const {
        throw UsageError(file_ + ": " + at(key) + ": " + msg);
    }

    static std::string type_of(const json & v) {
        if (v.is_object()) return "an object";
        if (v.is_array()) return "a list";
        if (v.is_string()) return "a string";
        if (v.is_boolean()) return "a boolean";
        if (v.is_number()) return "a number";
        return "null";
    }
    static std::string describe(const json & v) {
        if (v.is_number() || v.is_boolean()) return v.dump();
        if (v.is_string()) {
            std::string s = v.get<std::string>();
            if (s.size() > 40) s = s.substr(0, 40) + "...";
            return "the string \"" + s + "\"";
        }
        return type_of(v);
    }
    static std::string fmt(double x) {
        if (std::floor(x) == x && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
        json j = x;
        return j.dump();
    }
    static std::string range_text(int64_t lo, int64_t hi, const json & v) {
        return "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + describe(v);
    }

private:
    const json & j_;
    std::string path_;
    const std::string & file_;
};

// Which `generate.options` keys each family reads (GenerateOptions).
std::vector<std::string_view> generate_keys(std::string_view family) {
    if (family == "sudoku") return {"min_rating", "max_rating", "max_blanks"};
    if (family == "maze") return {"size", "min_path", "unique_path"};
    return {};
}

GenerateSpec parse_generate(const Obj & task, const std::string & family) {
    Obj g = task.child("generate");
    g.allow_only({"family", "n", "seed", "options"});
    if (g.has("family") && g.str("family") != family)
        g.fail("family", "'" + g.str("family") + "' differs from the task's family '" + family + "'");
    GenerateSpec spec;
    if (!g.has("n")) g.fail("n", "required field is missing");
    spec.n = g.integer("n", 0, 1, kMaxGenerate);
    spec.seed = g.seed("seed", 0);
    if (g.has("options")) {
        Obj o = g.child("options");
        std::vector<std::string_view> keys = generate_keys(family);
        if (keys.empty()) o.fail_here("family '" + family + "' takes no generate options");
        for (auto it = o.raw_begin(); it != o.raw_end(); ++it) {
            if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) {
                std::vector<std::string> names(keys.begin(), keys.end());
                o.fail(it.key(), "unknown option for " + family + " (known: " + join(names, ", ") + ")");
            }
        }
        for (std::string_view key : keys) {
            std::string k(key);
            if (!o.has(k.c_str())) continue;
            if (key == "unique_path") {  // a flag: false is the default, so it names no other data set
                if (o.boolean(k.c_str(), false)) spec.options.emplace_back(k, 1.0);
                continue;
            }
            double v = key == "size" ? static_cast<double>(o.integer(k.c_str(), 0, 4, 30))
                       : key == "min_path" ? static_cast<double>(o.integer(k.c_str(), 0, -1, 10000))
                       : key == "max_blanks" ? static_cast<double>(o.integer(k.c_str(), 0, 0, 81))
                                           : o.number(k.c_str(), -1, -1, 1e9);
            spec.options.emplace_back(k, v);
        }
        std::sort(spec.options.begin(), spec.options.end());
    }
    return spec;
}

SubsetSpec parse_subset(const Obj & task, uint64_t default_seed) {
    Obj s = task.child("subset");
    s.allow_only({"size", "seed", "strata", "allocation"});
    SubsetSpec spec;
    spec.size = s.integer("size", 0, 0, std::numeric_limits<int32_t>::max());
    spec.seed = s.seed("seed", default_seed);
    if (s.has("strata")) {
        const json & edges = s.raw("strata");
        if (!edges.is_array() || edges.empty()) s.fail("strata", "must be a non-empty list of ascending numbers (difficulty edges)");
        for (size_t i = 0; i < edges.size(); ++i) {
            std::string key = "strata[" + std::to_string(i) + "]";
            if (!edges[i].is_number() || !std::isfinite(edges[i].get<double>()))
                s.fail(key, "must be a number, got " + Obj::describe(edges[i]));
            double x = edges[i].get<double>();
            if (!spec.strata.empty() && x <= spec.strata.back())
                s.fail(key, "edges must be strictly ascending (" + Obj::describe(edges[i]) + " after " + Obj::fmt(spec.strata.back()) + ")");
            spec.strata.push_back(x);
        }
    }
    spec.allocation = s.str("allocation", "proportional");
    if (spec.allocation != "proportional" && spec.allocation != "equal")
        s.fail("allocation", "must be \"proportional\" or \"equal\", got \"" + spec.allocation + "\"");
    if (spec.allocation == "equal" && spec.strata.empty()) s.fail("allocation", "\"equal\" needs \"strata\"");
    return spec;
}

// A default task name: the dataset name, or "<family>-generated-n<N>-seed<S>".
std::string default_task_name(const TaskEntry & t) {
    if (!t.dataset.empty()) return t.dataset;
    return t.family + "-generated-n" + std::to_string(t.generate->n) + "-seed" + std::to_string(t.generate->seed);
}

TaskEntry parse_task(const Obj & t, uint64_t suite_seed) {
    t.allow_only({"name", "family", "dataset", "generate", "split", "subset", "attempts", "augmentations", "optional", "description"});
    TaskEntry e;
    e.where = t.file() + ": " + t.path();
    e.family = t.str("family", "", true);
    {
        bool known = false;
        std::vector<std::string> families;
        for (const Task * task : all_tasks()) {
            families.emplace_back(task->family());
            known = known || task->family() == e.family;
        }
        if (!known) t.unknown_name("family", "unknown task family '" + e.family + "' (known: " + join(families, ", ") + ")");
    }
    bool has_dataset = t.has("dataset"), has_generate = t.has("generate");
    if (has_dataset == has_generate) t.fail_here("needs exactly one of \"dataset\" (a dataset in the data dir) or \"generate\"");
    if (has_dataset) {
        e.dataset = t.str("dataset");
        if (e.dataset.empty()) t.fail("dataset", "must not be empty");
    } else {
        if (generate_keys(e.family).empty())
            t.unknown_name("generate", "family '" + e.family + "' cannot be generated (use \"dataset\")");
        e.generate = parse_generate(t, e.family);
    }
    e.split = t.str("split");
    if (t.has("subset")) e.subset = parse_subset(t, suite_seed);
    e.attempts = static_cast<int>(t.integer("attempts", 0, 1, kMaxAttempts));
    e.augmentations = static_cast<int>(t.integer("augmentations", -1, 0, 100000));
    e.optional = t.boolean("optional", false);
    e.name = t.str("name", default_task_name(e));
    if (e.name.empty()) t.fail("name", "must not be empty");
    return e;
}

SolverEntry parse_solver(const Obj & s) {
    SolverEntry e;
    e.where = s.file() + ": " + s.path();
    std::string kind = s.str("kind", "", true);
    if (kind == "baseline") {
        e.kind = SolverKind::baseline;
        s.allow_only({"kind", "name", "as", "tasks", "attempts", "description"});
    } else if (kind == "local") {
        e.kind = SolverKind::local;
        s.allow_only({"kind", "name", "as", "tasks", "attempts", "optional", "preset", "checkpoint", "device", "dtype",
                      "batch_size", "description"});
    } else if (kind == "llm") {
        e.kind = SolverKind::llm;
        s.allow_only({"kind", "name", "as", "tasks", "attempts", "optional", "request", "description"});
    } else {
        s.unknown_name("kind", "unknown solver kind '" + kind + "' (known: baseline, local, llm)");
    }
    e.name = s.str("name", "", true);
    if (e.name.empty()) s.fail("name", "must not be empty");
    e.as = s.str("as");
    e.tasks = s.strings("tasks");
    e.attempts = static_cast<int>(s.integer("attempts", 0, 1, kMaxAttempts));
    e.optional = s.boolean("optional", false);
    if (e.kind == SolverKind::baseline && !is_baseline_name(e.name))
        s.unknown_name("name", "unknown baseline '" + e.name + "' (known: " + join(baseline_names(), ", ") + ")");
    if (e.kind == SolverKind::local) {
        e.preset = s.str("preset", e.name);
        e.checkpoint = s.str("checkpoint", "", true);
        e.device = s.str("device", "auto");
        if (e.device != "auto" && e.device != "cpu" && e.device != "cuda" && e.device.rfind("cuda:", 0) != 0)
            s.fail("device", "must be \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \"" + e.device + "\"");
        e.dtype = s.str("dtype", "float32");
        if (e.dtype != "float32" && e.dtype != "bfloat16" && e.dtype != "float16")
            s.fail("dtype", "must be \"float32\", \"bfloat16\" or \"float16\", got \"" + e.dtype + "\"");
        e.batch_size = static_cast<int>(s.integer("batch_size", 0, 1, 1 << 20));
    }
    if (e.kind == SolverKind::llm) {
        if (s.has("request")) {
            Obj r = s.child("request");
            if (r.raw_empty()) r.fail_here("must not be empty (leave it out instead)");
            if (r.has("name") || r.has("api_key"))
                r.fail(r.has("name") ? "name" : "api_key", "cannot be overridden here (use \"as\" to rename; keys come from the environment)");
            e.request_json = s.raw("request").dump();
        }
        if (e.name == "*" && (!e.as.empty() || !e.request_json.empty()))
            s.fail(e.as.empty() ? "request" : "as", "cannot be used with \"name\": \"*\" (one entry per model)");
    }
    return e;
}

SuiteLimits parse_limits(const Obj & l) {
    l.allow_only({"spend_usd", "concurrency", "parallel_solvers", "time_budget_s"});
    SuiteLimits out;
    out.spend_usd = l.number("spend_usd", -1, 0, std::numeric_limits<double>::max());
    out.concurrency = static_cast<int>(l.integer("concurrency", 0, 0, 100000));
    out.parallel_solvers = static_cast<int>(l.integer("parallel_solvers", 0, 0, 100000));
    out.time_budget_s = l.number("time_budget_s", 0, 0, std::numeric_limits<double>::max());
    return out;
}

// "line L, column C" of a byte offset, for JSON syntax errors.
std::string line_col(std::string_view text, size_t byte) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') ++line, col = 1;
        else ++col;
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

json task_json(const TaskEntry & t, int suite_attempts) {
    json j;
    j["name"] = t.name;
    j["family"] = t.family;
    if (!t.dataset.empty()) j["dataset"] = t.dataset;
    if (t.generate) {
        json g;
        g["n"] = t.generate->n;
        g["seed"] = t.generate->seed;
        json o = json::object();
        for (const auto & [k, v] : t.generate->options) o[k] = v;
        g["options"] = o;
        j["generate"] = g;
    }
    if (!t.split.empty()) j["split"] = t.split;
    if (t.subset) {
        j["subset"] = {{"size", t.subset->size}, {"seed", t.subset->seed}, {"strata", t.subset->strata},
                       {"allocation", t.subset->allocation}};
    }
    j["attempts"] = t.attempts > 0 ? t.attempts : suite_attempts;
    if (t.augmentations >= 0) j["augmentations"] = t.augmentations;
    j["optional"] = t.optional;
    return j;
}

json solver_json(const SolverEntry & s) {
    json j;
    j["kind"] = std::string(solver_kind_name(s.kind));
    j["name"] = s.name;
    if (!s.as.empty()) j["as"] = s.as;
    if (!s.tasks.empty()) j["tasks"] = s.tasks;
    if (s.attempts > 0) j["attempts"] = s.attempts;
    if (s.kind == SolverKind::local) {
        j["preset"] = s.preset;
        j["checkpoint"] = s.checkpoint;
        j["device"] = s.device;
        j["dtype"] = s.dtype;
        if (s.batch_size > 0) j["batch_size"] = s.batch_size;
    }
    if (!s.request_json.empty()) j["request"] = json::parse(s.request_json);
    if (s.optional) j["optional"] = true;
    return j;
}

}  // namespace

std::string_view solver_kind_name(SolverKind k) {
    switch (k) {
        case SolverKind::baseline: return "baseline";
        case SolverKind::local: return "local";
        case SolverKind::llm: return "llm";
    }
    return "unknown";
}

GenerateOptions GenerateSpec::to_options() const {
    GenerateOptions o;
    o.n = n;
    o.seed = seed;
    for (const auto & [k, v] : options) {
        if (k == "min_rating") o.min_rating = v;
        else if (k == "max_rating") o.max_rating = v;
        else if (k == "size") o.size = static_cast<int>(v);
        else if (k == "min_path") o.min_path = static_cast<int>(v);
        else if (k == "max_blanks") o.max_blanks = static_cast<int>(v);
        else if (k == "unique_path") o.unique_path = v != 0;
    }
    return o;
}

const TaskEntry * Suite::find_task(std::string_view name) const {
    for (const auto & t : tasks)
        if (t.name == name) return &t;
    return nullptr;
}

std::string Suite::canonical_json() const {
    json j;
    j["name"] = name;
    j["seed"] = seed;
    j["attempts"] = attempts;
    json ts = json::array();
    for (const auto & t : tasks) ts.push_back(task_json(t, attempts));
    j["tasks"] = ts;
    json ss = json::array();
    for (const auto & s : solvers) ss.push_back(solver_json(s));
    j["solvers"] = ss;
    json l;
    l["spend_usd"] = limits.spend_usd;
    l["concurrency"] = limits.concurrency;
    l["parallel_solvers"] = limits.parallel_solvers;
    l["time_budget_s"] = limits.time_budget_s;
    j["limits"] = l;
    return j.dump();
}

Suite parse_suite(std::string_view text, const std::string & source, const fs::path & base_dir) {
    json root;
    try {
        root = json::parse(text.begin(), text.end(), nullptr, true, /*ignore_comments=*/true);
    } catch (const json::parse_error & e) {
        std::string what = e.what();
        if (auto pos = what.find("parse error"); pos != std::string::npos) what = what.substr(pos);
        throw InputError(source + ": " + line_col(text, e.byte > 0 ? e.byte - 1 : 0) + ": not valid JSON (" + what + ")");
    }
    Obj top(root, "", source);
    top.allow_only({"suite", "name", "description", "seed", "attempts", "output", "tasks", "solvers", "limits"});
    if (top.has("suite") && top.integer("suite", 1, 1, 1) != 1) top.fail("suite", "unsupported schema version");

    Suite s;
    s.source = source;
    s.base_dir = base_dir;
    s.name = top.str("name", fs::path(source).stem().string());
    s.description = top.str("description");
    s.seed = top.seed("seed", 0);
    s.attempts = static_cast<int>(top.integer("attempts", 1, 1, kMaxAttempts));
    s.output = top.str("output");

    if (!top.has("tasks")) top.fail("tasks", "required field is missing");
    const json & tasks = root.at("tasks");
    if (!tasks.is_array() || tasks.empty()) top.fail("tasks", "must be a non-empty list of task objects");
    std::set<std::string> task_names, datasets;
    for (size_t i = 0; i < tasks.size(); ++i) {
        std::string path = "tasks[" + std::to_string(i) + "]";
        TaskEntry t = parse_task(Obj(tasks[i], path, source), s.seed);
        if (!task_names.insert(t.name).second) Obj(tasks[i], path, source).fail("name", "duplicate task name '" + t.name + "'");
        if (!t.dataset.empty() && !datasets.insert(t.family + "\n" + t.dataset).second)
            Obj(tasks[i], path, source).fail("dataset", "'" + t.dataset + "' is already used by another task (one task per dataset)");
        s.tasks.push_back(std::move(t));
    }

    if (!top.has("solvers")) top.fail("solvers", "required field is missing");
    const json & solvers = root.at("solvers");
    if (!solvers.is_array() || solvers.empty()) top.fail("solvers", "must be a non-empty list of solver objects");
    std::set<std::string> solver_names;
    for (size_t i = 0; i < solvers.size(); ++i) {
        std::string path = "solvers[" + std::to_string(i) + "]";
        Obj o(solvers[i], path, source);
        SolverEntry e = parse_solver(o);
        for (size_t k = 0; k < e.tasks.size(); ++k) {
            if (s.find_task(e.tasks[k])) continue;
            std::vector<std::string> names;
            for (const auto & t : s.tasks) names.push_back(t.name);
            o.unknown_name("tasks[" + std::to_string(k) + "]",
                           "unknown task '" + e.tasks[k] + "' (tasks of this suite: " + join(names, ", ") + ")");
        }
        if (e.name != "*" && !solver_names.insert(e.run_name()).second)
            o.fail(e.as.empty() ? "name" : "as", "duplicate solver name '" + e.run_name() + "' (use \"as\" to name a variant)");
        s.solvers.push_back(std::move(e));
    }
    if (top.has("limits")) s.limits = parse_limits(top.child("limits"));
    return s;
}

std::vector<std::string> builtin_suite_names() {
    std::vector<std::string> out;
    for (const auto & e : embedded_suites()) out.emplace_back(e.name);
    return out;
}

std::optional<std::string_view> builtin_suite_text(std::string_view name) {
    for (const auto & e : embedded_suites())
        if (e.name == name) return e.text;
    return std::nullopt;
}

Suite load_suite(const std::string & name_or_path) {
    std::error_code ec;
    bool looks_like_path = name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json");
    if (looks_like_path || fs::is_regular_file(name_or_path, ec)) {
        if (!fs::is_regular_file(name_or_path, ec))
            throw UsageError("suite file " + name_or_path + " does not exist (built-in suites: " + join(builtin_suite_names(), ", ") + ")");
        fs::path p = fs::absolute(name_or_path, ec);
        return parse_suite(read_file(name_or_path), name_or_path, p.parent_path());
    }
    if (auto text = builtin_suite_text(name_or_path)) {
        Suite s = parse_suite(*text, "built-in:" + name_or_path, fs::current_path(ec));
        return s;
    }
    throw UsageError("unknown suite '" + name_or_path + "': neither a built-in suite (" + join(builtin_suite_names(), ", ") +
                     ") nor a file");
}

}  // namespace trmbench
