// The per-solver progress display: what one line shows, and plain lines when not on a terminal.
#include <catch2/catch.hpp>

#include <cstdio>
#include <thread>

#include "harness/run/live_progress.h"

using namespace trmbench;
using Clock = std::chrono::steady_clock;

namespace {

std::string read_all(std::FILE * f) {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    return out;
}

}  // namespace

TEST_CASE("a progress line shows done/total, accuracy, rate, ETA, dollars, retries and waits", "[run][progress]") {
    SolverProgress p;
    p.name = "gpt-x";
    p.task = "sudoku";
    p.state = "running";
    p.total = 200;
    p.done_before = 50;
    p.done = 50;
    p.correct = 10;
    p.correct_before = 30;  // stored by an earlier session of the run
    p.usd = 1.234;
    p.retries = 3;
    p.rate_limit_wait_ms = 65'000;
    p.started = Clock::now() - std::chrono::seconds(10);
    p.has_started = true;
    std::string line = LiveProgress::render(p, p.started + std::chrono::seconds(10));
    CHECK(line.find("gpt-x  100/200 (50%)") == 0);
    CHECK(line.find("acc 40.0%") != std::string::npos);  // (30 + 10) of the 100 attempts made in the run so far
    CHECK(line.find("5.0/s") != std::string::npos);
    CHECK(line.find("eta 20.0s") != std::string::npos);  // 100 left at 5/s
    CHECK(line.find("$1.23") != std::string::npos);
    CHECK(line.find("retries 3") != std::string::npos);
    CHECK(line.find("rate-limit wait 1m05s") != std::string::npos);
    CHECK(line.find("[running sudoku]") != std::string::npos);

    SolverProgress fresh;
    fresh.name = "identity";
    fresh.total = 10;
    std::string idle = LiveProgress::render(fresh, Clock::now());
    CHECK(idle == "identity  0/10 (0%)  [waiting]");
}

TEST_CASE("off a terminal the display prints plain lines and messages", "[run][progress]") {
    std::FILE * f = std::tmpfile();
    {
        LiveProgress board(f, false, 0.05);
        SolverProgress p;
        p.name = "blank";
        p.total = 4;
        size_t i = board.add(p);
        board.start();
        board.update(i, [](SolverProgress & s) {
            s.state = "running";
            s.task = "maze";
            s.done = 2;
            s.started = Clock::now();
            s.has_started = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        board.log("blank on maze: 2 attempts");
        board.update(i, [](SolverProgress & s) {
            s.done = 4;
            s.state = "done";
        });
        board.finish();
    }
    std::string text = read_all(f);
    std::fclose(f);
    CHECK(text.find("\033") == std::string::npos);  // no terminal control sequences in logs
    CHECK(text.find("blank  2/4 (50%)") != std::string::npos);
    CHECK(text.find("[running maze]") != std::string::npos);
    CHECK(text.find("blank on maze: 2 attempts\n") != std::string::npos);
    CHECK(text.find("blank  4/4 (100%)") != std::string::npos);
    CHECK(text.find("[done]") != std::string::npos);
}

TEST_CASE("a quiet display prints nothing", "[run][progress]") {
    std::FILE * f = std::tmpfile();
    {
        LiveProgress board(f, true);
        SolverProgress p;
        p.name = "x";
        board.add(p);
        board.start();
        board.log("hello");
        board.finish();
    }
    CHECK(read_all(f).empty());
    std::fclose(f);
}
