// Single-process and c10d communicators (see distributed.h).
//
// The c10d headers declare ProcessGroupGloo / ProcessGroupNCCL only under USE_C10D_GLOO /
// USE_C10D_NCCL; Debian's TorchConfig does not define them, so they are defined here when the
// backend's own headers are present. The symbols live in libtorch_cpu / libtorch_cuda.
#if __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>) && __has_include(<gloo/context.h>)
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#define TRMBENCH_HAVE_GLOO 1
#endif
#if __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>) && __has_include(<nccl.h>)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#define TRMBENCH_HAVE_NCCL 1
#endif

#include "models/train/distributed.h"

#if defined(TRMBENCH_HAVE_GLOO) || defined(TRMBENCH_HAVE_NCCL)
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef TRMBENCH_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef TRMBENCH_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>

#include "harness/core/error.h"

namespace trmbench {

namespace {

class SingleProcess : public Communicator {
public:
    int rank() const override { return 0; }
    int world_size() const override { return 1; }
    std::string backend() const override { return "single"; }
    void allreduce_sum(std::vector<at::Tensor> &) override {}
    at::Tensor allgather_cat(const at::Tensor & t) override { return t; }
    void broadcast(std::vector<at::Tensor> &, int) override {}
    void barrier() override {}
};

int parse_env_int(const char * name, int fallback, int lo, int hi) {
    const char * v = std::getenv(name);
    if (!v || !*v) return fallback;
    char * end = nullptr;
    long x = std::strtol(v, &end, 10);
    if (*end != '\0' || x < lo || x > hi)
        throw UsageError(std::string("environment variable ") + name + "='" + v + "': expected an integer in [" +
                         std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(x);
}

#if defined(TRMBENCH_HAVE_GLOO) || defined(TRMBENCH_HAVE_NCCL)

class C10dCommunicator : public Communicator {
public:
    C10dCommunicator(const DistributedSettings & s, c10::intrusive_ptr<c10d::ProcessGroup> pg, std::string name)
        : rank_(s.rank), world_(s.world_size), pg_(std::move(pg)), name_(std::move(name)) {}

    int rank() const override { return rank_; }
    int world_size() const override { return world_; }
    std::string backend() const override { return name_; }

    void allreduce_sum(std::vector<at::Tensor> & tensors) override {
        if (tensors.empty()) return;
        // One flat buffer per dtype group would be faster for many small tensors; the trainer
        // already passes one flat gradient buffer.
        for (auto & t : tensors) {
            std::vector<at::Tensor> one{t};
            c10d::AllreduceOptions opts;
            opts.reduceOp = c10d::ReduceOp::SUM;
            pg_->allreduce(one, opts)->wait();
        }
    }

    at::Tensor allgather_cat(const at::Tensor & t) override {
        at::Tensor input = t.contiguous();
        std::vector<at::Tensor> inputs{input};
        std::vector<std::vector<at::Tensor>> outputs(1);
        for (int r = 0; r < world_; ++r) outputs[0].push_back(at::empty_like(input));
        pg_->allgather(outputs, inputs)->wait();
        return at::cat(outputs[0], 0);
    }

    void broadcast(std::vector<at::Tensor> & tensors, int root) override {
        for (auto & t : tensors) {
            std::vector<at::Tensor> one{t};
            c10d::BroadcastOptions opts;
            opts.rootRank = root;
            pg_->broadcast(one, opts)->wait();
        }
    }

    void barrier() override { pg_->barrier()->wait(); }

private:
    int rank_, world_;
    c10::intrusive_ptr<c10d::ProcessGroup> pg_;
    std::string name_;
};

c10::intrusive_ptr<c10d::Store> make_store(const DistributedSettings & s) {
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(s.master_port);
    opts.isServer = s.rank == 0;
    opts.numWorkers = static_cast<std::size_t>(s.world_size);
    opts.waitWorkers = true;
    opts.timeout = std::chrono::milliseconds(static_cast<int64_t>(s.timeout_s) * 1000);
    try {
        return c10::make_intrusive<c10d::TCPStore>(s.master_addr, opts);
    } catch (const std::exception & e) {
        throw IoError("distributed rendezvous at " + s.master_addr + ":" + std::to_string(s.master_port) + " (rank " +
                      std::to_string(s.rank) + " of " + std::to_string(s.world_size) + ") failed: " + e.what());
    }
}

#endif

}  // namespace

DistributedSettings distributed_settings_from_env() {
    DistributedSettings s;
    s.world_size = parse_env_int("WORLD_SIZE", 1, 1, 1 << 16);
    s.rank = parse_env_int("RANK", 0, 0, s.world_size - 1);
    if (const char * a = std::getenv("MASTER_ADDR"); a && *a) s.master_addr = a;
    s.master_port = parse_env_int("MASTER_PORT", 29500, 1, 65535);
    return s;
}

std::vector<std::string> distributed_backends() {
    std::vector<std::string> out;
#ifdef TRMBENCH_HAVE_GLOO
    out.push_back("gloo");
#endif
#ifdef TRMBENCH_HAVE_NCCL
    out.push_back("nccl");
#endif
    return out;
}

std::unique_ptr<Communicator> make_communicator(const DistributedSettings & s) {
    if (s.world_size <= 1) return std::make_unique<SingleProcess>();
    if (s.rank < 0 || s.rank >= s.world_size)
        throw UsageError("rank " + std::to_string(s.rank) + " is outside [0, " + std::to_string(s.world_size) + ")");
    if (s.cuda) {
#ifdef TRMBENCH_HAVE_NCCL
        auto store = make_store(s);
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, s.rank, s.world_size, opts);
        return std::make_unique<C10dCommunicator>(s, pg, "nccl");
#else
        throw UsageError("data-parallel training on CUDA needs c10d with NCCL, which this build of trmbench lacks "
                         "(build against a CUDA LibTorch that ships ProcessGroupNCCL.hpp and nccl.h)");
#endif
    }
#ifdef TRMBENCH_HAVE_GLOO
    auto store = make_store(s);
    auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(static_cast<int64_t>(s.timeout_s) * 1000));
    // As torch.distributed: GLOO_SOCKET_IFNAME picks the interface; a loopback rendezvous stays on
    // loopback (one machine); otherwise the address this host's name resolves to.
    const char * ifname = std::getenv("GLOO_SOCKET_IFNAME");
    const bool loopback = s.master_addr == "localhost" || s.master_addr.rfind("127.", 0) == 0;
    if (ifname && *ifname) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else if (loopback) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    opts->threads = 2;
    try {
        auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, s.rank, s.world_size, opts);
        return std::make_unique<C10dCommunicator>(s, pg, "gloo");
    } catch (const std::exception & e) {
        throw IoError("creating the Gloo process group (rank " + std::to_string(s.rank) + " of " +
                      std::to_string(s.world_size) + ") failed: " + e.what());
    }
#else
    throw UsageError("--world-size > 1 needs LibTorch's c10d with Gloo, which this build of trmbench lacks "
                     "(on Debian: apt-get install libgloo-dev, then rebuild)");
#endif
}

}  // namespace trmbench
