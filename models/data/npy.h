// NumPy .npy files: the array format of the reference's training data (spec §3.1), so that our
// datasets and the Python `puzzle_dataset.py` can read each other's.
//
// Format (numpy's NEP 1): the magic "\x93NUMPY", a version byte pair, the header length (2 bytes
// little-endian in version 1.0, 4 bytes in 2.0/3.0), then a Python dict literal
// `{'descr': '|u1', 'fortran_order': False, 'shape': (N, L), }` padded with spaces and ended by
// '\n' so that the data starts at a multiple of 64 bytes; the raw C-order data follows.
//
// We write version 1.0 with the dtypes the reference uses (uint8 tokens, int32 indices). The reader
// accepts versions 1-3, little-endian (or byte-sized) integer dtypes of 1, 2, 4 or 8 bytes (the
// reference's Sudoku train split is int64), C order only, and checks that the file holds exactly
// the bytes the shape implies. Every problem is an InputError naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/core/sha256.h"

namespace trmbench {

enum class NpyDtype { u8, i8, u16, i16, u32, i32, u64, i64 };

int npy_itemsize(NpyDtype t);
// numpy's descr string: "|u1", "<i4", ...
std::string npy_descr(NpyDtype t);

struct NpyHeader {
    NpyDtype dtype = NpyDtype::u8;
    std::vector<uint64_t> shape;
    uint64_t data_offset = 0;  // where the data starts in the file
    uint64_t count() const;    // product of the shape (1 for a 0-d array)
};

// The full header (magic, version 1.0, length, dict, padding) for a C-order array; its size is a
// multiple of 64. Throws std::invalid_argument when the dict would not fit version 1.0.
std::string npy_header(NpyDtype dtype, std::span<const uint64_t> shape);

// Parses the header at the start of `bytes` (the file's first bytes, at least the whole header).
// `name` is used in error messages. Throws InputError for anything it does not accept.
NpyHeader parse_npy_header(std::span<const uint8_t> bytes, const std::string & name);

// A whole .npy file, memory-mapped and validated (size == data_offset + count * itemsize).
class NpyArray {
public:
    static NpyArray open(const std::filesystem::path & path);
    // An in-memory array (tests, small arrays); `data` holds count * itemsize bytes.
    static NpyArray from_bytes(NpyDtype dtype, std::vector<uint64_t> shape, std::vector<uint8_t> data);

    const NpyHeader & header() const { return header_; }
    NpyDtype dtype() const { return header_.dtype; }
    const std::vector<uint64_t> & shape() const { return header_.shape; }
    uint64_t count() const { return header_.count(); }
    const std::filesystem::path & path() const { return path_; }
    // The raw data bytes (count * itemsize).
    std::span<const uint8_t> data() const { return data_; }

    // Element i as an int64 (unsigned 64-bit values above INT64_MAX wrap; callers range-check).
    int64_t get(uint64_t i) const;
    // Elements [first, first + out.size()) converted to int32 (callers range-check beforehand).
    void copy_to_int32(uint64_t first, std::span<int32_t> out) const;
    // Smallest and largest element (0, 0 for an empty array).
    std::pair<int64_t, int64_t> min_max() const;
    // All elements as int64.
    std::vector<int64_t> to_int64() const;

private:
    NpyHeader header_;
    std::filesystem::path path_;
    std::shared_ptr<const void> owner_;  // keeps the mapping or the vector alive
    std::span<const uint8_t> data_;
};

// Streams a C-order array of a known shape into a file: the header is written first, then rows are
// appended; close() checks that exactly the announced number of elements arrived and fsyncs. The
// SHA-256 of the whole file is computed on the way. Errors are IoError naming the path; appending
// more than announced or closing short is std::logic_error (a programming error).
class NpyWriter {
public:
    NpyWriter(const std::filesystem::path & path, NpyDtype dtype, std::vector<uint64_t> shape);
    ~NpyWriter();
    NpyWriter(const NpyWriter &) = delete;
    NpyWriter & operator=(const NpyWriter &) = delete;

    // Raw element bytes in the file's dtype (a multiple of the itemsize).
    void append_bytes(std::span<const uint8_t> bytes);
    void append(std::span<const uint8_t> values);  // dtype u8 only
    void append(std::span<const int32_t> values);  // dtype i32 only
    void close();

    uint64_t bytes_written() const { return bytes_; }  // header included
    const std::string & sha256() const { return sha_; }  // hex, valid after close()

private:
    void flush();
    std::filesystem::path path_;
    NpyDtype dtype_;
    uint64_t expected_bytes_ = 0;  // data bytes
    uint64_t data_bytes_ = 0;
    uint64_t bytes_ = 0;
    int fd_ = -1;
    std::vector<uint8_t> buffer_;
    Sha256 hasher_;
    std::string sha_;
};

// One-shot helpers.
void write_npy_u8(const std::filesystem::path & path, std::vector<uint64_t> shape, std::span<const uint8_t> values);
void write_npy_i32(const std::filesystem::path & path, std::vector<uint64_t> shape, std::span<const int32_t> values);

}  // namespace trmbench
