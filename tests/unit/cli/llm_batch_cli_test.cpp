// End-to-end `trmbench llm batch submit|status|collect`: the executable against a small OpenAI Batch
// responder on 127.0.0.1 (routes by request line; one connection per request), with a results
// database that must make a second `collect` send nothing and must never hold the API key.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace trmbench;

namespace {

constexpr const char * kKey = "sk-test-BATCHCLI-SECRET-42";

// Serves HTTP/1.1 requests (Content-Length bodies) with `route(request) -> (status, body)`.
class RoutingServer {
public:
    using Route = std::function<std::pair<int, std::string>(const std::string & request)>;
    explicit RoutingServer(Route route) : route_(std::move(route)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~RoutingServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    std::vector<std::string> request_lines() {
        std::lock_guard<std::mutex> lock(m_);
        return lines_;
    }

private:
    static std::string read_request(int c) {
        std::string req;
        char buf[8192];
        size_t need = std::string::npos;
        for (int idle = 0; idle < 50 && (need == std::string::npos || req.size() < need);) {
            pollfd q{c, POLLIN, 0};
            if (::poll(&q, 1, 100) <= 0) {
                ++idle;
                continue;
            }
            ssize_t got = ::read(c, buf, sizeof buf);
            if (got <= 0) break;
            req.append(buf, static_cast<size_t>(got));
            size_t end = req.find("\r\n\r\n");
            if (end != std::string::npos && need == std::string::npos) {
                std::smatch m;
                std::string head = req.substr(0, end);
                static const std::regex cl("content-length: *([0-9]+)", std::regex::icase);
                size_t body = std::regex_search(head, m, cl) ? std::stoul(m[1]) : 0;
                need = end + 4 + body;
            }
        }
        return req;
    }

    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            std::string req = read_request(c);
            {
                std::lock_guard<std::mutex> lock(m_);
                lines_.push_back(req.substr(0, req.find("\r\n")));
            }
            auto [status, body] = route_(req);
            std::string resp = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n"
                               "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
            ssize_t ignored = ::write(c, resp.data(), resp.size());
            (void)ignored;
            ::close(c);
        }
    }

    Route route_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex m_;
    std::vector<std::string> lines_;
};

// OpenAI Batch in miniature: one upload, one batch, completed at the first poll.
struct FakeBatchApi {
    std::mutex m;
    std::vector<std::string> custom_ids;

    std::pair<int, std::string> operator()(const std::string & req) {
        std::lock_guard<std::mutex> lock(m);
        std::string line = req.substr(0, req.find("\r\n"));
        if (line.starts_with("POST /v1/files ")) {
            static const std::regex id("\"custom_id\":\"(r[0-9a-f]{40})\"");
            for (std::sregex_iterator it(req.begin(), req.end(), id), end; it != end; ++it) custom_ids.push_back((*it)[1]);
            return {200, R"({"id":"file-in","object":"file","purpose":"batch"})"};
        }
        if (line.starts_with("POST /v1/batches ")) return {200, R"({"id":"batch_cli","status":"validating"})"};
        if (line.starts_with("GET /v1/batches/batch_cli "))
            return {200, R"({"id":"batch_cli","status":"completed","output_file_id":"file-out"})"};
        if (line.starts_with("GET /v1/files/file-out/content ")) {
            std::string out;
            std::string rows;
            for (int r = 0; r < 9; ++r) rows += std::string("123456789") + (r < 8 ? "\\n" : "");
            for (size_t k = 0; k < custom_ids.size(); ++k)
                out += R"({"id":"batch_req_)" + std::to_string(k) + R"(","custom_id":")" + custom_ids[k] +
                       R"(","response":{"status_code":200,"request_id":"req_)" + std::to_string(k) +
                       R"(","body":{"id":"chatcmpl-1","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":")" +
                       rows + R"("}}],"usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100}}},"error":null})" + "\n";
            return {200, out};
        }
        return {404, R"({"error":{"message":"no route","type":"invalid_request_error"}})"};
    }
};

std::string slurp(const fs::path & p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

size_t count_of(const std::string & text, const std::string & what) {
    size_t n = 0;
    for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("llm batch: submit, status, collect, and a second collect sends nothing", "[cli][llm][batch]") {
    FakeBatchApi api;
    RoutingServer server([&api](const std::string & req) { return api(req); });
    test::TempDir dir;
    test::write_text(dir / "cat.json",
                     R"({"models":[{"name":"cli-batch","provider":"openai","api":"openai-chat","model":"tiny",)"
                     R"("base_url":"http://127.0.0.1:)" + std::to_string(server.port()) +
                         R"(/v1","api_key_env":"TRMBENCH_CLI_TEST_KEY","max_output_tokens":64,)"
                         R"("pricing":{"date":"2026-11-28","input":2,"output":10,"batch_discount":0.5}}]})");
    std::string exe = "TRMBENCH_CLI_TEST_KEY=" + std::string(kKey) + " '" + test::trmbench_exe().string() + "'";
    std::string out;
    REQUIRE(test::run_command(exe + " -q data generate sudoku --n 3 --seed 5 --out '" + (dir / "s.csv").string() + "'", out) == 0);
    std::string items = " cli-batch --task sudoku --dataset '" + (dir / "s.csv").string() + "' --db '" +
                        (dir / "r.sqlite").string() + "' --catalog '" + (dir / "cat.json").string() + "'";

    int rc = test::run_command(exe + " -q llm batch submit" + items, out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(count_of(out, R"("outcome":"skipped")") == 3);
    CHECK(api.custom_ids.size() == 3);
    CHECK(server.request_lines().size() == 2);  // upload + create, no poll

    rc = test::run_command(exe + " -q llm batch status cli-batch --db '" + (dir / "r.sqlite").string() + "' --catalog '" +
                               (dir / "cat.json").string() + "'", out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("batch_cli") && Catch::Contains("3 requests"));

    rc = test::run_command(exe + " -q llm batch collect" + items + " --poll 1", out);
    CHECK(rc == 0);
    CHECK(count_of(out, R"("outcome":"ok")") == 3);
    // (1000 x $2 + 100 x $10) / 1M at half price
    CHECK(count_of(out, R"("cost_usd":0.0015)") == 3);
    auto lines = server.request_lines();
    REQUIRE(lines.size() == 4);
    CHECK(lines[2].starts_with("GET /v1/batches/batch_cli"));
    CHECK(lines[3].starts_with("GET /v1/files/file-out/content"));

    rc = test::run_command(exe + " -q llm batch collect" + items + " --poll 1", out);
    CHECK(rc == 0);
    CHECK(out.find("outcome") == std::string::npos);
    CHECK(server.request_lines().size() == 4);  // every attempt was recorded: nothing sent

    rc = test::run_command(exe + " -q llm batch status cli-batch --db '" + (dir / "r.sqlite").string() + "' --catalog '" +
                               (dir / "cat.json").string() + "'", out);
    CHECK_THAT(out, Catch::Contains("no open batches"));

    std::string stored;
    for (const auto & e : fs::directory_iterator(dir.path()))
        if (e.path().filename().string().starts_with("r.sqlite")) stored += slurp(e.path());
    CHECK(stored.find("batch_cli") != std::string::npos);
    CHECK(stored.find(kKey) == std::string::npos);
}

TEST_CASE("llm batch: entries without a batch API and missing keys are usage errors", "[cli][llm][batch]") {
    test::TempDir dir;
    std::string exe = "'" + test::trmbench_exe().string() + "'";
    std::string out;
    int rc = test::run_command("GEMINI_API_KEY=x " + exe + " llm batch submit gemini-3.1-pro --task sudoku --dataset x --db '" +
                                   (dir / "r.sqlite").string() + "'", out);
    CHECK(rc == 2);
    CHECK_THAT(out, Catch::Contains("has no batch API"));
    rc = test::run_command("env -u ANTHROPIC_API_KEY " + exe + " llm batch collect claude-sonnet-5.5 --task sudoku --dataset x --db '" +
                               (dir / "r.sqlite").string() + "'", out);
    CHECK(rc == 2);
    CHECK_THAT(out, Catch::Contains("ANTHROPIC_API_KEY"));
    rc = test::run_command(exe + " llm batch status claude-sonnet-5.5 --db '" + (dir / "none.sqlite").string() + "'", out);
    CHECK(rc == 2);
}
