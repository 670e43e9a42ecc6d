// Cost, FLOPs and token estimates.
#include "adapters/usage.h"

#include <algorithm>
#include <cctype>

namespace trmbench {

int64_t TokenCounts::billed_tokens() const {
    if (input < 0 && output < 0) return -1;
    return std::max<int64_t>(0, input) + std::max<int64_t>(0, output) + std::max<int64_t>(0, reasoning);
}

double cost_usd(const TokenCounts & t, const Pricing & p, bool batch) {
    if (!p.known() || t.input < 0 || t.output < 0) return -1;
    int64_t cached = std::max<int64_t>(0, t.cached_input);
    int64_t written = std::max<int64_t>(0, t.cache_write);
    int64_t plain = std::max<int64_t>(0, t.input - cached - written);
    double dollars = static_cast<double>(plain) * p.input + static_cast<double>(cached) * p.cached_input_price() +
                     static_cast<double>(written) * p.cache_write_price() +
                     static_cast<double>(t.output) * p.output +
                     static_cast<double>(std::max<int64_t>(0, t.reasoning)) * p.reasoning_price();
    dollars /= 1e6;
    if (batch) dollars *= 1.0 - p.batch_discount;
    return dollars;
}

double estimate_flops(int64_t active_params, const TokenCounts & t) {
    int64_t tokens = t.billed_tokens();
    if (active_params <= 0 || tokens < 0) return -1;
    return 2.0 * static_cast<double>(active_params) * static_cast<double>(tokens);
}

Usage to_usage(const TokenCounts & t, const Pricing & p, const std::string & raw_json) {
    Usage u;
    u.input_tokens = t.input;
    u.cached_input_tokens = t.cached_input;
    u.output_tokens = t.output;
    u.reasoning_tokens = t.reasoning;
    u.total_tokens = t.total >= 0 ? t.total : t.billed_tokens();
    u.cost_usd = cost_usd(t, p);
    u.raw_json = raw_json;
    return u;
}

int64_t estimate_tokens(std::string_view text) {
    int64_t tokens = 0;
    size_t i = 0;
    auto is_letter = [](unsigned char c) { return std::isalpha(c) || c >= 0x80; };
    while (i < text.size()) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        size_t j = i + 1;
        if (is_letter(c)) {
            while (j < text.size() && is_letter(static_cast<unsigned char>(text[j]))) ++j;
            tokens += static_cast<int64_t>((j - i + 3) / 4);
        } else if (std::isdigit(c)) {
            while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
            tokens += static_cast<int64_t>((j - i + 2) / 3);
        } else if (c == '\n') {
            tokens += 1;
        } else if (!std::isspace(c)) {
            tokens += 1;
        }
        i = j;
    }
    return tokens;
}

}  // namespace trmbench
