// Retry hints, failure classification over recorded error bodies, and the retry decision.
#include <catch2/catch.hpp>

#include "adapters/retry.h"
#include "tests/unit/adapters/adapter_test_support.h"

using namespace trmbench;
using trmbench::test::http_data;

namespace {

HttpResponse error_response(int status, const std::string & body, HttpHeaders headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers = std::move(headers);
    return r;
}

constexpr int64_t kNow = 1'764'324'000'000;  // 2025-11-28T10:00:00Z

}  // namespace

TEST_CASE("Go-style durations from x-ratelimit-reset-*", "[adapters][retry]") {
    CHECK(*parse_go_duration_ms("1s") == Approx(1000));
    CHECK(*parse_go_duration_ms("6m0s") == Approx(360'000));
    CHECK(*parse_go_duration_ms("12ms") == Approx(12));
    CHECK(*parse_go_duration_ms("1m30.5s") == Approx(90'500));
    CHECK(*parse_go_duration_ms("1h2m") == Approx(3'720'000));
    CHECK(*parse_go_duration_ms("0.5s") == Approx(500));
    CHECK(*parse_go_duration_ms("2") == Approx(2000));  // bare number: seconds
    CHECK_FALSE(parse_go_duration_ms(""));
    CHECK_FALSE(parse_go_duration_ms("soon"));
    CHECK_FALSE(parse_go_duration_ms("5x"));
    CHECK_FALSE(parse_go_duration_ms("1s2"));
}

TEST_CASE("HTTP dates in all three RFC 9110 forms", "[adapters][retry]") {
    // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
    CHECK(*parse_http_date_unix_ms("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777000LL);
    CHECK(*parse_http_date_unix_ms("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777000LL);
    CHECK(*parse_http_date_unix_ms("Sun Nov  6 08:49:37 1994") == 784111777000LL);
    CHECK(*parse_http_date_unix_ms("Fri, 28 Nov 2025 10:00:02 GMT") == kNow + 2000);
    CHECK_FALSE(parse_http_date_unix_ms("Sun, 06 Foo 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date_unix_ms("Sun, 36 Nov 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date_unix_ms("tomorrow"));
}

TEST_CASE("RFC 3339 timestamps from anthropic-ratelimit-*-reset", "[adapters][retry]") {
    CHECK(*parse_rfc3339_unix_ms("2025-11-28T10:00:02Z") == kNow + 2000);
    CHECK(*parse_rfc3339_unix_ms("2025-11-28T10:00:02.250Z") == kNow + 2250);
    CHECK(*parse_rfc3339_unix_ms("2025-11-28T11:00:02+01:00") == kNow + 2000);
    CHECK(*parse_rfc3339_unix_ms("2025-11-28T09:00:02-01:00") == kNow + 2000);
    CHECK_FALSE(parse_rfc3339_unix_ms("2025-11-28 10:00"));
    CHECK_FALSE(parse_rfc3339_unix_ms("2025-13-28T10:00:02Z"));
    CHECK_FALSE(parse_rfc3339_unix_ms("2025-11-28T10:00:02"));  // no zone
}

TEST_CASE("Protobuf durations from Gemini RetryInfo", "[adapters][retry]") {
    CHECK(*parse_proto_duration_ms("19s") == Approx(19'000));
    CHECK(*parse_proto_duration_ms("1.5s") == Approx(1500));
    CHECK_FALSE(parse_proto_duration_ms("19"));
    CHECK_FALSE(parse_proto_duration_ms("-1s"));
}

TEST_CASE("retry hints: priority of the headers", "[adapters][retry]") {
    HttpHeaders h = {{"retry-after-ms", "250"}, {"retry-after", "7"}, {"x-ratelimit-reset-requests", "9s"}};
    auto hint = retry_hint_from_headers(h, kNow, true);
    REQUIRE(hint);
    CHECK(hint->delay_ms == Approx(250));
    CHECK(hint->source == "retry-after-ms");

    hint = retry_hint_from_headers({{"retry-after", "7"}}, kNow, true);
    CHECK(hint->delay_ms == Approx(7000));
    hint = retry_hint_from_headers({{"retry-after", "Fri, 28 Nov 2025 10:00:03 GMT"}}, kNow, true);
    CHECK(hint->delay_ms == Approx(3000));
    CHECK(hint->source == "retry-after (HTTP date)");

    // Reset headers: the longest wins, and only for rate limits.
    h = {{"x-ratelimit-reset-requests", "1s"}, {"x-ratelimit-reset-tokens", "6m0s"}};
    hint = retry_hint_from_headers(h, kNow, true);
    CHECK(hint->delay_ms == Approx(360'000));
    CHECK(hint->source == "x-ratelimit-reset-tokens");
    CHECK_FALSE(retry_hint_from_headers(h, kNow, false));

    h = {{"anthropic-ratelimit-requests-reset", "2025-11-28T10:00:04Z"},
         {"anthropic-ratelimit-tokens-reset", "2025-11-28T10:00:01Z"}};
    hint = retry_hint_from_headers(h, kNow, true);
    CHECK(hint->delay_ms == Approx(4000));
    CHECK_FALSE(retry_hint_from_headers({{"retry-after", "never"}}, kNow, true));
}

TEST_CASE("classify: rate limits, quota, overload, client errors", "[adapters][retry]") {
    auto f = classify_failure(error_response(429, http_data("openai-chat/error_rate_limit.json"), {{"retry-after", "2"}}), kNow);
    CHECK(f.kind == FailureKind::rate_limited);
    CHECK(f.server_delay_ms == Approx(2000));
    CHECK(f.reason.find("Rate limit reached") != std::string::npos);

    f = classify_failure(error_response(429, http_data("openai-chat/error_insufficient_quota.json")), kNow);
    CHECK(f.kind == FailureKind::quota);
    CHECK(failure_outcome(f.kind) == Outcome::quota_exhausted);

    f = classify_failure(error_response(402, http_data("openai-chat/error_deepseek_402.json")), kNow);
    CHECK(f.kind == FailureKind::quota);

    f = classify_failure(error_response(400, http_data("anthropic/error_billing.json")), kNow);
    CHECK(f.kind == FailureKind::quota);
    CHECK(f.request_id == "req_011Bill");

    f = classify_failure(error_response(529, http_data("anthropic/error_overloaded.json")), kNow);
    CHECK(f.kind == FailureKind::overloaded);
    CHECK(failure_outcome(f.kind) == Outcome::overloaded);
    CHECK(f.request_id == "req_011CSHoEeqs5C35K2UUqR7Fy");

    // Overloaded is recognised by error type even on a plain 500.
    f = classify_failure(error_response(500, http_data("anthropic/error_overloaded.json")), kNow);
    CHECK(f.kind == FailureKind::overloaded);

    f = classify_failure(error_response(503, http_data("gemini/error_unavailable.json")), kNow);
    CHECK(f.kind == FailureKind::overloaded);

    f = classify_failure(error_response(429, http_data("gemini/error_retry_info.json")), kNow);
    CHECK(f.kind == FailureKind::rate_limited);
    CHECK(f.server_delay_ms == Approx(2000));
    CHECK(f.delay_source == "RetryInfo.retryDelay");

    f = classify_failure(error_response(429, http_data("gemini/error_per_day_quota.json")), kNow);
    CHECK(f.kind == FailureKind::quota);

    for (int status : {400, 401, 403, 404, 413, 422}) {
        f = classify_failure(error_response(status, http_data("openai-chat/error_bad_request.json")), kNow);
        CHECK(f.kind == FailureKind::client_error);
        CHECK_FALSE(failure_retryable(f.kind));
    }
    f = classify_failure(error_response(404, http_data("openai-chat/error_vllm_flat.json")), kNow);
    CHECK(f.reason.find("does not exist") != std::string::npos);

    for (int status : {408, 409, 500, 502, 504}) {
        f = classify_failure(error_response(status, "{}"), kNow);
        CHECK(f.kind == FailureKind::server_error);
        CHECK(failure_retryable(f.kind));
    }
}

TEST_CASE("classify: proxy HTML pages and transport failures", "[adapters][retry]") {
    auto f = classify_failure(error_response(502, http_data("proxy/html_502.html")), kNow);
    CHECK(f.kind == FailureKind::server_error);
    CHECK(f.reason == "HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx");

    HttpResponse t;
    t.error = TransportError::timeout;
    t.error_text = "Operation timed out after 300 milliseconds";
    CHECK(classify_failure(t, kNow).kind == FailureKind::timeout);
    t.error = TransportError::connect;
    CHECK(classify_failure(t, kNow).kind == FailureKind::connection);
    t.error = TransportError::tls;
    CHECK_FALSE(failure_retryable(classify_failure(t, kNow).kind));

    auto m = malformed_failure(error_response(200, "<html>"), "not JSON");
    CHECK(m.kind == FailureKind::malformed);
    CHECK(failure_retryable(m.kind));
}

TEST_CASE("x-should-retry overrides the status but not quota", "[adapters][retry]") {
    Rng rng(1);
    RetryPolicy p;
    auto f = classify_failure(error_response(400, "{}", {{"x-should-retry", "true"}}), kNow);
    CHECK(decide_retry(p, f, 1, 0, 0, rng).retry);
    f = classify_failure(error_response(500, "{}", {{"x-should-retry", "false"}}), kNow);
    CHECK_FALSE(decide_retry(p, f, 1, 0, 0, rng).retry);
    f = classify_failure(error_response(429, http_data("openai-chat/error_insufficient_quota.json"), {{"x-should-retry", "true"}}), kNow);
    CHECK_FALSE(decide_retry(p, f, 1, 0, 0, rng).retry);
}

TEST_CASE("backoff: capped exponential with jitter, deterministic for a seed", "[adapters][retry]") {
    RetryPolicy p;
    p.base_delay_ms = 1000;
    p.max_backoff_ms = 8000;
    p.jitter = 0.25;
    p.max_attempts = 20;
    Failure f;
    f.kind = FailureKind::server_error;
    Rng a(7), b(7);
    for (int n = 1; n <= 8; ++n) {
        auto d = decide_retry(p, f, n, 0, 0, a);
        REQUIRE(d.retry);
        double nominal = std::min(8000.0, 1000.0 * (1 << (n - 1)));
        CHECK(d.wait_ms <= nominal);
        CHECK(d.wait_ms > nominal * 0.75 - 1e-9);
        CHECK(d.why == "backoff");
        CHECK(decide_retry(p, f, n, 0, 0, b).wait_ms == d.wait_ms);
    }
}

TEST_CASE("retry caps: attempts, timeouts, wall time", "[adapters][retry]") {
    Rng rng(3);
    RetryPolicy p;
    p.max_attempts = 3;
    p.max_timeout_retries = 1;
    p.max_retry_wall_ms = 10'000;
    Failure f;
    f.kind = FailureKind::overloaded;
    CHECK(decide_retry(p, f, 2, 0, 0, rng).retry);
    auto d = decide_retry(p, f, 3, 0, 0, rng);
    CHECK_FALSE(d.retry);
    CHECK(d.why == "gave up after 3 attempts");

    f.kind = FailureKind::timeout;
    CHECK(decide_retry(p, f, 1, 0, 1, rng).retry);
    CHECK_FALSE(decide_retry(p, f, 2, 0, 2, rng).retry);

    f.kind = FailureKind::rate_limited;
    f.server_delay_ms = 9000;
    d = decide_retry(p, f, 1, 0, 0, rng);
    CHECK(d.retry);
    CHECK(d.wait_ms == 9000);  // the server's hint is used as is, no jitter
    d = decide_retry(p, f, 1, 2000, 0, rng);
    CHECK_FALSE(d.retry);
    CHECK(d.why.find("retry budget") != std::string::npos);
}
