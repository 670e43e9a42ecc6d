// Data-parallel communication for the trainer: the few collectives the reference's pretrain.py
// uses (all-reduce of gradients and metrics by sum, all-gather of the sparse-embedding (grad, id)
// pairs, broadcast of the initial weights, a barrier), behind one interface with two
// implementations:
//   - a single process (world size 1: every collective is the identity);
//   - LibTorch's c10d: Gloo on CPU, NCCL on CUDA, rendezvous through a TCPStore at
//     MASTER_ADDR:MASTER_PORT (the torchrun environment: RANK, WORLD_SIZE, LOCAL_RANK).
//
// c10d support is decided at compile time. Debian's LibTorch 1.13 ships the c10d headers, has Gloo
// compiled into libtorch_cpu (linked against libgloo.so.0) and puts USE_C10D_GLOO into the torch
// target's compile definitions, but ProcessGroupGloo.hpp includes <gloo/...> headers, which come
// from the separate package libgloo-dev; distributed.cpp uses Gloo when those headers are present
// (defining USE_C10D_GLOO itself where a LibTorch's CMake config does not). NCCL is used when the
// build has ProcessGroupNCCL.hpp and <nccl.h> (a CUDA LibTorch). On a build without them,
// make_communicator() with a world size > 1 throws a UsageError that says what is missing.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "models/train/train_api.h"

namespace trmbench {

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int world_size() const = 0;
    virtual std::string backend() const = 0;  // "single", "gloo", "nccl"
    // In place, element-wise sum over ranks.
    virtual void allreduce_sum(std::vector<at::Tensor> & tensors) = 0;
    // Every rank's `t` (same shape on every rank) concatenated along dim 0 in rank order.
    virtual at::Tensor allgather_cat(const at::Tensor & t) = 0;
    // In place, from `root`.
    virtual void broadcast(std::vector<at::Tensor> & tensors, int root) = 0;
    virtual void barrier() = 0;
};

// World size 1: the single-process communicator. Otherwise c10d (UsageError when this build has
// no c10d backend for the device, naming what is missing).
std::unique_ptr<Communicator> make_communicator(const DistributedSettings & settings);

}  // namespace trmbench
