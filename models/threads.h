// Thread setup for LibTorch. LibTorch 1.13 on this kind of VM starts with 1 intra-op thread because
// cpuinfo miscounts the cores, so every entry point that runs a model calls this first.
#pragma once

namespace trmbench {

// Sets LibTorch's intra-op threads to `threads`, or to the number of usable cores when <= 0.
// Returns the count in effect.
int set_torch_threads(int threads = 0);

}  // namespace trmbench
