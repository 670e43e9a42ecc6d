// Errors that cross module boundaries, and the CLI exit codes they map to.
//
// Expected per-item failures are data (see prediction.h). Exceptions are for configuration errors,
// bad input files and programming errors; each layer rethrows with context ("loading x.csv: line 7: ...").
#pragma once

#include <stdexcept>
#include <string>

namespace trmbench {

enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,      // the command ran but its check failed (e.g. parity outside tolerance)
    kExitUsage = 2,        // bad command line, unknown name, bad config
    kExitInput = 3,        // bad input file: data, checkpoint, suite, HTTP payload we must trust
    kExitIo = 4,           // filesystem or database failure
    kExitInterrupted = 130,
};

class Error : public std::runtime_error {
public:
    Error(const std::string & what, int exit_code) : std::runtime_error(what), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

struct UsageError : Error {
    explicit UsageError(const std::string & what) : Error(what, kExitUsage) {}
};
struct InputError : Error {
    explicit InputError(const std::string & what) : Error(what, kExitInput) {}
};
struct IoError : Error {
    explicit IoError(const std::string & what) : Error(what, kExitIo) {}
};

// Call inside a catch block: rethrows the current exception with "context: " prepended, keeping
// its exit code (UsageError stays UsageError, any other std::exception becomes Error(kExitFailure)).
[[noreturn]] void rethrow_with_context(const std::string & context);

}  // namespace trmbench
