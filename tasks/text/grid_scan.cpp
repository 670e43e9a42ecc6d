// Finding grids in one stretch of model text: the json, latex and row readers behind every answer
// parser (see grid_scan.h for the forms read and the selection rule).
//
// Cells are read as plain ints first (digits, numbers from JSON, maze indices, or kForeign for a
// character that means nothing) and only then checked against the spec, so that a rejection can say
// what was wrong ("values outside 1..9 (found 12)") instead of merely "no grid".
#include "tasks/text/grid_scan.h"

#include <algorithm>
#include <array>
#include <climits>
#include <vector>

namespace trmbench::text {
namespace {

constexpr int kForeign = INT_MIN;      // a character that is no cell value of this task
constexpr size_t kReadCap = 256;       // rows, or cells per row, read before a candidate is dropped
constexpr size_t kMaxLabel = 24;       // "Row 1:" prefixes stripped from digit rows up to this length
constexpr int kNumberCap = 1000000;    // larger JSON numbers are clamped (they are wrong either way)
constexpr size_t kMaxRun = 1024;       // rows in one run of lines; longer runs are cut (garbage)
constexpr size_t kMaxBlocks = 16;      // R-row blocks of one run tried, from the last

struct RawGrid {
    std::vector<std::vector<int>> rows;
    std::string foreign;  // distinct offending characters, for the message
    size_t end = 0;
};

void note_foreign(std::string & foreign, char c) {
    if (foreign.size() < 8 && foreign.find(c) == std::string::npos) foreign += c;
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_quote(char c) { return c == '"' || c == '\''; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// '#' -> 0, ' ' -> 1, 'S' -> 2, 'G' -> 3, 'o' -> 4, anything else kForeign; a table because the
// maze readers look at every byte of the reply.
int maze_index(char c) {
    static const auto table = [] {
        std::array<int, 256> t;
        t.fill(kForeign);
        for (size_t i = 0; i < kMazeChars.size(); ++i) t[static_cast<unsigned char>(kMazeChars[i])] = static_cast<int>(i);
        return t;
    }();
    return table[static_cast<unsigned char>(c)];
}

// "1 row", "3 rows"; irregular plurals are spelled out by the caller.
std::string plural(size_t n, const std::string & one, const std::string & many = "") {
    return std::to_string(n) + " " + (n == 1 ? one : many.empty() ? one + "s" : many);
}

std::string shape_text(size_t r, size_t c) { return std::to_string(r) + "x" + std::to_string(c); }

std::string quoted_chars(const std::string & chars) {
    std::string out;
    for (char c : chars) out += (out.empty() ? "'" : ", '") + printable(std::string_view(&c, 1)) + "'";
    return out;
}

// ---------------------------------------------------------------------------------------------
// The spec check, on raw ints so that out-of-range values can be named.

std::string check_values(const RawGrid & raw, const GridSpec & spec) {
    size_t blanks = 0;
    bool foreign = false, out_of_range = false;
    int first_bad = 0;
    const int lo = spec.kind == GridKind::sudoku ? 1 : 0;
    const int hi = spec.kind == GridKind::maze ? 4 : 9;
    for (const auto & row : raw.rows)
        for (int v : row) {
            if (v == kForeign) foreign = true;
            else if (spec.kind == GridKind::sudoku && v == 0) ++blanks;
            else if ((v < lo || v > hi) && !out_of_range) out_of_range = true, first_bad = v;
        }
    if (spec.kind == GridKind::maze) {
        if (foreign) return "characters outside \"# SGo\": found " + quoted_chars(raw.foreign);
        return {};
    }
    if (foreign) return "characters other than digits: found " + quoted_chars(raw.foreign);
    std::string range = spec.kind == GridKind::sudoku ? "1..9" : "0..9";
    if (out_of_range) return "values outside " + range + ": found " + std::to_string(first_bad);
    if (blanks) return "values outside 1..9: " + plural(blanks, "blank cell") + ", 0 or '.'";
    return {};
}

std::string check_shape(size_t rows, size_t cols, const GridSpec & spec) {
    switch (spec.kind) {
        case GridKind::sudoku:
            if (rows != 9 || cols != 9) return "expected 9x9";
            break;
        case GridKind::maze:
            if (rows != static_cast<size_t>(spec.rows) || cols != static_cast<size_t>(spec.cols))
                return "expected " + shape_text(spec.rows, spec.cols);
            break;
        case GridKind::arc:
            if (rows > kArcMaxSide || cols > kArcMaxSide) return "larger than 30x30";
            break;
    }
    if (rows == 0 || cols == 0) return "empty rows";
    return {};
}

struct Checked {
    std::optional<Grid> grid;
    Rejection rejection;
};

Checked assemble(const RawGrid & raw, const GridSpec & spec) {
    Checked out;
    const size_t nrows = raw.rows.size();
    const size_t ncols = nrows ? raw.rows[0].size() : 0;
    out.rejection.end = raw.end;
    for (const auto & row : raw.rows) out.rejection.weight += row.size();
    for (size_t r = 1; r < nrows; ++r)
        if (raw.rows[r].size() != ncols) {
            out.rejection.found = "a ragged grid of " + std::to_string(nrows) + " rows";
            out.rejection.problem = "row " + std::to_string(r + 1) + " has " + std::to_string(raw.rows[r].size()) +
                                    " cells, row 1 has " + std::to_string(ncols);
            return out;
        }
    out.rejection.found = "a " + shape_text(nrows, ncols) + " grid";
    out.rejection.problem = check_shape(nrows, ncols, spec);
    if (out.rejection.problem.empty()) out.rejection.problem = check_values(raw, spec);
    if (!out.rejection.problem.empty()) return out;
    Grid g(static_cast<int>(nrows), static_cast<int>(ncols));
    for (size_t r = 0; r < nrows; ++r)
        for (size_t c = 0; c < ncols; ++c) g.at(static_cast<int>(r), static_cast<int>(c)) = static_cast<uint8_t>(raw.rows[r][c]);
    out.grid = std::move(g);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Keeps the best valid candidate and the most informative rejection.

int format_rank(const std::string & f) { return f == "json" ? 3 : f == "latex" ? 2 : 1; }

class Collector {
public:
    Collector(const GridSpec & spec, ScanResult & out) : spec_(spec), out_(out) {}

    // True when `raw` is a valid grid (and so a candidate answer).
    bool consider(const RawGrid & raw, const char * format) {
        bool no_cells = std::all_of(raw.rows.begin(), raw.rows.end(), [](const auto & row) { return row.empty(); });
        if (no_cells) return false;  // "[[]]", "[[], []]": brackets, not a grid
        Checked c = assemble(raw, spec_);
        if (!c.grid) {
            reject(std::move(c.rejection));
            return false;
        }
        offer(FoundGrid{std::move(*c.grid), raw.end, format});
        return true;
    }
    void offer(FoundGrid f) {
        auto & best = out_.best;
        if (!best || f.end > best->end || (f.end == best->end && format_rank(f.format) > format_rank(best->format)))
            best = std::move(f);
    }
    void reject(Rejection r) {
        auto & cur = out_.rejection;
        if (!cur || r.weight > cur->weight || (r.weight == cur->weight && r.end >= cur->end)) cur = std::move(r);
    }

private:
    const GridSpec & spec_;
    ScanResult & out_;
};

// ---------------------------------------------------------------------------------------------
// JSON-ish grids. Iterative; reads at most kReadCap rows of kReadCap cells.

// One character of a string row ("534678912", "#S o#") as a cell; false when it is only a separator.
bool char_cell(char c, GridKind kind, int & cell, std::string & foreign) {
    if (kind == GridKind::maze) {
        cell = maze_index(c);
        if (cell == kForeign) note_foreign(foreign, c);
        return true;
    }
    if (is_digit(c)) {
        cell = c - '0';
        return true;
    }
    if (c == ' ' || c == ',' || c == '\t' || c == '|') return false;
    if (kind == GridKind::sudoku && c == '.') {
        cell = 0;
        return true;
    }
    cell = kForeign;
    note_foreign(foreign, c);
    return true;
}

enum class JsonStatus { ok, fail, eof };

class JsonGridReader {
public:
    JsonGridReader(std::string_view s, const GridSpec & spec) : s_(s), spec_(spec) {}

    // Reads the grid whose opening '[' is at `start` into the reader's buffers (no allocation once
    // they have grown, so the many false starts in garbage cost little). On ok, `end` is just past
    // its ']'. On fail, `resume` is where scanning should go on: the start of the row that broke,
    // where a real grid may begin ("[[1],[[2,3],[4,5]]").
    JsonStatus read(size_t start, size_t & end, size_t & resume) {
        p_ = start + 1;
        row_start_ = start + 1;
        cells_.clear();
        row_ends_.clear();
        foreign_.clear();
        JsonStatus st = read_rows();
        end = p_;
        resume = std::max(start + 1, row_start_);
        return st;
    }

    // The rows read by the last read(), complete ones only.
    RawGrid grid(size_t end) const {
        RawGrid raw;
        size_t begin = 0;
        for (size_t row_end : row_ends_) {
            raw.rows.emplace_back(cells_.begin() + static_cast<long>(begin), cells_.begin() + static_cast<long>(row_end));
            begin = row_end;
        }
        raw.foreign = foreign_;
        raw.end = end;
        return raw;
    }
    size_t complete_rows() const { return row_ends_.size(); }
    size_t cells_read() const { return cells_.size(); }

private:
    bool at_end() const { return p_ >= s_.size(); }
    void skip_ws() {
        while (p_ < s_.size() && is_ws(s_[p_])) ++p_;
    }

    JsonStatus read_rows() {
        while (true) {
            skip_ws();
            if (at_end()) return JsonStatus::eof;
            row_start_ = p_;
            size_t row_begin = cells_.size();
            JsonStatus st = s_[p_] == '[' ? read_list_row(row_begin) : is_quote(s_[p_]) ? read_string(row_begin) : JsonStatus::fail;
            if (st != JsonStatus::ok) {
                cells_.resize(row_begin);  // keep complete rows only
                return st;
            }
            row_ends_.push_back(cells_.size());
            if (row_ends_.size() > kReadCap) return JsonStatus::fail;
            size_t before = p_;
            skip_ws();
            if (at_end()) return JsonStatus::eof;
            char c = s_[p_];
            if (c == ',') {
                ++p_;
                skip_ws();
                if (at_end()) return JsonStatus::eof;
                if (s_[p_] == ']') return ++p_, JsonStatus::ok;  // trailing comma
                continue;
            }
            if (c == ']') return ++p_, JsonStatus::ok;
            if (p_ > before && (c == '[' || is_quote(c))) continue;  // numpy: "]\n [", rows without commas
            return JsonStatus::fail;
        }
    }

    JsonStatus read_list_row(size_t row_begin) {
        ++p_;  // '['
        while (true) {
            skip_ws();
            if (at_end()) return JsonStatus::eof;
            char c = s_[p_];
            if (c == ']') return ++p_, JsonStatus::ok;
            JsonStatus st;
            if (is_digit(c) || c == '-') {
                int v = 0;
                st = read_number(v);
                if (st == JsonStatus::ok) {
                    if (spec_.kind == GridKind::maze) {
                        note_foreign(foreign_, static_cast<char>('0' + std::clamp(v, 0, 9)));
                        v = kForeign;
                    }
                    cells_.push_back(v);
                }
            } else if (is_quote(c)) {
                st = read_string(row_begin);
            } else {
                return JsonStatus::fail;
            }
            if (st != JsonStatus::ok) return st;
            if (cells_.size() - row_begin > kReadCap) return JsonStatus::fail;
            size_t before = p_;
            skip_ws();
            if (at_end()) return JsonStatus::eof;
            c = s_[p_];
            if (c == ',') {
                ++p_;
                continue;
            }
            if (c == ']') return ++p_, JsonStatus::ok;
            if (p_ > before && (is_digit(c) || c == '-' || is_quote(c))) continue;  // numpy: [1 2 3]
            return JsonStatus::fail;
        }
    }

    JsonStatus read_number(int & v) {
        bool negative = s_[p_] == '-';
        if (negative) ++p_;
        if (at_end()) return JsonStatus::eof;
        if (!is_digit(s_[p_])) return JsonStatus::fail;
        long long value = 0;
        while (p_ < s_.size() && is_digit(s_[p_])) {
            value = std::min<long long>(value * 10 + (s_[p_] - '0'), kNumberCap);
            ++p_;
        }
        // 1.5, 1e3, 12abc: not an integer cell.
        if (p_ < s_.size() && (s_[p_] == '.' || is_alpha(s_[p_]) || s_[p_] == '_')) return JsonStatus::fail;
        v = static_cast<int>(negative ? -value : value);
        return JsonStatus::ok;
    }

    // A quoted string, one cell per character (digit kinds skip spaces, commas and bars). Strings
    // never span lines and are at most kReadCap characters, so a stray quote costs little.
    JsonStatus read_string(size_t row_begin) {
        const char quote = s_[p_++];
        size_t length = 0;
        while (true) {
            if (at_end()) return JsonStatus::eof;
            char c = s_[p_];
            if (c == quote) return ++p_, JsonStatus::ok;
            if (c == '\n' || c == '\r' || ++length > kReadCap) return JsonStatus::fail;
            if (c == '\\') {
                if (++p_ >= s_.size()) return JsonStatus::eof;
                c = s_[p_];
            }
            int cell = 0;
            if (char_cell(c, spec_.kind, cell, foreign_)) cells_.push_back(cell);
            if (cells_.size() - row_begin > kReadCap) return JsonStatus::fail;
            ++p_;
        }
    }

    std::string_view s_;
    const GridSpec & spec_;
    size_t p_ = 0;
    size_t row_start_ = 0;
    std::vector<int> cells_;       // every cell of the complete rows, then of the current row
    std::vector<size_t> row_ends_;  // end offset in cells_ of each complete row
    std::string foreign_;
};

// ---------------------------------------------------------------------------------------------
// Lines. Breaks are "\n", "\r\n" and a lone "\r".

struct Line {
    std::string_view text;
    size_t end = 0;  // offset just past the text, before the break
};

template <class F>
void for_each_line(std::string_view s, F && f) {
    size_t i = 0;
    const size_t n = s.size();
    while (true) {
        size_t j = i;
        while (j < n && s[j] != '\n' && s[j] != '\r') ++j;
        f(Line{s.substr(i, j - i), j});
        if (j >= n) return;
        i = j + ((s[j] == '\r' && j + 1 < n && s[j + 1] == '\n') ? 2 : 1);
    }
}

enum class LineType { blank, separator, row, whole, text };

struct RunRow {
    std::vector<int> cells;
    std::string foreign;
    size_t end = 0;
    size_t width = 0;     // cells as written (before a maze row's lost trailing spaces are restored)
    bool padded = false;  // maze: trailing spaces restored
};

// ---------------------------------------------------------------------------------------------
// Digit rows (Sudoku, ARC).

bool digit_separator(unsigned char c, GridKind kind) {
    switch (c) {
        case ' ': case '\t': case '\f': case '\v': case '|': case ',': case '[': case ']': case '"':
        case '\'': case '`': case '*': case '+': case '-': case '=': case '_': case ';': case '{': case '}':
            return true;
        case ':':
            return kind == GridKind::sudoku;
        default:
            return c >= 0x80;  // box-drawing characters and other non-ASCII decoration
    }
}

// "Row 1: 5 3 4 ..." -> " 5 3 4 ...": a short label with a letter before the last colon.
std::string_view strip_label(std::string_view line) {
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos || colon > kMaxLabel) return line;
    std::string_view label = line.substr(0, colon);
    if (!std::any_of(label.begin(), label.end(), is_alpha)) return line;
    return line.substr(colon + 1);
}

LineType classify_digit_line(std::string_view line, GridKind kind, RunRow & row) {
    line = strip_label(line);
    // A line with several brackets is JSON written across lines; the JSON reader owns it.
    if (std::count(line.begin(), line.end(), '[') > 1 || std::count(line.begin(), line.end(), ']') > 1)
        return LineType::text;
    bool visible = false;
    row.cells.clear();
    for (char ch : line) {
        auto c = static_cast<unsigned char>(ch);
        if (is_digit(ch)) row.cells.push_back(ch - '0');
        else if (ch == '.' && kind == GridKind::sudoku) row.cells.push_back(0);
        else if (!digit_separator(c, kind)) return LineType::text;
        if (!is_ws(ch)) visible = true;
    }
    row.width = row.cells.size();
    if (row.cells.empty()) return visible ? LineType::separator : LineType::blank;
    if (kind == GridKind::sudoku && row.cells.size() == 81) return LineType::whole;
    return LineType::row;
}

RawGrid rows_to_raw(const std::vector<RunRow> & run, size_t from, size_t to) {
    RawGrid raw;
    for (size_t i = from; i < to; ++i) {
        raw.rows.push_back(run[i].cells);
        for (char c : run[i].foreign) note_foreign(raw.foreign, c);
    }
    raw.end = to > from ? run[to - 1].end : 0;
    return raw;
}

// Why a run of rows offered no R x C grid: "a 9x8 grid" (expected 9x9), "4 rows of digits" (row 3
// has 5 cells, expected 9), "30 maze rows" (no row has the full width of 30 characters).
Rejection explain_run(const std::vector<RunRow> & run, const GridSpec & spec, const char * noun, const char * nouns) {
    const size_t R = static_cast<size_t>(spec.rows), C = static_cast<size_t>(spec.cols);
    const bool maze = spec.kind == GridKind::maze;
    Rejection r;
    r.end = run.back().end;
    for (const auto & row : run) r.weight += row.width;
    bool uniform = std::all_of(run.begin(), run.end(), [&](const RunRow & x) { return x.width == run[0].width; });
    if (uniform) {
        r.found = "a " + shape_text(run.size(), run[0].width) + " grid";
        r.problem = "expected " + shape_text(R, C);
        return r;
    }
    r.found = plural(run.size(), noun, nouns);
    for (size_t k = 0; k < run.size(); ++k)
        if (maze ? run[k].width > C : run[k].width != C) {
            r.problem = "row " + std::to_string(k + 1) + " has " + std::to_string(run[k].width) +
                        (maze ? " characters" : " cells") + ", expected " + std::to_string(C);
            return r;
        }
    r.problem = run.size() != R ? "expected " + std::to_string(R) + " rows"
                                : "no row has the full width of " + std::to_string(C) + " characters";
    return r;
}

// A run of rows for a fixed R x C shape (Sudoku, maze). Every stretch of consecutive C-wide rows
// at least R long offers its last R rows (and, when its length is a multiple of R, each earlier
// block of R: a puzzle printed before its solution). Runs that offer nothing are explained whole.
void evaluate_fixed_run(const std::vector<RunRow> & run, const GridSpec & spec, const char * format, const char * noun,
                        const char * nouns, Collector & col) {
    if (run.empty()) return;
    const size_t R = static_cast<size_t>(spec.rows), C = static_cast<size_t>(spec.cols);
    bool offered = false;
    for (size_t i = 0; i < run.size();) {
        if (run[i].cells.size() != C) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < run.size() && run[j].cells.size() == C) ++j;
        size_t b = i, e = j;
        i = j;
        // Maze: short lines padded with spaces may be stray words ("So") next to the grid.
        while (e - b > R && run[b].padded) ++b;
        while (e - b > R && run[e - 1].padded) --e;
        if (e - b < R) continue;
        // From the end: the first valid block is the one that counts; at most kMaxBlocks are read.
        size_t tried = 0;
        for (size_t stop = e; stop >= b + R && tried < kMaxBlocks; stop -= R, ++tried) {
            bool all_padded = std::all_of(run.begin() + static_cast<long>(stop - R), run.begin() + static_cast<long>(stop),
                                          [](const RunRow & r) { return r.padded; });
            if (!all_padded) {
                offered = true;
                if (col.consider(rows_to_raw(run, stop - R, stop), format)) break;
            }
            if ((e - b) % R != 0) break;
        }
    }
    if (!offered) col.reject(explain_run(run, spec, noun, nouns));
}

// Sudoku in a line of prose or JSON: exactly 81 digits or dots in a row ("the solution string is
// 6219...913.", {"solution": "6219...913"}). 81 consecutive digits are no accident.
void whole_in_text(const Line & line, Collector & col) {
    const std::string_view t = line.text;
    for (size_t i = 0; i < t.size();) {
        if (!is_digit(t[i]) && t[i] != '.') {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < t.size() && (is_digit(t[j]) || t[j] == '.')) ++j;
        if (j - i == 81) {
            RawGrid raw;
            for (size_t r = 0; r < 9; ++r) {
                raw.rows.emplace_back();
                for (size_t c = 0; c < 9; ++c) raw.rows.back().push_back(t[i + 9 * r + c] == '.' ? 0 : t[i + 9 * r + c] - '0');
            }
            raw.end = line.end - t.size() + j;  // just past the digits
            col.consider(raw, "digit_rows");
        }
        i = j;
    }
}

void scan_sudoku_rows(std::string_view s, const GridSpec & spec, Collector & col) {
    std::vector<RunRow> run;
    RunRow row;
    auto flush = [&] {
        evaluate_fixed_run(run, spec, "digit_rows", "row of digits", "rows of digits", col);
        run.clear();
    };
    for_each_line(s, [&](const Line & line) {
        row.end = line.end;
        switch (classify_digit_line(line.text, GridKind::sudoku, row)) {
            case LineType::blank:
            case LineType::separator:
                break;  // blank lines and -+- rulers may sit between bands
            case LineType::row:
                run.push_back(row);
                if (run.size() >= kMaxRun) flush();
                break;
            case LineType::whole: {
                flush();
                RawGrid raw;
                for (size_t r = 0; r < 9; ++r) raw.rows.emplace_back(row.cells.begin() + static_cast<long>(9 * r),
                                                                    row.cells.begin() + static_cast<long>(9 * r + 9));
                raw.end = line.end;
                col.consider(raw, "digit_rows");
                break;
            }
            case LineType::text:
                flush();
                whole_in_text(line, col);
                break;
        }
    });
    flush();
}

void scan_arc_rows(std::string_view s, bool free_text, Collector & col) {
    std::vector<RunRow> run;
    RunRow row;
    auto flush = [&] {
        // In free text a single line of digits is more likely a number than a grid.
        if (!run.empty() && (run.size() >= 2 || !free_text)) col.consider(rows_to_raw(run, 0, run.size()), "digit_rows");
        run.clear();
    };
    for_each_line(s, [&](const Line & line) {
        row.end = line.end;
        switch (classify_digit_line(line.text, GridKind::arc, row)) {
            case LineType::separator:
                break;  // markdown table rulers
            case LineType::row:
            case LineType::whole:
                run.push_back(row);
                if (run.size() > kReadCap) flush();  // already too tall to be a grid
                break;
            case LineType::blank:
            case LineType::text:
                flush();
                break;
        }
    });
    flush();
}

// ---------------------------------------------------------------------------------------------
// Maze rows. Spaces are cells, so nothing is trimmed: a row is a line of exactly `cols` characters
// of "# SGo". Also read: "# # S o" (one separator space between cells, 2*cols-1 long), lines that
// lost their trailing spaces (padded back; at least one row of the grid must be full width), and
// the whole grid on one line (rows*cols characters, the dataset's own layout).

LineType classify_maze_line(std::string_view line, const GridSpec & spec, RunRow & row) {
    const size_t C = static_cast<size_t>(spec.cols), R = static_cast<size_t>(spec.rows);
    row.cells.clear();
    row.foreign.clear();
    row.padded = false;
    if (line.empty()) return LineType::blank;
    size_t foreign = 0;
    std::string distinct;  // foreign characters, up to 3
    for (char c : line)
        if (maze_index(c) == kForeign) {
            ++foreign;
            if (distinct.size() < 3 && distinct.find(c) == std::string::npos) distinct += c;
        }
    bool all_space = line.find_first_not_of(' ') == std::string_view::npos;
    bool spaced = C >= 2 && line.size() == 2 * C - 1;
    for (size_t k = 1; spaced && k < line.size(); k += 2) spaced = line[k] == ' ';
    if (foreign == 0) {
        if (all_space && line.size() != C) return LineType::blank;
        if (R > 1 && line.size() == R * C) {
            for (char c : line) row.cells.push_back(maze_index(c));
            return LineType::whole;
        }
        if (spaced) {
            for (size_t k = 0; k < line.size(); k += 2) row.cells.push_back(maze_index(line[k]));
            row.width = row.cells.size();
            return LineType::row;
        }
        for (char c : line) row.cells.push_back(maze_index(c));
        row.width = row.cells.size();
        if (row.cells.size() < C) {
            row.cells.resize(C, maze_index(' '));
            row.padded = true;
        }
        return LineType::row;  // longer than C: kept so that the run is reported with its width
    }
    // A full-width line drawn with one or two wrong characters ('*' or '.' for the path, '.' for
    // open cells): a row to reject with a clear message rather than text. Prose has more letters.
    if ((line.size() == C || spaced) && distinct.size() <= 2 && foreign < line.size()) {
        size_t step = spaced ? 2 : 1;
        for (size_t k = 0; k < line.size(); k += step) {
            int v = maze_index(line[k]);
            if (v == kForeign) note_foreign(row.foreign, line[k]);
            row.cells.push_back(v);
        }
        row.width = row.cells.size();
        return LineType::row;
    }
    return LineType::text;
}

void scan_maze_rows(std::string_view s, const GridSpec & spec, Collector & col) {
    if (spec.rows <= 0 || spec.cols <= 0) return;
    std::vector<RunRow> run;
    RunRow row;
    auto flush = [&] {
        evaluate_fixed_run(run, spec, "maze_rows", "maze row", "maze rows", col);
        run.clear();
    };
    for_each_line(s, [&](const Line & line) {
        row.end = line.end;
        switch (classify_maze_line(line.text, spec, row)) {
            case LineType::row:
                run.push_back(row);
                if (run.size() >= kMaxRun) flush();
                break;
            case LineType::whole: {
                flush();
                RawGrid raw;
                const size_t C = static_cast<size_t>(spec.cols);
                for (size_t r = 0; r * C < row.cells.size(); ++r)
                    raw.rows.emplace_back(row.cells.begin() + static_cast<long>(r * C),
                                          row.cells.begin() + static_cast<long>((r + 1) * C));
                raw.end = line.end;
                col.consider(raw, "maze_rows");
                break;
            }
            default:
                flush();
                break;
        }
    });
    flush();
}

void scan_rows(std::string_view s, const GridSpec & spec, bool free_text, Collector & col) {
    switch (spec.kind) {
        case GridKind::sudoku: scan_sudoku_rows(s, spec, col); break;
        case GridKind::arc: scan_arc_rows(s, free_text, col); break;
        case GridKind::maze: scan_maze_rows(s, spec, col); break;
    }
}

// ---------------------------------------------------------------------------------------------
// LaTeX matrix environments outside \boxed{}: \begin{bmatrix} ... \end{bmatrix}.

bool is_matrix_env(std::string_view name) {
    return name == "array" || name == "tabular" ||
           (name.size() >= 6 && name.substr(name.size() - 6) == "matrix") ||
           (name.size() >= 7 && name.substr(name.size() - 7) == "matrix*");
}

void scan_latex(std::string_view s, const GridSpec & spec, Collector & col) {
    constexpr std::string_view kBegin = "\\begin{";
    size_t pos = 0;
    while ((pos = s.find(kBegin, pos)) != std::string_view::npos) {
        size_t name_start = pos + kBegin.size();
        size_t close = s.find('}', name_start);
        if (close == std::string_view::npos || close - name_start > 16) {
            pos = name_start;
            continue;
        }
        std::string_view name = s.substr(name_start, close - name_start);
        if (!is_matrix_env(name)) {
            pos = close;
            continue;
        }
        std::string end_tag = "\\end{" + std::string(name) + "}";
        size_t end = s.find(end_tag, close);
        if (end == std::string_view::npos) return;  // unterminated: nothing later can close either
        size_t env_end = end + end_tag.size();
        ScanResult inner;
        Collector sub(spec, inner);
        scan_rows(latex_to_rows(s.substr(pos, env_end - pos)), spec, false, sub);
        if (inner.best) {
            inner.best->end = env_end;
            inner.best->format = "latex";
            col.offer(std::move(*inner.best));
        } else if (inner.rejection) {
            inner.rejection->end = env_end;
            col.reject(std::move(*inner.rejection));
        }
        pos = env_end;
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string printable(std::string_view s, size_t max) {
    static const char * hex = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < s.size() && out.size() < max; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (out.size() >= max && s.size() > max) out += "...";
    return out;
}

std::string latex_to_rows(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    const size_t n = s.size();
    // With "\\" row breaks, line breaks are mere whitespace (as in LaTeX); without any, they are
    // the row breaks (\boxed{534678912 <newline> 672195348 ...}).
    const bool tex_rows = s.find("\\\\") != std::string_view::npos;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '\\' && i + 1 < n && s[i + 1] == '\\') {
            out += '\n';
            i += 2;
        } else if (c == '\\' && i + 1 < n && is_alpha(s[i + 1])) {
            size_t j = i + 1;
            while (j < n && is_alpha(s[j])) ++j;
            std::string_view cmd = s.substr(i + 1, j - i - 1);
            i = j;
            if (cmd == "begin" || cmd == "end") {
                // Drop "{name}" and, for array/tabular, the column spec "{|ccc|ccc|ccc|}".
                bool column_spec = false;
                for (int group = 0; group < 2; ++group) {
                    size_t k = i;
                    while (k < n && s[k] == ' ') ++k;
                    if (k >= n || s[k] != '{') break;
                    size_t close = s.find('}', k);
                    if (close == std::string_view::npos || close - k > 64) break;
                    std::string_view name = s.substr(k + 1, close - k - 1);
                    i = close + 1;
                    if (group == 0) column_spec = cmd == "begin" && (name == "array" || name == "tabular");
                    if (!column_spec) break;
                }
            }
            out += ' ';
        } else if (c == '\\') {
            out += ' ';  // "\,", "\;", "\ ", "\!": spacing
            i += 2;
        } else {
            bool blank = c == '&' || c == '{' || c == '}' || c == '$' || (tex_rows && (c == '\n' || c == '\r'));
            out += blank ? ' ' : c;
            ++i;
        }
    }
    return out;
}

std::string check_grid(const Grid & g, const GridSpec & spec) {
    RawGrid raw;
    for (int r = 0; r < g.rows; ++r) {
        raw.rows.emplace_back();
        for (int c = 0; c < g.cols; ++c) raw.rows.back().push_back(g.at(r, c));
    }
    std::string problem = check_shape(static_cast<size_t>(g.rows), static_cast<size_t>(g.cols), spec);
    return problem.empty() ? check_values(raw, spec) : problem;
}

ScanResult scan_for_grids(std::string_view text, const GridSpec & spec, bool free_text) {
    ScanResult out;
    Collector col(spec, out);
    // JSON first: a grid start is '[' followed (after whitespace) by '[' or a quote.
    JsonGridReader reader(text, spec);
    const size_t n = text.size();
    for (size_t i = text.find('['); i < n; i = text.find('[', i + 1)) {
        size_t j = i + 1;
        while (j < n && is_ws(text[j])) ++j;
        if (j >= n || !(text[j] == '[' || is_quote(text[j]))) continue;
        if (text[j] == '[') {  // cheap early exit for "[[[": a first row starts with a cell or ends
            size_t k = j + 1;
            while (k < n && is_ws(text[k])) ++k;
            if (k < n && !(is_digit(text[k]) || text[k] == '-' || is_quote(text[k]) || text[k] == ']')) continue;
        }
        size_t end = 0, resume = 0;
        JsonStatus st = reader.read(i, end, resume);
        if (st == JsonStatus::ok) {
            RawGrid raw = reader.grid(end);
            // Sudoku as one 81-character string, the dataset's own layout: ["534678912672..."].
            if (spec.kind == GridKind::sudoku && raw.rows.size() == 1 && raw.rows[0].size() == 81) {
                std::vector<int> all = std::move(raw.rows[0]);
                raw.rows.clear();
                for (size_t r = 0; r < 9; ++r) raw.rows.emplace_back(all.begin() + static_cast<long>(9 * r), all.begin() + static_cast<long>(9 * r + 9));
            }
            col.consider(raw, "json");
            i = end - 1;
        } else if (st == JsonStatus::eof) {
            out.unterminated = true;
            Rejection r;
            r.weight = reader.cells_read();
            r.found = "an unfinished JSON grid with " + plural(reader.complete_rows(), "complete row");
            r.problem = "the text ends inside it";
            r.end = n;
            col.reject(std::move(r));
            break;  // every later start lies inside this unfinished list
        } else {
            i = resume - 1;
        }
    }
    if (spec.kind != GridKind::maze) scan_latex(text, spec, col);
    scan_rows(text, spec, free_text, col);
    return out;
}

}  // namespace trmbench::text
