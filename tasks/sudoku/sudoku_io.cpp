// Sudoku loaders (see sudoku_io.h): Sudoku-Extreme CSV, tdoku puzzle lists, files of solved grids.
#include "tasks/sudoku/sudoku_io.h"

#include <charconv>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "tasks/sudoku/sudoku_solver.h"

namespace trmbench::sudoku {
namespace {

constexpr int kMaxReported = 20;

[[noreturn]] void fail_at(const std::string & name, size_t line, const std::string & msg) {
    throw InputError(name + ":" + std::to_string(line) + ": " + msg);
}

// The text shown for a field in an error message: quoted and cut to a readable length.
std::string shown(std::string_view field) {
    constexpr size_t kMax = 40;
    std::string s(field.substr(0, kMax));
    for (char & ch : s)
        if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
    return "'" + s + (field.size() > kMax ? "...'" : "'");
}

Cells parse_field(std::string_view field, LineKind kind, const std::string & name, size_t line, const char * what) {
    std::string error;
    auto cells = parse_line(field, kind, &error);
    if (!cells) fail_at(name, line, std::string(what) + ": " + error);
    return *cells;
}

// Empty -> -1 (unknown). Otherwise a non-negative integer that fits in 32 bits.
double parse_rating(std::string_view field, const std::string & name, size_t line) {
    field = trim(field);
    if (field.empty()) return -1;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc() || end != field.data() + field.size() || value < 0 || value > INT32_MAX)
        fail_at(name, line, "rating: " + shown(field) + " is not a non-negative integer");
    return static_cast<double>(value);
}

Example make_example(size_t index, const Cells & question, const Cells & answer) {
    Example ex;
    ex.id = std::to_string(index);
    ex.family = "sudoku";
    ex.group = ex.id;
    ex.input = to_grid(question);
    ex.target = to_grid(answer);
    return ex;
}

bool is_comment_or_blank(std::string_view line) {
    std::string_view t = trim(line);
    return t.empty() || t.front() == '#';
}

// The puzzle part of a tdoku line: the first 81 characters when followed by the end of the line or by
// whitespace (tdoku lists sometimes append a rating or a name); otherwise the whole trimmed line, so
// that a length error shows the real length.
std::string_view puzzle_part(std::string_view line) {
    std::string_view t = trim(line);
    if (t.size() > static_cast<size_t>(kCells) && (t[kCells] == ' ' || t[kCells] == '\t')) return t.substr(0, kCells);
    return t;
}

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

std::vector<Example> parse_csv(std::string_view text, const std::string & name) {
    auto lines = split_lines(text);
    if (lines.empty() || trim(lines.front()) != kCsvHeader) {
        std::string got = lines.empty() ? "an empty file" : shown(lines.front());
        fail_at(name, 1, "expected the header '" + std::string(kCsvHeader) + "', got " + got);
    }
    std::vector<Example> out;
    out.reserve(lines.size() - 1);
    for (size_t i = 1; i < lines.size(); ++i) {
        size_t line_no = i + 1;
        if (trim(lines[i]).empty()) continue;
        auto fields = split(lines[i], ',');
        if (fields.size() != 4)
            fail_at(name, line_no, "expected 4 comma-separated fields (source,question,answer,rating), got " +
                                        std::to_string(fields.size()));
        Cells question = parse_field(fields[1], LineKind::puzzle, name, line_no, "question");
        Cells answer = parse_field(fields[2], LineKind::solution, name, line_no, "answer");
        for (int c = 0; c < kCells; ++c) {
            if (question[c] != 0 && question[c] != answer[c])
                fail_at(name, line_no, "answer: r" + std::to_string(c / 9 + 1) + "c" + std::to_string(c % 9 + 1) +
                                            " (position " + std::to_string(c + 1) + ") is " + std::to_string(answer[c]) +
                                            " but the question gives " + std::to_string(question[c]));
        }
        Example ex = make_example(out.size(), question, answer);
        ex.difficulty = parse_rating(fields[3], name, line_no);
        ex.meta["source"] = std::string(fields[0]);
        out.push_back(std::move(ex));
    }
    return out;
}

std::vector<Example> load_csv(const std::filesystem::path & path) { return parse_csv(read_file(path), path.string()); }

std::vector<Example> parse_puzzle_list(std::string_view text, const std::string & name) {
    auto lines = split_lines(text);
    std::string source = std::filesystem::path(name).stem().string();
    std::vector<Example> out;
    std::vector<std::string> problems;
    size_t n_problems = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (is_comment_or_blank(lines[i])) continue;
        size_t line_no = i + 1;
        Cells puzzle = parse_field(puzzle_part(lines[i]), LineKind::puzzle, name, line_no, "puzzle");
        SolveResult r = solve(puzzle, 2);
        if (r.solutions != 1) {
            if (++n_problems <= kMaxReported)
                problems.push_back(name + ":" + std::to_string(line_no) +
                                   (r.solutions == 0 ? ": puzzle has no solution" : ": puzzle has more than one solution"));
            continue;
        }
        Example ex = make_example(out.size(), puzzle, r.first);
        ex.difficulty = static_cast<double>(r.rating);
        ex.meta["source"] = source;
        ex.meta["rating_by"] = "trmbench";
        out.push_back(std::move(ex));
    }
    if (n_problems > 0) {
        std::string msg = std::to_string(n_problems) + " puzzle(s) without a unique solution";
        if (n_problems > static_cast<size_t>(kMaxReported)) msg += " (first " + std::to_string(kMaxReported) + " listed)";
        throw InputError(name + ": " + msg + ":\n  " + join(problems, "\n  "));
    }
    return out;
}

std::vector<Example> load_puzzle_list(const std::filesystem::path & path) {
    return parse_puzzle_list(read_file(path), path.string());
}

std::vector<Cells> parse_solutions(std::string_view text, const std::string & name) {
    std::vector<Cells> out;
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (is_comment_or_blank(lines[i])) continue;
        out.push_back(parse_field(trim(lines[i]), LineKind::solution, name, i + 1, "solution"));
    }
    return out;
}

std::vector<Cells> load_solutions(const std::filesystem::path & path) {
    return parse_solutions(read_file(path), path.string());
}

}  // namespace trmbench::sudoku
