#include "harness/core/grid.h"

namespace trmbench {

std::string to_digit_rows(const Grid & g) {
    std::string out;
    out.reserve(g.size() + static_cast<size_t>(g.rows));
    for (int r = 0; r < g.rows; ++r) {
        if (r) out += '\n';
        for (int c = 0; c < g.cols; ++c) {
            uint8_t v = g.at(r, c);
            out += v <= 9 ? static_cast<char>('0' + v) : '?';
        }
    }
    return out;
}

std::string to_json_rows(const Grid & g) {
    std::string out = "[";
    for (int r = 0; r < g.rows; ++r) {
        if (r) out += ',';
        out += '[';
        for (int c = 0; c < g.cols; ++c) {
            if (c) out += ',';
            out += std::to_string(g.at(r, c));
        }
        out += ']';
    }
    out += ']';
    return out;
}

}  // namespace trmbench
