// A scripted HTTP file server on 127.0.0.1 (cpp-httplib) for the download and fetch tests: serves
// byte strings by path with Range/If-Range handled by hand (httplib's own range handling is switched
// off), and can drop connections midway, fail with a status, redirect, or ignore ranges. Every
// request is logged so tests can check what the client sent.
#pragma once

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// Tests build FakeFile with designated initializers that name only the fields they need.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace trmbench::test {

struct FakeFile {
    std::string body;
    std::string etag;              // sent as ETag and compared with If-Range ("" = no validator)
    int drop_first_n = 0;          // the first n GETs are cut off after `drop_at` bytes of their body
    size_t drop_at = 0;
    bool ignore_range = false;     // answer 200 with the whole body even to a Range request
    int fail_first_n = 0;          // the first n GETs answer `fail_status`
    int fail_status = 503;
    int status = 200;              // != 200: always answer this status with `body` as the error text
    std::string redirect_to;       // answer 302 to this path
    std::map<std::string, std::string> headers;  // extra response headers
};

struct LoggedRequest {
    std::string path, range, if_range;
};

class FakeFileServer {
public:
    FakeFileServer() {
        server_.set_pre_routing_handler([](const httplib::Request & req, httplib::Response &) {
            const_cast<httplib::Request &>(req).ranges.clear();  // we answer ranges ourselves
            return httplib::Server::HandlerResponse::Unhandled;
        });
        server_.Get(".*", [this](const httplib::Request & req, httplib::Response & res) { handle(req, res); });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~FakeFileServer() {
        server_.stop();
        thread_.join();
    }
    FakeFileServer(const FakeFileServer &) = delete;
    FakeFileServer & operator=(const FakeFileServer &) = delete;

    void set(const std::string & path, FakeFile f) {
        std::lock_guard<std::mutex> lock(mu_);
        files_[path] = std::move(f);
        served_[path] = 0;
    }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }
    std::vector<LoggedRequest> requests(const std::string & path) const {
        std::lock_guard<std::mutex> lock(mu_);
        std::vector<LoggedRequest> out;
        for (const auto & r : log_)
            if (r.path == path) out.push_back(r);
        return out;
    }
    size_t total_requests() const {
        std::lock_guard<std::mutex> lock(mu_);
        return log_.size();
    }

private:
    void handle(const httplib::Request & req, httplib::Response & res) {
        std::lock_guard<std::mutex> lock(mu_);
        log_.push_back({req.path, req.get_header_value("Range"), req.get_header_value("If-Range")});
        auto it = files_.find(req.path);
        if (it == files_.end()) {
            res.status = 404;
            res.set_content("Entry not found", "text/plain");
            return;
        }
        FakeFile & f = it->second;
        int n = served_[req.path]++;
        for (const auto & [k, v] : f.headers) res.set_header(k.c_str(), v);
        if (!f.redirect_to.empty()) {
            res.status = 302;
            res.set_header("Location", base_url() + f.redirect_to);
            return;
        }
        if (f.status != 200 || n < f.fail_first_n) {
            res.status = f.status != 200 ? f.status : f.fail_status;
            res.set_content(f.body.substr(0, 100), "text/plain");
            return;
        }
        if (!f.etag.empty()) res.set_header("ETag", f.etag);
        size_t start = 0;
        std::string range = req.get_header_value("Range");
        std::string if_range = req.get_header_value("If-Range");
        bool range_ok = !range.empty() && !f.ignore_range && (if_range.empty() || if_range == f.etag);
        if (range_ok && range.rfind("bytes=", 0) == 0) {
            start = std::stoull(range.substr(6));
            if (start >= f.body.size()) {
                res.status = 416;
                res.set_header("Content-Range", "bytes */" + std::to_string(f.body.size()));
                return;
            }
            res.status = 206;
            res.set_header("Content-Range", "bytes " + std::to_string(start) + "-" + std::to_string(f.body.size() - 1) +
                                                "/" + std::to_string(f.body.size()));
        }
        std::string body = f.body.substr(start);
        size_t limit = n < f.drop_first_n ? std::min(f.drop_at, body.size()) : body.size();
        res.set_content_provider(body.size(), "application/octet-stream",
                                 [body, limit](size_t off, size_t len, httplib::DataSink & sink) {
                                     if (off >= limit) return false;  // drop the connection
                                     sink.write(body.data() + off, std::min(len, limit - off));
                                     return true;
                                 });
    }

    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mu_;
    std::map<std::string, FakeFile> files_;
    std::map<std::string, int> served_;
    std::vector<LoggedRequest> log_;
};

// A loopback port with nothing listening on it (connections are refused).
inline int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace trmbench::test
