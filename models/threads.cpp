// CPU runtime setup (see threads.h for why each setting exists).
#include "models/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "harness/core/version.h"

namespace trmbench {

namespace {

void set_blas_threads(int threads) {
    using SetFn = void (*)(int);
    if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(threads);
}

bool user_tuned_malloc() {
    const char * keep = std::getenv("TRMBENCH_KEEP_MALLOC");
    if (keep && *keep && std::strcmp(keep, "0") != 0) return true;
    const char * tunables = std::getenv("GLIBC_TUNABLES");
    return tunables && std::strstr(tunables, "malloc");
}

void keep_freed_tensor_memory() {
#if defined(__GLIBC__)
    if (user_tuned_malloc()) return;
    mallopt(M_MMAP_MAX, 0);                  // large blocks come from the heap, so they can be reused
    mallopt(M_TRIM_THRESHOLD, 1 << 30);      // and freed memory is not handed back at once
#endif
}

}  // namespace

int set_torch_threads(int threads) {
    static std::once_flag allocator_once;
    std::call_once(allocator_once, keep_freed_tensor_memory);
    const int n = threads > 0 ? threads : cpu_cores();
    at::set_num_threads(n);
    set_blas_threads(n);
    return at::get_num_threads();
}

}  // namespace trmbench
