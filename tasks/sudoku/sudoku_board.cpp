// Sudoku boards: line parser, validity checks, conversions and rendering (see sudoku_board.h).
#include "tasks/sudoku/sudoku_board.h"

namespace trmbench::sudoku {
namespace {

// The 9 cells of unit u: rows 0-8, columns 9-17, boxes 18-26.
int unit_cell(int u, int k) {
    if (u < 9) return u * 9 + k;
    if (u < 18) return k * 9 + (u - 9);
    int b = u - 18;
    return (b / 3 * 3 + k / 3) * 9 + b % 3 * 3 + k % 3;
}

std::string unit_name(int u) {
    if (u < 9) return "row " + std::to_string(u + 1);
    if (u < 18) return "column " + std::to_string(u - 9 + 1);
    return "box " + std::to_string(u - 18 + 1);
}

std::string cell_name(int c) { return "r" + std::to_string(c / 9 + 1) + "c" + std::to_string(c % 9 + 1); }

std::string describe_char(char ch) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + ch + "'";
    static const char * hex = "0123456789abcdef";
    return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

}  // namespace

std::optional<Cells> parse_line(std::string_view text, LineKind kind, std::string * error) {
    auto fail = [&](std::string msg) -> std::optional<Cells> {
        if (error) *error = std::move(msg);
        return std::nullopt;
    };
    if (text.size() != kCells)
        return fail("has " + std::to_string(text.size()) + " characters, expected 81");
    Cells cells{};
    for (int i = 0; i < kCells; ++i) {
        char ch = text[static_cast<size_t>(i)];
        bool blank = ch == '.' || ch == '0';
        if (ch >= '1' && ch <= '9') {
            cells[i] = static_cast<uint8_t>(ch - '0');
        } else if (blank && kind == LineKind::puzzle) {
            cells[i] = 0;
        } else {
            std::string expected = kind == LineKind::puzzle ? "expected 1-9, '.' or '0'" : "expected a digit 1-9 in a solved grid";
            return fail("position " + std::to_string(i + 1) + ": bad character " + describe_char(ch) + " (" + expected + ")");
        }
    }
    if (std::string conflict = find_conflict(cells); !conflict.empty())
        return fail(kind == LineKind::puzzle ? "givens conflict: " + conflict : "not a valid grid: " + conflict);
    return cells;
}

std::string find_conflict(const Cells & cells) {
    for (int u = 0; u < 27; ++u) {
        std::array<int, 10> first{};
        first.fill(-1);
        for (int k = 0; k < 9; ++k) {
            int c = unit_cell(u, k);
            int v = cells[c];
            if (v < 1 || v > 9) continue;
            if (first[v] >= 0)
                return "digit " + std::to_string(v) + " repeats in " + unit_name(u) + ": " + cell_name(first[v]) + " and " +
                       cell_name(c);
            first[v] = c;
        }
    }
    return "";
}

bool is_complete_valid(const Cells & cells) {
    for (uint8_t v : cells)
        if (v < 1 || v > 9) return false;
    return find_conflict(cells).empty();
}

bool keeps_givens(const Cells & puzzle, const Cells & grid) {
    for (int i = 0; i < kCells; ++i)
        if (puzzle[i] != 0 && puzzle[i] != grid[i]) return false;
    return true;
}

int count_givens(const Cells & cells) {
    int n = 0;
    for (uint8_t v : cells) n += v != 0;
    return n;
}

std::string to_line(const Cells & cells) {
    std::string s(kCells, '.');
    for (int i = 0; i < kCells; ++i)
        if (cells[i] >= 1 && cells[i] <= 9) s[static_cast<size_t>(i)] = static_cast<char>('0' + cells[i]);
    return s;
}

std::optional<Cells> to_cells(const Grid & g) {
    if (g.rows != 9 || g.cols != 9 || g.cells.size() != static_cast<size_t>(kCells)) return std::nullopt;
    Cells c{};
    for (int i = 0; i < kCells; ++i) {
        if (g.cells[static_cast<size_t>(i)] > 9) return std::nullopt;
        c[i] = g.cells[static_cast<size_t>(i)];
    }
    return c;
}

Grid to_grid(const Cells & cells) {
    Grid g(9, 9);
    for (int i = 0; i < kCells; ++i) g.cells[static_cast<size_t>(i)] = cells[i];
    return g;
}

std::string pretty(const Grid & g) {
    auto cells = to_cells(g);
    if (!cells) return to_digit_rows(g);
    std::string out;
    for (int r = 0; r < 9; ++r) {
        if (r == 3 || r == 6) out += "------+-------+------\n";
        for (int c = 0; c < 9; ++c) {
            if (c == 3 || c == 6) out += "| ";
            uint8_t v = (*cells)[r * 9 + c];
            out += v ? static_cast<char>('0' + v) : '.';
            if (c < 8) out += ' ';
        }
        if (r < 8) out += '\n';
    }
    return out;
}

}  // namespace trmbench::sudoku
