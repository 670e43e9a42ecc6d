#include "harness/core/progress.h"

#include <unistd.h>

#include "harness/core/strings.h"

namespace trmbench {

using Clock = std::chrono::steady_clock;

Progress::Progress(std::string label, int64_t total, std::FILE * out, double plain_interval_s)
    : label_(std::move(label)), total_(total), out_(out), tty_(out && ::isatty(::fileno(out))),
      plain_interval_s_(plain_interval_s), start_(Clock::now()), last_print_(Clock::now()) {}

Progress::~Progress() {
    if (!finished_ && tty_ && !quiet_ && out_) std::fputc('\n', out_);
}

double Progress::elapsed_s() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
}

std::string Progress::render(const std::string & suffix) const {
    double t = elapsed_s();
    double rate = t > 0 ? static_cast<double>(done_) / t : 0;
    char buf[256];
    std::string line = label_ + " ";
    if (total_ > 0) {
        double pct = 100.0 * static_cast<double>(done_) / static_cast<double>(total_);
        std::snprintf(buf, sizeof buf, "%lld/%lld (%.1f%%)", static_cast<long long>(done_),
                      static_cast<long long>(total_), pct);
        line += buf;
    } else {
        line += std::to_string(done_);
    }
    std::snprintf(buf, sizeof buf, " %.1f/s", rate);
    line += buf;
    line += " elapsed " + format_duration(t);
    if (total_ > 0 && rate > 0 && done_ < total_)
        line += " eta " + format_duration(static_cast<double>(total_ - done_) / rate);
    if (!suffix.empty()) line += " | " + suffix;
    return line;
}

void Progress::print(const std::string & line, bool final_line) {
    if (quiet_ || !out_) return;
    if (tty_) {
        std::fprintf(out_, "\r\033[2K%s", line.c_str());
        if (final_line) std::fputc('\n', out_);
    } else {
        std::fprintf(out_, "%s\n", line.c_str());
    }
    std::fflush(out_);
    last_print_ = Clock::now();
}

void Progress::update(int64_t done, const std::string & suffix) {
    done_ = done;
    if (finished_) return;
    double since = std::chrono::duration<double>(Clock::now() - last_print_).count();
    if (since < (tty_ ? 0.1 : plain_interval_s_)) return;
    print(render(suffix), false);
}

void Progress::finish(const std::string & suffix) {
    if (finished_) return;
    finished_ = true;
    print(render(suffix), true);
}

}  // namespace trmbench
