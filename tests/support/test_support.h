// Helpers shared by the test programs: where ../shared and the build tree are, and temp dirs.
#pragma once

#include <filesystem>
#include <string>

namespace trmbench::test {

// ../shared beside the checkout ($TRMBENCH_SHARED overrides). Tests that need it fail, not skip,
// when it is missing: CI always has it.
std::filesystem::path shared_dir();
std::filesystem::path source_dir();
std::filesystem::path binary_dir();
// The trmbench executable in the build tree.
std::filesystem::path trmbench_exe();

// A fresh empty directory, removed when the object goes out of scope.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir & operator=(const TempDir &) = delete;
    const std::filesystem::path & path() const { return path_; }
    std::filesystem::path operator/(const std::string & name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Runs a shell command; returns its exit status and captures stdout+stderr into `output`.
int run_command(const std::string & command, std::string & output);

// Writes a file (creating parent dirs).
void write_text(const std::filesystem::path & path, const std::string & content);

}  // namespace trmbench::test
