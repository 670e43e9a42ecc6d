// An environment variable set (or unset, with std::nullopt) for the scope of the object; the old
// value, or its absence, comes back at scope exit. Process-wide, so not for concurrent tests.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace trmbench::test {

class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::optional<std::string> & value) : name_(std::move(name)) {
        if (const char * old = std::getenv(name_.c_str())) old_ = old;
        set(value);
    }
    ~ScopedEnv() { set(old_); }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv & operator=(const ScopedEnv &) = delete;

private:
    void set(const std::optional<std::string> & value) const {
        if (value) ::setenv(name_.c_str(), value->c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    std::string name_;
    std::optional<std::string> old_;
};

}  // namespace trmbench::test
