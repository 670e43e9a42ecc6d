// LiveProgress (see live_progress.h).
#include "harness/run/live_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "harness/core/strings.h"

namespace trmbench {

using Clock = std::chrono::steady_clock;

LiveProgress::LiveProgress(std::FILE * out, bool quiet, double plain_interval_s)
    : out_(out), quiet_(quiet || !out), tty_(out && ::isatty(::fileno(out))), plain_interval_s_(plain_interval_s) {}

LiveProgress::~LiveProgress() { finish(); }

size_t LiveProgress::add(const SolverProgress & initial) {
    std::lock_guard lock(mutex_);
    lines_.push_back(initial);
    return lines_.size() - 1;
}

SolverProgress LiveProgress::get(size_t i) const {
    std::lock_guard lock(mutex_);
    return lines_[i];
}

void LiveProgress::start() {
    if (quiet_ || thread_.joinable()) return;
    thread_ = std::thread([this] { loop(); });
}

void LiveProgress::finish() {
    {
        std::lock_guard lock(mutex_);
        if (finished_) return;
        finished_ = true;
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    if (!quiet_) draw_locked(true);
}

void LiveProgress::log(const std::string & message) {
    std::lock_guard lock(mutex_);
    if (quiet_) return;
    if (tty_ && drawn_lines_ > 0) {
        // Clear the block, print the message, and let the next draw put the block back below it.
        std::fprintf(out_, "\033[%zuA\r\033[J", drawn_lines_);
        drawn_lines_ = 0;
        dirty_ = true;
    }
    std::fprintf(out_, "%s\n", message.c_str());
    std::fflush(out_);
}

std::string LiveProgress::render(const SolverProgress & p, Clock::time_point now) {
    char buf[512];
    int64_t done = p.done_before + p.done;
    std::string line = p.name;
    std::snprintf(buf, sizeof buf, "  %lld/%lld", static_cast<long long>(done), static_cast<long long>(p.total));
    line += buf;
    if (p.total > 0) {
        std::snprintf(buf, sizeof buf, " (%.0f%%)", 100.0 * static_cast<double>(done) / static_cast<double>(p.total));
        line += buf;
    }
    if (done > 0) {
        // Accuracy over every attempt made so far in the run, stored ones of earlier sessions included.
        double correct = static_cast<double>(p.correct_before + p.correct);
        std::snprintf(buf, sizeof buf, "  acc %.1f%%", 100.0 * correct / static_cast<double>(done));
        line += buf;
    }
    double elapsed = p.has_started ? std::chrono::duration<double>(now - p.started).count() : 0;
    if (p.done > 0 && elapsed > 0) {
        double rate = static_cast<double>(p.done) / elapsed;
        std::snprintf(buf, sizeof buf, "  %.1f/s", rate);
        line += buf;
        int64_t left = p.total - done - p.skipped;
        if (p.state == "running" && left > 0) line += "  eta " + format_duration(static_cast<double>(left) / rate);
    }
    if (p.usd > 0) {
        std::snprintf(buf, sizeof buf, "  $%.2f", p.usd);
        line += buf;
    }
    if (p.retries > 0) line += "  retries " + std::to_string(p.retries);
    if (p.rate_limit_wait_ms > 0) line += "  rate-limit wait " + format_duration(p.rate_limit_wait_ms / 1000.0);
    if (p.skipped > 0) line += "  not made " + std::to_string(p.skipped);
    line += "  [" + p.state + (p.task.empty() || p.state == "done" ? "" : " " + p.task) + "]";
    return line;
}

int LiveProgress::columns() const {
    struct winsize ws {};
    if (::ioctl(::fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) return ws.ws_col;
    return 120;
}

void LiveProgress::draw_locked(bool final_draw) {
    Clock::time_point now = Clock::now();
    if (tty_) {
        int width = columns();
        std::string block;
        if (drawn_lines_ > 0) block += "\033[" + std::to_string(drawn_lines_) + "A";
        for (const auto & p : lines_) {
            std::string line = render(p, now);
            if (static_cast<int>(line.size()) >= width) line.resize(static_cast<size_t>(width - 1));
            block += "\r\033[2K" + line + "\n";
        }
        std::fputs(block.c_str(), out_);
        drawn_lines_ = lines_.size();
    } else {
        for (const auto & p : lines_)
            if (final_draw || p.state == "running") std::fprintf(out_, "%s\n", render(p, now).c_str());
    }
    std::fflush(out_);
    dirty_ = false;
}

void LiveProgress::loop() {
    std::unique_lock lock(mutex_);
    auto interval = tty_ ? std::chrono::milliseconds(200)
                         : std::chrono::milliseconds(static_cast<int64_t>(plain_interval_s_ * 1000));
    while (!stop_) {
        cv_.wait_for(lock, interval, [this] { return stop_; });
        if (stop_) break;
        draw_locked(false);  // also when nothing changed: rates and ETAs move with time
    }
}

}  // namespace trmbench
