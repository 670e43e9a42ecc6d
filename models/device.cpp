// Device parsing and the CUDA availability check (see device.h and api.h).
#include "models/device.h"

#include <torch/cuda.h>

#include <cctype>

#include "harness/core/error.h"
#include "models/api.h"

namespace trmbench {

bool cuda_available() { return torch::cuda::is_available(); }

c10::Device parse_device(const std::string & device) {
    if (device == "cpu") return c10::Device(c10::kCPU);
    int index = -1;
    if (device != "cuda") {
        const std::string prefix = "cuda:";
        bool digits = device.size() > prefix.size() && device.size() <= prefix.size() + 3 &&
                      device.compare(0, prefix.size(), prefix) == 0;
        for (size_t i = prefix.size(); digits && i < device.size(); ++i)
            digits = std::isdigit(static_cast<unsigned char>(device[i])) != 0;
        if (!digits) throw UsageError("--device: unknown device '" + device + "' (expected cpu, cuda or cuda:N)");
        index = std::stoi(device.substr(prefix.size()));
    }
    if (!torch::cuda::is_available())
        throw UsageError("--device " + device +
                         ": CUDA is not available (this LibTorch build is CPU-only or no GPU/driver was found); "
                         "build against a CUDA LibTorch (README: Building against a CUDA LibTorch) or use --device cpu");
    if (index >= static_cast<int>(torch::cuda::device_count()))
        throw UsageError("--device " + device + ": only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string check_device(const std::string & device) { return parse_device(device).str(); }

}  // namespace trmbench
