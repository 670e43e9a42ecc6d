// Integration test against a real OpenAI-compatible server: llama.cpp's llama-server (built by
// scripts/llama-server.sh into the cache; scripts/test.sh exports TRMBENCH_LLAMA_SERVER) serving a
// tiny random-weight model from scripts/tiny_gguf.py, on 127.0.0.1 with a free port. The server is
// always stopped by PID (SIGTERM, then SIGKILL after 5 s), also when a check fails. One thread: on a
// busy machine (ctest -j) two spinning ggml threads make requests 25x slower.
//
// Fails, rather than skips, when the binary is missing: CI builds it, and a silently skipped
// integration test would hide a broken build.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/test_support.h"
#include "tests/unit/adapters/download_test_server.h"

extern char ** environ;

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

fs::path llama_server_binary() {
    if (const char * env = std::getenv("TRMBENCH_LLAMA_SERVER"); env && *env) return env;
    std::string out;
    trmbench::test::run_command((trmbench::test::source_dir() / "scripts/llama-server.sh").string() + " --print-path", out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out.substr(out.rfind('\n') + 1);
}

// A llama-server child process, stopped by PID when the object goes away.
class ServerProcess {
public:
    ServerProcess(const fs::path & binary, const fs::path & model, int port, const fs::path & log) {
        std::vector<std::string> args = {binary.string(), "-m", model.string(), "--host", "127.0.0.1", "--port",
                                         std::to_string(port), "-c", "8192", "-np", "2", "-t", "1", "--no-webui", "--jinja"};
        std::vector<char *> argv;
        for (auto & a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) pid_ = -1;
    }
    ~ServerProcess() { stop(); }
    ServerProcess(const ServerProcess &) = delete;
    ServerProcess & operator=(const ServerProcess &) = delete;

    pid_t pid() const { return pid_; }
    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        return true;
    }
    // SIGTERM, up to 5 s for a clean exit, then SIGKILL. Returns whether it exited on SIGTERM.
    bool stop() {
        if (pid_ <= 0) return true;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return false;
    }

private:
    pid_t pid_ = -1;
};

std::string log_tail(const fs::path & log) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
}

// Checks that `s` is well-formed UTF-8 (what llama-server must never break).
bool valid_utf8(const std::string & s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += n;
    }
    return true;
}

struct LlamaFixture {
    trmbench::test::TempDir tmp;
    fs::path binary = llama_server_binary();
    int port = trmbench::test::closed_port();
    std::unique_ptr<ServerProcess> server;

    LlamaFixture() {
        INFO("llama-server binary: " << binary);
        { INFO("llama-server is not built: run scripts/llama-server.sh (scripts/test.sh does)"); REQUIRE(fs::is_regular_file(binary)); }
        fs::path gguf_py = binary.parent_path().parent_path() / "gguf-py";
        std::string out;
        std::string cmd = "PYTHONPATH='" + gguf_py.string() + "' /usr/bin/python3 '" +
                          (trmbench::test::source_dir() / "scripts/tiny_gguf.py").string() + "' '" + (tmp / "tiny.gguf").string() +
                          "' --seed 7";
        {
            int rc = trmbench::test::run_command(cmd, out);
            INFO(out);
            REQUIRE(rc == 0);
        }
        server = std::make_unique<ServerProcess>(binary, tmp / "tiny.gguf", port, tmp / "server.log");
        REQUIRE(server->pid() > 0);
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(1);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (true) {
            auto res = client.Get("/health");
            if (res && res->status == 200) break;
            { INFO("llama-server exited during start-up:\n" << log_tail(tmp / "server.log")); REQUIRE(server->running()); }
            { INFO("no /health after 60 s:\n" << log_tail(tmp / "server.log")); REQUIRE(std::chrono::steady_clock::now() < deadline); }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    json chat(const json & body, int & status, std::string & raw) {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(60);
        auto res = client.Post("/v1/chat/completions", body.dump(), "application/json");
        REQUIRE(res);
        status = res->status;
        raw = res->body;
        return body.value("stream", false) ? json() : json::parse(res->body, nullptr, false);
    }
};

}  // namespace

TEST_CASE_METHOD(LlamaFixture, "llama-server answers OpenAI chat requests from the tiny model", "[llama-server]") {
    int status = 0;
    std::string raw;
    SECTION("greedy, with a newline and non-ASCII text in the prompt (byte-fallback tokens)") {
        json body = {{"model", "tiny"},
                     {"messages", {{{"role", "system"}, {"content", "Answer with the grid."}},
                                   {{"role", "user"}, {"content", "Solve:\n5 3 . | . 7 .\nünïcødé ✓"}}}},
                     {"max_tokens", 16},
                     {"temperature", 0}};
        json r = chat(body, status, raw);
        INFO(raw);
        REQUIRE(status == 200);
        CHECK(r["object"] == "chat.completion");
        CHECK(r["choices"][0]["finish_reason"] == "length");
        std::string content = r["choices"][0]["message"]["content"];
        CHECK_FALSE(content.empty());
        CHECK(valid_utf8(content));
        CHECK(r["usage"]["prompt_tokens"].get<int>() > 10);
        CHECK(r["usage"]["completion_tokens"].get<int>() == 16);
        CHECK(r["usage"]["total_tokens"].get<int>() == r["usage"]["prompt_tokens"].get<int>() + 16);
        // Greedy decoding is deterministic.
        json again = chat(body, status, raw);
        CHECK(again["choices"][0]["message"]["content"] == content);
    }
    SECTION("sampled text is random but valid UTF-8 (the model never emits byte tokens)") {
        for (int seed = 1; seed <= 5; ++seed) {
            json r = chat({{"messages", {{{"role", "user"}, {"content", "Say something."}}}},
                           {"max_tokens", 64},
                           {"temperature", 1.0},
                           {"seed", seed}},
                          status, raw);
            INFO(raw);
            REQUIRE(status == 200);
            CHECK(valid_utf8(r["choices"][0]["message"]["content"].get<std::string>()));
        }
    }
    SECTION("streaming ends with a usage chunk and [DONE]") {
        chat({{"messages", {{{"role", "user"}, {"content", "Stream please."}}}},
              {"max_tokens", 8},
              {"stream", true},
              {"stream_options", {{"include_usage", true}}}},
             status, raw);
        INFO(raw);
        REQUIRE(status == 200);
        CHECK_THAT(raw, Catch::Contains("chat.completion.chunk") && Catch::Contains("\"usage\"") && Catch::EndsWith("data: [DONE]\n\n"));
    }
    CHECK(server->running());
    CHECK(server->stop());  // exits on SIGTERM
}
