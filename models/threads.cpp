#include "models/threads.h"

#include <ATen/Parallel.h>

#include "harness/core/version.h"

namespace trmbench {

int set_torch_threads(int threads) {
    int n = threads > 0 ? threads : cpu_cores();
    at::set_num_threads(n);
    return at::get_num_threads();
}

}  // namespace trmbench
