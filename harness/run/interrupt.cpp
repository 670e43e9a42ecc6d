// Signal handling for runs (see interrupt.h). The handler only touches lock-free atomics and calls
// async-signal-safe write() and _exit().
#include "harness/run/interrupt.h"

#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace trmbench {
namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_count{0};
struct sigaction g_old_int {};
struct sigaction g_old_term {};

void say(const char * text) {
    ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
    (void)ignored;
}

extern "C" void on_signal(int sig) {
    int n = g_count.fetch_add(1) + 1;
    if (n >= 2 && sig == SIGINT) {
        say("\ntrmbench: second Ctrl-C: exiting now (stored results are safe; calls in flight are lost)\n");
        ::_exit(130);
    }
    int expected = 0;
    g_signal.compare_exchange_strong(expected, sig);
    if (n == 1)
        say(sig == SIGINT ? "\ntrmbench: stopping: no new work; calls in flight finish and are saved (Ctrl-C again to quit now)\n"
                          : "\ntrmbench: terminated: no new work; calls in flight finish and are saved\n");
}

}  // namespace

InterruptGuard::InterruptGuard() {
    g_signal = 0;
    g_count = 0;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
}

bool interrupt_requested() { return g_signal.load() != 0; }
int interrupt_signal() { return g_signal.load(); }

void request_interrupt(int signal_number) {
    int expected = 0;
    g_signal.compare_exchange_strong(expected, signal_number);
    g_count.fetch_add(1);
}

}  // namespace trmbench
