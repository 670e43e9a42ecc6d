// A small, bounds-checked reader for .tar.gz archives (GitHub's source archives), for
// `trmbench data fetch`. Only what those archives use: gzip (zlib), ustar headers with the prefix
// field, pax extended headers (path, size) and GNU long names. Regular files are extracted;
// directories, links and devices are never created. Anything malformed is an InputError naming the
// archive and the entry: a bad header checksum, a truncated or corrupt gzip stream, an entry whose
// path is absolute or contains "..", a duplicate file, or more data than the limits allow.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace trmbench {

struct ArchiveLimits {
    int64_t max_total_bytes = int64_t{8} << 30;  // sum of extracted file sizes
    int64_t max_entries = 1'000'000;             // headers of any kind
    int64_t max_meta_bytes = 1 << 20;            // one pax header or GNU long name
};

struct ExtractedFile {
    std::string member;               // path inside the archive (after strip_components)
    std::filesystem::path dest;       // relative destination path returned by the mapping
    int64_t size = 0;
    std::string sha256;
};

// Maps an archive member path (after stripping) to a relative destination path, or nullopt to skip.
using ArchiveMapping = std::function<std::optional<std::filesystem::path>(const std::string & member)>;

// Extracts the regular files of a .tar.gz that `mapping` selects into `dest_root` (created as
// needed), hashing each file as it is written. `strip_components` leading path components are
// dropped first (GitHub archives have one top-level folder); members with fewer are skipped.
// Every member path is checked, selected or not. Throws InputError on a malformed archive and
// IoError when a file cannot be written; files written before the error stay in dest_root.
std::vector<ExtractedFile> extract_tar_gz(const std::filesystem::path & archive,
                                          const std::filesystem::path & dest_root, const ArchiveMapping & mapping,
                                          int strip_components = 1, const ArchiveLimits & limits = {});

// True when `p` is a relative path with no empty, "." or ".." component, no backslash and no NUL:
// safe to join below a root directory.
bool is_safe_relative_path(const std::string & p);

}  // namespace trmbench
