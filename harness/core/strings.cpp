#include "harness/core/strings.h"

#include <cmath>
#include <cstdio>

namespace trmbench {

std::string_view trim(std::string_view s) {
    const char * ws = " \t\r\n\f\v";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (true) {
        size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

std::string join(const std::vector<std::string> & parts, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto & c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string format_thousands(long long v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    int n = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (n && n % 3 == 0) out += ',';
        out += *it;
        ++n;
    }
    if (v < 0) out += '-';
    return std::string(out.rbegin(), out.rend());
}

std::string format_sci(double v, int digits) {
    if (v == 0) return "0";
    if (!std::isfinite(v)) return v > 0 ? "inf" : (v < 0 ? "-inf" : "nan");
    int e = static_cast<int>(std::floor(std::log10(std::fabs(v))));
    double m = v / std::pow(10.0, e);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*fe%d", digits, m, e);
    return buf;
}

std::string format_duration(double seconds) {
    char buf[64];
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    if (seconds < 60) {
        std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    } else if (seconds < 3600) {
        int s = static_cast<int>(seconds);
        std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
    } else {
        int m = static_cast<int>(seconds / 60);
        std::snprintf(buf, sizeof buf, "%dh%02dm", m / 60, m % 60);
    }
    return buf;
}

}  // namespace trmbench
