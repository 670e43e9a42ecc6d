// A minimal zip reader and writer for PyTorch checkpoints (no libzip, no zlib).
//
// torch.save writes an uncompressed ("stored") zip whose records are 64-byte aligned through a
// padding extra field, with ZIP64 end records (and ZIP64 sizes/offsets once a file passes 4 GiB).
// The reader handles exactly that: the end-of-central-directory search (bounded comment scan),
// ZIP64 end records and extra fields, central directory entries and local headers, stored entries
// only. Every offset and size is checked against the archive size; duplicate names and
// overlapping records are rejected. The reader works on a caller-owned byte span (usually a
// MappedFile), so entries are read in place rather than copied.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/io/file_io.h"

namespace trmbench {

struct ZipEntry {
    std::string name;
    uint64_t local_header_offset = 0;
    uint64_t data_offset = 0;       // first byte of the entry's (stored) data
    uint64_t compressed_size = 0;   // bytes at data_offset
    uint64_t size = 0;              // uncompressed size
    uint32_t crc32 = 0;
    uint16_t method = 0;            // 0 = stored
    uint16_t flags = 0;
};

class ZipReader {
public:
    // Parses the archive held in `bytes`, which must outlive the reader. Throws InputError
    // "<origin>: <what>" for anything malformed.
    ZipReader(std::span<const uint8_t> bytes, std::string origin);

    const std::vector<ZipEntry> & entries() const { return entries_; }
    const ZipEntry * find(std::string_view name) const;
    // The entry's bytes, in place. Throws InputError for compressed or encrypted entries, and for a
    // CRC-32 mismatch when `verify_crc` is set.
    std::span<const uint8_t> data(const ZipEntry & e, bool verify_crc = true) const;
    const std::string & origin() const { return origin_; }

private:
    [[noreturn]] void fail(const std::string & what) const;
    void read_end_records(uint64_t & cd_offset, uint64_t & cd_size, uint64_t & count, uint64_t & cd_limit) const;
    void read_central_directory(uint64_t cd_offset, uint64_t cd_size, uint64_t count);
    void check_local_header(ZipEntry & e) const;
    void check_layout(uint64_t cd_offset) const;

    std::span<const uint8_t> bytes_;
    std::string origin_;
    std::vector<ZipEntry> entries_;
    std::vector<size_t> by_name_;  // indices into entries_, sorted by name
};

// CRC-32 (IEEE, as zip uses), continuing from `crc` (0 to start).
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

// Writes a stored zip archive into a sink: records aligned to `alignment` bytes through a padding
// extra field (as torch does, so that readers can map tensors in place), sizes and CRC in the local
// header (no data descriptors), ZIP64 fields only where a value needs them, and ZIP64 end records
// always (as torch writes them). `force_zip64` writes every size and offset in ZIP64 form (tests).
class ZipWriter {
public:
    explicit ZipWriter(ByteSink & sink, uint64_t alignment = 64, bool force_zip64 = false);
    void add(std::string_view name, std::span<const uint8_t> data);
    void add(std::string_view name, std::string_view data);
    void finish();

private:
    struct Written {
        std::string name;
        uint64_t offset, size;
        uint32_t crc;
    };
    ByteSink & sink_;
    uint64_t alignment_;
    bool force_zip64_;
    std::vector<Written> written_;
    bool finished_ = false;
};

}  // namespace trmbench
