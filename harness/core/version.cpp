#include "harness/core/version.h"

#include <fstream>
#include <sched.h>
#include <thread>
#include <unistd.h>

#include "harness/core/strings.h"
#include "trmbench_git_sha.h"

namespace trmbench {

std::string git_sha() { return TRMBENCH_GIT_SHA; }
std::string harness_version() { return TRMBENCH_VERSION; }

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            auto pos = line.find(':');
            if (pos != std::string::npos) return std::string(trim(std::string_view(line).substr(pos + 1)));
        }
    }
    return "";
}

int cpu_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace trmbench
