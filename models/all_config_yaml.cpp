// The strict all_config.yaml subset reader (see all_config_yaml.h for the accepted subset).
#include "models/all_config_yaml.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "harness/core/error.h"
#include "harness/core/paths.h"

namespace trmbench {

namespace {

using json = nlohmann::json;

struct Line {
    int number = 0;      // 1-based
    int indent = 0;      // leading spaces
    std::string text;    // without indentation and trailing comment/whitespace
};

[[noreturn]] void fail(const std::string & origin, int line, const std::string & what) {
    throw InputError(origin + ":" + std::to_string(line) + ": " + what);
}

// Removes a trailing " # comment" that is outside quotes.
std::string strip_comment(const std::string & s) {
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        if (quote) {
            if (ch == quote) quote = 0;
            continue;
        }
        if (ch == '\'' || ch == '"') quote = ch;
        else if (ch == '#' && (i == 0 || s[i - 1] == ' ')) return s.substr(0, i);
    }
    return s;
}

std::string rtrim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

std::vector<Line> split_lines(std::string_view text, const std::string & origin) {
    std::vector<Line> out;
    int number = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string raw(text.substr(pos, end - pos));
        pos = end + 1;
        ++number;
        size_t indent = 0;
        while (indent < raw.size() && raw[indent] == ' ') ++indent;
        if (indent < raw.size() && raw[indent] == '\t') fail(origin, number, "tab in indentation (YAML allows spaces only)");
        std::string body = rtrim(strip_comment(raw.substr(indent)));
        if (body.empty()) continue;
        if (number == 1 && body == "---") continue;
        out.push_back({number, static_cast<int>(indent), body});
        if (end == text.size()) break;
    }
    return out;
}

bool valid_key(const std::string & k) {
    if (k.empty() || !(std::isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_')) return false;
    for (char ch : k)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-')) return false;
    return true;
}

// "key: value" / "key:" -> (key, value); false when the line is not a mapping entry.
bool split_entry(const std::string & text, std::string & key, std::string & value) {
    size_t colon = text.find(':');
    while (colon != std::string::npos && colon + 1 < text.size() && text[colon + 1] != ' ') colon = text.find(':', colon + 1);
    if (colon == std::string::npos) return false;
    key = text.substr(0, colon);
    value = colon + 1 < text.size() ? text.substr(colon + 2) : "";
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    return valid_key(key);
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char ch : s)
        if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
    return true;
}

// PyYAML's float forms with a dot ([-+]digits.digits[e[-+]digits], [-+].digits) and the plain
// exponent form 1e-5 (a string to PyYAML, a number to pydantic).
bool looks_like_float(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    size_t e = s.find_first_of("eE");
    std::string_view mant = s.substr(0, e), expo = e == std::string_view::npos ? "" : s.substr(e + 1);
    if (e != std::string_view::npos) {
        if (!expo.empty() && (expo[0] == '-' || expo[0] == '+')) expo.remove_prefix(1);
        if (!all_digits(expo)) return false;
    }
    size_t dot = mant.find('.');
    if (dot == std::string_view::npos) return e != std::string_view::npos && all_digits(mant);
    std::string_view a = mant.substr(0, dot), b = mant.substr(dot + 1);
    return (a.empty() || all_digits(a)) && (b.empty() || all_digits(b)) && !(a.empty() && b.empty());
}

YamlScalar parse_scalar(const std::string & v, const std::string & origin, int line) {
    YamlScalar s;
    s.line = line;
    s.s = v;
    if (v.empty()) return s;  // null
    const char c0 = v[0];
    if (c0 == '[' || c0 == '{') fail(origin, line, "flow collection '" + v + "' is not supported here (expected a scalar)");
    if (c0 == '&' || c0 == '*') fail(origin, line, "anchors and aliases are not supported ('" + v + "')");
    if (c0 == '!') fail(origin, line, "tags are not supported ('" + v + "')");
    if (c0 == '|' || c0 == '>') fail(origin, line, "block scalars are not supported ('" + v + "')");
    if (c0 == '\'') {
        if (v.size() < 2 || v.back() != '\'') fail(origin, line, "unterminated single-quoted string " + v);
        std::string out;
        for (size_t i = 1; i + 1 < v.size(); ++i) {
            if (v[i] == '\'') {
                if (i + 2 < v.size() && v[i + 1] == '\'') {
                    out += '\'';
                    ++i;
                    continue;
                }
                fail(origin, line, "stray quote in " + v);
            }
            out += v[i];
        }
        s.kind = YamlScalar::Kind::string;
        s.s = out;
        return s;
    }
    if (c0 == '"') {
        if (v.size() < 2 || v.back() != '"') fail(origin, line, "unterminated double-quoted string " + v);
        std::string out;
        for (size_t i = 1; i + 1 < v.size(); ++i) {
            char ch = v[i];
            if (ch == '"') fail(origin, line, "stray quote in " + v);
            if (ch == '\\') {
                if (i + 2 >= v.size()) fail(origin, line, "dangling escape in " + v);
                const char n = v[++i];
                switch (n) {
                    case '\\': ch = '\\'; break;
                    case '"': ch = '"'; break;
                    case '/': ch = '/'; break;
                    case 'n': ch = '\n'; break;
                    case 't': ch = '\t'; break;
                    default: fail(origin, line, std::string("unsupported escape \\") + n + " in " + v);
                }
            }
            out += ch;
        }
        s.kind = YamlScalar::Kind::string;
        s.s = out;
        return s;
    }
    static const std::set<std::string> kNull = {"null", "Null", "NULL", "~"};
    static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    if (kNull.count(v)) return s;
    if (kTrue.count(v) || kFalse.count(v)) {
        s.kind = YamlScalar::Kind::boolean;
        s.b = kTrue.count(v) != 0;
        return s;
    }
    std::string_view digits = v;
    if (digits[0] == '-' || digits[0] == '+') digits.remove_prefix(1);
    if (all_digits(digits)) {
        errno = 0;
        char * end = nullptr;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (errno == ERANGE || end != v.c_str() + v.size()) fail(origin, line, "integer out of range: " + v);
        s.kind = YamlScalar::Kind::integer;
        s.i = n;
        return s;
    }
    if (looks_like_float(v)) {
        errno = 0;
        char * end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (errno == ERANGE || end != v.c_str() + v.size()) fail(origin, line, "number out of range: " + v);
        s.kind = YamlScalar::Kind::number;
        s.d = d;
        return s;
    }
    s.kind = YamlScalar::Kind::string;
    return s;
}

// Reads the arch entries in lines[begin, end) (all at indent > parent_indent) into `arch`.
void read_arch_block(const std::vector<Line> & lines, size_t begin, size_t end, int parent_indent, ArchYaml & arch) {
    const std::string & origin = arch.origin;
    if (begin == end) return;
    const int indent = lines[begin].indent;
    std::set<std::string> seen;
    for (size_t i = begin; i < end; ++i) {
        const Line & l = lines[i];
        if (l.indent != indent)
            fail(origin, l.number, l.indent > indent ? "unexpected indentation (a continued or nested value is not supported in arch)"
                                                     : "inconsistent indentation in arch");
        if (l.text[0] == '-') fail(origin, l.number, "sequences are not supported in arch");
        std::string key, value;
        if (!split_entry(l.text, key, value)) fail(origin, l.number, "expected 'key: value', got '" + l.text + "'");
        if (!seen.insert(key).second) fail(origin, l.number, "duplicate key arch." + key);
        // A value that is not a plain scalar (block scalar, tag, anchor, ...) gets its own message
        // before the lines that follow it are taken for a nested block.
        if (!value.empty()) (void)parse_scalar(value, origin, l.number);
        // A nested block: only `loss`, a mapping of scalars.
        size_t j = i + 1;
        while (j < end && lines[j].indent > indent) ++j;
        if (j > i + 1) {
            if (!value.empty() || key != "loss")
                fail(origin, lines[i + 1].number, "nested or continued value under arch." + key + " is not supported");
            const int inner = lines[i + 1].indent;
            for (size_t k = i + 1; k < j; ++k) {
                std::string lk, lv;
                if (lines[k].indent != inner) fail(origin, lines[k].number, "unexpected indentation in arch.loss");
                if (!split_entry(lines[k].text, lk, lv)) fail(origin, lines[k].number, "expected 'key: value' in arch.loss");
                YamlScalar sc = parse_scalar(lv, origin, lines[k].number);
                arch.loss[lk] = sc.s;
            }
            i = j - 1;
            continue;
        }
        if (key == "loss") fail(origin, l.number, "arch.loss must be a mapping");
        YamlScalar sc = parse_scalar(value, origin, l.number);
        if (key == "name") {
            if (sc.kind != YamlScalar::Kind::string) fail(origin, l.number, "arch.name must be a string");
            arch.name = sc.s;
            continue;
        }
        arch.fields.emplace_back(key, sc);
    }
    (void)parent_indent;
}

}  // namespace

ArchYaml parse_all_config_yaml(std::string_view text, const std::string & origin) {
    ArchYaml arch;
    arch.origin = origin;
    const std::vector<Line> lines = split_lines(text, origin);
    bool has_arch = false;
    for (const auto & l : lines)
        has_arch = has_arch || (l.indent == 0 && (l.text == "arch:" || l.text.rfind("arch: ", 0) == 0));
    if (!has_arch) {
        // A config/arch/*.yaml file: the arch fields are the top level.
        for (const auto & l : lines)
            if (l.indent == 0 && l.text.rfind("defaults:", 0) == 0)
                fail(origin, l.number, "a hydra defaults list: give the run's all_config.yaml (or an arch yaml) instead");
        read_arch_block(lines, 0, lines.size(), -1, arch);
        if (arch.name.empty()) throw UsageError(origin + ": arch.name is missing: no `arch:` block and no top-level `name:` (not an all_config.yaml?)");
        return arch;
    }
    size_t i = 0;
    bool seen_arch = false;
    while (i < lines.size()) {
        const Line & l = lines[i];
        if (l.indent != 0) fail(origin, l.number, "unexpected indentation");
        size_t j = i + 1;
        while (j < lines.size() && (lines[j].indent > 0 || lines[j].text[0] == '-')) ++j;
        std::string key, value;
        if (!split_entry(l.text, key, value)) fail(origin, l.number, "expected 'key: value' at the top level, got '" + l.text + "'");
        if (key == "arch") {
            if (seen_arch) fail(origin, l.number, "duplicate key arch");
            seen_arch = true;
            if (!value.empty()) fail(origin, l.number, "arch must be a block mapping");
            if (j == i + 1) fail(origin, l.number, "arch is empty");
            for (size_t k = i + 1; k < j; ++k)
                if (lines[k].indent == 0) fail(origin, lines[k].number, "sequences are not supported in arch");
            read_arch_block(lines, i + 1, j, 0, arch);
        } else if (j == i + 1 && !value.empty()) {
            // A one-line top-level scalar; complex values are not interpreted.
            try {
                arch.top_level[key] = parse_scalar(value, origin, l.number);
            } catch (const InputError &) {
            }
            if (key == "data_path" && arch.top_level.count(key) && arch.top_level[key].kind == YamlScalar::Kind::string)
                arch.data_paths.push_back(arch.top_level[key].s);
        } else if (key == "data_paths") {
            for (size_t k = i + 1; k < j; ++k)
                if (lines[k].text.rfind("- ", 0) == 0) arch.data_paths.push_back(lines[k].text.substr(2));
        }
        i = j;
    }
    if (arch.name.empty()) throw UsageError(origin + ": arch.name is missing (which model class?)");
    return arch;
}

ArchYaml load_all_config_yaml(const std::filesystem::path & path) { return parse_all_config_yaml(read_file(path), path.string()); }

ModelFamily arch_family(const ArchYaml & arch) {
    const std::string & n = arch.name;
    if (n == "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1") return ModelFamily::trm;
    if (n == "hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1" || n == "recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1")
        return ModelFamily::hrm;
    throw UsageError(arch.origin + ": arch.name '" + n +
                     "' is not a supported architecture (recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1, "
                     "hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1 or recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1)");
}

ModelConfig model_config_from_arch(const ArchYaml & arch, const ArchDataShape & shape, std::vector<std::string> * ignored) {
    const ModelFamily family = arch_family(arch);
    std::map<std::string, const YamlScalar *> by_key;
    for (const auto & [k, v] : arch.fields) by_key[k] = &v;
    auto to_json = [&](const std::string & key, const YamlScalar & v, auto && self, int depth) -> json {
        if (v.kind == YamlScalar::Kind::string && v.s.rfind("${", 0) == 0 && v.s.back() == '}') {
            // ${.field}: a sibling field (hydra's relative interpolation); nothing else.
            const std::string ref = v.s.substr(2, v.s.size() - 3);
            auto it = ref.size() > 1 && ref[0] == '.' ? by_key.find(ref.substr(1)) : by_key.end();
            if (it == by_key.end() || depth > 8)
                fail(arch.origin, v.line, "arch." + key + ": interpolation " + v.s + " is not supported (only ${.sibling})");
            return self(ref.substr(1), *it->second, self, depth + 1);
        }
        switch (v.kind) {
            case YamlScalar::Kind::null: return nullptr;
            case YamlScalar::Kind::boolean: return v.b;
            case YamlScalar::Kind::integer: return v.i;
            case YamlScalar::Kind::number: return v.d;
            case YamlScalar::Kind::string: return v.s;
        }
        return nullptr;
    };
    json cfg = json::object();
    for (const auto & [k, v] : arch.fields) {
        for (const char * data_key : {"seq_len", "vocab_size", "num_puzzle_identifiers", "batch_size"})
            if (k == data_key)
                fail(arch.origin, v.line, "arch." + k + " comes from the dataset, not the arch block (the reference would fail too)");
        cfg[k] = to_json(k, v, to_json, 0);
    }
    int64_t batch = shape.batch_size;
    if (batch <= 0) {
        auto it = arch.top_level.find("global_batch_size");
        batch = it != arch.top_level.end() && it->second.kind == YamlScalar::Kind::integer && it->second.i > 0 ? it->second.i : 1;
    }
    cfg["batch_size"] = batch;
    cfg["seq_len"] = shape.seq_len;
    cfg["vocab_size"] = shape.vocab_size;
    cfg["num_puzzle_identifiers"] = shape.num_puzzle_identifiers;
    json top = {{"family", to_string(family)}, {"config", cfg}};
    // The model classes ignore keys they do not know (pydantic's default), as does this.
    return parse_model_config(top.dump(), arch.origin + ": arch", {true, ignored});
}

}  // namespace trmbench
