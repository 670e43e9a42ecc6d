// Replays the fuzzers' seed corpus and every input that once crashed a fuzzer
// (tests/fuzz/regressions/<target>-*) through the readers of the normal build: each must load or
// fail with an InputError, and what loads must survive a write/read round trip.
#include <catch2/catch.hpp>

#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/io/checkpoint_info.h"
#include "models/io/safetensors.h"
#include "models/io/torch_checkpoint.h"
#include "models/io/zip.h"
#include "tests/unit/models/checkpoint_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

// The fuzzers' settings: no CRC (mutations must reach the pickle), small memory limits.
TorchReadOptions fuzz_options() {
    TorchReadOptions o;
    o.verify_crc = false;
    o.max_total_bytes = 64u << 20;
    return o;
}

void replay_torch(const std::string & bytes) {
    try {
        auto ck = parse_torch_checkpoint(test::bytes_of(bytes), "replay", fuzz_options());
        (void)summarize_checkpoint(ck.tensors);
        TorchWriteOptions w;
        w.key_order = ck.key_order;
        auto back = parse_torch_checkpoint(test::bytes_of(serialize_torch_checkpoint(ck.tensors, w)), "round trip");
        CHECK(back.key_order == ck.key_order);
        for (const auto & [k, v] : ck.tensors) CHECK(back.tensors.at(k).data == v.data);
    } catch (const InputError & e) {
        CHECK(std::string(e.what()).rfind("replay: ", 0) == 0);
    }
}

void replay_pickle(const std::string & pkl) {
    StringSink sink;
    ZipWriter zip(sink);
    zip.add("archive/data.pkl", std::string_view(pkl));
    zip.add("archive/data/0", std::string(64, '\x11'));
    zip.add("archive/data/1", std::string(8, '\x22'));
    zip.add("archive/data/2", std::string(24, '\x33'));
    zip.add("archive/data/3", std::string_view());
    zip.add("archive/version", std::string_view("3\n"));
    zip.finish();
    replay_torch(sink.str());
}

void replay_safetensors(const std::string & bytes) {
    try {
        auto f = parse_safetensors(test::bytes_of(bytes), "replay");
        auto back = parse_safetensors(test::bytes_of(serialize_safetensors(f.tensors, f.metadata, f.key_order)), "round trip");
        CHECK(back.tensors.size() == f.tensors.size());
    } catch (const InputError & e) {
        CHECK(std::string(e.what()).rfind("replay: ", 0) == 0);
    }
}

void replay(const fs::path & file, const std::string & target) {
    INFO(file.string());
    const std::string bytes = read_file(file);
    if (target == "checkpoint") replay_torch(bytes);
    else if (target == "pickle") replay_pickle(bytes);
    else if (target == "safetensors") replay_safetensors(bytes);
    else FAIL("unknown fuzz target for " << file << " (name regressions <target>-<anything>)");
}

}  // namespace

TEST_CASE("fuzz regressions load or fail cleanly", "[models][checkpoint][fuzz]") {
    size_t n = 0;
    for (const auto & e : fs::directory_iterator(test::fuzz_dir() / "regressions")) {
        const std::string name = e.path().filename().string();
        if (name == "README.md") continue;
        replay(e.path(), name.substr(0, name.find('-')));
        ++n;
    }
    SUCCEED(n << " regression inputs replayed");
}

TEST_CASE("the fuzz seed corpus loads or fails cleanly", "[models][checkpoint][fuzz]") {
    size_t n = 0;
    for (const char * target : {"checkpoint", "pickle", "safetensors"}) {
        for (const auto & e : fs::directory_iterator(test::fuzz_dir() / "corpus" / target)) {
            replay(e.path(), target);
            ++n;
        }
    }
    CHECK(n >= 20);
}
