// libFuzzer entry points for the torch-free checkpoint readers. One source, three programs:
//
//   fuzz_checkpoint   a whole file through parse_torch_checkpoint (zip + pickle + tensor gathering),
//                     then a write/read round trip of whatever loaded (must reproduce it exactly)
//   fuzz_pickle       the input as `archive/data.pkl` inside a valid zip with a few storages, so
//                     that every mutation reaches the unpickler and the state-dict logic
//   fuzz_safetensors  a whole file through parse_safetensors, then a round trip
//
// Any exception other than InputError, any sanitizer report, leak or round-trip mismatch is a bug.
// CRC checks are off (mutations would otherwise stop at the zip layer) and memory limits are small.
//
// Build (clang, ASan + UBSan + libFuzzer; needs no LibTorch build):
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DBUILD_FUZZERS=ON -DBUILD_TESTS=OFF -DBUILD_BENCHMARKS=OFF
//   ninja -C build-fuzz fuzz_checkpoint fuzz_pickle fuzz_safetensors
// Run (the corpus directories grow; the committed seeds stay in tests/fuzz/corpus/):
//   mkdir -p /tmp/fz/ck && build-fuzz/bin/fuzz_checkpoint /tmp/fz/ck tests/fuzz/corpus/checkpoint \
//       -max_total_time=600 -rss_limit_mb=2048 -max_len=65536 -dict=tests/fuzz/checkpoint.dict
//   mkdir -p /tmp/fz/pk && build-fuzz/bin/fuzz_pickle /tmp/fz/pk tests/fuzz/corpus/pickle -max_total_time=600 -rss_limit_mb=2048 -dict=tests/fuzz/checkpoint.dict
//   mkdir -p /tmp/fz/st && build-fuzz/bin/fuzz_safetensors /tmp/fz/st tests/fuzz/corpus/safetensors -max_total_time=300 -rss_limit_mb=2048
// A crash writes crash-<sha1>; add it to tests/fuzz/regressions/ (test_models replays that folder,
// with the normal build, in "fuzz regressions load or fail cleanly").
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "harness/core/error.h"
#include "models/io/checkpoint_info.h"
#include "models/io/key_mapping.h"
#include "models/io/safetensors.h"
#include "models/io/torch_checkpoint.h"
#include "models/io/zip.h"

using namespace trmbench;

namespace {

[[noreturn]] void bug(const char * what) {
    std::fprintf(stderr, "fuzz: %s\n", what);
    std::abort();
}

TorchReadOptions fuzz_options() {
    TorchReadOptions o;
    o.verify_crc = false;
    o.max_total_bytes = 64u << 20;
    o.pickle.max_objects = 1u << 20;
    o.pickle.max_memo_entries = 1u << 20;
    o.pickle.max_stack_depth = 1u << 20;
    o.pickle.max_string_bytes = 1u << 20;
    return o;
}

bool same(const TensorMap & a, const TensorMap & b) {
    if (a.size() != b.size()) return false;
    for (const auto & [k, v] : a) {
        auto it = b.find(k);
        if (it == b.end() || it->second.dtype != v.dtype || it->second.shape != v.shape || it->second.data != v.data) return false;
    }
    return true;
}

// What loaded must survive our writer and reader unchanged, and the summary must not throw.
void check_torch_round_trip(const TorchCheckpoint & ck) {
    (void)summarize_checkpoint(ck.tensors);
    try {
        (void)strip_wrapper_prefixes(ck.tensors, "fuzz");
    } catch (const InputError &) {
    }
    TorchWriteOptions w;
    w.key_order = ck.key_order;
    const std::string bytes = serialize_torch_checkpoint(ck.tensors, w);
    const auto back = parse_torch_checkpoint({reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()}, "round trip");
    if (!same(ck.tensors, back.tensors) || back.key_order != ck.key_order) bug("torch round trip changed the tensors");
}

[[maybe_unused]] void fuzz_torch(std::span<const uint8_t> bytes) {
    TorchCheckpoint ck;
    try {
        ck = parse_torch_checkpoint(bytes, "fuzz", fuzz_options());
    } catch (const InputError &) {
        return;
    }
    check_torch_round_trip(ck);
}

// A valid archive around the input, with storage records "0" (64 bytes), "1" (8), "2" (24), "3" (0)
// that a mutated pickle can refer to with any dtype that fits.
[[maybe_unused]] void fuzz_pickle_in_archive(std::span<const uint8_t> pkl) {
    StringSink sink;
    ZipWriter zip(sink);
    zip.add("archive/data.pkl", pkl);
    zip.add("archive/data/0", std::string(64, '\x11'));
    zip.add("archive/data/1", std::string(8, '\x22'));
    zip.add("archive/data/2", std::string(24, '\x33'));
    zip.add("archive/data/3", std::string_view());
    zip.add("archive/version", std::string_view("3\n"));
    zip.finish();
    fuzz_torch({reinterpret_cast<const uint8_t *>(sink.str().data()), sink.str().size()});
}

[[maybe_unused]] void fuzz_safetensors(std::span<const uint8_t> bytes) {
    SafetensorsFile f;
    try {
        f = parse_safetensors(bytes, "fuzz");
    } catch (const InputError &) {
        return;
    }
    (void)summarize_checkpoint(f.tensors);
    const std::string out = serialize_safetensors(f.tensors, f.metadata, f.key_order);
    const auto back = parse_safetensors({reinterpret_cast<const uint8_t *>(out.data()), out.size()}, "round trip");
    if (!same(f.tensors, back.tensors) || back.metadata != f.metadata) bug("safetensors round trip changed the tensors");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    const std::span<const uint8_t> bytes(data, size);
#if defined(TRMBENCH_FUZZ_CHECKPOINT)
    fuzz_torch(bytes);
#elif defined(TRMBENCH_FUZZ_PICKLE)
    fuzz_pickle_in_archive(bytes);
#elif defined(TRMBENCH_FUZZ_SAFETENSORS)
    fuzz_safetensors(bytes);
#else
#error "define TRMBENCH_FUZZ_CHECKPOINT, TRMBENCH_FUZZ_PICKLE or TRMBENCH_FUZZ_SAFETENSORS"
#endif
    return 0;
}
