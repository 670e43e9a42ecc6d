// Progress: one line of progress for long jobs (generation, training, evaluation, downloads).
//
// On a terminal the line is redrawn in place with '\r' at most every 100 ms. When the stream is not
// a terminal (CI logs, redirected output) it prints a plain line every `plain_interval_s` seconds
// instead, so logs stay readable. Rates and ETA come from wall time since start.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace trmbench {

class Progress {
public:
    // total <= 0 means unknown (no percentage or ETA). `out` is usually stderr.
    Progress(std::string label, int64_t total, std::FILE * out = stderr, double plain_interval_s = 10.0);
    ~Progress();

    // Sets the absolute count and an optional free-text suffix ("acc 0.87 loss 0.12").
    void update(int64_t done, const std::string & suffix = "");
    void add(int64_t n = 1, const std::string & suffix = "") { update(done_ + n, suffix); }
    // Prints the final line (always) and stops redrawing.
    void finish(const std::string & suffix = "");

    double elapsed_s() const;
    int64_t done() const { return done_; }
    // Silences all output (tests, --quiet).
    void set_quiet(bool q) { quiet_ = q; }

private:
    std::string render(const std::string & suffix) const;
    void print(const std::string & line, bool final_line);

    std::string label_;
    int64_t total_;
    int64_t done_ = 0;
    std::FILE * out_;
    bool tty_;
    bool quiet_ = false;
    bool finished_ = false;
    double plain_interval_s_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_print_;
};

}  // namespace trmbench
