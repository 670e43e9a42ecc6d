// The curl transport against the fake server: methods, headers, timeouts, failures, concurrency.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "adapters/http_curl.h"
#include "tests/unit/adapters/adapter_test_support.h"

using namespace trmbench;
using namespace trmbench::test;

TEST_CASE("curl transport: request and response as plain data", "[adapters][transport]") {
    FakeServer server;
    Scripted s;
    s.status = 201;
    s.body = R"({"ok":true})";
    s.headers = {{"X-Request-ID", "req_abc"}, {"Retry-After", "3"}};
    server.push(s);
    CurlTransport t;
    HttpRequest r;
    r.url = server.url() + "/v1/thing";
    r.body = std::string(5000, 'x');  // large enough that curl would send "Expect: 100-continue"
    r.headers = {{"authorization", "Bearer k"}, {"x-custom", "1"}};
    HttpResponse resp = perform_blocking(t, r);
    CHECK_FALSE(resp.transport_failed());
    CHECK(resp.status == 201);
    CHECK(resp.body == R"({"ok":true})");
    CHECK(header_value(resp.headers, "x-request-id") == "req_abc");
    bool lowercase = true;
    for (const auto & [k, v] : resp.headers)
        for (char c : k) lowercase = lowercase && !(c >= 'A' && c <= 'Z');
    CHECK(lowercase);
    CHECK(resp.total_ms > 0);
    auto got = server.received();
    REQUIRE(got.size() == 1);
    CHECK(got[0].method == "POST");
    CHECK(got[0].path == "/v1/thing");
    CHECK(got[0].body.size() == 5000);
    CHECK(header_value(got[0].headers, "authorization") == "Bearer k");
    CHECK(header_value(got[0].headers, "expect").empty());

    server.push(s);
    HttpRequest g;
    g.method = "GET";
    g.url = server.url() + "/v1/responses/x";
    CHECK(perform_blocking(t, g).status == 201);
    CHECK(server.received().back().method == "GET");
}

TEST_CASE("curl transport: total timeout, refused connections, oversized bodies", "[adapters][transport]") {
    FakeServer server;
    CurlTransport t;
    Scripted slow;
    slow.delay_ms = 3000;
    server.push(slow);
    HttpRequest r;
    r.url = server.url() + "/slow";
    r.total_timeout_ms = 200;
    HttpResponse resp = perform_blocking(t, r);
    CHECK(resp.error == TransportError::timeout);
    CHECK(resp.status == 0);
    CHECK(resp.total_ms < 2500);

    HttpRequest refused;
    refused.url = "http://127.0.0.1:1/nothing";  // port 1: nothing listens there
    resp = perform_blocking(t, refused);
    CHECK(resp.error == TransportError::connect);
    CHECK_FALSE(resp.error_text.empty());

    CurlTransportOptions small;
    small.max_response_bytes = 100;
    CurlTransport t2(small);
    Scripted big;
    big.body = std::string(10'000, 'a');
    server.push(big);
    HttpRequest b;
    b.url = server.url() + "/big";
    resp = perform_blocking(t2, b);
    CHECK(resp.error == TransportError::too_large);
}

TEST_CASE("curl transport: many requests in flight from one thread", "[adapters][transport]") {
    FakeServer server(40);  // httplib keeps a thread per kept-alive connection: more threads than connections
    server.set_fallback([](const Received &) {
        Scripted s;
        s.delay_ms = 50;
        s.body = "{}";
        return s;
    });
    CurlTransport t;
    std::mutex m;
    std::condition_variable cv;
    int done = 0, ok = 0;
    for (int i = 0; i < 32; ++i) {
        HttpRequest r;
        r.url = server.url() + "/p/" + std::to_string(i);
        t.start(r, [&](HttpResponse && resp) {
            std::lock_guard<std::mutex> lock(m);
            ++done;
            ok += resp.status == 200;
            cv.notify_one();
        });
    }
    std::unique_lock<std::mutex> lock(m);
    CHECK(cv.wait_for(lock, std::chrono::seconds(20), [&] { return done == 32; }));
    CHECK(ok == 32);
    CHECK(server.max_concurrent() >= 4);
}

TEST_CASE("curl transport: destruction cancels what is still running", "[adapters][transport]") {
    FakeServer server;
    Scripted slow;
    slow.delay_ms = 5000;
    server.push(slow);
    std::atomic<int> cancelled{0};
    {
        CurlTransport t;
        HttpRequest r;
        r.url = server.url() + "/slow";
        t.start(r, [&](HttpResponse && resp) { cancelled += resp.error == TransportError::cancelled; });
        for (int i = 0; i < 200 && server.count() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(cancelled == 1);
}
