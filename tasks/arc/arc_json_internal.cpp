// Grid <-> JSON for ARC files and submissions (see arc_json_internal.h).
#include "tasks/arc/arc_json_internal.h"

namespace trmbench::arc_json {
namespace {

constexpr int kMaxSide = 30;

std::string index(size_t i) { return "[" + std::to_string(i) + "]"; }

// A cell must be an integer 0..9; floats (even 1.0), booleans and strings are not colours.
std::string cell_problem(const nlohmann::json & v) {
    if (v.is_number_unsigned()) {
        auto x = v.get<uint64_t>();
        return x <= 9 ? "" : "colour " + std::to_string(x) + " outside 0..9";
    }
    if (v.is_number_integer()) {
        auto x = v.get<int64_t>();
        return x >= 0 && x <= 9 ? "" : "colour " + std::to_string(x) + " outside 0..9";
    }
    return "expected an integer colour 0..9, got " + type_name(v);
}

}  // namespace

std::string type_name(const nlohmann::json & v) {
    using T = nlohmann::json::value_t;
    switch (v.type()) {
        case T::null: return "null";
        case T::object: return "an object";
        case T::array: return "a list";
        case T::string: return "a string";
        case T::boolean: return "a boolean";
        case T::number_float: return "a non-integer number";
        case T::number_integer:
        case T::number_unsigned: return "a number";
        default: return "an unsupported value";
    }
}

GridProblem read_grid(const nlohmann::json & v, Grid & out) {
    if (!v.is_array()) return {"", "expected a list of rows, got " + type_name(v)};
    const size_t rows = v.size();
    if (rows < 1 || rows > kMaxSide) return {"", std::to_string(rows) + " rows, expected 1..30"};
    size_t cols = 0;
    for (size_t r = 0; r < rows; ++r) {
        const auto & row = v[r];
        if (!row.is_array()) return {index(r), "expected a row (list of colours), got " + type_name(row)};
        if (r == 0) {
            cols = row.size();
            if (cols < 1 || cols > kMaxSide) return {index(r), std::to_string(cols) + " columns, expected 1..30"};
        } else if (row.size() != cols) {
            return {index(r), std::to_string(row.size()) + " columns, but row 0 has " + std::to_string(cols) + " (ragged grid)"};
        }
    }
    Grid g(static_cast<int>(rows), static_cast<int>(cols));
    for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < cols; ++c) {
            const auto & cell = v[r][c];
            if (auto p = cell_problem(cell); !p.empty()) return {index(r) + index(c), p};
            g.at(static_cast<int>(r), static_cast<int>(c)) = static_cast<uint8_t>(cell.get<int64_t>());
        }
    out = std::move(g);
    return {};
}

nlohmann::json grid_to_json(const Grid & g) {
    nlohmann::json rows = nlohmann::json::array();
    for (int r = 0; r < g.rows; ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (int c = 0; c < g.cols; ++c) row.push_back(static_cast<int>(g.at(r, c)));
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace trmbench::arc_json
