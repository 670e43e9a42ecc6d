// torch.save zip checkpoints: the reader (zip -> data.pkl -> state dict -> gathered tensors) and
// the writer (state dict -> protocol-2 pickle + aligned storages -> zip).
#include "models/io/torch_checkpoint.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "models/io/le_bytes.h"
#include "models/io/zip.h"

namespace trmbench {
namespace {

using pickle::Kind;
using pickle::Unpickled;
using pickle::Value;

// What torch.save wrote before 1.6 (_use_new_zipfile_serialization=False): a pickle starting with a
// magic number (LONG1 of 10 bytes), after PROTO and, for protocol 4+, a FRAME.
constexpr uint8_t kLegacyMagic[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

// Keys under which training scripts commonly nest the state dict, in order of preference.
constexpr const char * kWrapperKeys[] = {"state_dict", "model_state_dict", "model", "module", "ema", "ema_model", "net", "params"};

[[noreturn]] void fail(const std::string & origin, const std::string & what) { throw InputError(origin + ": " + what); }

bool starts_with(std::span<const uint8_t> b, std::span<const uint8_t> prefix) {
    return b.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b.begin());
}

bool is_legacy_torch(std::span<const uint8_t> b) {
    const std::span<const uint8_t> magic(kLegacyMagic);
    for (size_t at : {size_t{2}, size_t{11}})  // after PROTO n; after PROTO n + FRAME len
        if (b.size() > at && b[0] == 0x80 && starts_with(b.subspan(at), magic)) return true;
    return false;
}

// Explains files that are checkpoints of another kind, before the zip reader complains.
void reject_other_formats(std::span<const uint8_t> bytes, const std::string & origin) {
    if (bytes.empty()) fail(origin, "empty file (0 bytes), not a PyTorch checkpoint");
    if (is_legacy_torch(bytes))
        fail(origin, "legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with "
                     "torch.save(torch.load(path), path) in PyTorch >= 1.6, or convert it to safetensors");
    static const uint8_t kTarMagic[] = {'u', 's', 't', 'a', 'r'};
    if (bytes.size() > 262 && starts_with(bytes.subspan(257), kTarMagic))
        fail(origin, "a tar archive (the oldest torch.save format, before 0.4) is not supported; re-save it "
                     "with a current PyTorch, or convert it to safetensors");
    if (bytes.size() >= 9 && bytes[8] == '{' && le::u64(bytes.data()) <= bytes.size() - 8)
        fail(origin, "this is a safetensors file, not a PyTorch (zip) checkpoint; read it as safetensors "
                     "(give it a .safetensors name)");
    static const uint8_t kZipLocal[] = {'P', 'K', 3, 4}, kZipEmpty[] = {'P', 'K', 5, 6};
    if (!starts_with(bytes, kZipLocal) && !starts_with(bytes, kZipEmpty)) {
        char head[16];
        std::snprintf(head, sizeof head, "%02x %02x %02x %02x", bytes[0], bytes.size() > 1 ? bytes[1] : 0,
                      bytes.size() > 2 ? bytes[2] : 0, bytes.size() > 3 ? bytes[3] : 0);
        fail(origin, std::string("not a PyTorch checkpoint: no zip signature (file starts with ") + head + ")");
    }
}

// The `<archive>/data.pkl` record: exactly one, one level deep.
std::string find_archive_name(const ZipReader & zip, const std::string & origin) {
    std::vector<std::string> found;
    bool torchscript = false;
    for (const auto & e : zip.entries()) {
        const auto slash = e.name.find('/');
        if (slash != std::string::npos && slash > 0 && e.name.substr(slash + 1) == "data.pkl") found.push_back(e.name.substr(0, slash));
        if (e.name.ends_with("/constants.pkl")) torchscript = true;
    }
    if (found.size() == 1) return found.front();
    if (found.size() > 1) fail(origin, "several data.pkl records ('" + found[0] + "/data.pkl', '" + found[1] + "/data.pkl', ...)");
    if (torchscript)
        fail(origin, "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; "
                     "save model.state_dict() with torch.save instead");
    fail(origin, "zip archive has no <name>/data.pkl record (not a torch.save checkpoint)");
}

std::string record_text(const ZipReader & zip, const std::string & name, bool verify_crc) {
    const ZipEntry * e = zip.find(name);
    if (!e) return {};
    auto d = zip.data(*e, verify_crc);
    std::string s(reinterpret_cast<const char *>(d.data()), std::min<size_t>(d.size(), 64));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// Whether a value is a dict with at least one tensor value. Memoised per dict: a hostile pickle can
// make every entry of a large dict refer to the same large dict.
class TensorDicts {
public:
    explicit TensorDicts(const Unpickled & u) : u_(u), known_(u.dicts.size(), -1) {}
    bool holds_tensors(const Value & v) {
        if (v.kind != Kind::dict) return false;
        int8_t & k = known_[v.ref];
        if (k < 0) {
            k = 0;
            for (const auto & [key, x] : u_.dict(v).entries)
                if (x.kind == Kind::tensor) {
                    k = 1;
                    break;
                }
        }
        return k == 1;
    }

private:
    const Unpickled & u_;
    std::vector<int8_t> known_;
};

// The state dict: the top-level dict itself, or a dict nested under a well-known key.
Value select_state_dict(const Unpickled & u, const std::string & origin, std::string & key_used) {
    const Value & root = u.root;
    if (root.kind != Kind::dict) fail(origin, "top-level object is " + u.describe(root) + ", not a dict of tensors");
    TensorDicts dicts(u);
    if (dicts.holds_tensors(root) || u.dict(root).entries.empty()) return root;
    const auto & entries = u.dict(root).entries;
    for (const char * want : kWrapperKeys) {
        for (auto it = entries.rbegin(); it != entries.rend(); ++it) {  // last duplicate wins, as in Python
            if (it->first.kind == Kind::string && u.str(it->first) == want && dicts.holds_tensors(it->second)) {
                key_used = want;
                return it->second;
            }
        }
    }
    const Value * only = nullptr;
    size_t candidates = 0;
    for (const auto & [k, v] : entries) {
        if (k.kind == Kind::string && dicts.holds_tensors(v)) {
            ++candidates;
            only = &v;
            key_used = u.str(k);
        }
    }
    if (candidates == 1) return *only;
    std::string keys;
    for (size_t i = 0; i < entries.size() && i < 12; ++i) keys += (i ? ", " : "") + u.describe(entries[i].first);
    fail(origin, "top-level dict holds no tensors and no single nested state dict (keys: " + keys + ")");
}

bool is_contiguous(const pickle::TensorRef & t) {
    int64_t expected = 1;
    for (size_t d = t.sizes.size(); d-- > 0;) {
        if (t.sizes[d] == 1) continue;
        if (t.strides[d] != expected) return false;
        expected *= t.sizes[d];
    }
    return true;
}

// Copies a strided view (already checked to lie inside the storage) into a contiguous blob.
void gather(const pickle::TensorRef & t, std::span<const uint8_t> storage, size_t esize, TensorBlob & out) {
    const size_t numel = static_cast<size_t>(out.numel());
    out.data.resize(numel * esize);
    if (numel == 0) return;
    const uint8_t * base = storage.data() + static_cast<size_t>(t.offset) * esize;
    if (is_contiguous(t)) {
        std::memcpy(out.data.data(), base, numel * esize);
        return;
    }
    const size_t dims = t.sizes.size();  // >= 1 here: a scalar is contiguous
    const size_t inner = static_cast<size_t>(t.sizes[dims - 1]);
    const size_t inner_stride = static_cast<size_t>(t.strides[dims - 1]);
    std::vector<int64_t> index(dims, 0);
    uint8_t * dst = out.data.data();
    for (size_t done = 0; done < numel; done += inner) {
        size_t src = 0;
        for (size_t d = 0; d + 1 < dims; ++d) src += static_cast<size_t>(index[d] * t.strides[d]);
        if (inner_stride == 1) {
            std::memcpy(dst, base + src * esize, inner * esize);
            dst += inner * esize;
        } else {
            for (size_t k = 0; k < inner; ++k, dst += esize) std::memcpy(dst, base + (src + k * inner_stride) * esize, esize);
        }
        for (size_t d = dims - 1; d-- > 0;) {  // odometer over the outer dimensions
            if (++index[d] < t.sizes[d]) break;
            index[d] = 0;
        }
    }
}

}  // namespace

TorchCheckpoint parse_torch_checkpoint(std::span<const uint8_t> bytes, const std::string & origin, const TorchReadOptions & options) {
    reject_other_formats(bytes, origin);
    ZipReader zip(bytes, origin);
    TorchCheckpoint out;
    out.archive_name = find_archive_name(zip, origin);
    const std::string top = out.archive_name + "/";
    out.version = record_text(zip, top + "version", options.verify_crc);
    if (out.version.empty()) out.version = record_text(zip, top + ".data/version", options.verify_crc);
    if (const std::string order = record_text(zip, top + "byteorder", options.verify_crc); !order.empty() && order != "little")
        fail(origin, "byte order '" + order + "' is not supported (only little-endian checkpoints)");

    const std::string pkl_name = top + "data.pkl";
    Unpickled u;
    try {
        u = pickle::unpickle(zip.data(*zip.find(pkl_name), options.verify_crc), options.pickle);
    } catch (const InputError & e) {
        const std::string what = e.what();
        if (what.starts_with(origin + ":")) throw;  // already names the file (zip errors)
        fail(origin, pkl_name + ": " + what);
    }
    out.pickle_opcodes = u.opcodes_seen;
    const Value sd = select_state_dict(u, origin, out.state_dict_key);
    out.ordered_dict = u.dict(sd).ordered;

    // Later duplicates win, as in a Python dict; the order is that of the first occurrence.
    std::map<std::string, const Value *> chosen;
    std::vector<std::string> order;
    for (const auto & [k, v] : u.dict(sd).entries) {
        if (k.kind != Kind::string) fail(origin, "state dict key is " + u.describe(k) + ", not a string");
        const std::string & name = u.str(k);
        if (!chosen.count(name)) order.push_back(name);
        chosen[name] = &v;
    }
    std::vector<std::span<const uint8_t>> storage_bytes(u.storages.size());
    std::vector<bool> storage_loaded(u.storages.size(), false);
    std::vector<int> storage_users(u.storages.size(), 0), storage_left(u.storages.size(), 0);
    for (const std::string & name : order)
        if (const Value & v = *chosen.at(name); v.kind == Kind::tensor) ++storage_left[u.tensors.at(v.ref).storage];
    std::set<std::string> locations;
    uint64_t total = 0;
    const uint64_t max_total = options.max_total_bytes ? options.max_total_bytes : 4 * uint64_t{bytes.size()} + (uint64_t{1} << 30);
    for (const std::string & name : order) {
        const Value & v = *chosen.at(name);
        if (v.kind != Kind::tensor) {
            out.skipped.push_back(name + ": " + u.describe(v));
            continue;
        }
        out.key_order.push_back(name);
        const pickle::TensorRef & t = u.tensors.at(v.ref);
        const pickle::StorageRef & s = u.storages.at(t.storage);
        const size_t esize = dtype_size(s.dtype);
        if (!storage_loaded[t.storage]) {
            const std::string rec = top + "data/" + s.key;
            const ZipEntry * e = zip.find(rec);
            if (!e) fail(origin, "tensor '" + name + "': storage record '" + rec + "' is missing");
            auto data = zip.data(*e, options.verify_crc);
            if (data.size() != s.numel * esize)
                fail(origin, "tensor '" + name + "': data record '" + rec + "' holds " + std::to_string(data.size()) +
                                 " bytes but its storage needs " + std::to_string(s.numel * esize) + " (" +
                                 std::to_string(s.numel) + " x " + std::string(dtype_name(s.dtype)) + ")");
            storage_bytes[t.storage] = data;
            storage_loaded[t.storage] = true;
        }
        ++storage_users[t.storage];
        locations.insert(s.location);
        TensorBlob blob;
        blob.dtype = s.dtype;
        blob.shape = t.sizes;
        // numel < 2^63 was checked by the unpickler; the byte count may still overflow.
        const uint64_t numel = static_cast<uint64_t>(blob.numel());
        if (numel > max_total / esize || numel * esize > max_total - total)
            fail(origin, "tensor '" + name + "': the tensors would need more than " + std::to_string(max_total) +
                             " bytes in memory (views expanding their storages far beyond the file size)");
        total += numel * esize;
        gather(t, storage_bytes[t.storage], esize, blob);
        out.tensors.emplace(name, std::move(blob));
        if (--storage_left[t.storage] == 0 && options.release_storage) options.release_storage(storage_bytes[t.storage]);
    }
    for (const std::string & name : out.key_order) {
        const auto & t = u.tensors.at(chosen.at(name)->ref);
        if (storage_users[t.storage] > 1) ++out.shared_storage_tensors;
    }
    out.locations.assign(locations.begin(), locations.end());
    return out;
}

TorchCheckpoint read_torch_checkpoint(const std::filesystem::path & path, const TorchReadOptions & options) {
    MappedFile file(path);
    TorchReadOptions o = options;
    if (!o.release_storage) o.release_storage = [&file](std::span<const uint8_t> b) { file.release(b); };
    return parse_torch_checkpoint(file.bytes(), path.string(), o);
}

// ---------------------------------------------------------------------------------------------
// Writer

namespace {

// Emits the protocol-2 opcodes the writer needs, memoizing repeated globals and strings.
class PickleWriter {
public:
    std::string out;

    void op(uint8_t c) { out += static_cast<char>(c); }
    void str(std::string_view s) {
        if (auto it = memo_.find(std::string(s)); it != memo_.end()) return get(it->second);
        op('X');
        le::put_u32(out, static_cast<uint32_t>(s.size()));
        out += s;
    }
    // A string that recurs (e.g. 'storage', 'cpu', 'version'): stored once, fetched afterwards.
    void memo_str(std::string_view s) {
        if (auto it = memo_.find(std::string(s)); it != memo_.end()) return get(it->second);
        str(s);
        memo_.emplace(std::string(s), put());
    }
    void global(std::string_view module, std::string_view name) {
        const std::string key = std::string(1, '\0') + std::string(module) + "." + std::string(name);
        if (auto it = memo_.find(key); it != memo_.end()) return get(it->second);
        op('c');
        out += module;
        out += '\n';
        out += name;
        out += '\n';
        memo_.emplace(key, put());
    }
    void integer(int64_t v) {
        if (v >= 0 && v < 256) {
            op('K');
            out += static_cast<char>(v);
        } else if (v >= 0 && v < 65536) {
            op('M');
            le::put_u16(out, static_cast<uint16_t>(v));
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            op('J');
            le::put_u32(out, static_cast<uint32_t>(static_cast<int32_t>(v)));
        } else {  // LONG1: minimal two's complement, little-endian
            std::string b;
            uint64_t u = static_cast<uint64_t>(v);
            for (int i = 0; i < 8; ++i) b += static_cast<char>((u >> (8 * i)) & 0xff);
            while (b.size() > 1 && ((b.back() == 0 && !(b[b.size() - 2] & 0x80)) ||
                                    (static_cast<uint8_t>(b.back()) == 0xff && (b[b.size() - 2] & 0x80))))
                b.pop_back();
            op(0x8a);
            out += static_cast<char>(b.size());
            out += b;
        }
    }
    void int_tuple(const std::vector<int64_t> & v) {
        if (v.empty()) return op(')');
        if (v.size() > 3) op('(');
        for (int64_t x : v) integer(x);
        op(v.size() > 3 ? 't' : static_cast<uint8_t>(0x84 + v.size()));
    }
    uint32_t put() {
        const uint32_t i = next_memo_++;
        if (i < 256) {
            op('q');
            out += static_cast<char>(i);
        } else {
            op('r');
            le::put_u32(out, i);
        }
        return i;
    }
    void get(uint32_t i) {
        if (i < 256) {
            op('h');
            out += static_cast<char>(i);
        } else {
            op('j');
            le::put_u32(out, i);
        }
    }
    void empty_ordered_dict() {
        global("collections", "OrderedDict");
        op(')');
        op('R');
    }

private:
    std::map<std::string, uint32_t> memo_;
    uint32_t next_memo_ = 0;
};

std::vector<std::string> ordered_keys(const TensorMap & tensors, const std::vector<std::string> & preferred) {
    std::vector<std::string> keys;
    std::set<std::string> taken;
    for (const auto & k : preferred)
        if (tensors.count(k) && taken.insert(k).second) keys.push_back(k);
    for (const auto & [k, v] : tensors)
        if (!taken.count(k)) keys.push_back(k);
    return keys;
}

// Module paths in first-seen order: '' and every dotted prefix of every key, as torch's
// state_dict() records them (it also lists modules without parameters, which we cannot know).
std::vector<std::string> module_paths(const std::vector<std::string> & keys) {
    std::vector<std::string> paths{""};
    std::set<std::string> seen{""};
    for (const auto & k : keys) {
        for (size_t dot = k.find('.'); dot != std::string::npos; dot = k.find('.', dot + 1)) {
            std::string p = k.substr(0, dot);
            if (seen.insert(p).second) paths.push_back(p);
        }
    }
    return paths;
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t> & shape) {
    std::vector<int64_t> s(shape.size(), 1);
    for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * std::max<int64_t>(shape[d], 1);
    return s;
}

// data.pkl: OrderedDict([(key, _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()))...])
// with the _metadata attribute set through BUILD, as `torch.save(model.state_dict())` writes it.
std::string state_dict_pickle(const TensorMap & tensors, const std::vector<std::string> & keys, bool metadata) {
    PickleWriter w;
    w.op(0x80);
    w.op(2);
    w.empty_ordered_dict();
    w.put();
    constexpr size_t kBatch = 1000;  // as Python's pickler batches SETITEMS
    for (size_t start = 0; start < keys.size(); start += kBatch) {
        w.op('(');
        for (size_t i = start; i < std::min(keys.size(), start + kBatch); ++i) {
            const TensorBlob & t = tensors.at(keys[i]);
            w.str(keys[i]);
            w.global("torch._utils", "_rebuild_tensor_v2");
            w.op('(');
            w.op('(');
            w.memo_str("storage");
            w.global("torch", pickle::storage_type_name(t.dtype));
            w.str(std::to_string(i));
            w.memo_str("cpu");
            w.integer(t.numel());
            w.op('t');
            w.op('Q');  // BINPERSID
            w.integer(0);
            w.int_tuple(t.shape);
            w.int_tuple(contiguous_strides(t.shape));
            w.op(0x89);  // requires_grad False
            w.empty_ordered_dict();  // backward hooks
            w.op('t');
            w.op('R');
        }
        w.op('u');
    }
    if (metadata) {
        w.op('}');
        w.str("_metadata");
        w.empty_ordered_dict();
        const auto paths = module_paths(keys);
        for (size_t start = 0; start < paths.size(); start += kBatch) {
            w.op('(');
            for (size_t i = start; i < std::min(paths.size(), start + kBatch); ++i) {
                w.str(paths[i]);
                w.op('}');
                w.memo_str("version");
                w.integer(1);
                w.op('s');
            }
            w.op('u');
        }
        w.op('s');
        w.op('b');  // BUILD: OrderedDict.__dict__ = {'_metadata': ...}
    }
    w.op('.');
    return w.out;
}

}  // namespace

void serialize_torch_checkpoint(const TensorMap & tensors, ByteSink & sink, const TorchWriteOptions & options) {
    const std::string archive = options.archive_name.empty() ? "archive" : options.archive_name;
    if (archive.find('/') != std::string::npos) throw std::invalid_argument("archive name must not contain '/'");
    for (const auto & [name, t] : tensors)
        if (t.data.size() != static_cast<size_t>(t.numel()) * dtype_size(t.dtype))
            throw std::logic_error("serialize_torch_checkpoint: tensor '" + name + "' has a wrong byte count");
    const auto keys = ordered_keys(tensors, options.key_order);
    ZipWriter zip(sink);
    zip.add(archive + "/data.pkl", state_dict_pickle(tensors, keys, options.module_metadata));
    zip.add(archive + "/byteorder", std::string_view("little"));
    // Records in name order ("data/0", "data/1", "data/10", ...), as torch.save writes them.
    std::vector<std::pair<std::string, const TensorBlob *>> records;
    for (size_t i = 0; i < keys.size(); ++i) records.emplace_back(archive + "/data/" + std::to_string(i), &tensors.at(keys[i]));
    std::sort(records.begin(), records.end(), [](const auto & a, const auto & b) { return a.first < b.first; });
    for (const auto & [name, t] : records) zip.add(name, std::span<const uint8_t>(t->data));
    zip.add(archive + "/version", std::string_view("3\n"));
    zip.finish();
}

std::string serialize_torch_checkpoint(const TensorMap & tensors, const TorchWriteOptions & options) {
    StringSink sink;
    serialize_torch_checkpoint(tensors, sink, options);
    return std::move(sink.str());
}

void write_torch_checkpoint(const std::filesystem::path & path, const TensorMap & tensors, TorchWriteOptions options) {
    if (options.archive_name.empty()) {
        // torch names the folder after the file, without extension; never empty and without '.'.
        std::string stem = path.filename().string();
        stem = stem.substr(0, stem.find('.'));
        options.archive_name = stem.empty() ? "archive" : stem;
    }
    AtomicFileSink sink(path);
    serialize_torch_checkpoint(tensors, sink, options);
    sink.commit();
}

}  // namespace trmbench
