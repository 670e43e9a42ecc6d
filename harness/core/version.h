// Build identity, recorded with every run.
#pragma once

#include <string>

namespace trmbench {

std::string git_sha();          // short sha at build time, "-dirty" when the tree had changes
std::string harness_version();  // project version, e.g. "0.1.0"
std::string host_name();
std::string cpu_model();        // from /proc/cpuinfo, "" when unknown
int cpu_cores();                // online cores (sched affinity aware), at least 1

}  // namespace trmbench
