// Streaming HTTP(S) downloads to disk for `trmbench data fetch`: resume, integrity, progress.
//
// A download writes `<dest>.part` and renames it to `dest` only after the whole file arrived and
// matched the expected size and SHA-256 (when given); a mismatch deletes the part file and throws
// InputError, so a bad file is never installed. An existing part file is resumed with an HTTP Range
// request guarded by If-Range (the validator the server sent first, kept in `<dest>.part.validator`):
// when the file changed upstream or the server ignores ranges, the download restarts from zero.
// Dropped connections and stalls are retried (resuming) up to `max_attempts`; an unreachable host
// fails at once with a connect timeout, never a hang. libcurl stays inside download.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "harness/core/error.h"

namespace trmbench {

struct DownloadRequest {
    std::string url;
    std::filesystem::path dest;
    int64_t expected_size = -1;     // -1: unknown
    std::string expected_sha256;    // "": unknown (the hash is still computed and returned)
    std::string label;              // progress line label (default: the file name)
    bool quiet = false;             // no progress output
    double connect_timeout_s = 15;
    double stall_timeout_s = 60;    // abort an attempt that receives nothing for this long
    int max_attempts = 4;           // attempts per call; each resumes where the last one stopped
    double retry_delay_s = 1;       // doubled after each failed attempt
};

struct DownloadResult {
    std::string sha256;
    int64_t size = 0;
    int64_t resumed_from = 0;       // bytes already on disk when the first request of this call went out
    int attempts = 0;               // HTTP requests made
    std::string final_url;          // after redirects
    std::string repo_commit;        // Hugging Face's X-Repo-Commit header, when sent
};

// Why a download failed, beyond the exit code of the exception (IoError 4, InputError 3).
enum class DownloadFailure {
    unreachable,  // DNS failure, connection refused, connect timeout: the host cannot be reached
    http_status,  // the server answered with an error status (404, 403, 5xx after retries)
    transfer,     // the connection broke or stalled and the retries ran out, or TLS failed
};

// Thrown for network failures (exit code 4) with the host and the curl or HTTP detail separately,
// so that the CLI can say "cannot reach huggingface.co: <detail>; ...".
struct DownloadError : IoError {
    DownloadError(const std::string & what, DownloadFailure kind, std::string host, std::string detail, long http_status);
    DownloadFailure kind;
    std::string host;
    std::string detail;
    long http_status = 0;
};

// Downloads one file (see the header comment). Throws DownloadError for network and HTTP failures,
// InputError when the file arrived but does not match expected_size/expected_sha256, IoError for
// local disk failures.
DownloadResult download_file(const DownloadRequest & request);

// The host of an http(s) URL ("huggingface.co"), or the URL itself when it cannot be parsed.
std::string url_host(const std::string & url);

}  // namespace trmbench
