#include "tests/support/test_support.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace trmbench::test {

fs::path shared_dir() {
    const char * env = std::getenv("TRMBENCH_SHARED");
    fs::path p = env && *env ? fs::path(env) : fs::path(TRMBENCH_SHARED_DIR);
    if (!fs::is_directory(p)) FAIL("shared directory not found: " << p << " (set TRMBENCH_SHARED)");
    return p;
}

fs::path source_dir() { return TRMBENCH_SOURCE_DIR; }
fs::path binary_dir() { return TRMBENCH_BINARY_DIR; }
fs::path trmbench_exe() { return binary_dir() / "bin" / "trmbench"; }

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "trmbench-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

int run_command(const std::string & command, std::string & output) {
    output.clear();
    std::string cmd = command + " 2>&1";
    FILE * p = ::popen(cmd.c_str(), "r");
    if (!p) return -1;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
    int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void write_text(const fs::path & path, const std::string & content) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
}

}  // namespace trmbench::test
