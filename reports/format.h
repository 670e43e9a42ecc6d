// format: how report numbers print. One place, so that the markdown tables, figure labels and
// captions agree: "–" for an honest unknown, "~" before an estimate, "†" after a number known for
// only part of the attempts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reports/report_model.h"
#include "reports/stats.h"

namespace trmbench::fmt {

inline constexpr const char * kUnknown = "\xE2\x80\x93";   // "–" (en dash)
inline constexpr const char * kEstimate = "~";
inline constexpr const char * kPartial = "\xE2\x80\xA0";   // "†"

// 0.874 -> "87.4%" (decimals after the point; negative or NaN -> "–").
std::string percent(double fraction, int decimals = 1);
// [0.792, 0.922] -> "79.2–92.2" (percent points, no % sign); unknown -> "–".
std::string interval(const Interval & ci, int decimals = 1);
// Parameter counts: 6828034 -> "6.83M", 671e9 -> "671B", 1.7e12 -> "1.7T", 950 -> "950".
std::string si_count(double v);
// FLOPs: 1.234e12 -> "1.23e12".
std::string flops(double v);
// Milliseconds: 0.42 -> "0.42 ms", 12.3 -> "12.3 ms", 1520 -> "1.52 s", 95000 -> "1.6 min".
std::string duration_ms(double ms);
// Dollars with three significant digits: 0.01234 -> "$0.0123", 1.5 -> "$1.50", 1234 -> "$1,234".
std::string dollars(double usd);
// Token counts per puzzle: 1234.5 -> "1,235"; 0.4 -> "0.4".
std::string tokens(double v);
// Integer with thousands separators.
std::string count(int64_t v);

enum class QuantityKind { flops, duration_ms, dollars, tokens };
// A Quantity with its markers: "~1.23e12", "12.3 ms†", "–".
std::string quantity(const Quantity & q, QuantityKind kind);

// Text for a markdown table cell: | \ ` * _ [ ] < > escaped, newlines as spaces.
std::string md_cell(std::string_view text);
// A markdown inline code span that survives any content (backticks, pipes in tables).
std::string md_code(std::string_view text);

// "2026-01-02 10:30 UTC" from unix milliseconds; "–" for <= 0.
std::string utc_time(int64_t ms);

// A file-name-safe slug: "arc-agi-1/evaluation" -> "arc-agi-1_evaluation".
std::string slug(std::string_view text);

}  // namespace trmbench::fmt
