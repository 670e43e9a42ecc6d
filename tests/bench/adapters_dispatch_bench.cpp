// Dispatch overhead of the LLM client: requests/s at concurrency 64 against a zero-latency HTTP server on
// 127.0.0.1 (real curl transport, real JSON building, parsing and hashing), the same without any
// network (a transport that answers at once), and the peak RSS growth of a run with 1k vs 10k queued
// jobs (prompts are rendered lazily, results handed on at once, so it should not grow with the queue).
//
// Target: >= 2,000 requests/s at concurrency 64. Run: build/bin/adapters_dispatch_bench
#include <benchmark/benchmark.h>

#include <httplib.h>
#include <netinet/tcp.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "adapters/client.h"
#include "adapters/http_curl.h"

using namespace trmbench;

namespace {

const std::string kReply =
    R"({"id":"chatcmpl-b","object":"chat.completion","model":"bench","choices":[{"index":0,"finish_reason":"stop",)"
    R"("message":{"role":"assistant","content":"[[1,2,3],[4,5,6],[7,8,9]]"}}],)"
    R"("usage":{"prompt_tokens":120,"completion_tokens":40,"total_tokens":160}})";

// A zero-latency chat-completions server, one per process.
class BenchServer {
public:
    BenchServer() {
        // httplib keeps one thread per kept-alive connection: more threads than client connections.
        server_.new_task_queue = [] { return new httplib::ThreadPool(96); };
        server_.set_keep_alive_max_count(1'000'000);
        // httplib's defaults (no TCP_NODELAY, listen backlog 5) would measure 40 ms delayed-ACK stalls
        // and SYN retransmits instead of the client; accepted sockets inherit TCP_NODELAY on Linux.
        server_.set_socket_options([this](socket_t sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
            ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
            if (listen_fd_ < 0) listen_fd_ = sock;
        });
        // Not "application/json": httplib would brotli-compress every reply (curl accepts br), and the
        // benchmark would measure the server's compressor instead of the client.
        server_.Post(".*", [](const httplib::Request &, httplib::Response & res) {
            res.set_content(kReply, "application/vnd.bench+json");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (listen_fd_ >= 0) ::listen(listen_fd_, 1024);  // a second listen() only raises the backlog
    }
    ~BenchServer() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

private:
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    int listen_fd_ = -1;
};

BenchServer & server() {
    static BenchServer s;
    return s;
}

// Answers every request at once on the caller's thread: the client's own overhead, no network.
class InstantTransport final : public HttpTransport {
public:
    void start(HttpRequest, HttpCallback done) override {
        HttpResponse r;
        r.status = 200;
        r.body = kReply;
        done(std::move(r));
    }
};

class Jobs final : public JobSource {
public:
    explicit Jobs(size_t n) : n_(n) {}
    size_t size() const override { return n_; }
    std::string example_id(size_t i) const override { return "sudoku/" + std::to_string(i); }
    int attempt(size_t) const override { return 0; }
    std::string prompt(size_t i) const override {
        return "Solve this Sudoku. Reply with 9 lines of 9 digits.\n..3.2.6..9..3.5..1..18.64....81.29..7......." +
               std::to_string(i);
    }

private:
    size_t n_;
};

ModelEntry bench_entry(const std::string & base_url, int in_flight) {
    ModelEntry e;
    e.name = "bench";
    e.provider = "bench";
    e.api = "openai-chat";
    e.model = "bench";
    e.base_url = base_url;
    e.max_output_tokens = 1000;
    e.pricing.date = "2026-11-28";
    e.pricing.input = 1;
    e.pricing.output = 2;
    e.limits.max_in_flight = in_flight;
    return e;
}

long rss_kb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// Runs `n` jobs; returns how many came back ok.
size_t run_jobs(LlmClient & client, size_t n) {
    Jobs jobs(n);
    size_t ok = 0;
    client.run(jobs, [&](LlmResult && r) { ok += r.outcome == Outcome::ok; });
    return ok;
}

void BM_DispatchLocalServer(benchmark::State & state) {
    int concurrency = static_cast<int>(state.range(0));
    const size_t n = 2000;
    LimiterRegistry limiters;
    LlmClientOptions o;
    o.transport = std::make_shared<CurlTransport>();
    o.limiters = &limiters;
    LlmClient client(bench_entry(server().url(), concurrency), {}, o);
    size_t ok = 0, total = 0;
    for (auto _ : state) {
        ok += run_jobs(client, n);
        total += n;
    }
    if (ok != total) state.SkipWithError("some requests failed");
    state.SetItemsProcessed(static_cast<int64_t>(total));
    state.counters["requests_per_s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DispatchLocalServer)->Arg(64)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DispatchNoNetwork(benchmark::State & state) {
    const size_t n = 2000;
    LimiterRegistry limiters;
    LlmClientOptions o;
    o.transport = std::make_shared<InstantTransport>();
    o.limiters = &limiters;
    LlmClient client(bench_entry("http://127.0.0.1:1/v1", 64), {}, o);
    size_t total = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(run_jobs(client, n));
        total += n;
    }
    state.SetItemsProcessed(static_cast<int64_t>(total));
    state.counters["requests_per_s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DispatchNoNetwork)->Unit(benchmark::kMillisecond)->UseRealTime();

// Peak RSS above the starting point while `range(0)` jobs are queued and run against the server.
void BM_QueueMemory(benchmark::State & state) {
    size_t n = static_cast<size_t>(state.range(0));
    LimiterRegistry limiters;
    LlmClientOptions o;
    o.transport = std::make_shared<CurlTransport>();
    o.limiters = &limiters;
    LlmClient client(bench_entry(server().url(), 64), {}, o);
    run_jobs(client, 200);  // warm up connections and allocator pools first
    long peak_delta = 0;
    for (auto _ : state) {
        long base = rss_kb();
        std::atomic<bool> running{true};
        std::atomic<long> peak{base};
        std::thread sampler([&] {
            while (running) {
                long now = rss_kb();
                if (now > peak) peak = now;
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        });
        run_jobs(client, n);
        running = false;
        sampler.join();
        peak_delta = std::max(peak_delta, peak.load() - base);
    }
    state.counters["rss_peak_growth_kb"] = static_cast<double>(peak_delta);
    state.counters["jobs"] = static_cast<double>(n);
}
BENCHMARK(BM_QueueMemory)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
