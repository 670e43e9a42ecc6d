// Run-time device choice for the models: "cpu", "cuda" or "cuda:N". Code that touches CUDA goes
// through torch::cuda::is_available(), so the same sources build against Debian's CPU LibTorch and
// a CUDA LibTorch; asking for CUDA where there is none is a UsageError, never a crash.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace trmbench {

// Parses and checks a device string (see api.h check_device for the rules).
c10::Device parse_device(const std::string & device);

}  // namespace trmbench
