// Integration tests against a real OpenAI-compatible server: llama.cpp's llama-server (built by
// scripts/llama-server.sh into the cache; scripts/test.sh exports TRMBENCH_LLAMA_SERVER) serving a
// tiny random-weight model from scripts/tiny_gguf.py, on 127.0.0.1 with a free port. First the raw
// wire format, then `trmbench llm ask` through the catalogue (a user --catalog entry, and the built-in
// `llama-server` entry pointed at the port with TRMBENCH_LLAMA_SERVER_BASE_URL), with the recorded
// usage checked against the server's own token counters (/metrics). The server is always stopped by
// PID (SIGTERM, then SIGKILL after 5 s), also when a check fails. One thread: on a busy machine
// (ctest -j) two spinning ggml threads make requests 25x slower.
//
// A missing binary fails the test: CI builds it, and a silently skipped integration test would hide a
// broken build. The one exception is an npm registry that cannot be reached: scripts/test.sh then sets
// TRMBENCH_LLAMA_SERVER_SKIP to the reason, and the tests print "TRMBENCH_TEST_SKIPPED: <reason>"
// (a Catch2 warning, shown even when passing), which ctest reports as a skipped test.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
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

// The llama-server binary, or nothing when the test must be skipped (and says why, visibly). Fails
// when the binary is missing for any other reason.
std::optional<fs::path> llama_server_or_skip() {
    fs::path binary = llama_server_binary();
    std::error_code ec;
    if (fs::is_regular_file(binary, ec)) return binary;
    if (const char * why = std::getenv("TRMBENCH_LLAMA_SERVER_SKIP"); why && *why) {
        WARN("TRMBENCH_TEST_SKIPPED: no llama-server: " << why);
        SUCCEED("skipped: " << why);
        return std::nullopt;
    }
    FAIL("llama-server is not built (" << binary << "): run scripts/llama-server.sh (scripts/test.sh does), "
         "or set TRMBENCH_LLAMA_SERVER to its path");
    return std::nullopt;
}

// A llama-server child process, stopped by PID when the object goes away.
class ServerProcess {
public:
    ServerProcess(const fs::path & binary, const fs::path & model, int port, const fs::path & log) {
        std::vector<std::string> args = {binary.string(), "-m", model.string(), "--host", "127.0.0.1", "--port",
                                         std::to_string(port), "-c", "8192", "-np", "2", "-t", "1", "--no-webui", "--jinja",
                                         "--metrics"};
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

// A started llama-server serving a freshly generated tiny model, with a scratch directory.
struct LlamaServer {
    trmbench::test::TempDir tmp;
    fs::path binary;
    int port = trmbench::test::closed_port();
    std::unique_ptr<ServerProcess> server;

    explicit LlamaServer(fs::path binary_path) : binary(std::move(binary_path)) {
        INFO("llama-server binary: " << binary);
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

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port) + "/v1"; }

    // A counter from the server's Prometheus text (`llamacpp:NAME VALUE`).
    double metric(const std::string & name) {
        httplib::Client client("127.0.0.1", port);
        auto res = client.Get("/metrics");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        std::string key = "\nllamacpp:" + name + " ";
        size_t at = ("\n" + res->body).find(key);
        INFO(res->body);
        REQUIRE(at != std::string::npos);
        return std::stod(res->body.substr(at + key.size() - 1));
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

TEST_CASE("llama-server answers OpenAI chat requests from the tiny model", "[llama-server]") {
    std::optional<fs::path> binary = llama_server_or_skip();
    if (!binary) return;
    LlamaServer llama(*binary);
    int status = 0;
    std::string raw;
    SECTION("greedy, with a newline and non-ASCII text in the prompt (byte-fallback tokens)") {
        json body = {{"model", "tiny"},
                     {"messages", {{{"role", "system"}, {"content", "Answer with the grid."}},
                                   {{"role", "user"}, {"content", "Solve:\n5 3 . | . 7 .\nünïcødé ✓"}}}},
                     {"max_tokens", 16},
                     {"temperature", 0}};
        json r = llama.chat(body, status, raw);
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
        json again = llama.chat(body, status, raw);
        CHECK(again["choices"][0]["message"]["content"] == content);
    }
    SECTION("sampled text is random but valid UTF-8 (the model never emits byte tokens)") {
        for (int seed = 1; seed <= 5; ++seed) {
            json r = llama.chat({{"messages", {{{"role", "user"}, {"content", "Say something."}}}},
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
        llama.chat({{"messages", {{{"role", "user"}, {"content", "Stream please."}}}},
                    {"max_tokens", 8},
                    {"stream", true},
                    {"stream_options", {{"include_usage", true}}}},
                   status, raw);
        INFO(raw);
        REQUIRE(status == 200);
        CHECK_THAT(raw, Catch::Contains("chat.completion.chunk") && Catch::Contains("\"usage\"") && Catch::EndsWith("data: [DONE]\n\n"));
    }
    CHECK(llama.server->running());
    CHECK(llama.server->stop());  // exits on SIGTERM
}

namespace {

constexpr int64_t kTinyActiveParams = 130000;  // nominal, only for the FLOPs formula

// The `llm ask` JSON line in the command's output (stderr may add a message line).
json ask_json_line(const std::string & out) {
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (line.starts_with("{")) return json::parse(line);
    FAIL("no JSON line in the output of llm ask");
    return {};
}

// An outcome the harness records for a reachable server with a random model: the text is a solution
// (ok), unparseable (parse_error), or cut at the token limit (truncated). Exit code 0 only for ok.
void check_recorded_outcome(const json & j, int rc, int64_t max_output_tokens) {
    std::string outcome = j["outcome"];
    CHECK((outcome == "ok" || outcome == "parse_error" || outcome == "truncated"));
    CHECK(rc == (outcome == "ok" ? 0 : 1));
    CHECK(j["http_status"] == 200);
    CHECK(j["retries"] == 0);
    CHECK_THAT(j["request_id"].get<std::string>(), Catch::StartsWith("chatcmpl-"));
    CHECK(j["example_id"] != "");
    CHECK(valid_utf8(j["text"].get<std::string>()));
    const json & u = j["usage"];
    int64_t in = u["input_tokens"], out = u["output_tokens"];
    // A Sudoku prompt has 81 cells plus instructions; the tiny vocabulary is mostly single characters.
    CHECK(in > 81);
    CHECK(in < 8192);
    CHECK(out >= 1);
    CHECK(out <= max_output_tokens);
    CHECK((outcome == "truncated") == (out == max_output_tokens));
    CHECK(u["total_tokens"] == in + out);
    CHECK((u["reasoning_tokens"].is_null() || u["reasoning_tokens"] == 0));
    double latency = j["latency_ms"];
    CHECK(latency > 0);
    CHECK(latency < 120000);
    CHECK(j["last_exchange_ms"].get<double>() <= latency + 1);
}

// The tokens llama-server itself counted while `ask` ran must be the usage trmbench recorded.
void check_usage_matches_server(const json & j, LlamaServer & llama, double prompt_before, double predicted_before) {
    CHECK(llama.metric("prompt_tokens_total") - prompt_before == j["usage"]["input_tokens"].get<double>());
    CHECK(llama.metric("tokens_predicted_total") - predicted_before == j["usage"]["output_tokens"].get<double>());
}

}  // namespace

TEST_CASE("trmbench llm ask reaches llama-server through the catalogue", "[llama-server][llm]") {
    std::optional<fs::path> binary = llama_server_or_skip();
    if (!binary) return;
    LlamaServer llama(*binary);
    const trmbench::test::TempDir & tmp = llama.tmp;
    const std::string exe = "'" + trmbench::test::trmbench_exe().string() + "'";
    std::string out;
    {
        int rc = trmbench::test::run_command(exe + " -q data generate sudoku --n 2 --seed 5 --out '" +
                                                 (tmp / "data/sudoku/pair.csv").string() + "'", out);
        INFO(out);
        REQUIRE(rc == 0);
    }
    const std::string ask = exe + " -q --data-dir '" + (tmp / "data").string() + "' llm ask ";
    double prompt_before = llama.metric("prompt_tokens_total");
    double predicted_before = llama.metric("tokens_predicted_total");

    SECTION("a user entry from --catalog FILE, with prices and a parameter count") {
        trmbench::test::write_text(tmp / "mine.json", json{{"models", {{{"name", "tiny-llama"},
                                                                          {"provider", "local"},
                                                                          {"api", "openai-chat"},
                                                                          {"model", "tiny"},
                                                                          {"base_url", llama.base_url()},
                                                                          {"api_key_env", ""},
                                                                          {"params", kTinyActiveParams},
                                                                          {"active_params", kTinyActiveParams},
                                                                          {"temperature", 1.0},
                                                                          {"seed", 11},
                                                                          {"max_output_tokens", 600},
                                                                          {"max_tokens_field", "max_tokens"},
                                                                          {"pricing", {{"date", "2026-11-28"}, {"input", 1.5}, {"output", 6.0}}}}}}}
                                                              .dump());
        int rc = trmbench::test::run_command(ask + "tiny-llama --task sudoku --example sudoku/pair:1 --catalog '" +
                                                 (tmp / "mine.json").string() + "'", out);
        INFO(out << "\nserver log:\n" << log_tail(tmp / "server.log"));
        json j = ask_json_line(out);
        CHECK(j["model"] == "tiny-llama");
        CHECK(j["model_id"] == "tiny");
        CHECK(j["attempt"] == 0);
        check_recorded_outcome(j, rc, 600);
        check_usage_matches_server(j, llama, prompt_before, predicted_before);
        int64_t in = j["usage"]["input_tokens"], gen = j["usage"]["output_tokens"];
        CHECK(j["cost_usd"].get<double>() == Approx((in * 1.5 + gen * 6.0) / 1e6));
        CHECK(j["flops"].get<double>() == Approx(2.0 * kTinyActiveParams * (in + gen)));
        CHECK(j["flops_estimated"] == true);
    }
    SECTION("the built-in llama-server entry, pointed at the port by TRMBENCH_LLAMA_SERVER_BASE_URL") {
        // A user file that only lowers the built-in entry's output limit (merged field by field).
        trmbench::test::write_text(tmp / "limit.json", R"({"models":[{"name":"llama-server","max_output_tokens":48}]})");
        int rc = trmbench::test::run_command("TRMBENCH_LLAMA_SERVER_BASE_URL=" + llama.base_url() + " " + ask +
                                                 "llama-server --task sudoku --example sudoku/pair:0 --catalog '" +
                                                 (tmp / "limit.json").string() + "'", out);
        INFO(out << "\nserver log:\n" << log_tail(tmp / "server.log"));
        json j = ask_json_line(out);
        CHECK(j["model"] == "llama-server");
        CHECK(j["provider"] == "local");
        CHECK(j["model_id"] == "local");
        check_recorded_outcome(j, rc, 48);
        check_usage_matches_server(j, llama, prompt_before, predicted_before);
        CHECK(j["cost_usd"] == 0.0);
        CHECK(j["flops"].is_null());  // the built-in entry's parameter count is unknown
    }
    CHECK(llama.server->running());
}
