// Fake HTTP server and other doubles for the adapter tests.
#include "tests/unit/adapters/adapter_test_support.h"

#include <httplib.h>
#include <netinet/tcp.h>

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdlib>
#include <thread>

#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "tests/support/test_support.h"

namespace trmbench::test {

struct FakeServer::Impl {
    httplib::Server server;
    std::thread thread;
    mutable std::mutex m;
    std::condition_variable stop_cv;
    bool stopping = false;
    std::deque<Scripted> script;
    std::function<Scripted(const Received &)> fallback;
    std::vector<Received> received;
    int active = 0;
    int max_active = 0;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    // Sleeps up to ms, returning early when the server shuts down (so a "hang" never blocks teardown).
    void sleep_ms(int ms) {
        std::unique_lock<std::mutex> lock(m);
        stop_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
    }

    void handle(const httplib::Request & req, httplib::Response & res) {
        Received r;
        r.method = req.method;
        r.path = req.path;
        r.body = req.body;
        for (const auto & [k, v] : req.headers) r.headers.emplace_back(to_lower(k), v);
        for (const auto & [name, part] : req.files) r.form_parts.emplace_back(name, part.content);
        r.at_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        Scripted s;
        struct Active {
            Impl & impl;
            explicit Active(Impl & i) : impl(i) {
                std::lock_guard<std::mutex> lock(impl.m);
                impl.max_active = std::max(impl.max_active, ++impl.active);
            }
            ~Active() {
                std::lock_guard<std::mutex> lock(impl.m);
                --impl.active;
            }
        } active_guard(*this);
        {
            std::lock_guard<std::mutex> lock(m);
            received.push_back(r);
            if (!script.empty()) {
                s = std::move(script.front());
                script.pop_front();
            } else if (fallback) {
                s = fallback(r);
            } else {
                s.status = 500;
                s.body = R"({"error":{"message":"fake server: script exhausted","type":"server_error"}})";
            }
        }
        if (s.delay_ms > 0) sleep_ms(s.delay_ms);
        res.status = s.status;
        for (const auto & [k, v] : s.headers) res.set_header(k, v);
        if (s.keepalive_lines > 0) {
            auto lines = std::make_shared<int>(s.keepalive_lines);
            int every = s.keepalive_ms;
            std::string body = s.body;
            res.set_chunked_content_provider(s.content_type, [this, lines, every, body](size_t, httplib::DataSink & sink) {
                if (*lines > 0) {
                    --*lines;
                    sleep_ms(every);
                    sink.write("\n", 1);
                    return true;
                }
                sink.write(body.data(), body.size());
                sink.done();
                return true;
            });
            return;
        }
        res.set_content(s.body, s.content_type);
    }
};

FakeServer::FakeServer(int threads) : impl_(std::make_unique<Impl>()) {
    auto & svr = impl_->server;
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    svr.set_keep_alive_max_count(1'000'000);
    svr.set_keep_alive_timeout(5);
    // httplib's defaults (no TCP_NODELAY, listen backlog 5) add 40 ms delayed-ACK stalls and dropped
    // SYNs under concurrency; accepted sockets inherit TCP_NODELAY from the listening socket on Linux.
    auto listen_fd = std::make_shared<int>(-1);
    svr.set_socket_options([listen_fd](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        if (*listen_fd < 0) *listen_fd = sock;
    });
    auto handler = [this](const httplib::Request & req, httplib::Response & res) { impl_->handle(req, res); };
    svr.Post(".*", handler);
    svr.Get(".*", handler);
    svr.Delete(".*", handler);
    port_ = svr.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("fake server: cannot bind 127.0.0.1");
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    // Bounded wait until the server accepts connections.
    for (int i = 0; i < 500 && !impl_->server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (*listen_fd >= 0) ::listen(*listen_fd, 1024);  // a second listen() only raises the backlog
}

FakeServer::~FakeServer() {
    {
        std::lock_guard<std::mutex> lock(impl_->m);
        impl_->stopping = true;
    }
    impl_->stop_cv.notify_all();
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeServer::push(Scripted s) {
    std::lock_guard<std::mutex> lock(impl_->m);
    impl_->script.push_back(std::move(s));
}

void FakeServer::set_fallback(std::function<Scripted(const Received &)> f) {
    std::lock_guard<std::mutex> lock(impl_->m);
    impl_->fallback = std::move(f);
}

std::vector<Received> FakeServer::received() const {
    std::lock_guard<std::mutex> lock(impl_->m);
    return impl_->received;
}

size_t FakeServer::count() const {
    std::lock_guard<std::mutex> lock(impl_->m);
    return impl_->received.size();
}

int FakeServer::max_concurrent() const {
    std::lock_guard<std::mutex> lock(impl_->m);
    return impl_->max_active;
}

std::string http_data(const std::string & rel) { return read_file(source_dir() / "tests" / "data" / "http" / rel); }

ModelEntry fake_entry(const std::string & api, const FakeServer & server, const std::string & key_env) {
    ModelEntry e;
    e.name = "fake-" + api;
    e.provider = "fake-" + api;
    e.api = api;
    e.model = api == "anthropic-messages" ? "claude-test" : api == "gemini" ? "gemini-test" : "test-model";
    e.base_url = server.url() + "/v1";
    e.api_key_env = key_env;
    e.source = "test";
    e.max_output_tokens = 4096;
    e.timeout_s = 10;
    e.connect_timeout_s = 5;
    e.pricing.date = "2026-11-28";
    e.pricing.input = 1.0;
    e.pricing.cached_input = 0.1;
    e.pricing.output = 10.0;
    e.pricing.reasoning = 20.0;
    e.active_params = 1'000'000'000;
    return e;
}

namespace {

struct AlwaysFalseScorer final : Scorer {
    std::vector<std::string> measure_names() const override { return {"exact"}; }
    Score score(const Example & ex, const std::optional<Grid> & answer) const override {
        return Score{{{"exact", answer && *answer == ex.target}}};
    }
};

}  // namespace

const Scorer & FakeTask::scorer() const {
    static const AlwaysFalseScorer s;
    return s;
}

const PromptTemplate & FakeTask::prompt_template() const {
    static const PromptTemplate t{"fake", "1", "Solve {id}."};
    return t;
}

std::string FakeTask::render_prompt(const Example & ex) const {
    return "Solve puzzle " + ex.id + ": " + to_json_rows(ex.input) + ". Answer as a JSON grid.";
}

ParsedAnswer FakeTask::parse_answer(std::string_view text, const Example &) const {
    size_t begin = text.find("[[");
    size_t end = text.find("]]", begin == std::string_view::npos ? 0 : begin);
    if (begin == std::string_view::npos || end == std::string_view::npos) return {std::nullopt, "", "no [[...]] grid"};
    Grid g;
    std::vector<std::vector<uint8_t>> rows(1);
    for (size_t i = begin + 2; i < end; ++i) {
        char c = text[i];
        if (std::isdigit(static_cast<unsigned char>(c))) rows.back().push_back(static_cast<uint8_t>(c - '0'));
        else if (c == ']') rows.emplace_back();
    }
    g.rows = static_cast<int>(rows.size());
    g.cols = static_cast<int>(rows.front().size());
    for (auto & r : rows) {
        if (static_cast<int>(r.size()) != g.cols) return {std::nullopt, "", "ragged grid"};
        g.cells.insert(g.cells.end(), r.begin(), r.end());
    }
    return {g, "json", ""};
}

std::vector<Example> fake_examples(size_t n) {
    std::vector<Example> out;
    for (size_t i = 0; i < n; ++i) {
        Example e;
        e.id = "ex" + std::to_string(i);
        e.family = "fake";
        e.group = e.id;
        e.input = Grid(2, 2, static_cast<uint8_t>(i % 10));
        e.target = Grid(2, 2, 1);
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<CachedResponse> MemoryCache::get(const std::string & key) {
    std::lock_guard<std::mutex> lock(m_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
}

void MemoryCache::put(const std::string & key, const std::string &, const std::string &, const CachedResponse & r) {
    std::lock_guard<std::mutex> lock(m_);
    map_[key] = r;
    ++puts_;
}

size_t MemoryCache::size() const {
    std::lock_guard<std::mutex> lock(m_);
    return map_.size();
}

std::map<std::string, CachedResponse> MemoryCache::entries() const {
    std::lock_guard<std::mutex> lock(m_);
    return map_;
}

void MemoryCalls::record_api_call(const ApiCallRecord & r) {
    std::lock_guard<std::mutex> lock(m_);
    records_.push_back(r);
}

std::vector<ApiCallRecord> MemoryCalls::records() const {
    std::lock_guard<std::mutex> lock(m_);
    return records_;
}

void VectorSink::put(Prediction && p) { predictions.push_back(std::move(p)); }

}  // namespace trmbench::test
