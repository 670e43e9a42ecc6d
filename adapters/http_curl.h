// CurlTransport: the real HttpTransport, one libcurl multi handle driven by one event-loop thread.
//
// start() pushes the request onto a queue and wakes the loop (curl_multi_wakeup); the loop turns it
// into an easy handle, runs every transfer concurrently, and calls each callback on the loop thread
// when its exchange ends. Connections are pooled by the multi handle and reused (keep-alive), TLS
// verification stays on, and libcurl's proxy environment variables are honoured, except that
// loopback addresses never go through a proxy (a local llama-server is never behind one).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "adapters/http.h"

namespace trmbench {

struct CurlTransportOptions {
    long max_host_connections = 0;     // per host; 0 = unlimited (the solver's limiter caps in-flight)
    long max_total_connections = 0;    // 0 = unlimited
    size_t max_response_bytes = 256u << 20;  // larger bodies fail with TransportError::too_large
    std::string user_agent;            // default: "trmbench/<version>"
    bool bypass_proxy_for_loopback = true;
};

class CurlTransport final : public HttpTransport {
public:
    explicit CurlTransport(CurlTransportOptions options = {});
    // Stops the loop; transfers still queued or running get TransportError::cancelled callbacks.
    ~CurlTransport() override;
    CurlTransport(const CurlTransport &) = delete;
    CurlTransport & operator=(const CurlTransport &) = delete;

    void start(HttpRequest request, HttpCallback done) override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace trmbench
