// Catalogue loading, validation, merging, environment overrides and the `models list` table.
#include "adapters/catalog.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "adapters/provider.h"
#include "adapters/providers/json_util.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"

namespace trmbench {

std::string_view builtin_catalog_json();  // generated from adapters/catalog/models.json

namespace {

using jsonu::json;

const std::set<std::string> kEntryFields = {
    "name",          "provider",         "api",          "model",           "base_url",
    "api_key_env",   "params",           "active_params", "temperature",    "max_output_tokens",
    "reasoning_effort", "thinking_budget", "seed",        "extra_body",      "extra_headers",
    "max_tokens_field", "store",         "background",   "poll_interval_s", "timeout_s",
    "connect_timeout_s", "typical_output_tokens", "worst_case_output_tokens", "limits", "pricing", "note"};
const std::set<std::string> kPricingFields = {"date", "currency", "input", "cached_input", "cache_write",
                                              "output", "reasoning", "batch_discount", "note"};
const std::set<std::string> kLimitFields = {"rpm", "tpm", "max_in_flight", "adaptive", "burst_s"};
const std::set<std::string> kSecretHeaders = {"authorization", "x-api-key", "x-goog-api-key", "api-key"};

// Reads fields of one JSON object with errors that say where: "<file>: model 'x': field 'y': ...".
class FieldReader {
public:
    FieldReader(const json & j, std::string where) : j_(j), where_(std::move(where)) {}

    [[noreturn]] void fail(const std::string & field, const std::string & what) const {
        throw InputError(where_ + ": field '" + field + "': " + what);
    }

    void check_known(const std::set<std::string> & known, const std::string & prefix = "") const {
        for (auto it = j_.begin(); it != j_.end(); ++it) {
            if (known.count(it.key())) continue;
            std::vector<std::string> names(known.begin(), known.end());
            fail(prefix + it.key(), "unknown field (known: " + join(names, ", ") + ")");
        }
    }

    bool has(const char * key) const { return j_.contains(key) && !j_.at(key).is_null(); }

    std::string string(const char * key, bool required, const std::string & fallback = {}) const {
        if (!has(key)) {
            if (required) fail(key, "required");
            return fallback;
        }
        if (!j_.at(key).is_string()) fail(key, "expected a string, got " + std::string(j_.at(key).type_name()));
        return j_.at(key).get<std::string>();
    }

    double number(const char * key, double fallback, double min, double max) const {
        if (!has(key)) return fallback;
        const json & v = j_.at(key);
        if (!v.is_number()) fail(key, "expected a number, got " + std::string(v.type_name()));
        double d = v.get<double>();
        if (!(d >= min && d <= max))
            fail(key, "value " + format_number(d) + " outside [" + format_number(min) + ", " + format_number(max) + "]");
        return d;
    }

    int64_t integer(const char * key, int64_t fallback, int64_t min, int64_t max) const {
        if (!has(key)) return fallback;
        const json & v = j_.at(key);
        if (!v.is_number()) fail(key, "expected an integer, got " + std::string(v.type_name()));
        double d = v.get<double>();
        if (!(d >= -9.0e18 && d <= 9.0e18)) fail(key, "value " + format_number(d) + " is out of range");
        if (d != static_cast<double>(static_cast<int64_t>(d))) fail(key, "expected an integer, got " + format_number(d));
        if (d < static_cast<double>(min) || d > static_cast<double>(max))
            fail(key, "value " + format_number(d) + " outside [" + std::to_string(min) + ", " + std::to_string(max) + "]");
        return static_cast<int64_t>(d);
    }

    bool boolean(const char * key, bool fallback) const {
        if (!has(key)) return fallback;
        if (!j_.at(key).is_boolean()) fail(key, "expected true or false");
        return j_.at(key).get<bool>();
    }

    const json * object(const char * key) const {
        if (!has(key)) return nullptr;
        if (!j_.at(key).is_object()) fail(key, "expected an object, got " + std::string(j_.at(key).type_name()));
        return &j_.at(key);
    }

    const std::string & where() const { return where_; }

private:
    static std::string format_number(double d) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", d);
        return buf;
    }
    const json & j_;
    std::string where_;
};

bool valid_date(const std::string & s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    int month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool valid_name(const std::string & s) {
    if (s.empty() || s.size() > 100) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':' && c != '/')
            return false;
    return true;
}

LimitSettings read_limits(const json & j, const std::string & where) {
    FieldReader r(j, where);
    r.check_known(kLimitFields, "limits.");
    LimitSettings s;
    s.rpm = r.number("rpm", 0, 0, 1e9);
    s.tpm = r.number("tpm", 0, 0, 1e12);
    s.max_in_flight = static_cast<int>(r.integer("max_in_flight", 0, 0, 100000));
    s.adaptive = r.boolean("adaptive", false);
    s.burst_s = r.number("burst_s", 10, 1, 60);
    if (s.adaptive && s.max_in_flight == 0) r.fail("limits.adaptive", "needs limits.max_in_flight > 0");
    return s;
}

Pricing read_pricing(const json & j, const std::string & where) {
    FieldReader r(j, where);
    r.check_known(kPricingFields, "pricing.");
    Pricing p;
    p.date = r.string("date", true);
    if (!valid_date(p.date)) r.fail("pricing.date", "expected YYYY-MM-DD, got '" + p.date + "'");
    p.currency = r.string("currency", false, "USD");
    p.input = r.number("input", -1, 0, 1e6);
    p.output = r.number("output", -1, 0, 1e6);
    if (p.input < 0) r.fail("pricing.input", "required (price per 1M input tokens)");
    if (p.output < 0) r.fail("pricing.output", "required (price per 1M output tokens)");
    p.cached_input = r.number("cached_input", -1, 0, 1e6);
    p.cache_write = r.number("cache_write", -1, 0, 1e6);
    p.reasoning = r.number("reasoning", -1, 0, 1e6);
    p.batch_discount = r.number("batch_discount", 0, 0, 0.99);
    p.note = r.string("note", false);
    return p;
}

ModelEntry parse_entry(const json & j, const std::string & where, const std::string & source) {
    FieldReader r(j, where);
    r.check_known(kEntryFields);
    ModelEntry e;
    e.source = source;
    e.name = r.string("name", true);
    if (!valid_name(e.name)) r.fail("name", "'" + e.name + "' must be 1-100 characters of letters, digits, - _ . : /");
    e.provider = r.string("provider", true);
    e.api = r.string("api", true);
    if (!find_provider(e.api)) r.fail("api", "unknown api '" + e.api + "' (known: " + join(known_apis(), ", ") + ")");
    e.model = r.string("model", true);
    if (e.model.empty()) r.fail("model", "must not be empty");
    e.base_url = r.string("base_url", true);
    if (!e.base_url.starts_with("http://") && !e.base_url.starts_with("https://"))
        r.fail("base_url", "must start with http:// or https://, got '" + e.base_url + "'");
    e.api_key_env = r.string("api_key_env", false);
    e.params = r.integer("params", -1, -1, int64_t(1) << 50);
    e.active_params = r.integer("active_params", -1, -1, int64_t(1) << 50);
    if (r.has("temperature")) e.temperature = r.number("temperature", 0, 0, 2);
    e.max_output_tokens = r.integer("max_output_tokens", -1, -1, 10'000'000);
    e.reasoning_effort = r.string("reasoning_effort", false);
    e.thinking_budget = r.integer("thinking_budget", -1, -1, 10'000'000);
    if (r.has("seed")) e.seed = r.integer("seed", 0, 0, int64_t(1) << 52);
    if (const json * extra = r.object("extra_body")) e.extra_body_json = extra->dump();
    if (const json * headers = r.object("extra_headers")) {
        for (auto it = headers->begin(); it != headers->end(); ++it) {
            std::string name = to_lower(it.key());
            if (!it->is_string()) r.fail("extra_headers." + it.key(), "expected a string");
            if (kSecretHeaders.count(name))
                r.fail("extra_headers." + it.key(), "secrets must come from the environment (api_key_env)");
            e.extra_headers.emplace_back(name, it->get<std::string>());
        }
    }
    e.max_tokens_field = r.string("max_tokens_field", false, "max_completion_tokens");
    if (e.max_tokens_field != "max_completion_tokens" && e.max_tokens_field != "max_tokens")
        r.fail("max_tokens_field", "expected \"max_completion_tokens\" or \"max_tokens\"");
    if (r.has("store")) e.store = r.boolean("store", false);
    e.background = r.boolean("background", false);
    if (e.background && e.api != "openai-responses") r.fail("background", "only the openai-responses api has background mode");
    e.poll_interval_s = r.number("poll_interval_s", 10, 0.001, 3600);
    e.timeout_s = r.number("timeout_s", 1800, 0.001, 7 * 86400);
    e.connect_timeout_s = r.number("connect_timeout_s", 10, 0.001, 600);
    e.typical_output_tokens = r.integer("typical_output_tokens", -1, -1, 10'000'000);
    e.worst_case_output_tokens = r.integer("worst_case_output_tokens", -1, -1, 10'000'000);
    if (const json * limits = r.object("limits")) e.limits = read_limits(*limits, where);
    const json * pricing = r.object("pricing");
    if (!pricing) r.fail("pricing", "required ({date, input, output, ...} per 1M tokens; 0 for local servers)");
    e.pricing = read_pricing(*pricing, where);
    e.note = r.string("note", false);
    if (std::string err = provider_for_api(e.api).check_entry(e); !err.empty()) throw InputError(where + ": " + err);
    return e;
}

std::string entry_where(const std::string & source, size_t index, const json & j) {
    std::string w = source + ": models[" + std::to_string(index) + "]";
    if (j.is_object() && j.contains("name") && j["name"].is_string()) w += " ('" + j["name"].get<std::string>() + "')";
    return w;
}

std::string upper_env_name(const std::string & name) {
    std::string out = "TRMBENCH_";
    for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
    return out + "_BASE_URL";
}

std::string format_count(int64_t n) {
    if (n < 0) return "-";
    char buf[32];
    if (n >= 1'000'000'000) std::snprintf(buf, sizeof buf, "%.3gB", static_cast<double>(n) / 1e9);
    else std::snprintf(buf, sizeof buf, "%.3gM", static_cast<double>(n) / 1e6);
    return buf;
}

std::string format_price(double p) {
    if (p < 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", p);
    return buf;
}

std::string key_status(const ModelEntry & e) {
    if (!e.needs_key()) return "not needed";
    return (e.key_present() ? "set (" : "MISSING (") + e.api_key_env + ")";
}

}  // namespace

std::string ModelEntry::base_url_env() const { return upper_env_name(name); }

bool ModelEntry::key_present() const { return needs_key() && env(api_key_env.c_str()).has_value(); }

int64_t ModelEntry::expected_output_tokens() const {
    return typical_output_tokens >= 0 ? typical_output_tokens : max_output_tokens;
}

std::string ModelEntry::to_json() const {
    json j = json::object();
    j["name"] = name;
    j["provider"] = provider;
    j["api"] = api;
    j["model"] = model;
    j["base_url"] = base_url;
    j["api_key_env"] = api_key_env;
    j["params"] = params;
    j["active_params"] = active_params;
    if (temperature) j["temperature"] = *temperature;
    if (max_output_tokens >= 0) j["max_output_tokens"] = max_output_tokens;
    if (!reasoning_effort.empty()) j["reasoning_effort"] = reasoning_effort;
    if (thinking_budget >= 0) j["thinking_budget"] = thinking_budget;
    if (seed) j["seed"] = *seed;
    if (!extra_body_json.empty()) j["extra_body"] = json::parse(extra_body_json, nullptr, false);
    if (!extra_headers.empty()) {
        json h = json::object();
        for (const auto & [k, v] : extra_headers) h[k] = v;
        j["extra_headers"] = h;
    }
    if (api == "openai-chat") j["max_tokens_field"] = max_tokens_field;
    if (store) j["store"] = *store;
    if (background) {
        j["background"] = true;
        j["poll_interval_s"] = poll_interval_s;
    }
    j["timeout_s"] = timeout_s;
    if (typical_output_tokens >= 0) j["typical_output_tokens"] = typical_output_tokens;
    if (worst_case_output_tokens >= 0) j["worst_case_output_tokens"] = worst_case_output_tokens;
    j["limits"] = json{{"rpm", limits.rpm}, {"tpm", limits.tpm}, {"max_in_flight", limits.max_in_flight},
                       {"adaptive", limits.adaptive}};
    json p = json{{"date", pricing.date}, {"currency", pricing.currency}, {"input", pricing.input},
                  {"output", pricing.output}, {"cached_input", pricing.cached_input_price()},
                  {"cache_write", pricing.cache_write_price()}, {"reasoning", pricing.reasoning_price()},
                  {"batch_discount", pricing.batch_discount}};
    if (!pricing.note.empty()) p["note"] = pricing.note;
    j["pricing"] = p;
    if (!note.empty()) j["note"] = note;
    return jsonu::canonical(j);
}

Catalog Catalog::builtin() {
    Catalog c;
    c.merge_text(builtin_catalog_json(), "built-in catalogue (adapters/catalog/models.json)");
    return c;
}

Catalog Catalog::load(const std::vector<std::string> & user_files) {
    Catalog c = builtin();
    for (const auto & f : user_files) c.merge_file(f);
    return c;
}

void Catalog::merge_file(const std::filesystem::path & path) {
    std::string text;
    try {
        text = read_file(path);
    } catch (const IoError & e) {
        throw UsageError(std::string("--catalog: ") + e.what());
    }
    merge_text(text, path.string());
}

void Catalog::merge_text(std::string_view text, const std::string & source) {
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::parse_error & e) {
        throw InputError(source + ": not valid JSON: " + e.what());
    }
    if (!doc.is_object()) throw InputError(source + ": expected a JSON object with a \"models\" array");
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "models" && it.key() != "providers" && it.key() != "schema_version" && it.key() != "note")
            throw InputError(source + ": unknown top-level field '" + it.key() +
                             "' (known: schema_version, note, providers, models)");
    if (doc.contains("schema_version") && doc["schema_version"] != 1)
        throw InputError(source + ": field 'schema_version': only version 1 is supported");
    if (doc.contains("providers")) {
        if (!doc["providers"].is_object()) throw InputError(source + ": field 'providers': expected an object");
        for (auto it = doc["providers"].begin(); it != doc["providers"].end(); ++it) {
            std::string where = source + ": providers." + it.key();
            if (!it->is_object()) throw InputError(where + ": expected an object");
            for (auto f = it->begin(); f != it->end(); ++f)
                if (f.key() != "limits") throw InputError(where + ": unknown field '" + f.key() + "' (known: limits)");
            if (it->contains("limits")) {
                if (!(*it)["limits"].is_object()) throw InputError(where + ": field 'limits': expected an object");
                provider_limits_[it.key()] = read_limits((*it)["limits"], where);
            }
        }
    }
    if (!doc.contains("models")) return;
    if (!doc["models"].is_array()) throw InputError(source + ": field 'models': expected an array");
    std::set<std::string> seen;
    size_t index = 0;
    for (const auto & item : doc["models"]) {
        std::string where = entry_where(source, index++, item);
        if (!item.is_object()) throw InputError(where + ": expected an object");
        if (!item.contains("name") || !item["name"].is_string())
            throw InputError(where + ": field 'name': required (a string)");
        std::string name = item["name"].get<std::string>();
        if (!seen.insert(name).second) throw InputError(where + ": duplicate name '" + name + "' in the same file");
        auto existing = std::find_if(entries_.begin(), entries_.end(), [&](const ModelEntry & e) { return e.name == name; });
        if (existing == entries_.end()) {
            entries_.push_back(parse_entry(item, where, source));
            raw_.push_back(item.dump());
        } else {
            // Override: merge the user's fields into the existing entry, then validate the result.
            size_t i = static_cast<size_t>(existing - entries_.begin());
            json merged = json::parse(raw_[i]);
            merged.merge_patch(item);
            *existing = parse_entry(merged, where + " (merged into the entry from " + existing->source + ")", source);
            raw_[i] = merged.dump();
        }
    }
}

const ModelEntry * Catalog::find(std::string_view name) const {
    for (const auto & e : entries_)
        if (e.name == name) return &e;
    return nullptr;
}

ModelEntry Catalog::resolve(std::string_view name) const {
    const ModelEntry * e = find(name);
    if (!e) {
        std::vector<std::string> names;
        for (const auto & x : entries_) names.push_back(x.name);
        throw UsageError("unknown model '" + std::string(name) + "' (see `trmbench models list`; known: " +
                         join(names, ", ") + ")");
    }
    return apply_env_overrides(*e);
}

LimitSettings Catalog::provider_limits(const std::string & provider) const {
    auto it = provider_limits_.find(provider);
    return it == provider_limits_.end() ? LimitSettings{} : it->second;
}

ModelEntry apply_env_overrides(ModelEntry entry) {
    if (auto url = env(entry.base_url_env().c_str())) {
        if (!url->starts_with("http://") && !url->starts_with("https://"))
            throw UsageError(entry.base_url_env() + ": must start with http:// or https://, got '" + *url + "'");
        entry.base_url = *url;
        entry.source += " + " + entry.base_url_env();
    }
    return entry;
}

std::string format_catalog_table(const Catalog & catalog) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"NAME", "PROVIDER", "API", "MODEL ID", "PARAMS", "ACTIVE", "PRICE DATE", "IN $/1M", "OUT $/1M",
                    "KEY", "BASE URL"});
    for (const auto & raw : catalog.entries()) {
        ModelEntry e = raw;
        bool overridden = false;
        if (auto url = env(e.base_url_env().c_str())) {
            e.base_url = *url;
            overridden = true;
        }
        rows.push_back({e.name, e.provider, e.api, e.model, format_count(e.params), format_count(e.active_params),
                        e.pricing.date, format_price(e.pricing.input), format_price(e.pricing.output), key_status(e),
                        e.base_url + (overridden ? " (from " + e.base_url_env() + ")" : "")});
    }
    std::vector<size_t> width(rows.front().size(), 0);
    for (const auto & r : rows)
        for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    std::string out;
    for (const auto & r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        out += std::string(trim(line)) + "\n";
    }
    return out;
}

std::string format_catalog_json(const Catalog & catalog) {
    std::string out;
    for (const auto & raw : catalog.entries()) {
        ModelEntry e = raw;
        if (auto url = env(e.base_url_env().c_str())) e.base_url = *url;
        json j = json::parse(e.to_json());
        j["key_set"] = e.key_present();
        j["source"] = e.source;
        out += j.dump() + "\n";
    }
    return out;
}

}  // namespace trmbench
