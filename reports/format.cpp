// format: see format.h. Everything goes through snprintf with fixed formats, so that output does
// not depend on the locale or the standard library.
#include "reports/format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "harness/core/strings.h"

namespace trmbench::fmt {
namespace {

std::string printf_string(const char * format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// Three significant digits without exponent for 0.001 <= v < 1000.
std::string significant3(double v) {
    if (v == 0) return "0";
    int digits = static_cast<int>(std::floor(std::log10(std::fabs(v))));
    // Round to three significant digits first: 0.9999 becomes 1.00, not 1.000.
    double scale = std::pow(10.0, digits - 2);
    double rounded = std::round(v / scale) * scale;
    if (rounded != 0) digits = static_cast<int>(std::floor(std::log10(std::fabs(rounded)) + 1e-12));
    int decimals = std::max(0, 2 - digits);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

std::string percent(double fraction, int decimals) {
    if (!(fraction >= 0) || !std::isfinite(fraction)) return kUnknown;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f%%", decimals, 100.0 * fraction);
    return buf;
}

std::string interval(const Interval & ci, int decimals) {
    if (!ci.known()) return kUnknown;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.*f\xE2\x80\x93%.*f", decimals, 100.0 * ci.low, decimals, 100.0 * ci.high);
    return buf;
}

std::string si_count(double v) {
    if (!(v >= 0) || !std::isfinite(v)) return kUnknown;
    struct Unit {
        double scale;
        const char * suffix;
    };
    static constexpr Unit kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
    for (const auto & u : kUnits) {
        // Round first, so that 999,999 prints as "1.00M" rather than "1000k".
        if (v >= u.scale * 0.9995) return significant3(v / u.scale) + u.suffix;
    }
    return printf_string("%.0f", v);
}

std::string flops(double v) {
    if (!(v >= 0) || !std::isfinite(v)) return kUnknown;
    return format_sci(v, 2);
}

std::string duration_ms(double ms) {
    if (!(ms >= 0) || !std::isfinite(ms)) return kUnknown;
    if (ms < 1000) return significant3(ms) + " ms";
    if (ms < 60'000) return significant3(ms / 1000) + " s";
    if (ms < 3'600'000) return printf_string("%.1f", ms / 60'000) + " min";
    return printf_string("%.1f", ms / 3'600'000) + " h";
}

std::string dollars(double usd) {
    if (!(usd >= 0) || !std::isfinite(usd)) return kUnknown;
    if (usd == 0) return "$0";
    if (usd >= 1000) return "$" + format_thousands(std::llround(usd));
    if (usd >= 1) return printf_string("$%.2f", usd);
    return "$" + significant3(usd);
}

std::string tokens(double v) {
    if (!(v >= 0) || !std::isfinite(v)) return kUnknown;
    if (v < 10 && v != std::floor(v)) return printf_string("%.1f", v);
    return format_thousands(std::llround(v));
}

std::string count(int64_t v) { return format_thousands(v); }

std::string quantity(const Quantity & q, QuantityKind kind) {
    if (!q.known()) return kUnknown;
    std::string text;
    switch (kind) {
        case QuantityKind::flops: text = flops(q.value); break;
        case QuantityKind::duration_ms: text = duration_ms(q.value); break;
        case QuantityKind::dollars: text = dollars(q.value); break;
        case QuantityKind::tokens: text = tokens(q.value); break;
    }
    if (q.estimated) text = kEstimate + text;
    if (q.partial) text += kPartial;
    return text;
}

std::string md_cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>':
                out += '\\';
                out += c;
                break;
            case '\n': case '\r': case '\t': out += ' '; break;
            default: out += c;
        }
    }
    return out;
}

std::string md_code(std::string_view text) {
    // A code span delimited by more backticks than any run inside it; pipes still need escaping in
    // GitHub tables, and a newline would end the table row.
    size_t longest = 0, run = 0;
    std::string body;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
        if (c == '|') body += "\\|";
        else if (c == '\n' || c == '\r') body += ' ';
        else body += c;
    }
    std::string fence(longest + 1, '`');
    bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string utc_time(int64_t ms) {
    if (ms <= 0) return kUnknown;
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

std::string slug(std::string_view text) {
    std::string out;
    for (char c : text) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        out += keep ? c : '_';
    }
    while (!out.empty() && (out.front() == '.' || out.front() == '_')) out.erase(out.begin());
    return out.empty() ? "unnamed" : out;
}

}  // namespace trmbench::fmt
