// HTTP as plain data, and the transport interface every LLM adapter talks through.
//
// Requests and responses are plain structs so that the logic above the transport (retries, limits,
// provider parsing) is tested without a network: a test can hand-craft an HttpResponse, or run the
// real curl transport against a fake server on 127.0.0.1. The transport is asynchronous: start()
// returns at once and the callback runs later on the transport's own thread, so one thread can keep
// hundreds of requests in flight.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trmbench {

// Header names are stored lowercased (HTTP header names are case-insensitive).
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// First value of a header (name compared case-insensitively), or "" when absent.
std::string_view header_value(const HttpHeaders & headers, std::string_view name);

struct HttpRequest {
    std::string method = "POST";  // "GET", "POST", "DELETE"
    std::string url;
    HttpHeaders headers;          // as sent; may hold secrets (never log them as they are)
    std::string body;
    long connect_timeout_ms = 10'000;
    // Total time for the exchange. Non-streaming LLM calls send no bytes until they finish (reasoning
    // models think for many minutes), so there is deliberately no idle / low-speed timeout.
    long total_timeout_ms = 1'800'000;
};

// Why a request produced no HTTP response.
enum class TransportError {
    none,
    timeout,        // connect or total timeout
    connect,        // could not resolve or connect
    send_recv,      // connection reset / broken mid-exchange
    tls,            // certificate or handshake failure (not retried: it will not fix itself)
    too_large,      // response bigger than the transport's limit
    cancelled,      // transport shut down before the exchange finished
    other,
};

std::string_view transport_error_name(TransportError e);

struct HttpResponse {
    int status = 0;               // 0 when no HTTP response arrived
    HttpHeaders headers;          // lowercased names, of the final response
    std::string body;
    TransportError error = TransportError::none;
    std::string error_text;       // libcurl's message when error != none
    double total_ms = 0;          // whole exchange
    double connect_ms = 0;        // TCP (+TLS) connect
    double first_byte_ms = 0;     // time to the first response byte

    bool transport_failed() const { return error != TransportError::none; }
    bool ok() const { return !transport_failed() && status >= 200 && status < 300; }
};

using HttpCallback = std::function<void(HttpResponse &&)>;

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    // Queues the request and returns immediately. `done` runs exactly once, on a transport thread;
    // it must be quick (hand the response to another thread) and must not call start() recursively
    // in a way that blocks.
    virtual void start(HttpRequest request, HttpCallback done) = 0;
};

// Blocking convenience over any transport (one request; for the CLI and tests).
HttpResponse perform_blocking(HttpTransport & transport, HttpRequest request);

}  // namespace trmbench
