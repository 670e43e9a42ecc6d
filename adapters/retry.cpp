// Retry hints, failure classification and the retry decision.
#include "adapters/retry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

#include "harness/core/strings.h"

namespace trmbench {
namespace {

using json = nlohmann::json;

bool parse_double(std::string_view s, double & out) {
    s = trim(s);
    if (s.empty()) return false;
    // std::from_chars for double is available in libstdc++ 11+.
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool valid_time(int y, int mo, int d, int h, int mi, int s) {
    return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 &&
           mi <= 59 && s >= 0 && s <= 60;
}

int month_index(std::string_view name) {
    static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
    std::string lower = to_lower(name);
    for (size_t i = 0; i < kMonths.size(); ++i)
        if (lower == kMonths[i]) return static_cast<int>(i) + 1;
    return 0;
}

bool read_int(std::string_view s, int & out) {
    s = trim(s);
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// "hh:mm:ss"
bool read_hms(std::string_view s, int & h, int & m, int & sec) {
    auto parts = split(s, ':');
    return parts.size() == 3 && read_int(parts[0], h) && read_int(parts[1], m) && read_int(parts[2], sec);
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != ',') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::string error_text_of(const json & err) {
    if (err.is_string()) return err.get<std::string>();
    if (err.is_object()) {
        auto m = err.find("message");
        if (m != err.end() && m->is_string()) return m->get<std::string>();
    }
    return {};
}

std::string string_field(const json & obj, const char * key) {
    if (!obj.is_object()) return {};
    auto it = obj.find(key);
    if (it == obj.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return {};
}

bool is_quota_code(const std::string & s) {
    static constexpr std::array<std::string_view, 9> kQuota = {
        "insufficient_quota",        "billing_error",        "credit_balance_exhausted",
        "project_spend_limit_exceeded", "billing_hard_limit_reached", "billing_not_active",
        "insufficient_balance",      "insufficient_funds",   "payment_required"};
    for (auto q : kQuota)
        if (s == q) return true;
    return false;
}

// Gemini 429s are ordinary rate limits unless the exhausted quota is per day or has a zero limit:
// then waiting minutes does not help.
bool gemini_quota_is_daily(const json & err, const std::string & message) {
    if (message.find("limit: 0") != std::string::npos) return true;
    auto details = err.find("details");
    if (details == err.end() || !details->is_array()) return false;
    for (const auto & d : *details) {
        if (!d.is_object() || string_field(d, "@type").find("QuotaFailure") == std::string::npos) continue;
        auto v = d.find("violations");
        if (v == d.end() || !v->is_array()) continue;
        for (const auto & viol : *v) {
            std::string id = string_field(viol, "quotaId");
            std::string value = string_field(viol, "quotaValue");
            if (id.find("PerDay") != std::string::npos || value == "0") return true;
        }
    }
    return false;
}

std::optional<double> gemini_retry_delay(const json & err) {
    auto details = err.find("details");
    if (details == err.end() || !details->is_array()) return std::nullopt;
    for (const auto & d : *details) {
        if (string_field(d, "@type").find("RetryInfo") == std::string::npos) continue;
        return parse_proto_duration_ms(string_field(d, "retryDelay"));
    }
    return std::nullopt;
}

FailureKind kind_for_status(int status) {
    if (status == 429) return FailureKind::rate_limited;
    if (status == 402) return FailureKind::quota;
    if (status == 529 || status == 503) return FailureKind::overloaded;
    if (status == 408 || status == 409 || status >= 500) return FailureKind::server_error;
    return FailureKind::client_error;
}

Failure transport_failure(const HttpResponse & r) {
    Failure f;
    f.http_status = 0;
    f.reason = std::string(transport_error_name(r.error)) + ": " + r.error_text;
    switch (r.error) {
        case TransportError::timeout: f.kind = FailureKind::timeout; break;
        case TransportError::connect:
        case TransportError::send_recv:
        case TransportError::other: f.kind = FailureKind::connection; break;
        case TransportError::tls: f.kind = FailureKind::tls; break;
        case TransportError::too_large: f.kind = FailureKind::client_error; break;
        case TransportError::cancelled: f.kind = FailureKind::cancelled; break;
        case TransportError::none: f.kind = FailureKind::connection; break;
    }
    return f;
}

// Parses the error body: returns the provider's message and refines the kind.
void read_error_body(const HttpResponse & r, Failure & f) {
    std::string_view body = trim(r.body);
    json doc = json::parse(body.begin(), body.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        f.reason = "HTTP " + std::to_string(r.status) + (body.empty() ? "" : ": " + summarize_body(body));
        return;
    }
    const json * err = &doc;
    if (auto it = doc.find("error"); it != doc.end() && (it->is_object() || it->is_string())) err = &*it;
    std::string type = string_field(*err, "type");    // OpenAI, Anthropic
    std::string code = string_field(*err, "code");    // OpenAI code, Gemini numeric code
    std::string status = string_field(*err, "status");  // Gemini RPC status
    std::string message = error_text_of(*err);
    if (message.empty()) message = string_field(doc, "message");  // vLLM's flat {"object":"error",...}
    f.request_id = string_field(doc, "request_id");
    if (is_quota_code(type) || is_quota_code(code)) f.kind = FailureKind::quota;
    else if (type == "overloaded_error" || status == "UNAVAILABLE") f.kind = FailureKind::overloaded;
    else if (r.status == 429 && status == "RESOURCE_EXHAUSTED" && gemini_quota_is_daily(*err, message))
        f.kind = FailureKind::quota;
    else if (type == "rate_limit_error" && f.kind != FailureKind::quota) f.kind = FailureKind::rate_limited;
    if (auto delay = gemini_retry_delay(*err)) {
        f.server_delay_ms = *delay;
        f.delay_source = "RetryInfo.retryDelay";
    }
    std::string label = !type.empty() ? type : !status.empty() ? status : code;
    f.reason = "HTTP " + std::to_string(r.status) + (label.empty() ? "" : " " + label) +
               (message.empty() ? "" : ": " + message.substr(0, 500));
}

}  // namespace

std::string_view failure_kind_name(FailureKind k) {
    switch (k) {
        case FailureKind::rate_limited: return "rate_limited";
        case FailureKind::overloaded: return "overloaded";
        case FailureKind::server_error: return "server_error";
        case FailureKind::timeout: return "timeout";
        case FailureKind::connection: return "connection";
        case FailureKind::malformed: return "malformed";
        case FailureKind::quota: return "quota";
        case FailureKind::client_error: return "client_error";
        case FailureKind::tls: return "tls";
        case FailureKind::cancelled: return "cancelled";
    }
    return "unknown";
}

bool failure_retryable(FailureKind k) {
    switch (k) {
        case FailureKind::rate_limited:
        case FailureKind::overloaded:
        case FailureKind::server_error:
        case FailureKind::timeout:
        case FailureKind::connection:
        case FailureKind::malformed: return true;
        default: return false;
    }
}

Outcome failure_outcome(FailureKind k) {
    switch (k) {
        case FailureKind::rate_limited: return Outcome::rate_limited;
        case FailureKind::overloaded: return Outcome::overloaded;
        case FailureKind::timeout: return Outcome::timeout;
        case FailureKind::quota: return Outcome::quota_exhausted;
        case FailureKind::cancelled: return Outcome::error;
        default: return Outcome::http_error;
    }
}

std::optional<double> parse_go_duration_ms(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    double total = 0;
    size_t i = 0;
    bool any = false;
    while (i < s.size()) {
        size_t j = i;
        while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
        if (j == i) return std::nullopt;
        double value = 0;
        if (!parse_double(s.substr(i, j - i), value)) return std::nullopt;
        size_t k = j;
        while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
        std::string_view unit = s.substr(j, k - j);
        double scale;
        if (unit == "ms") scale = 1;
        else if (unit == "s") scale = 1000;
        else if (unit == "m") scale = 60'000;
        else if (unit == "h") scale = 3'600'000;
        else if (unit == "us" || unit == "µs") scale = 0.001;
        else if (unit == "ns") scale = 1e-6;
        else if (unit.empty() && !any && k == s.size()) scale = 1000;  // a bare number: seconds
        else return std::nullopt;
        total += value * scale;
        any = true;
        i = k;
    }
    return total;
}

std::optional<int64_t> parse_http_date_unix_ms(std::string_view s) {
    auto w = words(trim(s));
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (w.size() == 6 && w[5] == "GMT") {
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        mo = month_index(w[2]);
        if (!read_int(w[1], d) || !read_int(w[3], y) || !read_hms(w[4], h, mi, sec)) return std::nullopt;
    } else if (w.size() == 4 && w[3] == "GMT") {
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        auto dmy = split(w[1], '-');
        if (dmy.size() != 3 || !read_int(dmy[0], d) || !read_int(dmy[2], y) || !read_hms(w[2], h, mi, sec))
            return std::nullopt;
        mo = month_index(dmy[1]);
        if (y < 100) y += y < 70 ? 2000 : 1900;
    } else if (w.size() == 5) {
        // asctime: "Sun Nov  6 08:49:37 1994"
        mo = month_index(w[1]);
        if (!read_int(w[2], d) || !read_hms(w[3], h, mi, sec) || !read_int(w[4], y)) return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (mo == 0 || !valid_time(y, mo, d, h, mi, sec)) return std::nullopt;
    int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return ((days * 24 + h) * 60 + mi) * 60'000 + static_cast<int64_t>(sec) * 1000;
}

std::optional<int64_t> parse_rfc3339_unix_ms(std::string_view s) {
    s = trim(s);
    // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return std::nullopt;
    int y, mo, d, h, mi, sec;
    if (!read_int(s.substr(0, 4), y) || !read_int(s.substr(5, 2), mo) || !read_int(s.substr(8, 2), d) ||
        !read_int(s.substr(11, 2), h) || !read_int(s.substr(14, 2), mi) || !read_int(s.substr(17, 2), sec))
        return std::nullopt;
    if (!valid_time(y, mo, d, h, mi, sec)) return std::nullopt;
    size_t i = 19;
    double frac_ms = 0;
    if (i < s.size() && s[i] == '.') {
        size_t j = i + 1;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        if (j == i + 1) return std::nullopt;
        double frac = 0;
        if (!parse_double(std::string("0") + std::string(s.substr(i, j - i)), frac)) return std::nullopt;
        frac_ms = frac * 1000;
        i = j;
    }
    int64_t offset_min = 0;
    std::string_view zone = s.substr(i);
    if (zone == "Z" || zone == "z") {
        offset_min = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int oh, om;
        if (!read_int(zone.substr(1, 2), oh) || !read_int(zone.substr(4, 2), om)) return std::nullopt;
        offset_min = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    int64_t ms = ((days * 24 + h) * 60 + mi) * 60'000 + static_cast<int64_t>(sec) * 1000;
    return ms + static_cast<int64_t>(std::llround(frac_ms)) - offset_min * 60'000;
}

std::optional<double> parse_proto_duration_ms(std::string_view s) {
    s = trim(s);
    if (s.size() < 2 || s.back() != 's') return std::nullopt;
    double v = 0;
    if (!parse_double(s.substr(0, s.size() - 1), v) || v < 0) return std::nullopt;
    return v * 1000;
}

std::optional<RetryHint> retry_hint_from_headers(const HttpHeaders & headers, int64_t now_unix_ms, bool rate_limited) {
    if (auto v = header_value(headers, "retry-after-ms"); !v.empty()) {
        double ms;
        if (parse_double(v, ms) && ms >= 0) return RetryHint{ms, "retry-after-ms"};
    }
    if (auto v = header_value(headers, "retry-after"); !v.empty()) {
        double sec;
        if (parse_double(v, sec) && sec >= 0) return RetryHint{sec * 1000, "retry-after"};
        if (auto when = parse_http_date_unix_ms(v))
            return RetryHint{std::max<double>(0, static_cast<double>(*when - now_unix_ms)), "retry-after (HTTP date)"};
    }
    if (!rate_limited) return std::nullopt;
    std::optional<RetryHint> best;
    auto consider = [&best](double ms, const char * source) {
        if (ms >= 0 && (!best || ms > best->delay_ms)) best = RetryHint{ms, source};
    };
    for (const char * name : {"x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"})
        if (auto v = header_value(headers, name); !v.empty())
            if (auto ms = parse_go_duration_ms(v)) consider(*ms, name);
    for (const char * name : {"anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-reset",
                              "anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-output-tokens-reset"})
        if (auto v = header_value(headers, name); !v.empty())
            if (auto when = parse_rfc3339_unix_ms(v)) consider(static_cast<double>(*when - now_unix_ms), name);
    return best;
}

std::string summarize_body(std::string_view body, size_t max_chars) {
    std::string out;
    bool in_tag = false, space = false;
    for (char c : body) {
        if (c == '<') { in_tag = true; continue; }
        if (c == '>' && in_tag) { in_tag = false; space = true; continue; }
        if (in_tag) continue;
        if (std::isspace(static_cast<unsigned char>(c))) { space = true; continue; }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += std::isprint(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) >= 0x80) ? c : '?';
        if (out.size() >= max_chars) {
            out += "...";
            break;
        }
    }
    return out;
}

Failure classify_failure(const HttpResponse & response, int64_t now_unix_ms) {
    if (response.transport_failed()) return transport_failure(response);
    Failure f;
    f.http_status = response.status;
    f.kind = kind_for_status(response.status);
    read_error_body(response, f);
    if (!f.server_delay_ms) {
        if (auto hint = retry_hint_from_headers(response.headers, now_unix_ms, f.kind == FailureKind::rate_limited)) {
            f.server_delay_ms = hint->delay_ms;
            f.delay_source = hint->source;
        }
    }
    std::string_view sr = header_value(response.headers, "x-should-retry");
    if (sr == "true") f.should_retry = true;
    else if (sr == "false") f.should_retry = false;
    return f;
}

Failure malformed_failure(const HttpResponse & response, const std::string & why) {
    Failure f;
    f.kind = FailureKind::malformed;
    f.http_status = response.status;
    f.reason = "malformed " + std::to_string(response.status) + " response: " + why;
    return f;
}

RetryDecision decide_retry(const RetryPolicy & policy, const Failure & failure, int attempts_done, double waited_ms,
                           int timeouts, Rng & rng) {
    RetryDecision d;
    bool retryable = failure_retryable(failure.kind);
    // The server's x-should-retry overrides the status, but never turns a quota error retryable.
    if (failure.should_retry && failure.kind != FailureKind::quota && failure.kind != FailureKind::cancelled)
        retryable = *failure.should_retry;
    if (!retryable) {
        d.why = "not retryable (" + std::string(failure_kind_name(failure.kind)) + ")";
        return d;
    }
    if (attempts_done >= policy.max_attempts) {
        d.why = "gave up after " + std::to_string(attempts_done) + " attempts";
        return d;
    }
    if (failure.kind == FailureKind::timeout && timeouts > policy.max_timeout_retries) {
        d.why = "gave up after " + std::to_string(timeouts) + " timeouts";
        return d;
    }
    double wait;
    if (failure.server_delay_ms && *failure.server_delay_ms > 0) {
        wait = *failure.server_delay_ms;
        d.why = failure.delay_source;
    } else {
        int n = std::max(0, attempts_done - 1);
        double backoff = std::min(policy.max_backoff_ms, policy.base_delay_ms * std::pow(2.0, std::min(n, 30)));
        wait = backoff * (1.0 - policy.jitter * rng.unit());
        d.why = "backoff";
    }
    if (waited_ms + wait > policy.max_retry_wall_ms) {
        d.why = "waiting " + format_duration(wait / 1000) + " (" + d.why + ") would exceed the retry budget of " +
                format_duration(policy.max_retry_wall_ms / 1000);
        return d;
    }
    d.retry = true;
    d.wait_ms = wait;
    return d;
}

}  // namespace trmbench
