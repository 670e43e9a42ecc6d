// Byte-level file access for checkpoints: a read-only memory map for reading, and byte sinks for
// writing (in memory, or streamed into a temporary file that is renamed into place on commit).
//
// Real checkpoints reach 2.5 GB (the ARC puzzle tables). Mapping the file instead of reading it
// into a string keeps the reader at one copy of the tensors; streaming the writer keeps it at zero
// extra copies. Torch-free, so the fuzzers and the CLI can use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace trmbench {

// The whole file, mapped read-only. An empty file maps to an empty span. Throws IoError naming
// the path when the file cannot be opened or mapped, and InputError when it is not a regular file.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path & path);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile & operator=(const MappedFile &) = delete;

    std::span<const uint8_t> bytes() const { return {data_, size_}; }
    const std::filesystem::path & path() const { return path_; }
    // Drops the whole pages inside `part` (a sub-span of bytes()) from this process's resident set:
    // once a tensor has been copied out, its mapped pages need not count twice. They stay readable
    // (the kernel maps them in again on access).
    void release(std::span<const uint8_t> part) const;

private:
    std::filesystem::path path_;
    const uint8_t * data_ = nullptr;
    size_t size_ = 0;
};

// Sequential output with a running offset (the zip writer needs to know where each record lands).
class ByteSink {
public:
    virtual ~ByteSink() = default;
    void write(std::span<const uint8_t> bytes);
    void write(std::string_view bytes);
    uint64_t offset() const { return offset_; }

protected:
    virtual void write_raw(const uint8_t * data, size_t n) = 0;

private:
    uint64_t offset_ = 0;
};

class StringSink : public ByteSink {
public:
    std::string & str() { return out_; }

protected:
    void write_raw(const uint8_t * data, size_t n) override;

private:
    std::string out_;
};

// Writes into a temporary file beside `path` (buffered). commit() flushes, fsyncs and renames it
// over `path`; if the sink is destroyed without commit() the temporary file is removed and any
// existing `path` is untouched. Errors are IoError naming `path`.
class AtomicFileSink : public ByteSink {
public:
    explicit AtomicFileSink(const std::filesystem::path & path);
    ~AtomicFileSink() override;
    AtomicFileSink(const AtomicFileSink &) = delete;
    AtomicFileSink & operator=(const AtomicFileSink &) = delete;
    void commit();

protected:
    void write_raw(const uint8_t * data, size_t n) override;

private:
    void flush();
    void write_all(const uint8_t * data, size_t n);
    [[noreturn]] void fail(const std::string & what);

    std::filesystem::path path_;
    std::string tmp_path_;
    int fd_ = -1;
    std::vector<uint8_t> buffer_;
};

}  // namespace trmbench
