// MappedFile (mmap), StringSink and AtomicFileSink (mkstemp + write + fsync + rename).
#include "models/io/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/error.h"

namespace trmbench {

namespace {
constexpr size_t kSinkBufferBytes = 4u << 20;
}

MappedFile::MappedFile(const std::filesystem::path & path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError("cannot open " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        throw IoError("cannot stat " + path.string() + ": " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw InputError(path.string() + ": not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
        void * p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int err = errno;
            ::close(fd);
            throw IoError("cannot map " + path.string() + ": " + std::strerror(err));
        }
        data_ = static_cast<const uint8_t *>(p);
    }
    ::close(fd);  // the mapping stays valid
}

void MappedFile::release(std::span<const uint8_t> part) const {
    if (!data_ || part.empty() || part.data() < data_ || part.data() + part.size() > data_ + size_) return;
    const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(part.data()) + page - 1) / page * page;
    const uintptr_t end = (reinterpret_cast<uintptr_t>(part.data()) + part.size()) / page * page;
    if (end > begin) ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<uint8_t *>(data_), size_);
}

void ByteSink::write(std::span<const uint8_t> bytes) {
    if (bytes.empty()) return;
    write_raw(bytes.data(), bytes.size());
    offset_ += bytes.size();
}

void ByteSink::write(std::string_view bytes) {
    write(std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
}

void StringSink::write_raw(const uint8_t * data, size_t n) { out_.append(reinterpret_cast<const char *>(data), n); }

AtomicFileSink::AtomicFileSink(const std::filesystem::path & path) : path_(path) {
    std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    tmp_path_ = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
    fd_ = ::mkstemp(tmp_path_.data());
    if (fd_ < 0) throw IoError("cannot create a temporary file next to " + path.string() + ": " + std::strerror(errno));
    buffer_.reserve(kSinkBufferBytes);
}

AtomicFileSink::~AtomicFileSink() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(tmp_path_.c_str());
    }
}

void AtomicFileSink::fail(const std::string & what) {
    int err = errno;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(tmp_path_.c_str());
    throw IoError(what + " " + path_.string() + ": " + std::strerror(err));
}

void AtomicFileSink::write_all(const uint8_t * p, size_t left) {
    while (left > 0) {
        ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("writing");
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

void AtomicFileSink::flush() {
    write_all(buffer_.data(), buffer_.size());
    buffer_.clear();
}

void AtomicFileSink::write_raw(const uint8_t * data, size_t n) {
    if (fd_ < 0) throw std::logic_error("AtomicFileSink: write after commit or failure");
    if (buffer_.size() + n > kSinkBufferBytes) flush();
    if (n >= kSinkBufferBytes) {
        write_all(data, n);  // large tensors go straight to the file, no copy
        return;
    }
    buffer_.insert(buffer_.end(), data, data + n);
}

void AtomicFileSink::commit() {
    if (fd_ < 0) throw std::logic_error("AtomicFileSink: commit twice or after failure");
    flush();
    if (::fsync(fd_) != 0) fail("writing");
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
        int err = errno;
        ::unlink(tmp_path_.c_str());
        throw IoError("writing " + path_.string() + ": " + std::strerror(err));
    }
    ::chmod(tmp_path_.c_str(), 0644);
    if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp_path_.c_str());
        throw IoError("renaming into " + path_.string() + ": " + std::strerror(err));
    }
}

}  // namespace trmbench
