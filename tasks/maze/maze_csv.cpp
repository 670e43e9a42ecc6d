// Maze-Hard CSV loader (see maze_csv.h): field splitting, header detection, row validation.
#include "tasks/maze/maze_csv.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "tasks/maze/maze_core.h"

namespace trmbench {
namespace {

using maze::kGoal;
using maze::kOpen;
using maze::kPath;
using maze::kStart;

// Where the fields of a row live; -1 = no such column.
struct Columns {
    int source = -1, question = -1, answer = -1, rating = -1;
    size_t count = 0;  // fields every row must have
};

struct Location {
    const std::string & file;
    size_t line;
};

[[noreturn]] void fail(const Location & at, const std::string & field, const std::string & problem) {
    throw InputError(at.file + ":" + std::to_string(at.line) + ": " + field + ": " + problem);
}

// Splits one CSV line (RFC 4180 quoting within the line). Returns nullopt and sets *why on a bad quote.
std::optional<std::vector<std::string>> split_fields(std::string_view line, std::string * why) {
    std::vector<std::string> fields;
    size_t i = 0;
    while (true) {
        std::string field;
        if (i < line.size() && line[i] == '"') {
            ++i;
            while (true) {
                if (i >= line.size()) {
                    *why = "unterminated quoted field " + std::to_string(fields.size() + 1);
                    return std::nullopt;
                }
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += line[i++];
            }
            if (i < line.size() && line[i] != ',') {
                *why = "text after the closing quote of field " + std::to_string(fields.size() + 1);
                return std::nullopt;
            }
        } else {
            size_t end = line.find(',', i);
            if (end == std::string_view::npos) end = line.size();
            field.assign(line.substr(i, end - i));
            i = end;
        }
        fields.push_back(std::move(field));
        if (i >= line.size()) break;
        ++i;  // the comma
    }
    return fields;
}

bool is_name(std::string_view field) {
    field = trim(field);
    if (field.empty() || !std::isalpha(static_cast<unsigned char>(field[0]))) return false;
    return std::all_of(field.begin(), field.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ' ';
    });
}

Columns positional(size_t n_fields) {
    Columns c;
    c.count = n_fields;
    if (n_fields >= 3) c.source = 0, c.question = 1, c.answer = 2;
    if (n_fields >= 4) c.rating = 3;
    return c;
}

// Column names of a header; nullopt when it names no question column.
std::optional<Columns> named_columns(const std::vector<std::string> & names) {
    Columns c;
    c.count = names.size();
    for (size_t i = 0; i < names.size(); ++i) {
        std::string n = to_lower(trim(names[i]));
        int idx = static_cast<int>(i);
        if (n == "source" || n == "src") c.source = idx;
        else if (n == "question" || n == "q" || n == "puzzle" || n == "input" || n == "maze") c.question = idx;
        else if (n == "answer" || n == "a" || n == "solution" || n == "output" || n == "target") c.answer = idx;
        else if (n == "rating" || n == "difficulty") c.rating = idx;
    }
    if (c.question < 0) return std::nullopt;
    return c;
}

// "114", "+114", "114.0" -> "114"; nullopt for anything else.
std::optional<std::string> parse_integer(std::string_view s) {
    s = trim(s);
    std::string sign;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        if (s[0] == '-') sign = "-";
        s.remove_prefix(1);
    }
    size_t dot = s.find('.');
    std::string_view digits = s.substr(0, dot);
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return std::nullopt;
    if (dot != std::string_view::npos) {
        std::string_view frac = s.substr(dot + 1);
        if (frac.empty() || !std::all_of(frac.begin(), frac.end(), [](char c) { return c == '0'; })) return std::nullopt;
    }
    size_t first = digits.find_first_not_of('0');
    std::string value = first == std::string_view::npos ? "0" : std::string(digits.substr(first));
    return value == "0" ? value : sign + value;
}

std::string cell_name(size_t i, int side) {
    return "cell " + std::to_string(i) + " (row " + std::to_string(i / side) + ", column " + std::to_string(i % side) + ")";
}

std::string quoted_char(uint8_t v) { return std::string("'") + maze::kCharset[v] + "'"; }

Grid parse_question(const std::string & text, const Location & at, int * side) {
    std::string why;
    std::optional<Grid> q = maze::grid_from_string(text, &why);
    if (!q) fail(at, "question", why);
    if (*side > 0 && q->rows != *side)
        fail(at, "question", "side " + std::to_string(q->rows) + " differs from side " + std::to_string(*side) +
                                 " of the first row");
    *side = q->rows;
    int starts = 0, goals = 0;
    for (size_t i = 0; i < q->size(); ++i) {
        uint8_t v = q->cells[i];
        if (v == kPath) fail(at, "question", cell_name(i, q->rows) + " is 'o': path cells belong in the answer only");
        starts += v == kStart;
        goals += v == kGoal;
    }
    if (starts != 1) fail(at, "question", std::to_string(starts) + " start cells 'S' (expected exactly one)");
    if (goals != 1) fail(at, "question", std::to_string(goals) + " goal cells 'G' (expected exactly one)");
    return *q;
}

Grid parse_answer(const std::string & text, const Grid & question, const Location & at) {
    if (text.size() != question.size())
        fail(at, "answer", "length " + std::to_string(text.size()) + " differs from the question's " +
                               std::to_string(question.size()));
    std::string why;
    std::optional<Grid> a = maze::grid_from_string(text, &why);
    if (!a) fail(at, "answer", why);
    for (size_t i = 0; i < a->size(); ++i) {
        uint8_t q = question.cells[i], v = a->cells[i];
        if (v == q || (v == kPath && q == kOpen)) continue;
        fail(at, "answer", cell_name(i, question.rows) + " is " + quoted_char(q) + " in the question but " +
                               quoted_char(v) + " in the answer (only open cells may become 'o')");
    }
    return *a;
}

Example parse_row(const std::vector<std::string> & fields, const Columns & cols, size_t row, const Location & at,
                  int * side) {
    if (fields.size() != cols.count)
        fail(at, "row", "expected " + std::to_string(cols.count) + " fields, found " + std::to_string(fields.size()));
    Example ex;
    ex.id = std::to_string(row);
    ex.family = "maze";
    ex.group = ex.id;
    ex.input = parse_question(fields[cols.question], at, side);
    if (cols.answer >= 0 && !fields[cols.answer].empty()) ex.target = parse_answer(fields[cols.answer], ex.input, at);
    if (cols.rating >= 0 && !trim(fields[cols.rating]).empty()) {
        std::optional<std::string> rating = parse_integer(fields[cols.rating]);
        if (!rating) fail(at, "rating", "'" + fields[cols.rating] + "' is not an integer");
        ex.meta["rating"] = *rating;
    }
    if (cols.source >= 0 && !fields[cols.source].empty()) ex.meta["source"] = fields[cols.source];
    ex.difficulty = maze::shortest_path_moves(ex.input);
    return ex;
}

// The first line is a header when it is not a valid data row and its fields look like column names.
bool is_header(const std::vector<std::string> & fields, const std::string & file) {
    if (!std::all_of(fields.begin(), fields.end(), is_name)) return false;
    Columns cols = positional(fields.size());
    if (cols.question < 0) return true;
    try {
        int side = 0;
        parse_row(fields, cols, 0, Location{file, 1}, &side);
        return false;
    } catch (const InputError &) {
        return true;
    }
}

}  // namespace

std::vector<Example> parse_maze_csv(std::string_view text, const std::string & file_label) {
    std::vector<Example> out;
    std::optional<Columns> cols;
    int side = 0;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) continue;
        Location at{file_label, line_no};
        std::string why;
        std::optional<std::vector<std::string>> fields = split_fields(line, &why);
        if (!fields) fail(at, "row", why);
        if (!cols) {
            if (is_header(*fields, file_label)) {
                cols = named_columns(*fields);
                if (!cols) cols = positional(fields->size());
                if (cols->question < 0)
                    fail(at, "header", "no question column (expected source,question,answer,rating)");
                continue;
            }
            cols = positional(fields->size());
            if (cols->question < 0)
                fail(at, "row", "expected source,question,answer[,rating], found " + std::to_string(fields->size()) +
                                    " field(s)");
        }
        out.push_back(parse_row(*fields, *cols, out.size(), at, &side));
    }
    return out;
}

std::vector<Example> load_maze_csv(const std::filesystem::path & path) {
    return parse_maze_csv(read_file(path), path.string());
}

}  // namespace trmbench
