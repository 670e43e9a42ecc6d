// End-to-end `trmbench llm ask`: the executable against a one-shot HTTP responder on 127.0.0.1.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "tests/support/test_support.h"

using namespace trmbench;

namespace {

// Answers up to `n` connections with one fixed HTTP response each, then stops (or after 20 s idle).
class OneShotServer {
public:
    OneShotServer(std::string response, int n) : response_(std::move(response)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 8) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this, n] { serve(n); });
    }
    ~OneShotServer() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    std::string requests() {
        std::lock_guard<std::mutex> lock(m_);
        return seen_;
    }

private:
    void serve(int n) {
        for (int i = 0; i < n && !stop_;) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            std::string req;
            char buf[4096];
            size_t need = std::string::npos;
            for (int waited = 0; waited < 100 && (need == std::string::npos || req.size() < need);) {
                pollfd q{c, POLLIN, 0};
                if (::poll(&q, 1, 100) <= 0) {
                    ++waited;
                    continue;
                }
                ssize_t got = ::read(c, buf, sizeof buf);
                if (got <= 0) break;
                req.append(buf, static_cast<size_t>(got));
                size_t end = req.find("\r\n\r\n");
                if (end != std::string::npos && need == std::string::npos) {
                    size_t cl = req.find("Content-Length: ");
                    if (cl == std::string::npos) cl = req.find("content-length: ");
                    size_t body = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
                    need = end + 4 + body;
                }
            }
            {
                std::lock_guard<std::mutex> lock(m_);
                seen_ += req + "\n----\n";
            }
            ssize_t ignored = ::write(c, response_.data(), response_.size());
            (void)ignored;
            ::close(c);
            ++i;
        }
    }

    std::string response_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex m_;
    std::string seen_;
};

std::string http_ok(const std::string & body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_cli_1\r\nConnection: close\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string kReply =
    R"({"id":"chatcmpl-cli","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant",)"
    R"("content":"<think>count</think>Hello there","reasoning_content":"thinking"}}],)"
    R"("usage":{"prompt_tokens":1000,"completion_tokens":3000,"total_tokens":4000,"completion_tokens_details":{"reasoning_tokens":2000}}})";

std::string catalog(int port) {
    return R"({"models":[{"name":"cli-local","provider":"local","api":"openai-chat","model":"tiny",)"
           R"("base_url":"http://127.0.0.1:)" + std::to_string(port) + R"(/v1","api_key_env":"TRMBENCH_CLI_TEST_KEY",)"
           R"("max_output_tokens":64,"pricing":{"date":"2026-11-28","input":2,"output":10}}]})";
}

}  // namespace

TEST_CASE("llm ask: one JSON line with outcome, usage, cost and request id", "[cli][llm]") {
    OneShotServer server(http_ok(kReply), 1);
    test::TempDir dir;
    test::write_text(dir / "cat.json", catalog(server.port()));
    test::write_text(dir / "prompt.txt", "Say hello");
    std::string out;
    int rc = test::run_command("TRMBENCH_CLI_TEST_KEY=sk-test-cli-SECRET " + test::trmbench_exe().string() +
                                   " -q llm ask cli-local --prompt " + (dir / "prompt.txt").string() + " --catalog " +
                                   (dir / "cat.json").string(),
                               out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find(R"("outcome":"ok")") != std::string::npos);
    CHECK(out.find(R"("text":"Hello there")") != std::string::npos);
    CHECK(out.find(R"("request_id":"req_cli_1")") != std::string::npos);
    CHECK(out.find(R"("reasoning_tokens":2000)") != std::string::npos);
    CHECK(out.find(R"("output_tokens":1000)") != std::string::npos);
    // 1000 x $2 + 1000 x $10 + 2000 x $10 per 1M = $0.032
    CHECK(out.find(R"("cost_usd":0.032)") != std::string::npos);
    CHECK(out.find("sk-test-cli-SECRET") == std::string::npos);
    std::string req = server.requests();
    CHECK(req.find("POST /v1/chat/completions") != std::string::npos);
    CHECK(req.find("Bearer sk-test-cli-SECRET") != std::string::npos);
    CHECK(req.find("Say hello") != std::string::npos);
}

TEST_CASE("llm ask: TRMBENCH_<NAME>_BASE_URL points an entry at another server", "[cli][llm]") {
    OneShotServer server(http_ok(kReply), 1);
    test::TempDir dir;
    test::write_text(dir / "cat.json", catalog(1));  // port 1: nothing listens there
    test::write_text(dir / "prompt.txt", "Say hello");
    std::string out;
    int rc = test::run_command("TRMBENCH_CLI_TEST_KEY=k TRMBENCH_CLI_LOCAL_BASE_URL=http://127.0.0.1:" +
                                   std::to_string(server.port()) + "/v1 " + test::trmbench_exe().string() +
                                   " -q llm ask cli-local --prompt " + (dir / "prompt.txt").string() + " --catalog " +
                                   (dir / "cat.json").string(),
                               out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find(R"("outcome":"ok")") != std::string::npos);
}

TEST_CASE("llm ask: missing key, unknown model, unreachable server", "[cli][llm]") {
    test::TempDir dir;
    test::write_text(dir / "cat.json", catalog(1));
    test::write_text(dir / "prompt.txt", "Say hello");
    std::string exe = test::trmbench_exe().string();
    std::string out;
    int rc = test::run_command("env -u OPENAI_API_KEY " + exe + " llm ask o3-mini-high --prompt " +
                                   (dir / "prompt.txt").string(), out);
    CHECK(rc == 2);
    CHECK(out.find("OPENAI_API_KEY") != std::string::npos);
    CHECK(out.find("nothing was sent") != std::string::npos);

    rc = test::run_command(exe + " llm ask no-such-model --prompt " + (dir / "prompt.txt").string(), out);
    CHECK(rc == 2);
    CHECK(out.find("unknown model 'no-such-model'") != std::string::npos);

    rc = test::run_command(exe + " llm ask o3-mini-high", out);
    CHECK(rc == 2);

    rc = test::run_command("TRMBENCH_CLI_TEST_KEY=k " + exe + " -q llm ask cli-local --prompt " +
                               (dir / "prompt.txt").string() + " --catalog " + (dir / "cat.json").string(), out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(out.find(R"("outcome":"http_error")") != std::string::npos);
    CHECK(out.find("connect") != std::string::npos);

    test::write_text(dir / "bad.json", R"({"models":[{"name":"x"}]})");
    rc = test::run_command(exe + " llm ask x --prompt " + (dir / "prompt.txt").string() + " --catalog " +
                               (dir / "bad.json").string(), out);
    CHECK(rc == 3);
    CHECK(out.find("bad.json: models[0] ('x'): field 'provider': required") != std::string::npos);
}
