// Ctrl-C during a run. The first SIGINT (or SIGTERM, which Slurm sends at a job's time limit) asks
// the run to stop: no new work is dispatched, calls in flight finish and are recorded, and the run
// ends as "interrupted" with a hint how to resume it. A second SIGINT exits at once with status 130:
// every stored row is safe (one commit per finished item), only the calls in flight are lost.
#pragma once

namespace trmbench {

class InterruptGuard {
public:
    // Installs the handlers (restored by the destructor) and clears any earlier request.
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard & operator=(const InterruptGuard &) = delete;
};

// Whether a stop was requested by a signal since the guard was installed.
bool interrupt_requested();
// Number of the signal that asked to stop (SIGINT, SIGTERM), 0 when none.
int interrupt_signal();
// Requests a stop as a signal would (tests; time budget and spend cap use their own flags).
void request_interrupt(int signal_number);

}  // namespace trmbench
