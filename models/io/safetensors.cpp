#include "models/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "harness/core/error.h"
#include "models/io/file_io.h"

namespace trmbench {
namespace {

// Safetensors headers are small; anything this large is an attack or corruption.
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

[[noreturn]] void fail(const std::string & origin, const std::string & what) {
    throw InputError(origin + ": " + what);
}

// A JSON value for an error message: a string (shortened) or just its type. Never dump() a value
// from the file: dump() recurses, and a deeply nested array would overflow the stack.
std::string describe_json(const nlohmann::json & v) {
    if (!v.is_string()) return std::string("of JSON type ") + v.type_name();
    const std::string & s = v.get_ref<const std::string &>();
    return "\"" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "\"";
}

struct Entry {
    std::string name;
    uint64_t begin = 0, end = 0;
};

}  // namespace

SafetensorsFile parse_safetensors(std::span<const uint8_t> bytes, const std::string & origin,
                                  const std::function<void(std::span<const uint8_t>)> & release) {
    if (bytes.size() < 8) fail(origin, "file too short for a safetensors header (" + std::to_string(bytes.size()) + " bytes)");
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[static_cast<size_t>(i)];
    if (header_len > kMaxHeaderBytes || header_len > bytes.size() - 8)
        fail(origin, "header length " + std::to_string(header_len) + " exceeds the file size " + std::to_string(bytes.size()));
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len));
    } catch (const nlohmann::json::exception & e) {
        fail(origin, std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) fail(origin, "header is not a JSON object");

    const uint64_t data_size = bytes.size() - 8 - header_len;
    const uint8_t * data = bytes.data() + 8 + header_len;
    SafetensorsFile out;
    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string & name = it.key();
        const auto & v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) fail(origin, "__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string()) fail(origin, "__metadata__." + m.key() + " is not a string");
                out.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + name + "'";
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            fail(origin, where + ": needs dtype, shape and data_offsets");
        TensorBlob t;
        if (!v["dtype"].is_string() || !parse_dtype_name(v["dtype"].get<std::string>(), t.dtype))
            fail(origin, where + ": unsupported dtype " + describe_json(v["dtype"]));
        if (!v["shape"].is_array()) fail(origin, where + ": shape is not a list");
        uint64_t numel = 1;
        for (const auto & d : v["shape"]) {
            if (!d.is_number_unsigned()) fail(origin, where + ": shape has a non-integer or negative entry");
            uint64_t s = d.get<uint64_t>();
            if (s > 0 && numel > std::numeric_limits<uint64_t>::max() / s) fail(origin, where + ": shape overflows");
            numel *= s;
            t.shape.push_back(static_cast<int64_t>(s));
        }
        const auto & off = v["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            fail(origin, where + ": data_offsets must be two non-negative integers");
        Entry e{name, off[0].get<uint64_t>(), off[1].get<uint64_t>()};
        if (e.begin > e.end || e.end > data_size)
            fail(origin, where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                             ") outside the data area of " + std::to_string(data_size) + " bytes");
        const uint64_t want = numel * dtype_size(t.dtype);
        if (numel > data_size || e.end - e.begin != want)
            fail(origin, where + ": holds " + std::to_string(e.end - e.begin) + " bytes but dtype and shape need " +
                             std::to_string(want));
        t.data.assign(data + e.begin, data + e.end);
        if (release) release({data + e.begin, data + e.end});
        out.tensors.emplace(name, std::move(t));
        entries.push_back(e);
    }
    // Offsets must tile the data area exactly: no gaps, no overlap (as the format requires).
    std::sort(entries.begin(), entries.end(), [](const Entry & a, const Entry & b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t pos = 0;
    for (const auto & e : entries) {
        if (e.begin != pos) fail(origin, "tensor '" + e.name + "': data is not contiguous (gap or overlap at byte " + std::to_string(pos) + ")");
        pos = e.end;
    }
    if (pos != data_size) fail(origin, std::to_string(data_size - pos) + " trailing bytes after the last tensor");
    for (const auto & e : entries) out.key_order.push_back(e.name);
    return out;
}

SafetensorsFile read_safetensors(const std::filesystem::path & path) {
    MappedFile file(path);  // mapped, not read, and released as copied: the tensors are the only copy
    return parse_safetensors(file.bytes(), path.string(), [&file](std::span<const uint8_t> b) { file.release(b); });
}

namespace {

// Names in `key_order` first (those that exist), then the rest in name order.
std::vector<const std::string *> data_order(const TensorMap & tensors, const std::vector<std::string> & key_order) {
    std::vector<const std::string *> out;
    std::set<std::string_view> taken;
    for (const auto & k : key_order) {
        auto it = tensors.find(k);
        if (it != tensors.end() && taken.insert(it->first).second) out.push_back(&it->first);
    }
    for (const auto & [k, t] : tensors)
        if (!taken.count(k)) out.push_back(&k);
    return out;
}

// The 8-byte length and the JSON header; the tensors' bytes follow in `order`.
std::string safetensors_header(const TensorMap & tensors, const std::map<std::string, std::string> & metadata,
                               const std::vector<const std::string *> & order) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const std::string * key : order) {
        const std::string & name = *key;
        const TensorBlob & t = tensors.at(name);
        if (t.data.size() != static_cast<size_t>(t.numel()) * dtype_size(t.dtype))
            throw std::logic_error("serialize_safetensors: tensor '" + name + "' has a wrong byte count");
        header[name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.data.size()}}};
        offset += t.data.size();
    }
    std::string h = header.dump();
    while (h.size() % 8) h += ' ';
    std::string out(8, '\0');
    uint64_t n = h.size();
    for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return out + h;
}

void serialize_safetensors(const TensorMap & tensors, const std::map<std::string, std::string> & metadata,
                           const std::vector<std::string> & key_order, ByteSink & sink) {
    const auto order = data_order(tensors, key_order);
    sink.write(safetensors_header(tensors, metadata, order));
    for (const std::string * key : order) sink.write(std::span<const uint8_t>(tensors.at(*key).data));
}

}  // namespace

std::string serialize_safetensors(const TensorMap & tensors, const std::map<std::string, std::string> & metadata,
                                  const std::vector<std::string> & key_order) {
    StringSink sink;
    serialize_safetensors(tensors, metadata, key_order, sink);
    return std::move(sink.str());
}

void write_safetensors(const std::filesystem::path & path, const TensorMap & tensors,
                       const std::map<std::string, std::string> & metadata, const std::vector<std::string> & key_order) {
    AtomicFileSink sink(path);  // streamed: a 2.5 GB checkpoint is not duplicated in memory
    serialize_safetensors(tensors, metadata, key_order, sink);
    sink.commit();
}

}  // namespace trmbench
