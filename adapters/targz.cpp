// .tar.gz extraction for `trmbench data fetch` (see targz.h). zlib inflates the gzip stream
// (several concatenated members are allowed, as gzip(1) allows); the tar layer parses 512-byte
// headers with explicit bounds on every field and never trusts a size it has not checked.
#include "adapters/targz.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>

#include "harness/core/error.h"
#include "harness/core/sha256.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

constexpr size_t kBlock = 512;

struct FileCloser {
    void operator()(std::FILE * f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Inflates a gzip file on demand. read() returns fewer bytes than asked only at the clean end of
// the last member; a stream cut short or corrupt throws InputError.
class GzipReader {
public:
    explicit GzipReader(const fs::path & path) : path_(path), file_(std::fopen(path.c_str(), "rb")) {
        if (!file_) throw IoError(path.string() + ": cannot open archive");
        if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) throw IoError(path.string() + ": zlib initialisation failed");
    }
    ~GzipReader() { inflateEnd(&zs_); }
    GzipReader(const GzipReader &) = delete;
    GzipReader & operator=(const GzipReader &) = delete;

    size_t read(void * out, size_t n) {
        zs_.next_out = static_cast<Bytef *>(out);
        zs_.avail_out = static_cast<uInt>(n);
        while (zs_.avail_out > 0) {
            if (zs_.avail_in == 0) refill();
            if (member_done_) {
                if (zs_.avail_in == 0 && file_eof_) break;  // clean end of the last member
                if (inflateReset(&zs_) != Z_OK) fail("zlib reset failed");
                member_done_ = false;
            }
            int rc = inflate(&zs_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                member_done_ = true;
            } else if (rc == Z_BUF_ERROR) {
                if (zs_.avail_in == 0 && file_eof_) fail("truncated gzip stream (the download is incomplete)");
            } else if (rc != Z_OK) {
                fail(std::string("corrupt gzip stream: ") + (zs_.msg ? zs_.msg : "inflate error " + std::to_string(rc)));
            }
        }
        return n - zs_.avail_out;
    }

    // Reads to the end of the stream so that the gzip CRC and length trailer are checked.
    void drain(int64_t max_bytes) {
        std::array<char, 16384> sink;
        int64_t total = 0;
        while (size_t got = read(sink.data(), sink.size())) {
            total += static_cast<int64_t>(got);
            if (total > max_bytes) fail("more than " + std::to_string(max_bytes) + " bytes after the end-of-archive marker");
        }
    }

private:
    [[noreturn]] void fail(const std::string & what) const { throw InputError(path_.string() + ": " + what); }

    void refill() {
        if (file_eof_) return;
        size_t got = std::fread(in_.data(), 1, in_.size(), file_.get());
        if (std::ferror(file_.get())) throw IoError(path_.string() + ": read error");
        if (got < in_.size()) file_eof_ = true;
        zs_.next_in = in_.data();
        zs_.avail_in = static_cast<uInt>(got);
    }

    fs::path path_;
    FilePtr file_;
    z_stream zs_{};
    std::array<Bytef, 65536> in_{};
    bool file_eof_ = false;
    bool member_done_ = false;
};

// A NUL-terminated field of at most `n` bytes.
std::string field_string(const uint8_t * p, size_t n) {
    size_t len = 0;
    while (len < n && p[len] != 0) ++len;
    return std::string(reinterpret_cast<const char *>(p), len);
}

// Octal number (leading spaces, terminated by NUL/space/end) or GNU base-256 (high bit set).
std::optional<int64_t> field_number(const uint8_t * p, size_t n) {
    if (n > 0 && (p[0] & 0x80)) {
        if (p[0] != 0x80) return std::nullopt;  // negative or too large for us
        int64_t v = 0;
        for (size_t i = 1; i < n; ++i) {
            if (v > (INT64_MAX >> 8)) return std::nullopt;
            v = (v << 8) | p[i];
        }
        return v;
    }
    size_t i = 0;
    while (i < n && p[i] == ' ') ++i;
    int64_t v = 0;
    bool any = false;
    for (; i < n && p[i] != 0 && p[i] != ' '; ++i) {
        if (p[i] < '0' || p[i] > '7') return std::nullopt;
        if (v > (INT64_MAX >> 3)) return std::nullopt;
        v = v * 8 + (p[i] - '0');
        any = true;
    }
    for (; i < n; ++i)
        if (p[i] != 0 && p[i] != ' ') return std::nullopt;
    if (!any) return std::nullopt;
    return v;
}

bool checksum_ok(const std::array<uint8_t, kBlock> & h) {
    auto stored = field_number(h.data() + 148, 8);
    if (!stored) return false;
    int64_t sum = 0;
    for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == *stored;
}

// Pax extended header records: "<len> <key>=<value>\n". Returns path and size when present.
void parse_pax(std::string_view data, std::string & path, std::optional<int64_t> & size, const std::string & where) {
    while (!data.empty()) {
        size_t sp = data.find(' ');
        if (sp == std::string_view::npos || sp == 0 || sp > 20) throw InputError(where + ": malformed pax record");
        int64_t len = 0;
        for (char c : data.substr(0, sp)) {
            if (c < '0' || c > '9') throw InputError(where + ": malformed pax record length");
            len = len * 10 + (c - '0');
        }
        if (len <= static_cast<int64_t>(sp) + 1 || len > static_cast<int64_t>(data.size()) || data[len - 1] != '\n')
            throw InputError(where + ": pax record length out of range");
        std::string_view rec = data.substr(sp + 1, static_cast<size_t>(len) - sp - 2);
        data.remove_prefix(static_cast<size_t>(len));
        size_t eq = rec.find('=');
        if (eq == std::string_view::npos) throw InputError(where + ": pax record without '='");
        std::string_view key = rec.substr(0, eq), value = rec.substr(eq + 1);
        if (key == "path") {
            path = std::string(value);
        } else if (key == "size") {
            if (value.empty() || value.size() > 18) throw InputError(where + ": bad pax size");
            int64_t v = 0;
            for (char c : value) {
                if (c < '0' || c > '9') throw InputError(where + ": bad pax size");
                v = v * 10 + (c - '0');
            }
            size = v;
        }
    }
}

// Drops `n` leading components; nullopt when there are not more than n.
std::optional<std::string> strip_path(const std::string & p, int n) {
    size_t pos = 0;
    for (int i = 0; i < n; ++i) {
        size_t slash = p.find('/', pos);
        if (slash == std::string::npos) return std::nullopt;
        pos = slash + 1;
    }
    if (pos >= p.size()) return std::nullopt;
    return p.substr(pos);
}

class TarExtractor {
public:
    TarExtractor(const fs::path & archive, const fs::path & root, const ArchiveMapping & mapping, int strip,
                 const ArchiveLimits & limits)
        : archive_(archive), gz_(archive), root_(root), mapping_(mapping), strip_(strip), limits_(limits) {}

    std::vector<ExtractedFile> run() {
        std::array<uint8_t, kBlock> h;
        for (int64_t entry = 0;; ++entry) {
            if (entry >= limits_.max_entries) fail("more than " + std::to_string(limits_.max_entries) + " entries");
            size_t got = gz_.read(h.data(), kBlock);
            if (got == 0) fail("archive ends without the end-of-archive marker");
            if (got != kBlock) fail("archive ends inside a header");
            if (std::all_of(h.begin(), h.end(), [](uint8_t b) { return b == 0; })) break;
            header(h, entry);
        }
        gz_.drain(int64_t{1} << 24);
        return std::move(files_);
    }

private:
    [[noreturn]] void fail(const std::string & what) const { throw InputError(archive_.string() + ": " + what); }

    void header(const std::array<uint8_t, kBlock> & h, int64_t index) {
        std::string where = "entry " + std::to_string(index);
        if (!checksum_ok(h)) fail(where + ": bad header checksum (not a tar archive, or corrupt)");
        auto size = field_number(h.data() + 124, 12);
        if (!size) fail(where + ": bad size field");
        char type = static_cast<char>(h[156]);
        std::string path = field_string(h.data(), 100);
        if (std::memcmp(h.data() + 257, "ustar\0", 6) == 0) {
            std::string prefix = field_string(h.data() + 345, 155);
            if (!prefix.empty()) path = prefix + "/" + path;
        }
        switch (type) {  // metadata entries describe the next header
        case 'x': parse_pax(read_meta(*size, where), pending_path_, pending_size_, archive_.string() + ": " + where); return;
        case 'g': read_meta(*size, where); return;  // global header (GitHub: the commit id)
        case 'L': {
            std::string s = read_meta(*size, where);
            pending_path_ = field_string(reinterpret_cast<const uint8_t *>(s.data()), s.size());
            return;
        }
        case 'K': read_meta(*size, where); return;
        default: break;
        }
        if (!pending_path_.empty()) path = std::move(pending_path_), pending_path_.clear();
        if (pending_size_) size = pending_size_, pending_size_.reset();
        reserve(*size, where);
        std::string clean = path;
        while (!clean.empty() && clean.back() == '/') clean.pop_back();
        if (!is_safe_relative_path(clean)) fail(where + ": unsafe path '" + path + "' (absolute, '..' or empty component)");
        bool regular = type == '0' || type == '\0' || type == '7';
        if (regular && clean.size() != path.size()) fail(where + ": regular file with a directory name '" + path + "'");
        std::optional<fs::path> dest;
        if (regular)
            if (auto member = strip_path(clean, strip_)) dest = mapping_(*member);
        if (!dest) return skip(*size);
        std::string rel = dest->generic_string();
        if (!is_safe_relative_path(rel)) fail(where + ": mapped to an unsafe destination '" + rel + "'");
        if (!seen_.insert(rel).second) fail(where + ": duplicate file '" + path + "'");
        files_.push_back(write_file(*strip_path(clean, strip_), *dest, *size));
    }

    void reserve(int64_t size, const std::string & where) {
        if (size < 0 || size > limits_.max_total_bytes - total_)
            fail(where + ": entries exceed the limit of " + std::to_string(limits_.max_total_bytes) + " bytes");
        total_ += size;
    }

    std::string read_meta(int64_t size, const std::string & where) {
        if (size > limits_.max_meta_bytes) fail(where + ": extended header larger than " + std::to_string(limits_.max_meta_bytes) + " bytes");
        std::string data(static_cast<size_t>(size), '\0');
        read_exact(data.data(), data.size(), where);
        skip_padding(size);
        return data;
    }

    void read_exact(void * out, size_t n, const std::string & where) {
        if (gz_.read(out, n) != n) fail(where + ": archive ends inside the entry's data");
    }

    void skip(int64_t size) {
        std::array<char, 16384> buf;
        int64_t left = size;
        while (left > 0) {
            size_t n = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(buf.size())));
            read_exact(buf.data(), n, "skipping data");
            left -= static_cast<int64_t>(n);
        }
        skip_padding(size);
    }

    void skip_padding(int64_t size) {
        size_t pad = static_cast<size_t>((kBlock - static_cast<size_t>(size % kBlock)) % kBlock);
        std::array<char, kBlock> buf;
        if (pad) read_exact(buf.data(), pad, "padding");
    }

    ExtractedFile write_file(const std::string & member, const fs::path & dest, int64_t size) {
        fs::path out_path = root_ / dest;
        std::error_code ec;
        fs::create_directories(out_path.parent_path(), ec);
        if (ec) throw IoError(out_path.parent_path().string() + ": cannot create directory: " + ec.message());
        FilePtr out(std::fopen(out_path.c_str(), "wb"));
        if (!out) throw IoError(out_path.string() + ": cannot create file");
        Sha256 hash;
        std::array<char, 65536> buf;
        int64_t left = size;
        while (left > 0) {
            size_t n = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(buf.size())));
            read_exact(buf.data(), n, member);
            hash.update(buf.data(), n);
            if (std::fwrite(buf.data(), 1, n, out.get()) != n) throw IoError(out_path.string() + ": write failed (disk full?)");
            left -= static_cast<int64_t>(n);
        }
        if (std::fclose(out.release()) != 0) throw IoError(out_path.string() + ": write failed (disk full?)");
        skip_padding(size);
        return {member, dest, size, hash.hex_digest()};
    }

    fs::path archive_;
    GzipReader gz_;
    fs::path root_;
    const ArchiveMapping & mapping_;
    int strip_;
    ArchiveLimits limits_;
    int64_t total_ = 0;
    std::string pending_path_;
    std::optional<int64_t> pending_size_;
    std::set<std::string> seen_;
    std::vector<ExtractedFile> files_;
};

}  // namespace

bool is_safe_relative_path(const std::string & p) {
    if (p.empty() || p.front() == '/' || p.find('\\') != std::string::npos || p.find('\0') != std::string::npos)
        return false;
    size_t start = 0;
    while (start <= p.size()) {
        size_t end = p.find('/', start);
        if (end == std::string::npos) end = p.size();
        std::string_view part(p.data() + start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

std::vector<ExtractedFile> extract_tar_gz(const fs::path & archive, const fs::path & dest_root, const ArchiveMapping & mapping,
                                          int strip_components, const ArchiveLimits & limits) {
    return TarExtractor(archive, dest_root, mapping, strip_components, limits).run();
}

}  // namespace trmbench
