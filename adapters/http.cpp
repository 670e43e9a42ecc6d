// Helpers over the plain HTTP structs.
#include "adapters/http.h"

#include <condition_variable>
#include <mutex>

#include "harness/core/strings.h"

namespace trmbench {

std::string_view header_value(const HttpHeaders & headers, std::string_view name) {
    std::string lower = to_lower(name);
    for (const auto & [k, v] : headers)
        if (k == lower || to_lower(k) == lower) return v;
    return {};
}

std::string_view transport_error_name(TransportError e) {
    switch (e) {
        case TransportError::none: return "none";
        case TransportError::timeout: return "timeout";
        case TransportError::connect: return "connect";
        case TransportError::send_recv: return "send_recv";
        case TransportError::tls: return "tls";
        case TransportError::too_large: return "too_large";
        case TransportError::cancelled: return "cancelled";
        case TransportError::other: return "other";
    }
    return "other";
}

HttpResponse perform_blocking(HttpTransport & transport, HttpRequest request) {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    HttpResponse result;
    transport.start(std::move(request), [&](HttpResponse && r) {
        std::lock_guard<std::mutex> lock(m);
        result = std::move(r);
        done = true;
        cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return done; });
    return result;
}

}  // namespace trmbench
