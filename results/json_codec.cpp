// Encodings of grids, measures, steps and hash maps; see json_codec.h. Grids are read with a small
// strict parser (they are the bulk of the data a report reads); the rest goes through nlohmann.
#include "results/json_codec.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>

#include "harness/core/error.h"

namespace trmbench::results {
namespace {

using ojson = nlohmann::ordered_json;

[[noreturn]] void bad(std::string_view what, const std::string & why) {
    throw InputError(std::string(what) + ": " + why);
}

struct GridParser {
    std::string_view s;
    std::string_view what;
    size_t pos = 0;

    void skip_ws() {
        while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\t' || s[pos] == '\r')) ++pos;
    }
    bool eat(char c) {
        skip_ws();
        if (pos < s.size() && s[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!eat(c)) bad(what, std::string("malformed grid JSON: expected '") + c + "' at offset " + std::to_string(pos));
    }
    uint8_t cell() {
        skip_ws();
        unsigned v = 0;
        auto [end, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), v);
        if (ec != std::errc() || v > 255)
            bad(what, "malformed grid JSON: expected a cell value 0..255 at offset " + std::to_string(pos));
        pos = static_cast<size_t>(end - s.data());
        return static_cast<uint8_t>(v);
    }
    Grid parse() {
        Grid g;
        expect('[');
        if (eat(']')) return finish(g);
        int cols = -1;
        do {
            expect('[');
            int n = 0;
            if (!eat(']')) {
                do {
                    g.cells.push_back(cell());
                    ++n;
                } while (eat(','));
                expect(']');
            }
            if (cols >= 0 && n != cols)
                bad(what, "grid row " + std::to_string(g.rows) + " has " + std::to_string(n) + " cells, expected " +
                              std::to_string(cols));
            cols = n;
            ++g.rows;
        } while (eat(','));
        expect(']');
        g.cols = cols;
        return finish(g);
    }
    Grid finish(Grid & g) {
        skip_ws();
        if (pos != s.size()) bad(what, "trailing characters after grid JSON at offset " + std::to_string(pos));
        return std::move(g);
    }
};

Grid grid_from_value(const ojson & v, std::string_view what) {
    if (!v.is_array()) bad(what, "grid is not a list of rows");
    Grid g;
    int cols = -1;
    for (const auto & row : v) {
        if (!row.is_array()) bad(what, "grid row " + std::to_string(g.rows) + " is not a list");
        int n = 0;
        for (const auto & c : row) {
            if (!c.is_number_unsigned() || c.get<uint64_t>() > 255)
                bad(what, "grid row " + std::to_string(g.rows) + " has a cell that is not 0..255");
            g.cells.push_back(static_cast<uint8_t>(c.get<uint64_t>()));
            ++n;
        }
        if (cols >= 0 && n != cols) bad(what, "grid rows have different lengths");
        cols = n;
        ++g.rows;
    }
    g.cols = g.rows ? cols : 0;
    return g;
}

// Shortest text that reads back as the same float (through a double, exactly).
void append_float(std::string & out, float f) {
    if (!std::isfinite(f)) {
        out += "null";
        return;
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<double>(f));
    out.append(buf, end);
}

float float_from(const ojson & v, std::string_view what) {
    if (v.is_null()) return std::numeric_limits<float>::quiet_NaN();
    if (!v.is_number()) bad(what, "expected a number");
    return static_cast<float>(v.get<double>());
}

ojson parse(std::string_view text, std::string_view what) {
    try {
        return ojson::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception & e) {
        bad(what, std::string("malformed JSON: ") + e.what());
    }
}

}  // namespace

std::string grid_to_json(const Grid & g) { return to_json_rows(g); }

Grid grid_from_json(std::string_view text, std::string_view what) { return GridParser{text, what}.parse(); }

std::string measures_to_json(const std::vector<Measure> & measures) {
    ojson j = ojson::object();
    for (const auto & m : measures) j[m.name] = m.value;
    return j.dump();
}

std::vector<Measure> measures_from_json(std::string_view text, std::string_view what) {
    ojson j = parse(text, what);
    if (!j.is_object()) bad(what, "measures are not a JSON object");
    std::vector<Measure> out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_boolean()) bad(what, "measure '" + it.key() + "' is not true/false");
        out.push_back({it.key(), it.value().get<bool>()});
    }
    return out;
}

std::string steps_to_json(const std::vector<StepResult> & steps) {
    std::string out = "[";
    for (size_t i = 0; i < steps.size(); ++i) {
        if (i) out += ',';
        out += "{\"answer\":";
        out += to_json_rows(steps[i].answer);
        out += ",\"q_halt\":";
        append_float(out, steps[i].q_halt);
        out += ",\"q_continue\":";
        append_float(out, steps[i].q_continue);
        out += '}';
    }
    out += ']';
    return out;
}

std::string steps_correct_string(const std::vector<StepResult> & steps) {
    std::string out;
    out.reserve(steps.size());
    for (const auto & s : steps) out += s.correct ? '1' : '0';
    return out;
}

std::vector<StepResult> steps_from_json(std::string_view json, std::string_view correct, std::string_view what) {
    ojson j = parse(json, what);
    if (!j.is_array()) bad(what, "steps are not a JSON list");
    if (!correct.empty() && correct.size() != j.size())
        bad(what, "steps_correct has " + std::to_string(correct.size()) + " entries for " + std::to_string(j.size()) +
                      " steps");
    std::vector<StepResult> out;
    out.reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
        const ojson & s = j[i];
        if (!s.is_object() || !s.contains("answer")) bad(what, "step " + std::to_string(i) + " has no answer");
        StepResult r;
        r.answer = grid_from_value(s["answer"], what);
        r.q_halt = s.contains("q_halt") ? float_from(s["q_halt"], what) : 0.f;
        r.q_continue = s.contains("q_continue") ? float_from(s["q_continue"], what) : 0.f;
        if (!correct.empty()) {
            if (correct[i] != '0' && correct[i] != '1') bad(what, "steps_correct must be a string of 0 and 1");
            r.correct = correct[i] == '1';
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::string string_map_to_json(const std::map<std::string, std::string> & m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto & [k, v] : m) j[k] = v;
    return j.dump();
}

std::map<std::string, std::string> string_map_from_json(std::string_view text, std::string_view what) {
    std::map<std::string, std::string> out;
    if (text.empty()) return out;
    ojson j = parse(text, what);
    if (!j.is_object()) bad(what, "expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_string()) bad(what, "value of '" + it.key() + "' is not a string");
        out[it.key()] = it.value().get<std::string>();
    }
    return out;
}

std::string seed_map_to_json(const std::map<std::string, uint64_t> & m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto & [k, v] : m) j[k] = v;
    return j.dump();
}

std::map<std::string, uint64_t> seed_map_from_json(std::string_view text, std::string_view what) {
    std::map<std::string, uint64_t> out;
    if (text.empty()) return out;
    ojson j = parse(text, what);
    if (!j.is_object()) bad(what, "expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_number_unsigned()) bad(what, "seed '" + it.key() + "' is not a non-negative integer");
        out[it.key()] = it.value().get<uint64_t>();
    }
    return out;
}

bool truncate_utf8(std::string & s, size_t limit) {
    if (s.size() <= limit) return false;
    size_t cut = limit;
    // Step back over continuation bytes (10xxxxxx) so that no sequence is split.
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
    return true;
}

}  // namespace trmbench::results
