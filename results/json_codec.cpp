// Encodings of grids, measures, steps and hash maps; see json_codec.h. Grids are read with a small
// strict parser (they are the bulk of the data a report reads); the rest goes through nlohmann.
#include "results/json_codec.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

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

std::string grid_to_json(const Grid & g) {
    // Same text as to_json_rows(), without a std::to_string per cell (this is the hot path of
    // every attempt written: answers, targets and per-step grids).
    if (g.rows < 0 || g.cols < 0 || g.cells.size() != static_cast<size_t>(g.rows) * static_cast<size_t>(g.cols))
        throw Error("grid with " + std::to_string(g.rows) + "x" + std::to_string(g.cols) + " shape but " +
                        std::to_string(g.cells.size()) + " cells",
                    kExitFailure);
    // Worst case 4 bytes per cell ("255,") and 3 per row ("[],"); written through a pointer.
    std::string out(2 + g.cells.size() * 4 + static_cast<size_t>(g.rows) * 3, '\0');
    char * p = out.data();
    const uint8_t * cell = g.cells.data();
    *p++ = '[';
    for (int r = 0; r < g.rows; ++r) {
        if (r) *p++ = ',';
        *p++ = '[';
        for (int c = 0; c < g.cols; ++c) {
            if (c) *p++ = ',';
            unsigned v = *cell++;
            if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
            if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
            *p++ = static_cast<char>('0' + v % 10);
        }
        *p++ = ']';
    }
    *p++ = ']';
    out.resize(static_cast<size_t>(p - out.data()));
    return out;
}

// The compact text grid_to_json() writes ("[[1,2],[3,4]]"), in one pass; nullopt for anything
// else (whitespace, errors), which then goes through GridParser and its messages.
static std::optional<Grid> grid_compact(std::string_view s) {
    size_t n = s.size(), i = 1;
    if (n < 2 || s[0] != '[') return std::nullopt;
    Grid g;
    if (s[1] == ']') return n == 2 ? std::optional(g) : std::nullopt;
    g.cells.reserve(n / 2);
    int cols = -1;
    for (;;) {
        if (i >= n || s[i] != '[') return std::nullopt;
        ++i;
        int count = 0;
        if (i < n && s[i] == ']') {
            ++i;
        } else {
            for (;;) {
                unsigned v = 0;
                size_t start = i;
                while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + static_cast<unsigned>(s[i++] - '0');
                if (i == start || v > 255 || i >= n) return std::nullopt;
                g.cells.push_back(static_cast<uint8_t>(v));
                ++count;
                if (s[i] == ',') {
                    ++i;
                    continue;
                }
                if (s[i] != ']') return std::nullopt;
                ++i;
                break;
            }
        }
        if (cols >= 0 && count != cols) return std::nullopt;
        cols = count;
        ++g.rows;
        if (i < n && s[i] == ',') {
            ++i;
            continue;
        }
        if (i + 1 == n && s[i] == ']') break;
        return std::nullopt;
    }
    g.cols = cols;
    return g;
}

Grid grid_from_json(std::string_view text, std::string_view what) {
    if (auto g = grid_compact(text)) return std::move(*g);
    return GridParser{text, what}.parse();
}

std::string measures_to_json(const std::vector<Measure> & measures) {
    ojson j = ojson::object();
    for (const auto & m : measures) j[m.name] = m.value;
    return j.dump();
}

// The text measures_to_json() writes, {"name":true,...}, read without a JSON library; nullopt for
// anything else (escapes, spaces), which then goes through the full parser.
static std::optional<std::vector<Measure>> measures_fast(std::string_view t) {
    std::vector<Measure> out;
    size_t i = 0;
    auto at = [&](char c) { return i < t.size() && t[i] == c; };
    if (!at('{')) return std::nullopt;
    ++i;
    if (at('}')) return i + 1 == t.size() ? std::optional(out) : std::nullopt;
    for (;;) {
        if (!at('"')) return std::nullopt;
        size_t end = t.find_first_of("\\\"", i + 1);
        if (end == std::string_view::npos || t[end] != '"') return std::nullopt;
        Measure m{std::string(t.substr(i + 1, end - i - 1)), false};
        i = end + 1;
        if (!at(':')) return std::nullopt;
        ++i;
        if (t.compare(i, 4, "true") == 0) {
            m.value = true;
            i += 4;
        } else if (t.compare(i, 5, "false") == 0) {
            i += 5;
        } else {
            return std::nullopt;
        }
        out.push_back(std::move(m));
        if (at(',')) {
            ++i;
            continue;
        }
        if (at('}') && i + 1 == t.size()) return out;
        return std::nullopt;
    }
}

std::vector<Measure> measures_from_json(std::string_view text, std::string_view what) {
    if (auto fast = measures_fast(text)) return std::move(*fast);
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
        // A step whose answer equals the previous step's leaves it out: predictions settle after a
        // few ACT steps, and 16 copies of a 30x30 grid per attempt would dominate the file.
        out += '{';
        if (i == 0 || !(steps[i].answer == steps[i - 1].answer)) {
            out += "\"answer\":";
            out += grid_to_json(steps[i].answer);
            out += ',';
        }
        out += "\"q_halt\":";
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
        if (!s.is_object()) bad(what, "step " + std::to_string(i) + " is not an object");
        StepResult r;
        if (s.contains("answer")) r.answer = grid_from_value(s["answer"], what);
        else if (i > 0) r.answer = out.back().answer;  // same as the previous step
        else bad(what, "step 0 has no answer");
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
