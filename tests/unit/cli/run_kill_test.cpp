// Crash safety of `trmbench run` against a fake OpenAI-compatible server: the process is killed with
// SIGKILL after k stored attempts (with requests held in flight at the server), resumed, killed
// again, and finally completed; the database must then equal an uninterrupted run's — same answers,
// same correctness — with zero requests answered twice by the server and PRAGMA integrity_check ok.
// Ctrl-C (once: in-flight calls finish and are stored, exit 130; twice: exit at once) is tested the
// same way, and shards of such a run merged with `trmbench merge` must equal the unsharded run.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "results/reader.h"
#include "tests/support/test_support.h"

using namespace trmbench;
using namespace trmbench::test;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// An OpenAI chat-completions server that solves Sudoku from a table (some answers deliberately
// wrong), counts how often it answered each distinct request body, and can hold requests: after
// `hold_after` answers it keeps further requests waiting until they are released or dropped.
class FakeLlmServer {
public:
    explicit FakeLlmServer(std::map<std::string, std::string> solutions) : solutions_(std::move(solutions)) {
        server_.Post("/v1/chat/completions", [this](const httplib::Request & req, httplib::Response & res) { handle(req, res); });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~FakeLlmServer() {
        {
            std::lock_guard lock(m_);
            dropping_ = true;
            hold_after_ = -1;
        }
        cv_.notify_all();
        server_.stop();
        thread_.join();
    }
    int port() const { return port_; }

    // Answer at most n more requests, then hold the rest.
    void hold_after(int n) {
        std::lock_guard lock(m_);
        hold_after_ = answered_ + n;
        dropping_ = false;
    }
    // Let everything through (held requests are answered).
    void release() {
        {
            std::lock_guard lock(m_);
            hold_after_ = -1;
        }
        cv_.notify_all();
    }
    // Held requests get no answer (their client is gone); new ones are held again until release().
    void drop_held() {
        {
            std::lock_guard lock(m_);
            dropping_ = true;
        }
        cv_.notify_all();
        for (;;) {  // wait until every held handler has left
            std::unique_lock lock(m_);
            if (held_ == 0) break;
            lock.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        std::lock_guard lock(m_);
        dropping_ = false;
    }
    int held() const {
        std::lock_guard lock(m_);
        return held_;
    }
    int answered() const {
        std::lock_guard lock(m_);
        return answered_;
    }
    // Request bodies answered more than once.
    int duplicates() const {
        std::lock_guard lock(m_);
        int d = 0;
        for (const auto & [body, n] : answers_) d += n > 1 ? n - 1 : 0;
        return d;
    }
    void reset_counts() {
        std::lock_guard lock(m_);
        answers_.clear();
        answered_ = 0;
    }

private:
    void handle(const httplib::Request & req, httplib::Response & res) {
        {
            std::unique_lock lock(m_);
            ++held_;
            cv_.wait(lock, [this] { return dropping_ || hold_after_ < 0 || answered_ < hold_after_; });
            --held_;
            if (dropping_) {
                res.status = 503;
                res.set_content(R"({"error":{"message":"dropped by the test","type":"server_error"}})", "application/json");
                return;
            }
            ++answered_;
            ++answers_[req.body];
        }
        json body = json::parse(req.body, nullptr, false);
        std::string prompt = body.is_object() ? body["messages"][0]["content"].get<std::string>() : "";
        std::string puzzle = find_board(prompt);
        std::string answer = puzzle;
        for (char & c : answer)
            if (c == '.') c = '1';  // wrong, but a grid
        auto it = solutions_.find(puzzle);
        bool right = std::hash<std::string>{}(req.body) % 3 != 0;
        if (it != solutions_.end() && right) answer = it->second;
        std::string text = "Thinking done.\n<answer>\n";
        for (int r = 0; r < 9 && answer.size() == 81; ++r) text += answer.substr(static_cast<size_t>(r) * 9, 9) + "\n";
        text += "</answer>\n";
        json out = {{"id", "chatcmpl-fake"},
                    {"object", "chat.completion"},
                    {"created", 0},
                    {"model", "fake-model"},
                    {"choices", json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", text}}}, {"finish_reason", "stop"}}})},
                    {"usage", {{"prompt_tokens", 300}, {"completion_tokens", 100}, {"total_tokens", 400}}}};
        res.set_content(out.dump(), "application/json");
    }

    // The 9 lines of 9 puzzle characters in a prompt, as one 81-character string.
    static std::string find_board(const std::string & prompt) {
        std::istringstream in(prompt);
        std::string line, board;
        while (std::getline(in, line)) {
            bool row = line.size() == 9 && line.find_first_not_of("123456789.") == std::string::npos;
            board = row ? board + line : "";
            if (board.size() == 81) return board;
        }
        return "";
    }

    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    std::map<std::string, std::string> solutions_;
    mutable std::mutex m_;
    std::condition_variable cv_;
    int hold_after_ = -1;
    bool dropping_ = false;
    int held_ = 0;
    int answered_ = 0;
    std::map<std::string, int> answers_;
};

const int kPuzzles = 24, kAttempts = 2, kTotal = kPuzzles * kAttempts;

struct Workspace {
    TempDir dir;
    fs::path cache = dir / "cache";
    fs::path db = dir / "r.sqlite";

    std::string env() const {
        return "env TRMBENCH_CACHE=" + cache.string() + " FAKE_LLM_KEY=sk-test-secret-123 SLURM_ARRAY_TASK_ID= SLURM_ARRAY_TASK_COUNT= ";
    }
    std::string args(const std::string & extra) const {
        return trmbench_exe().string() + " --data-dir " + (dir / "data").string() + " run suite.json --db " + db.string() +
               " --catalog catalog.json " + extra;
    }
    // Runs trmbench to the end.
    int run(const std::string & extra, std::string & out) const {
        return run_command("cd " + dir.path().string() + " && " + env() + args(extra) + " </dev/null", out);
    }
    // Starts trmbench in the background (same pid as the shell thanks to exec); output to log.
    pid_t spawn(const std::string & extra) const {
        std::string cmd = "cd " + dir.path().string() + " && exec " + env() + args(extra) + " </dev/null >" +
                          (dir / "log.txt").string() + " 2>&1";
        pid_t pid = ::fork();
        if (pid == 0) {
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char *>(nullptr));
            ::_exit(127);
        }
        return pid;
    }
    std::string log() const {
        std::ifstream in(dir / "log.txt");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

int64_t stored_attempts(const fs::path & db) {
    if (!fs::exists(db)) return 0;
    sqlite3 * h = nullptr;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(h);
        return 0;
    }
    sqlite3_busy_timeout(h, 1000);
    sqlite3_stmt * st = nullptr;
    int64_t n = 0;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM attempts", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

// Waits until the database holds `n` attempts and the server holds `held` requests; false on timeout.
bool wait_for(const fs::path & db, int64_t n, const FakeLlmServer & server, int held) {
    for (int i = 0; i < 3000; ++i) {
        if (stored_attempts(db) >= n && server.held() >= held) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

using Row = std::tuple<std::string, std::string, bool, std::string>;  // outcome, answer, correct, raw text
// The attempts of run `run_id` (0: the database's only run).
std::map<std::tuple<std::string, std::string, int>, Row> attempts_of(const fs::path & db, int64_t run_id = 0) {
    ResultsReader reader(db);
    if (run_id == 0) {
        auto runs = reader.runs();
        REQUIRE(runs.size() == 1);
        run_id = runs[0].id;
    }
    std::map<std::tuple<std::string, std::string, int>, Row> out;
    for (const auto & a : reader.attempts(AttemptQuery(run_id)))
        out[{a.solver, a.example_id, a.attempt}] = {std::string(outcome_name(a.outcome)), a.answer ? to_digit_rows(*a.answer) : "",
                                                   a.correct(), a.raw_text};
    return out;
}

// Generates the suite's Sudoku set (a dry run) and reads question -> answer from its CSV.
std::map<std::string, std::string> solutions(const Workspace & ws) {
    std::string out;
    REQUIRE(ws.run("--dry-run", out) == 0);
    std::map<std::string, std::string> table;
    for (const auto & f : fs::recursive_directory_iterator(ws.cache)) {
        if (f.path().extension() != ".csv") continue;
        std::ifstream in(f.path());
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::vector<std::string> cols;
            std::stringstream ss(line);
            for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
            if (cols.size() >= 3) table[cols[1]] = cols[2];
        }
    }
    REQUIRE(table.size() == static_cast<size_t>(kPuzzles));
    return table;
}

void write_workspace(Workspace & ws, int port, const std::string & limits = R"({ "concurrency": 4, "spend_usd": 100 })") {
    fs::create_directories(ws.dir / "data");
    write_text(ws.dir / "suite.json", R"({
      "name": "kill-test",
      "tasks": [ { "name": "sudoku", "family": "sudoku", "generate": { "n": )" + std::to_string(kPuzzles) + R"(, "seed": 3 }, "attempts": 2 } ],
      "solvers": [ { "kind": "llm", "name": "fake-llm" } ],
      "limits": )" + limits + R"(
    })");
    write_text(ws.dir / "catalog.json", R"({"schema_version": 1, "models": [{
      "name": "fake-llm", "provider": "fake", "api": "openai-chat", "model": "fake-model",
      "base_url": "http://127.0.0.1:)" + std::to_string(port) + R"(/v1", "api_key_env": "FAKE_LLM_KEY",
      "max_output_tokens": 1000, "seed": 7, "timeout_s": 60,
      "pricing": {"date": "2026-01-01", "input": 1.0, "output": 2.0}}]})");
}

}  // namespace

TEST_CASE("kill -9 at several points, resume: the database equals an uninterrupted run's", "[cli][run][kill]") {
    // The uninterrupted reference.
    Workspace ref;
    write_workspace(ref, 1);  // port fixed below, after the server knows the solutions
    auto table = solutions(ref);
    FakeLlmServer server(table);
    write_workspace(ref, server.port());
    std::string out;
    REQUIRE(ref.run("", out) == 0);
    auto expected = attempts_of(ref.db);
    REQUIRE(expected.size() == static_cast<size_t>(kTotal));
    CHECK(server.duplicates() == 0);
    int correct = 0;
    for (const auto & [k, v] : expected) correct += std::get<2>(v);
    CHECK(correct > 0);
    CHECK(correct < kTotal);  // a mix, so "same correctness" means something

    // The same run, killed three times.
    server.reset_counts();
    Workspace ws;
    ws.cache = ref.cache;  // the same generated set
    write_workspace(ws, server.port());
    int64_t stored = 0;
    for (int k : {5, 17, 31}) {
        server.hold_after(k - static_cast<int>(stored));
        pid_t pid = ws.spawn(stored == 0 ? "" : "--resume auto");
        // k stored, and 4 more requests (the concurrency) waiting at the server: killed mid-batch.
        bool reached = wait_for(ws.db, k, server, 4);
        INFO("k = " << k << "\n" << ws.log());
        REQUIRE(reached);
        ::kill(pid, SIGKILL);
        CHECK(wait_exit(pid) == 128 + SIGKILL);
        server.drop_held();  // the killed process never gets those answers
        stored = stored_attempts(ws.db);
        CHECK(stored == k);
        CHECK(server.answered() == k);
    }
    server.release();
    int rc = ws.run("--resume auto", out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("resuming run 1") && Catch::Contains("run 1 completed"));
    CHECK(server.duplicates() == 0);            // no answered request was ever sent again
    CHECK(server.answered() == kTotal);
    CHECK(attempts_of(ws.db) == expected);      // same answers, same correctness, same texts
    ResultsReader reader(ws.db);
    CHECK(reader.integrity_check() == "ok");
    CHECK(reader.runs()[0].resume_count == 3);
    // The key never reaches the database.
    std::ifstream raw(ws.db, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(raw)), {});
    CHECK(bytes.find("sk-test-secret-123") == std::string::npos);
}

TEST_CASE("Ctrl-C lets the calls in flight finish and be stored; a second Ctrl-C exits at once", "[cli][run][kill]") {
    Workspace ws;
    write_workspace(ws, 1);
    auto table = solutions(ws);
    FakeLlmServer server(table);
    write_workspace(ws, server.port());

    // Once: 9 answered, 4 held; SIGINT; the held 4 are answered and stored; exit 130.
    server.hold_after(9);
    pid_t pid = ws.spawn("");
    REQUIRE(wait_for(ws.db, 9, server, 4));
    ::kill(pid, SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server.release();
    int rc = wait_exit(pid);
    std::string log = ws.log();
    INFO(log);
    CHECK(rc == 130);
    CHECK_THAT(log, Catch::Contains("stopping: no new work") && Catch::Contains("resume with: trmbench") &&
                        Catch::Contains("--resume 1"));
    CHECK(stored_attempts(ws.db) == 13);
    CHECK(ResultsReader(ws.db).run(1)->status == "interrupted");

    // Twice: exits while requests are held; nothing stored is lost.
    server.hold_after(5);
    pid = ws.spawn("--resume 1");
    REQUIRE(wait_for(ws.db, 18, server, 4));
    ::kill(pid, SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(pid, SIGINT);
    rc = wait_exit(pid);
    log = ws.log();
    INFO(log);
    CHECK(rc == 130);
    CHECK_THAT(log, Catch::Contains("second Ctrl-C: exiting now"));
    server.drop_held();
    CHECK(stored_attempts(ws.db) == 18);
    CHECK(ResultsReader(ws.db).integrity_check() == "ok");

    server.release();
    std::string out;
    CHECK(ws.run("--resume 1", out) == 0);
    CHECK(stored_attempts(ws.db) == kTotal);
    CHECK(server.duplicates() == 0);
}

TEST_CASE("LLM shards merged with trmbench merge equal the unsharded run", "[cli][run][shard]") {
    Workspace ref;
    write_workspace(ref, 1);
    auto table = solutions(ref);
    FakeLlmServer server(table);
    write_workspace(ref, server.port());
    std::string out;
    REQUIRE(ref.run("", out) == 0);
    auto expected = attempts_of(ref.db);
    REQUIRE(expected.size() == static_cast<size_t>(kTotal));

    server.reset_counts();
    Workspace ws;
    ws.cache = ref.cache;
    write_workspace(ws, server.port());
    std::vector<fs::path> shards;
    size_t covered = 0;
    for (int i = 0; i < 3; ++i) {
        fs::path db = ws.dir / ("shard" + std::to_string(i) + ".db");
        std::string cmd = "cd " + ws.dir.path().string() + " && " + ws.env() + trmbench_exe().string() + " --data-dir " +
                          (ws.dir / "data").string() + " run suite.json --catalog catalog.json --shard " + std::to_string(i) +
                          "/3 --db " + db.string() + " </dev/null";
        int rc = run_command(cmd, out);
        INFO(out);
        REQUIRE(rc == 0);
        CHECK_THAT(out, Catch::Contains("run 1 completed"));
        covered += attempts_of(db).size();
        shards.push_back(db);
    }
    CHECK(covered == static_cast<size_t>(kTotal));  // disjoint and covering
    CHECK(server.answered() == kTotal);
    CHECK(server.duplicates() == 0);

    fs::path merged = ws.dir / "all.db";
    std::string cmd = trmbench_exe().string() + " merge";
    for (const auto & s : shards) cmd += " " + s.string();
    cmd += " -o " + merged.string();
    int rc = run_command(cmd, out);
    INFO(out);
    REQUIRE(rc == 0);
    CHECK(attempts_of(merged) == expected);
    ResultsReader reader(merged);
    CHECK(reader.integrity_check() == "ok");
    CHECK(reader.count_items(reader.runs()[0].id) == kPuzzles);
    CHECK(reader.api_calls(reader.runs()[0].id).size() == static_cast<size_t>(kTotal));
}

TEST_CASE("the spend cap stops the run, and covers the whole run across a resume", "[cli][run][spend]") {
    // Each answer costs 300 x $1/M + 100 x $2/M = $0.0005; each request reserves its worst case
    // (1000 output tokens: about $0.0024) until it is answered. One at a time, a $0.01 cap admits
    // about 15 answers ($0.0075): a second session that did not count them would make 15 more and
    // spend $0.015 in all.
    const double cap = 0.01;
    Workspace ws;
    write_workspace(ws, 1);
    auto table = solutions(ws);
    FakeLlmServer server(table);
    write_workspace(ws, server.port(), R"({ "concurrency": 1, "spend_usd": 0.01 })");
    auto stored_cost = [&] {
        ResultsReader reader(ws.db);
        double usd = 0;
        for (const auto & a : reader.aggregate(1)) usd += a.cost_usd;
        return usd;
    };

    std::string out;
    int rc = ws.run("", out);
    INFO(out);
    CHECK(rc == 0);  // a budget stop is not an error
    CHECK_THAT(out, Catch::Contains("run 1 interrupted") && Catch::Contains("spend cap") && Catch::Contains("--resume 1"));
    int64_t first = stored_attempts(ws.db);
    CHECK(first >= 10);
    CHECK(first < kTotal);
    CHECK(stored_cost() <= cap + 1e-12);
    CHECK(ResultsReader(ws.db).run(1)->status == "interrupted");

    // Resumed: what is stored already counts against the cap, so the run as a whole stays under it.
    rc = ws.run("--resume 1", out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("resuming run 1") && Catch::Contains("spend cap"));
    CHECK(stored_attempts(ws.db) - first <= 5);
    CHECK(stored_cost() <= cap + 1e-12);
    CHECK(server.duplicates() == 0);
    CHECK(server.answered() == stored_attempts(ws.db));
}

TEST_CASE("a new run of the same suite answers from the response cache and sends nothing", "[cli][run][cache]") {
    Workspace ws;
    write_workspace(ws, 1);
    auto table = solutions(ws);
    FakeLlmServer server(table);
    write_workspace(ws, server.port());
    std::string out;
    REQUIRE(ws.run("", out) == 0);
    REQUIRE(server.answered() == kTotal);
    auto first = attempts_of(ws.db);

    int rc = ws.run("--new", out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("run 2 completed"));
    CHECK(server.answered() == kTotal);  // not one request sent again
    CHECK(attempts_of(ws.db, 2) == first);
    ResultsReader reader(ws.db);
    CHECK(reader.api_calls(1).size() == static_cast<size_t>(kTotal));
    CHECK(reader.api_calls(2).empty());  // cache hits are not HTTP exchanges
}
