// CPU runtime setup for LibTorch. Every entry point that runs a model calls set_torch_threads first:
// - LibTorch 1.13 on this kind of VM starts with 1 intra-op thread because cpuinfo miscounts the
//   cores, so the thread count is set from the usable cores (or the user's --threads);
// - OpenBLAS's pthread build ignores at::set_num_threads, so it gets the same count;
// - glibc's allocator hands every tensor above its mmap threshold (128 KB to 32 MB) back to the
//   kernel when it is freed, and the next tensor of that size page-faults its memory in again.
//   A model step allocates and frees hundreds of such tensors; measured on TRM-MLP Sudoku, batch
//   16, one thread: 2.7 s of 12.3 s CPU was kernel time for those faults. So the allocator is told
//   to keep freed memory (no mmap, no trimming). Peak RSS is unchanged (339 vs 347 MB there); the
//   memory stays with the process until it exits. GLIBC_TUNABLES with malloc settings, or
//   TRMBENCH_KEEP_MALLOC=1, leaves the allocator as the user configured it;
// - Debian's OpenBLAS 0.3.21 picks its kernels from the CPUID when it is loaded and, on CPUs it does
//   not know (Sapphire/Emerald Rapids VMs among them), falls back to its SSE3 "Prescott" kernels:
//   fp32 GEMM at 19 instead of 122 GFLOP/s, measured on this project's Xeon (model 207). Unless the
//   user named a kernel set (OPENBLAS_CORETYPE), OpenBLAS is re-initialised with the set the CPU's
//   flags support (SkylakeX with AVX-512, Haswell with AVX2), so a plain `trmbench` run is as fast
//   as one started through scripts/blas-env.sh.
#pragma once

#include <string>

namespace trmbench {

// Sets LibTorch's intra-op threads (and OpenBLAS's) to `threads`, or to the number of usable
// cores when <= 0, and tunes the allocator once per process. Returns the count in effect.
int set_torch_threads(int threads = 0);

// True for OpenBLAS's pre-AVX kernel sets, its fallback for a CPU it does not recognise.
bool is_fallback_blas_core(const std::string & core);

// When OpenBLAS runs a fallback kernel set on a CPU with AVX2 or AVX-512 and OPENBLAS_CORETYPE is
// unset, re-initialises it with SkylakeX or Haswell (and sets OPENBLAS_CORETYPE for child processes).
// Must not run while a BLAS call is in flight; set_torch_threads calls it once per process.
// Returns the fallback set it replaced, or "" when it changed nothing.
std::string upgrade_fallback_blas_kernels();

// What set_torch_threads replaced in this process ("" if nothing).
std::string replaced_blas_kernels();

}  // namespace trmbench
