// .npy header writing and parsing, the mapped reader and the streaming writer (see npy.h).
#include "models/data/npy.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <fcntl.h>
#include <unistd.h>

#include "harness/core/error.h"
#include "models/io/file_io.h"

namespace trmbench {

static_assert(std::endian::native == std::endian::little, "the .npy code assumes a little-endian host");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kWriterBufferBytes = 8u << 20;

struct DtypeInfo {
    NpyDtype dtype;
    char kind;  // 'u' or 'i'
    int size;
};
constexpr DtypeInfo kDtypes[] = {
    {NpyDtype::u8, 'u', 1},  {NpyDtype::i8, 'i', 1},  {NpyDtype::u16, 'u', 2}, {NpyDtype::i16, 'i', 2},
    {NpyDtype::u32, 'u', 4}, {NpyDtype::i32, 'i', 4}, {NpyDtype::u64, 'u', 8}, {NpyDtype::i64, 'i', 8},
};

const DtypeInfo & info(NpyDtype t) {
    for (const auto & d : kDtypes)
        if (d.dtype == t) return d;
    throw std::invalid_argument("npy: unknown dtype");
}

// A tiny reader for the Python literal numpy writes: a dict of string keys to a string, a bool or
// a tuple of non-negative integers. Anything else is rejected.
class DictParser {
public:
    DictParser(std::string_view text, const std::string & name) : s_(text), name_(name) {}

    struct Parsed {
        std::optional<std::string> descr;
        std::optional<bool> fortran_order;
        std::optional<std::vector<uint64_t>> shape;
    };

    Parsed parse() {
        Parsed out;
        expect('{');
        while (true) {
            skip_ws();
            if (peek() == '}') {
                ++pos_;
                break;
            }
            std::string key = parse_string();
            expect(':');
            skip_ws();
            if (key == "descr") {
                if (out.descr) fail("duplicate key 'descr'");
                out.descr = parse_string();
            } else if (key == "fortran_order") {
                if (out.fortran_order) fail("duplicate key 'fortran_order'");
                out.fortran_order = parse_bool();
            } else if (key == "shape") {
                if (out.shape) fail("duplicate key 'shape'");
                out.shape = parse_tuple();
            } else {
                fail("unexpected key '" + key + "'");
            }
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect('}');
            break;
        }
        skip_ws();
        if (pos_ != s_.size()) fail("text after the header dict");
        return out;
    }

private:
    [[noreturn]] void fail(const std::string & what) const {
        throw InputError(name_ + ": npy header: " + what + " at offset " + std::to_string(pos_));
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
    }
    void expect(char c) {
        skip_ws();
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    std::string parse_string() {
        skip_ws();
        char q = peek();
        if (q != '\'' && q != '"') fail("expected a quoted string");
        ++pos_;
        size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] != q) ++pos_;
        if (pos_ >= s_.size()) fail("unterminated string");
        std::string out(s_.substr(start, pos_ - start));
        ++pos_;
        return out;
    }
    bool parse_bool() {
        if (s_.substr(pos_, 4) == "True") {
            pos_ += 4;
            return true;
        }
        if (s_.substr(pos_, 5) == "False") {
            pos_ += 5;
            return false;
        }
        fail("expected True or False");
    }
    std::vector<uint64_t> parse_tuple() {
        expect('(');
        std::vector<uint64_t> dims;
        while (true) {
            skip_ws();
            if (peek() == ')') {
                ++pos_;
                return dims;
            }
            if (peek() < '0' || peek() > '9') fail("expected a dimension");
            uint64_t v = 0;
            while (peek() >= '0' && peek() <= '9') {
                uint64_t d = static_cast<uint64_t>(peek() - '0');
                if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) fail("dimension too large");
                v = v * 10 + d;
                ++pos_;
            }
            if (dims.size() >= 32) fail("more than 32 dimensions");
            dims.push_back(v);
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect(')');
            return dims;
        }
    }

    std::string_view s_;
    const std::string & name_;
    size_t pos_ = 0;
};

NpyDtype dtype_from_descr(const std::string & descr, const std::string & name) {
    if (descr.size() == 3) {
        char order = descr[0], kind = descr[1];
        int size = descr[2] - '0';
        bool order_ok = order == '<' || order == '=' || (order == '|' && size == 1) || (order == '>' && size == 1);
        if (order_ok)
            for (const auto & d : kDtypes)
                if (d.kind == kind && d.size == size) return d.dtype;
    }
    throw InputError(name + ": npy dtype '" + descr +
                     "' not supported (little-endian integers of 1, 2, 4 or 8 bytes are: |u1, <i4, <i8, ...)");
}

std::string shape_literal(std::span<const uint64_t> shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

// Product of the dims, nullopt on overflow.
std::optional<uint64_t> checked_count(std::span<const uint64_t> shape) {
    uint64_t n = 1;
    for (uint64_t d : shape) {
        if (d != 0 && n > std::numeric_limits<uint64_t>::max() / d) return std::nullopt;
        n *= d;
    }
    return n;
}

}  // namespace

int npy_itemsize(NpyDtype t) { return info(t).size; }

std::string npy_descr(NpyDtype t) {
    const auto & d = info(t);
    return std::string(d.size == 1 ? "|" : "<") + d.kind + std::to_string(d.size);
}

uint64_t NpyHeader::count() const { return checked_count(shape).value_or(0); }

std::string npy_header(NpyDtype dtype, std::span<const uint64_t> shape) {
    std::string dict = "{'descr': '" + npy_descr(dtype) + "', 'fortran_order': False, 'shape': " + shape_literal(shape) + ", }";
    // magic (6) + version (2) + length (2) + dict + padding + '\n', padded to a multiple of 64.
    size_t unpadded = kMagicLen + 2 + 2 + dict.size() + 1;
    size_t total = (unpadded + 63) / 64 * 64;
    size_t header_len = total - kMagicLen - 4;
    if (header_len > 0xffff) throw std::invalid_argument("npy header too long for version 1.0");
    std::string out(kMagic, kMagicLen);
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header_len & 0xff);
    out += static_cast<char>(header_len >> 8);
    out += dict;
    out.append(total - unpadded, ' ');
    out += '\n';
    return out;
}

NpyHeader parse_npy_header(std::span<const uint8_t> bytes, const std::string & name) {
    if (bytes.size() < kMagicLen + 4 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
        throw InputError(name + ": not a .npy file (no \\x93NUMPY magic)");
    const uint8_t major = bytes[6];
    size_t len_bytes = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
    if (len_bytes == 0) throw InputError(name + ": npy format version " + std::to_string(major) + " not supported");
    if (bytes.size() < 8 + len_bytes) throw InputError(name + ": npy header truncated");
    uint64_t header_len = 0;
    for (size_t i = 0; i < len_bytes; ++i) header_len |= static_cast<uint64_t>(bytes[8 + i]) << (8 * i);
    const uint64_t data_offset = 8 + len_bytes + header_len;
    if (data_offset > bytes.size())
        throw InputError(name + ": npy header length " + std::to_string(header_len) + " runs past the end of the file");
    std::string_view dict(reinterpret_cast<const char *>(bytes.data()) + 8 + len_bytes, header_len);
    auto parsed = DictParser(dict, name).parse();
    if (!parsed.descr || !parsed.fortran_order || !parsed.shape)
        throw InputError(name + ": npy header lacks one of 'descr', 'fortran_order', 'shape'");
    if (*parsed.fortran_order) throw InputError(name + ": Fortran-order arrays are not supported");
    NpyHeader h;
    h.dtype = dtype_from_descr(*parsed.descr, name);
    h.shape = *parsed.shape;
    h.data_offset = data_offset;
    auto count = checked_count(h.shape);
    if (!count || *count > std::numeric_limits<uint64_t>::max() / 8)
        throw InputError(name + ": npy shape " + shape_literal(h.shape) + " overflows");
    return h;
}

// --- NpyArray --------------------------------------------------------------------------------

NpyArray NpyArray::open(const std::filesystem::path & path) {
    auto mapped = std::make_shared<MappedFile>(path);
    auto bytes = mapped->bytes();
    NpyArray a;
    a.path_ = path;
    a.header_ = parse_npy_header(bytes, path.string());
    const uint64_t expected = a.header_.count() * static_cast<uint64_t>(npy_itemsize(a.header_.dtype));
    const uint64_t available = bytes.size() - a.header_.data_offset;
    if (available != expected)
        throw InputError(path.string() + ": npy shape " + shape_literal(a.header_.shape) + " needs " +
                         std::to_string(expected) + " data bytes, the file has " + std::to_string(available));
    a.data_ = bytes.subspan(a.header_.data_offset, expected);
    a.owner_ = std::move(mapped);
    return a;
}

NpyArray NpyArray::from_bytes(NpyDtype dtype, std::vector<uint64_t> shape, std::vector<uint8_t> data) {
    NpyArray a;
    a.header_.dtype = dtype;
    a.header_.shape = std::move(shape);
    auto count = checked_count(a.header_.shape);
    if (!count || *count * static_cast<uint64_t>(npy_itemsize(dtype)) != data.size())
        throw std::invalid_argument("NpyArray::from_bytes: data size does not match the shape");
    auto owned = std::make_shared<std::vector<uint8_t>>(std::move(data));
    a.data_ = std::span<const uint8_t>(owned->data(), owned->size());
    a.owner_ = std::move(owned);
    return a;
}

int64_t NpyArray::get(uint64_t i) const {
    const uint8_t * p = data_.data() + i * static_cast<uint64_t>(npy_itemsize(header_.dtype));
    switch (header_.dtype) {
        case NpyDtype::u8: return *p;
        case NpyDtype::i8: return static_cast<int8_t>(*p);
        case NpyDtype::u16: { uint16_t v; std::memcpy(&v, p, 2); return v; }
        case NpyDtype::i16: { int16_t v; std::memcpy(&v, p, 2); return v; }
        case NpyDtype::u32: { uint32_t v; std::memcpy(&v, p, 4); return v; }
        case NpyDtype::i32: { int32_t v; std::memcpy(&v, p, 4); return v; }
        case NpyDtype::u64: { uint64_t v; std::memcpy(&v, p, 8); return static_cast<int64_t>(v); }
        case NpyDtype::i64: { int64_t v; std::memcpy(&v, p, 8); return v; }
    }
    return 0;
}

void NpyArray::copy_to_int32(uint64_t first, std::span<int32_t> out) const {
    if (header_.dtype == NpyDtype::u8) {  // the common case: tokens
        const uint8_t * p = data_.data() + first;
        for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
        return;
    }
    if (header_.dtype == NpyDtype::i32) {
        std::memcpy(out.data(), data_.data() + first * 4, out.size() * 4);
        return;
    }
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int32_t>(get(first + i));
}

std::pair<int64_t, int64_t> NpyArray::min_max() const {
    const uint64_t n = count();
    if (n == 0) return {0, 0};
    if (header_.dtype == NpyDtype::u8) {
        auto [lo, hi] = std::minmax_element(data_.begin(), data_.end());
        return {*lo, *hi};
    }
    int64_t lo = get(0), hi = lo;
    for (uint64_t i = 1; i < n; ++i) {
        int64_t v = get(i);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    return {lo, hi};
}

std::vector<int64_t> NpyArray::to_int64() const {
    std::vector<int64_t> out(count());
    for (uint64_t i = 0; i < out.size(); ++i) out[i] = get(i);
    return out;
}

// --- NpyWriter -------------------------------------------------------------------------------

NpyWriter::NpyWriter(const std::filesystem::path & path, NpyDtype dtype, std::vector<uint64_t> shape)
    : path_(path), dtype_(dtype) {
    auto count = checked_count(shape);
    if (!count) throw std::invalid_argument("NpyWriter: shape overflows");
    expected_bytes_ = *count * static_cast<uint64_t>(npy_itemsize(dtype));
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError("cannot create " + path.string() + ": " + std::strerror(errno));
    buffer_.reserve(kWriterBufferBytes);
    std::string header = npy_header(dtype, shape);
    buffer_.insert(buffer_.end(), header.begin(), header.end());
}

NpyWriter::~NpyWriter() {
    if (fd_ >= 0) ::close(fd_);  // abandoned (an exception): the caller removes the directory
}

void NpyWriter::append_bytes(std::span<const uint8_t> bytes) {
    if (fd_ < 0) throw std::logic_error("NpyWriter: append after close: " + path_.string());
    if (bytes.size() % static_cast<size_t>(npy_itemsize(dtype_)) != 0)
        throw std::logic_error("NpyWriter: partial element appended to " + path_.string());
    if (data_bytes_ + bytes.size() > expected_bytes_)
        throw std::logic_error("NpyWriter: more data than the announced shape for " + path_.string());
    data_bytes_ += bytes.size();
    if (buffer_.size() + bytes.size() > kWriterBufferBytes) flush();
    if (bytes.size() >= kWriterBufferBytes) {  // large block: hash and write directly
        hasher_.update(bytes.data(), bytes.size());
        size_t done = 0;
        while (done < bytes.size()) {
            ssize_t w = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) throw IoError("cannot write " + path_.string() + ": " + std::strerror(errno));
            done += static_cast<size_t>(w);
        }
        bytes_ += bytes.size();
        return;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void NpyWriter::append(std::span<const uint8_t> values) {
    if (dtype_ != NpyDtype::u8) throw std::logic_error("NpyWriter: uint8 values for a non-uint8 array");
    append_bytes(values);
}

void NpyWriter::append(std::span<const int32_t> values) {
    if (dtype_ != NpyDtype::i32) throw std::logic_error("NpyWriter: int32 values for a non-int32 array");
    append_bytes({reinterpret_cast<const uint8_t *>(values.data()), values.size() * 4});
}

void NpyWriter::flush() {
    if (buffer_.empty()) return;
    hasher_.update(buffer_.data(), buffer_.size());
    size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t w = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw IoError("cannot write " + path_.string() + ": " + std::strerror(errno));
        done += static_cast<size_t>(w);
    }
    bytes_ += buffer_.size();
    buffer_.clear();
}

void NpyWriter::close() {
    if (fd_ < 0) return;
    if (data_bytes_ != expected_bytes_)
        throw std::logic_error("NpyWriter: " + path_.string() + " closed with " + std::to_string(data_bytes_) + " of " +
                               std::to_string(expected_bytes_) + " data bytes");
    flush();
    if (::fsync(fd_) != 0) throw IoError("cannot sync " + path_.string() + ": " + std::strerror(errno));
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw IoError("cannot close " + path_.string() + ": " + std::strerror(errno));
    sha_ = hasher_.hex_digest();
}

void write_npy_u8(const std::filesystem::path & path, std::vector<uint64_t> shape, std::span<const uint8_t> values) {
    NpyWriter w(path, NpyDtype::u8, std::move(shape));
    w.append(values);
    w.close();
}

void write_npy_i32(const std::filesystem::path & path, std::vector<uint64_t> shape, std::span<const int32_t> values) {
    NpyWriter w(path, NpyDtype::i32, std::move(shape));
    w.append(values);
    w.close();
}

}  // namespace trmbench
