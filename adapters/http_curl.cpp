// CurlTransport implementation: RAII for every curl object, one event loop over a multi handle.
#include "adapters/http_curl.h"

#include <curl/curl.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "harness/core/version.h"

namespace trmbench {
namespace {

struct EasyDeleter {
    void operator()(CURL * h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
    void operator()(CURLM * m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
    void operator()(curl_slist * l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One exchange in flight: owns the request (libcurl reads the body from it) and the response.
struct Transfer {
    EasyPtr easy;
    SlistPtr header_list;
    HttpRequest request;
    HttpResponse response;
    HttpCallback done;
    size_t max_bytes = 0;
    bool too_large = false;
    char errbuf[CURL_ERROR_SIZE] = {0};
};

size_t on_body(char * data, size_t size, size_t n, void * user) {
    auto * t = static_cast<Transfer *>(user);
    size_t bytes = size * n;
    if (t->response.body.size() + bytes > t->max_bytes) {
        t->too_large = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->response.body.append(data, bytes);
    return bytes;
}

size_t on_header(char * data, size_t size, size_t n, void * user) {
    auto * t = static_cast<Transfer *>(user);
    size_t bytes = size * n;
    std::string_view line(data, bytes);
    // A new status line starts a new response (after 100-continue or a proxy CONNECT): drop what came
    // before so that only the final response's headers remain.
    if (line.starts_with("HTTP/")) {
        t->response.headers.clear();
        return bytes;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return bytes;
    std::string name = to_lower(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    t->response.headers.emplace_back(std::move(name), std::move(value));
    return bytes;
}

TransportError map_curl_error(CURLcode code, bool too_large) {
    if (too_large) return TransportError::too_large;
    switch (code) {
        case CURLE_OK: return TransportError::none;
        case CURLE_OPERATION_TIMEDOUT: return TransportError::timeout;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT: return TransportError::connect;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM: return TransportError::send_recv;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CRL_BADFILE: return TransportError::tls;
        default: return TransportError::other;
    }
}

double info_ms(CURL * h, CURLINFO what) {
    curl_off_t us = 0;
    if (curl_easy_getinfo(h, what, &us) != CURLE_OK) return 0;
    return static_cast<double>(us) / 1000.0;
}

// no_proxy from the environment plus the loopback names, so local servers bypass any proxy.
std::string loopback_noproxy() {
    std::string list;
    if (auto v = env("no_proxy")) list = *v;
    else if (auto w = env("NO_PROXY")) list = *w;
    if (list == "*") return list;
    if (!list.empty()) list += ",";
    return list + "127.0.0.1,localhost,::1";
}

}  // namespace

struct CurlTransport::Impl {
    CurlTransportOptions options;
    std::string user_agent;
    std::string noproxy;
    MultiPtr multi;
    std::mutex mutex;
    std::deque<std::unique_ptr<Transfer>> queued;  // guarded by mutex
    bool stopping = false;                         // guarded by mutex
    std::unordered_map<CURL *, std::unique_ptr<Transfer>> running;  // loop thread only
    std::vector<EasyPtr> idle_handles;                               // loop thread only
    std::thread loop_thread;

    explicit Impl(CurlTransportOptions o) : options(std::move(o)) {
        global_init_once();
        user_agent = options.user_agent.empty() ? "trmbench/" + harness_version() : options.user_agent;
        if (options.bypass_proxy_for_loopback) noproxy = loopback_noproxy();
        multi.reset(curl_multi_init());
        if (!multi) throw std::runtime_error("curl_multi_init failed");
        if (options.max_host_connections > 0)
            curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
        if (options.max_total_connections > 0)
            curl_multi_setopt(multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, options.max_total_connections);
        loop_thread = std::thread([this] { loop(); });
    }

    ~Impl() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping = true;
        }
        curl_multi_wakeup(multi.get());
        if (loop_thread.joinable()) loop_thread.join();
    }

    EasyPtr take_handle() {
        if (!idle_handles.empty()) {
            EasyPtr h = std::move(idle_handles.back());
            idle_handles.pop_back();
            curl_easy_reset(h.get());
            return h;
        }
        return EasyPtr(curl_easy_init());
    }

    // Configures an easy handle for one exchange. Returns false when libcurl refused an option.
    bool configure(Transfer & t) {
        CURL * h = t.easy.get();
        const HttpRequest & r = t.request;
        bool ok = true;
        auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
        set(curl_easy_setopt(h, CURLOPT_URL, r.url.c_str()));
        set(curl_easy_setopt(h, CURLOPT_PRIVATE, &t));
        set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.errbuf));
        set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
        set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body));
        set(curl_easy_setopt(h, CURLOPT_WRITEDATA, &t));
        set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header));
        set(curl_easy_setopt(h, CURLOPT_HEADERDATA, &t));
        set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms));
        set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r.total_timeout_ms));
        // Long silent requests: keep the TCP connection alive so middleboxes do not drop it.
        set(curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L));
        set(curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 60L));
        set(curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 30L));
        set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L));
        set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L));
        set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
        set(curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""));
        set(curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str()));
        if (!noproxy.empty()) set(curl_easy_setopt(h, CURLOPT_NOPROXY, noproxy.c_str()));
        if (r.method == "GET") {
            set(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L));
        } else {
            if (r.method != "POST") set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str()));
            if (r.method == "POST" || !r.body.empty()) {
                set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size())));
                set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data()));
            }
        }
        curl_slist * list = nullptr;
        for (const auto & [name, value] : r.headers) {
            std::string line = name + ": " + value;
            curl_slist * next = curl_slist_append(list, line.c_str());
            if (!next) {
                ok = false;
                break;
            }
            list = next;
        }
        // Without this libcurl waits up to 1 s for "100 Continue" before sending a large POST body.
        if (curl_slist * next = curl_slist_append(list, "Expect:")) list = next;
        t.header_list.reset(list);
        set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, list));
        return ok;
    }

    static void deliver(Transfer & t) {
        try {
            t.done(std::move(t.response));
        } catch (const std::exception & e) {
            std::fprintf(stderr, "trmbench: http callback failed: %s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "trmbench: http callback failed\n");
        }
    }

    static void fail(Transfer & t, TransportError e, const std::string & text) {
        t.response.status = 0;
        t.response.error = e;
        t.response.error_text = text;
        deliver(t);
    }

    void add_queued() {
        std::deque<std::unique_ptr<Transfer>> batch;
        {
            std::lock_guard<std::mutex> lock(mutex);
            batch.swap(queued);
        }
        for (auto & t : batch) {
            t->easy = take_handle();
            if (!t->easy || !configure(*t)) {
                fail(*t, TransportError::other, "could not configure the request for " + t->request.url);
                continue;
            }
            CURL * h = t->easy.get();
            if (curl_multi_add_handle(multi.get(), h) != CURLM_OK) {
                fail(*t, TransportError::other, "curl_multi_add_handle failed");
                continue;
            }
            running.emplace(h, std::move(t));
        }
    }

    void finish(CURL * h, CURLcode code) {
        auto it = running.find(h);
        if (it == running.end()) return;
        std::unique_ptr<Transfer> t = std::move(it->second);
        running.erase(it);
        curl_multi_remove_handle(multi.get(), h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        HttpResponse & resp = t->response;
        resp.status = static_cast<int>(status);
        resp.total_ms = info_ms(h, CURLINFO_TOTAL_TIME_T);
        resp.connect_ms = info_ms(h, CURLINFO_CONNECT_TIME_T);
        resp.first_byte_ms = info_ms(h, CURLINFO_STARTTRANSFER_TIME_T);
        resp.error = map_curl_error(code, t->too_large);
        if (resp.error != TransportError::none) {
            resp.error_text = t->too_large ? "response larger than " + std::to_string(t->max_bytes) + " bytes"
                                           : std::string(curl_easy_strerror(code));
            if (!t->too_large && t->errbuf[0]) resp.error_text += std::string(": ") + t->errbuf;
            resp.status = 0;  // a partial exchange is not a response
        }
        t->header_list.reset();
        idle_handles.push_back(std::move(t->easy));
        deliver(*t);
    }

    void cancel_everything() {
        for (auto & [h, t] : running) {
            curl_multi_remove_handle(multi.get(), h);
            fail(*t, TransportError::cancelled, "transport shut down");
        }
        running.clear();
        std::deque<std::unique_ptr<Transfer>> rest;
        {
            std::lock_guard<std::mutex> lock(mutex);
            rest.swap(queued);
        }
        for (auto & t : rest) fail(*t, TransportError::cancelled, "transport shut down");
    }

    void loop() {
        for (;;) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (stopping) break;
            }
            add_queued();
            int still_running = 0;
            curl_multi_perform(multi.get(), &still_running);
            int left = 0;
            while (CURLMsg * msg = curl_multi_info_read(multi.get(), &left)) {
                if (msg->msg == CURLMSG_DONE) finish(msg->easy_handle, msg->data.result);
            }
            // Sleeps until socket activity, a libcurl timer, or curl_multi_wakeup from start().
            int timeout_ms = running.empty() ? 1000 : 100;
            curl_multi_poll(multi.get(), nullptr, 0, timeout_ms, nullptr);
        }
        cancel_everything();
        idle_handles.clear();
    }
};

CurlTransport::CurlTransport(CurlTransportOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

CurlTransport::~CurlTransport() = default;

void CurlTransport::start(HttpRequest request, HttpCallback done) {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->done = std::move(done);
    t->max_bytes = impl_->options.max_response_bytes;
    bool stopped;
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        stopped = impl_->stopping;
        if (!stopped) impl_->queued.push_back(std::move(t));
    }
    if (stopped) {
        Impl::fail(*t, TransportError::cancelled, "transport shut down");
        return;
    }
    curl_multi_wakeup(impl_->multi.get());
}

}  // namespace trmbench
