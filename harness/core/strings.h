// Small string helpers used across modules (no locale, no allocation surprises).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trmbench {

std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
std::string join(const std::vector<std::string> & parts, std::string_view sep);
std::string to_lower(std::string_view s);
// Human-readable numbers: 1234567 -> "1,234,567"; 1.5e9 -> "1.50e9" (format_sci).
std::string format_thousands(long long v);
std::string format_sci(double v, int digits = 2);
// Seconds as "1h02m", "3m05s", "12.3s".
std::string format_duration(double seconds);

}  // namespace trmbench
