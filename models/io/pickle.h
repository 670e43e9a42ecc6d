// A restricted unpickler for what torch.save writes into `data.pkl` (torch-free, fuzzable).
//
// It is a stack machine over an allow-listed subset of the pickle protocol (protocols 2-4), and it
// never imports or calls anything: the only globals it accepts are collections.OrderedDict, the
// torch tensor/parameter rebuild functions and the torch.<T>Storage types, each of which it
// interprets itself. Anything else is an InputError naming the global or opcode and the offset,
// e.g. "unsupported global os.system" or "unsupported pickle opcode 0x63 at offset 12".
//
// Objects live in arenas owned by the result (values refer to them by index), so hostile input
// cannot build reference cycles that leak, and nothing recurses while parsing. Sizes, counts and
// memo indices are bounded by PickleLimits.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "models/io/tensor_blob.h"

namespace trmbench::pickle {

enum class Kind : uint8_t { none, boolean, integer, floating, string, tuple, list, dict, global, storage, tensor };

// The globals the unpickler accepts. storage_type values carry the storage's dtype.
enum class Global : uint8_t { ordered_dict, rebuild_tensor_v2, rebuild_parameter, rebuild_parameter_with_state, storage_type };

struct Value {
    Kind kind = Kind::none;
    int64_t i = 0;     // boolean, integer; for global: the Global; for storage_type: also `dtype`
    double f = 0;      // floating
    uint32_t ref = 0;  // index into the arena of its kind (string, tuple/list, dict, storage, tensor)
    DType dtype = DType::f32;  // global storage_type only
};

// A storage named by a persistent id ('storage', torch.<T>Storage, key, location, numel).
struct StorageRef {
    std::string key;       // the data record is <archive>/data/<key>
    DType dtype = DType::f32;
    uint64_t numel = 0;
    std::string location;  // "cpu", "cuda:0", ...: everything loads onto the CPU
};

// _rebuild_tensor_v2(storage, offset, size, stride, ...): a strided view of a storage.
struct TensorRef {
    uint32_t storage = 0;
    int64_t offset = 0;
    std::vector<int64_t> sizes, strides;
};

struct Dict {
    std::vector<std::pair<Value, Value>> entries;  // in file order; a later duplicate key wins
    bool ordered = false;                          // a collections.OrderedDict
};

struct PickleLimits {
    uint64_t max_string_bytes = 64u << 20;
    uint64_t max_objects = 1u << 24;      // values created (strings, containers, tensors, ...)
    uint64_t max_memo_entries = 1u << 24;
    uint64_t max_stack_depth = 1u << 24;  // stack size plus open MARKs
    uint64_t max_tensor_dims = 64;
};

struct Unpickled {
    Value root;
    std::vector<std::string> strings;
    std::vector<std::vector<Value>> sequences;  // tuples and lists
    std::vector<Dict> dicts;
    std::vector<StorageRef> storages;
    std::vector<TensorRef> tensors;
    std::vector<std::string> opcodes_seen;      // names, sorted (for diagnostics and tests)

    const std::string & str(const Value & v) const { return strings.at(v.ref); }
    const std::vector<Value> & seq(const Value & v) const { return sequences.at(v.ref); }
    const Dict & dict(const Value & v) const { return dicts.at(v.ref); }
    // Short description for messages: "int 3", "str 'x'", "tuple of 2", "tensor", ...
    std::string describe(const Value & v) const;
};

// Throws InputError("<what> at offset K") on malformed or disallowed input; the caller adds the
// file name.
Unpickled unpickle(std::span<const uint8_t> bytes, const PickleLimits & limits = {});

// The storage global for a dtype ("FloatStorage", ...) and back.
std::string storage_type_name(DType d);
bool parse_storage_type_name(std::string_view name, DType & out);

}  // namespace trmbench::pickle
