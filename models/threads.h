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
//   TRMBENCH_KEEP_MALLOC=1, leaves the allocator as the user configured it.
#pragma once

namespace trmbench {

// Sets LibTorch's intra-op threads (and OpenBLAS's) to `threads`, or to the number of usable
// cores when <= 0, and tunes the allocator once per process. Returns the count in effect.
int set_torch_threads(int threads = 0);

}  // namespace trmbench
