// Zip reader/writer for stored (uncompressed) archives, as torch.save writes them.
#include "models/io/zip.h"

#include <algorithm>
#include <array>

#include "harness/core/error.h"
#include "models/io/le_bytes.h"

namespace trmbench {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30, kCentralSize = 46, kEndSize = 22, kZip64EndSize = 56, kZip64LocatorSize = 20;
constexpr uint64_t kMaxComment = 0xffff;
constexpr uint32_t k32 = 0xffffffffu;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kPaddingExtraId = 0x4246;  // "FB", the id torch uses for its alignment padding
constexpr uint16_t kFlagEncrypted = 0x0001, kFlagUtf8 = 0x0800;

// CRC-32 tables for slicing-by-8 (about 2 GB/s: checking a 2.5 GB checkpoint costs ~1 s).
constexpr std::array<std::array<uint32_t, 256>, 8> make_crc_tables() {
    std::array<std::array<uint32_t, 256>, 8> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
        for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    return t;
}
constexpr auto kCrcTables = make_crc_tables();

std::string in_quotes(std::string_view name) { return "'" + std::string(name) + "'"; }

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc) {
    crc = ~crc;
    const uint8_t * p = bytes.data();
    size_t n = bytes.size();
    while (n >= 8) {
        uint32_t lo = le::u32(p) ^ crc, hi = le::u32(p + 4);
        crc = kCrcTables[7][lo & 0xff] ^ kCrcTables[6][(lo >> 8) & 0xff] ^ kCrcTables[5][(lo >> 16) & 0xff] ^
              kCrcTables[4][lo >> 24] ^ kCrcTables[3][hi & 0xff] ^ kCrcTables[2][(hi >> 8) & 0xff] ^
              kCrcTables[1][(hi >> 16) & 0xff] ^ kCrcTables[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) crc = kCrcTables[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

// ---------------------------------------------------------------------------------------------
// Reader

ZipReader::ZipReader(std::span<const uint8_t> bytes, std::string origin) : bytes_(bytes), origin_(std::move(origin)) {
    uint64_t cd_offset = 0, cd_size = 0, count = 0, cd_limit = 0;
    read_end_records(cd_offset, cd_size, count, cd_limit);
    if (cd_offset > cd_limit || cd_size > cd_limit - cd_offset)
        fail("central directory [" + std::to_string(cd_offset) + ", +" + std::to_string(cd_size) +
             ") runs past the end records at " + std::to_string(cd_limit) + " (truncated or corrupt archive)");
    read_central_directory(cd_offset, cd_size, count);
    for (auto & e : entries_) check_local_header(e);
    check_layout(cd_offset);
}

void ZipReader::fail(const std::string & what) const { throw InputError(origin_ + ": " + what); }

void ZipReader::read_end_records(uint64_t & cd_offset, uint64_t & cd_size, uint64_t & count, uint64_t & cd_limit) const {
    const uint64_t size = bytes_.size();
    if (size < kEndSize) fail("not a zip archive (" + std::to_string(size) + " bytes, too short for an end record)");
    // The end record sits at the very end, followed only by its comment (at most 64 KiB): scan back
    // over at most that many bytes and accept a signature only if its comment length fits exactly.
    uint64_t pos = size - kEndSize;
    const uint64_t lowest = size - kEndSize > kMaxComment ? size - kEndSize - kMaxComment : 0;
    bool found = false;
    for (;; --pos) {
        const uint8_t * p = bytes_.data() + pos;
        if (le::u32(p) == kEndSig && pos + kEndSize + le::u16(p + 20) == size) {
            found = true;
            break;
        }
        if (pos == lowest) break;
    }
    if (!found) fail("no zip end-of-central-directory record (not a zip archive, or truncated)");
    const uint8_t * e = bytes_.data() + pos;
    if (le::u16(e + 4) != 0 || le::u16(e + 6) != 0) fail("multi-disk zip archives are not supported");
    count = le::u16(e + 10);
    cd_size = le::u32(e + 12);
    cd_offset = le::u32(e + 16);
    cd_limit = pos;
    // ZIP64: a locator right before the end record points at the ZIP64 end record, whose 64-bit
    // values replace the (possibly saturated) 16/32-bit ones.
    if (pos < kZip64LocatorSize) return;
    const uint8_t * loc = bytes_.data() + pos - kZip64LocatorSize;
    if (le::u32(loc) != kZip64LocatorSig) {
        if (count == 0xffff || cd_size == k32 || cd_offset == k32)
            fail("end record has ZIP64 markers but no ZIP64 locator (truncated or corrupt archive)");
        return;
    }
    const uint64_t z = le::u64(loc + 8);
    if (z > pos - kZip64LocatorSize || pos - kZip64LocatorSize - z < kZip64EndSize)
        fail("ZIP64 end record offset " + std::to_string(z) + " is outside the archive");
    const uint8_t * r = bytes_.data() + z;
    if (le::u32(r) != kZip64EndSig) fail("no ZIP64 end record at offset " + std::to_string(z));
    if (le::u32(r + 16) != 0 || le::u32(r + 20) != 0) fail("multi-disk zip archives are not supported");
    count = le::u64(r + 32);
    cd_size = le::u64(r + 40);
    cd_offset = le::u64(r + 48);
    cd_limit = z;
}

void ZipReader::read_central_directory(uint64_t cd_offset, uint64_t cd_size, uint64_t count) {
    if (count > cd_size / kCentralSize)
        fail("central directory claims " + std::to_string(count) + " entries but holds only " + std::to_string(cd_size) + " bytes");
    entries_.reserve(static_cast<size_t>(count));
    uint64_t pos = cd_offset;
    const uint64_t end = cd_offset + cd_size;
    for (uint64_t i = 0; i < count; ++i) {
        const std::string where = "central directory entry " + std::to_string(i);
        if (end - pos < kCentralSize) fail(where + ": truncated");
        const uint8_t * p = bytes_.data() + pos;
        if (le::u32(p) != kCentralSig) fail(where + ": bad signature at offset " + std::to_string(pos));
        ZipEntry e;
        e.flags = le::u16(p + 8);
        e.method = le::u16(p + 10);
        e.crc32 = le::u32(p + 16);
        e.compressed_size = le::u32(p + 20);
        e.size = le::u32(p + 24);
        const uint64_t name_len = le::u16(p + 28), extra_len = le::u16(p + 30), comment_len = le::u16(p + 32);
        const uint16_t disk = le::u16(p + 34);
        e.local_header_offset = le::u32(p + 42);
        if (end - pos - kCentralSize < name_len + extra_len + comment_len) fail(where + ": name or extra field runs past the directory");
        e.name.assign(reinterpret_cast<const char *>(p + kCentralSize), name_len);
        // ZIP64 extra field: 64-bit values for exactly the fields saturated above, in this order.
        const uint8_t * x = p + kCentralSize + name_len;
        const uint8_t * x_end = x + extra_len;
        while (x_end - x >= 4) {
            const uint16_t id = le::u16(x), len = le::u16(x + 2);
            if (x_end - x - 4 < len) fail("entry " + in_quotes(e.name) + ": extra field runs past its end");
            if (id == kZip64ExtraId) {
                const uint8_t * f = x + 4;
                const uint8_t * f_end = f + len;
                auto take = [&](uint64_t & v) {
                    if (f_end - f < 8) fail("entry " + in_quotes(e.name) + ": ZIP64 extra field too short");
                    v = le::u64(f);
                    f += 8;
                };
                if (e.size == k32) take(e.size);
                if (e.compressed_size == k32) take(e.compressed_size);
                if (e.local_header_offset == k32) take(e.local_header_offset);
            }
            x += 4 + len;
        }
        if (disk != 0 && disk != 0xffff) fail("entry " + in_quotes(e.name) + ": multi-disk archives are not supported");
        entries_.push_back(std::move(e));
        pos += kCentralSize + name_len + extra_len + comment_len;
    }
    by_name_.resize(entries_.size());
    for (size_t i = 0; i < by_name_.size(); ++i) by_name_[i] = i;
    std::sort(by_name_.begin(), by_name_.end(), [&](size_t a, size_t b) { return entries_[a].name < entries_[b].name; });
    for (size_t i = 1; i < by_name_.size(); ++i)
        if (entries_[by_name_[i]].name == entries_[by_name_[i - 1]].name) fail("duplicate entry " + in_quotes(entries_[by_name_[i]].name));
}

void ZipReader::check_local_header(ZipEntry & e) const {
    const std::string where = "entry " + in_quotes(e.name);
    const uint64_t size = bytes_.size();
    if (e.local_header_offset > size || size - e.local_header_offset < kLocalHeaderSize)
        fail(where + ": local header offset " + std::to_string(e.local_header_offset) + " is outside the archive");
    const uint8_t * p = bytes_.data() + e.local_header_offset;
    if (le::u32(p) != kLocalHeaderSig) fail(where + ": no local header at offset " + std::to_string(e.local_header_offset));
    const uint64_t name_len = le::u16(p + 26), extra_len = le::u16(p + 28);
    if (le::u16(p + 8) != e.method) fail(where + ": local header and central directory disagree on the compression method");
    const uint64_t header_end = e.local_header_offset + kLocalHeaderSize + name_len + extra_len;
    if (header_end > size) fail(where + ": local header runs past the end of the archive");
    if (std::string_view(reinterpret_cast<const char *>(p + kLocalHeaderSize), name_len) != e.name)
        fail(where + ": local header names a different file");
    e.data_offset = header_end;
    if (e.compressed_size > size - e.data_offset)
        fail(where + ": data [" + std::to_string(e.data_offset) + ", +" + std::to_string(e.compressed_size) +
             ") runs past the end of the archive (" + std::to_string(size) + " bytes; truncated?)");
}

void ZipReader::check_layout(uint64_t cd_offset) const {
    std::vector<const ZipEntry *> order;
    order.reserve(entries_.size());
    for (const auto & e : entries_) order.push_back(&e);
    std::sort(order.begin(), order.end(), [](const ZipEntry * a, const ZipEntry * b) { return a->local_header_offset < b->local_header_offset; });
    for (size_t i = 0; i < order.size(); ++i) {
        const ZipEntry & e = *order[i];
        const uint64_t end = e.data_offset + e.compressed_size;
        const uint64_t next = i + 1 < order.size() ? order[i + 1]->local_header_offset : cd_offset;
        if (end > next)
            fail("entry " + in_quotes(e.name) + " overlaps " +
                 (i + 1 < order.size() ? "entry " + in_quotes(order[i + 1]->name) : std::string("the central directory")));
    }
}

const ZipEntry * ZipReader::find(std::string_view name) const {
    auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                               [&](size_t i, std::string_view n) { return entries_[i].name < n; });
    if (it == by_name_.end() || entries_[*it].name != name) return nullptr;
    return &entries_[*it];
}

std::span<const uint8_t> ZipReader::data(const ZipEntry & e, bool verify_crc) const {
    if (e.flags & kFlagEncrypted) fail("entry " + in_quotes(e.name) + " is encrypted (not supported)");
    if (e.method != 0)
        fail("unsupported compression method " + std::to_string(e.method) + " in entry " + in_quotes(e.name) +
             " (PyTorch checkpoints are stored uncompressed; re-save with torch.save)");
    if (e.compressed_size != e.size)
        fail("entry " + in_quotes(e.name) + " is stored but its sizes differ (" + std::to_string(e.compressed_size) + " vs " +
             std::to_string(e.size) + ")");
    auto span = bytes_.subspan(static_cast<size_t>(e.data_offset), static_cast<size_t>(e.size));
    if (verify_crc && crc32(span) != e.crc32) fail("entry " + in_quotes(e.name) + ": CRC-32 mismatch (corrupt file)");
    return span;
}

// ---------------------------------------------------------------------------------------------
// Writer

ZipWriter::ZipWriter(ByteSink & sink, uint64_t alignment, bool force_zip64)
    : sink_(sink), alignment_(alignment ? alignment : 1), force_zip64_(force_zip64) {}

void ZipWriter::add(std::string_view name, std::string_view data) {
    add(name, std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(data.data()), data.size()));
}

void ZipWriter::add(std::string_view name, std::span<const uint8_t> data) {
    if (finished_) throw std::logic_error("ZipWriter::add after finish");
    if (name.size() > 0xffff) throw std::invalid_argument("zip entry name too long");
    const uint64_t offset = sink_.offset();
    const uint64_t size = data.size();
    const uint32_t crc = crc32(data);
    const bool zip64 = force_zip64_ || size >= k32;
    std::string extra;
    if (zip64) {
        le::put_u16(extra, kZip64ExtraId);
        le::put_u16(extra, 16);
        le::put_u64(extra, size);
        le::put_u64(extra, size);
    }
    // Padding so that the data starts on an alignment boundary.
    const uint64_t unpadded = offset + kLocalHeaderSize + name.size() + extra.size() + 4;
    const uint64_t pad = (alignment_ - unpadded % alignment_) % alignment_;
    le::put_u16(extra, kPaddingExtraId);
    le::put_u16(extra, static_cast<uint16_t>(pad));
    extra.append(static_cast<size_t>(pad), 'Z');

    std::string h;
    le::put_u32(h, kLocalHeaderSig);
    le::put_u16(h, zip64 ? 45 : 20);  // version needed
    le::put_u16(h, is_ascii(name) ? 0 : kFlagUtf8);
    le::put_u16(h, 0);                // stored
    le::put_u16(h, 0);                // time 00:00
    le::put_u16(h, 0x21);             // date 1980-01-01 (fixed: the output is deterministic)
    le::put_u32(h, crc);
    le::put_u32(h, zip64 ? k32 : static_cast<uint32_t>(size));
    le::put_u32(h, zip64 ? k32 : static_cast<uint32_t>(size));
    le::put_u16(h, static_cast<uint16_t>(name.size()));
    le::put_u16(h, static_cast<uint16_t>(extra.size()));
    h.append(name);
    h += extra;
    sink_.write(h);
    sink_.write(data);
    written_.push_back({std::string(name), offset, size, crc});
}

void ZipWriter::finish() {
    if (finished_) return;
    finished_ = true;
    const uint64_t cd_offset = sink_.offset();
    for (const auto & w : written_) {
        std::string extra;
        const bool big_size = force_zip64_ || w.size >= k32, big_offset = force_zip64_ || w.offset >= k32;
        if (big_size || big_offset) {
            le::put_u16(extra, kZip64ExtraId);
            le::put_u16(extra, static_cast<uint16_t>((big_size ? 16 : 0) + (big_offset ? 8 : 0)));
            if (big_size) {
                le::put_u64(extra, w.size);
                le::put_u64(extra, w.size);
            }
            if (big_offset) le::put_u64(extra, w.offset);
        }
        std::string c;
        le::put_u32(c, kCentralSig);
        le::put_u16(c, 45);  // made by: spec 4.5
        le::put_u16(c, big_size || big_offset ? 45 : 20);
        le::put_u16(c, is_ascii(w.name) ? 0 : kFlagUtf8);
        le::put_u16(c, 0);
        le::put_u16(c, 0);
        le::put_u16(c, 0x21);
        le::put_u32(c, w.crc);
        le::put_u32(c, big_size ? k32 : static_cast<uint32_t>(w.size));
        le::put_u32(c, big_size ? k32 : static_cast<uint32_t>(w.size));
        le::put_u16(c, static_cast<uint16_t>(w.name.size()));
        le::put_u16(c, static_cast<uint16_t>(extra.size()));
        le::put_u16(c, 0);  // comment
        le::put_u16(c, 0);  // disk
        le::put_u16(c, 0);  // internal attributes
        le::put_u32(c, 0);  // external attributes
        le::put_u32(c, big_offset ? k32 : static_cast<uint32_t>(w.offset));
        c += w.name;
        c += extra;
        sink_.write(c);
    }
    const uint64_t cd_size = sink_.offset() - cd_offset;
    const uint64_t zip64_end = sink_.offset();
    const uint64_t n = written_.size();
    std::string e;
    le::put_u32(e, kZip64EndSig);
    le::put_u64(e, kZip64EndSize - 12);
    le::put_u16(e, 45);
    le::put_u16(e, 45);
    le::put_u32(e, 0);
    le::put_u32(e, 0);
    le::put_u64(e, n);
    le::put_u64(e, n);
    le::put_u64(e, cd_size);
    le::put_u64(e, cd_offset);
    le::put_u32(e, kZip64LocatorSig);
    le::put_u32(e, 0);
    le::put_u64(e, zip64_end);
    le::put_u32(e, 1);
    le::put_u32(e, kEndSig);
    le::put_u16(e, 0);
    le::put_u16(e, 0);
    const uint64_t max16 = force_zip64_ ? 0 : 0xffff, max32 = force_zip64_ ? 0 : k32;  // saturated: see ZIP64 record
    le::put_u16(e, static_cast<uint16_t>(n < max16 ? n : 0xffff));
    le::put_u16(e, static_cast<uint16_t>(n < max16 ? n : 0xffff));
    le::put_u32(e, static_cast<uint32_t>(cd_size < max32 ? cd_size : k32));
    le::put_u32(e, static_cast<uint32_t>(cd_offset < max32 ? cd_offset : k32));
    le::put_u16(e, 0);
    sink_.write(e);
}

}  // namespace trmbench
