#include "harness/core/prediction.h"

#include <array>
#include <utility>

namespace trmbench {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 11> kOutcomeNames = {{
    {Outcome::ok,              "ok"},
    {Outcome::parse_error,     "parse_error"},
    {Outcome::truncated,       "truncated"},
    {Outcome::refused,         "refused"},
    {Outcome::rate_limited,    "rate_limited"},
    {Outcome::quota_exhausted, "quota_exhausted"},
    {Outcome::http_error,      "http_error"},
    {Outcome::timeout,         "timeout"},
    {Outcome::error,           "error"},
    {Outcome::skipped,         "skipped"},
    {Outcome::overloaded,      "overloaded"},
}};

}  // namespace

std::string_view outcome_name(Outcome o) {
    for (const auto & [value, name] : kOutcomeNames)
        if (value == o) return name;
    return "unknown";
}

bool parse_outcome(std::string_view name, Outcome & out) {
    for (const auto & [value, n] : kOutcomeNames) {
        if (n == name) {
            out = value;
            return true;
        }
    }
    return false;
}

}  // namespace trmbench
