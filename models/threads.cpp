// CPU runtime setup (see threads.h for why each setting exists).
#include "models/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

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

std::string openblas_core() {
    using CoreFn = char * (*)();
    auto fn = reinterpret_cast<CoreFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    const char * name = fn ? fn() : nullptr;
    return name ? name : "";
}

// The kernel set OpenBLAS's DYNAMIC_ARCH build has for this CPU's instruction set ("" if none).
const char * better_blas_core() {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return "";
}

std::mutex replaced_mutex;
std::string replaced_core;

}  // namespace

bool is_fallback_blas_core(const std::string & core) {
    return core == "Prescott" || core == "Core2" || core == "Nehalem" || core == "Penryn" || core == "Dunnington" ||
           core == "Atom" || core == "Katmai" || core == "Coppermine" || core == "Northwood" || core == "Banias";
}

std::string upgrade_fallback_blas_kernels() {
    const char * user = std::getenv("OPENBLAS_CORETYPE");
    if (user && *user) return "";  // the user's choice stands
    const std::string before = openblas_core();
    const char * better = better_blas_core();
    if (before.empty() || !is_fallback_blas_core(before) || !*better) return "";
    // Exported by OpenBLAS's DYNAMIC_ARCH builds (Debian's): quit forgets the kernel table, init
    // picks it again, honouring OPENBLAS_CORETYPE.
    using VoidFn = void (*)();
    auto quit = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
    auto init = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
    if (!quit || !init) return "";
    setenv("OPENBLAS_CORETYPE", better, 1);
    quit();
    init();
    return openblas_core() == better ? before : "";
}

std::string replaced_blas_kernels() {
    std::lock_guard<std::mutex> lock(replaced_mutex);
    return replaced_core;
}

int set_torch_threads(int threads) {
    static std::once_flag allocator_once;
    std::call_once(allocator_once, keep_freed_tensor_memory);
    static std::once_flag blas_once;
    std::call_once(blas_once, [] {
        std::string replaced = upgrade_fallback_blas_kernels();
        std::lock_guard<std::mutex> lock(replaced_mutex);
        replaced_core = std::move(replaced);
    });
    const int n = threads > 0 ? threads : cpu_cores();
    at::set_num_threads(n);
    set_blas_threads(n);
    return at::get_num_threads();
}

}  // namespace trmbench
