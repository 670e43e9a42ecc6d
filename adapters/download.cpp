// Resumable, verified file downloads over libcurl (see download.h). One easy handle per attempt,
// owned by RAII wrappers; the body streams into `<dest>.part` and into a running SHA-256, so a
// multi-gigabyte checkpoint is read once.
#include "adapters/download.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/core/paths.h"
#include "harness/core/progress.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"
#include "harness/core/version.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
    void operator()(CURL * h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist * l) const { curl_slist_free_all(l); }
};
struct FileCloser {
    void operator()(std::FILE * f) const { std::fclose(f); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

int64_t file_size_or_zero(const fs::path & p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? 0 : static_cast<int64_t>(n);
}

// What we remember about a part file: the server's validator (ETag or Last-Modified) and the full
// size it announced, so that a resume can be checked against both.
struct PartInfo {
    std::string validator;
    int64_t total = -1;
};

std::optional<PartInfo> read_part_info(const fs::path & p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    PartInfo info;
    std::string total;
    if (!std::getline(in, info.validator) || !std::getline(in, total)) return std::nullopt;
    try {
        info.total = std::stoll(total);
    } catch (const std::exception &) {
        return std::nullopt;
    }
    return info;
}

void remove_quietly(const fs::path & p) {
    std::error_code ec;
    fs::remove(p, ec);
}

// State of one HTTP request, shared with the curl callbacks.
struct Attempt {
    std::FILE * out = nullptr;
    Sha256 * hash = nullptr;
    int64_t offset = 0;           // bytes already in the part file when the request went out
    int64_t written = 0;          // bytes written by this request
    long status = 0;              // status of the last response header block (after redirects)
    int64_t content_length = -1;
    int64_t range_start = -1, range_total = -1;  // from Content-Range
    std::string etag, last_modified, repo_commit;
    bool body_started = false;
    bool restarted = false;       // the server ignored the range: the part file was truncated
    std::string error_body;       // first bytes of an error response
    std::string abort_reason;     // set when a callback stops the transfer
    bool abort_is_local = false;  // the abort is a local disk problem (IoError), not the server's
    fs::path part;
    std::function<void(const Attempt &)> on_start;  // first body byte of a 200/206 response
    std::function<void(int64_t)> on_progress;
};

std::string lower_ascii(std::string_view s) { return to_lower(s); }

size_t on_header(char * data, size_t size, size_t n, void * user) {
    auto & a = *static_cast<Attempt *>(user);
    std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (redirects send several)
        a.content_length = a.range_start = a.range_total = -1;
        a.etag.clear(), a.last_modified.clear();
        size_t sp = line.find(' ');
        a.status = sp == std::string_view::npos ? 0 : std::strtol(std::string(line.substr(sp + 1, 3)).c_str(), nullptr, 10);
        return size * n;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return size * n;
    std::string key = lower_ascii(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    if (key == "content-length") {
        a.content_length = std::strtoll(value.c_str(), nullptr, 10);
    } else if (key == "content-range") {  // "bytes START-END/TOTAL"
        long long start = -1, end = -1, total = -1;
        if (std::sscanf(value.c_str(), "bytes %lld-%lld/%lld", &start, &end, &total) >= 2) {
            a.range_start = start;
            a.range_total = total;
        }
    } else if (key == "etag") {
        a.etag = value;
    } else if (key == "last-modified") {
        a.last_modified = value;
    } else if (key == "x-repo-commit") {
        a.repo_commit = value.substr(0, 64);
    }
    return size * n;
}

// Decides, at the first body byte, what the response means for the part file.
bool start_body(Attempt & a) {
    a.body_started = true;
    if (a.status >= 300) return true;  // error body: captured, not written
    if (a.status == 206) {
        if (a.range_start != a.offset) {
            a.abort_reason = "server resumed at byte " + std::to_string(a.range_start) + ", expected " + std::to_string(a.offset);
            return false;
        }
    } else if (a.offset > 0) {  // 200: the server ignored the range or the file changed (If-Range)
        if (std::fflush(a.out) != 0 || ::ftruncate(fileno(a.out), 0) != 0 || std::fseek(a.out, 0, SEEK_SET) != 0) {
            a.abort_reason = a.part.string() + ": cannot truncate";
            a.abort_is_local = true;
            return false;
        }
        *a.hash = Sha256();
        a.offset = 0;
        a.restarted = true;
    }
    int64_t needed = a.content_length > 0 ? a.content_length : 0;
    std::error_code ec;
    auto space = fs::space(a.part.parent_path(), ec);
    if (!ec && needed > 0 && static_cast<int64_t>(space.available) < needed) {
        a.abort_reason = a.part.parent_path().string() + ": needs " + std::to_string(needed) + " bytes, " +
                         std::to_string(space.available) + " free";
        a.abort_is_local = true;
        return false;
    }
    if (a.on_start) a.on_start(a);
    return true;
}

size_t on_body(char * data, size_t size, size_t n, void * user) {
    auto & a = *static_cast<Attempt *>(user);
    size_t bytes = size * n;
    if (!a.body_started && !start_body(a)) return 0;
    if (a.status >= 300) {
        if (a.error_body.size() < 2048) a.error_body.append(data, std::min(bytes, 2048 - a.error_body.size()));
        return bytes;
    }
    if (std::fwrite(data, 1, bytes, a.out) != bytes) {
        a.abort_reason = a.part.string() + ": write failed (disk full?)";
        a.abort_is_local = true;
        return 0;
    }
    a.hash->update(data, bytes);
    a.written += static_cast<int64_t>(bytes);
    if (a.on_progress) a.on_progress(a.offset + a.written);
    return bytes;
}

// A short printable excerpt of an error body (HTML pages and JSON errors alike).
std::string body_excerpt(const std::string & body) {
    std::string out;
    for (char c : body) {
        if (out.size() >= 200) break;
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : (static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    }
    out = std::string(trim(out));
    return out.empty() ? "" : ": " + out;
}

bool is_unreachable(CURLcode rc, CURL * h) {
    if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_PROXY) return true;
    if (rc == CURLE_OPERATION_TIMEDOUT) {  // a connect timeout, not a stalled transfer
        curl_off_t connect_us = 0;
        curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
        return connect_us == 0;
    }
    return false;
}

bool is_transient(CURLcode rc) {
    switch (rc) {
    case CURLE_PARTIAL_FILE: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING: case CURLE_HTTP2: case CURLE_HTTP2_STREAM: case CURLE_HTTP3:
        return true;
    default:
        return false;
    }
}

bool is_transient_status(long status) { return status == 408 || status == 429 || status >= 500; }

class Downloader {
public:
    explicit Downloader(const DownloadRequest & r) : r_(r), host_(url_host(r.url)) {
        part_ = r.dest;
        part_ += ".part";
        info_ = r.dest;
        info_ += ".part.validator";
    }

    DownloadResult run() {
        init_curl_once();
        std::error_code ec;
        fs::create_directories(r_.dest.parent_path(), ec);
        if (ec) throw IoError(r_.dest.parent_path().string() + ": cannot create directory: " + ec.message());
        prepare_part();
        result_.resumed_from = offset_;
        double delay = r_.retry_delay_s;
        try {
            for (int attempt = 1;; ++attempt) {
                if (r_.expected_size >= 0 && offset_ == r_.expected_size) break;  // already complete
                result_.attempts = attempt;
                auto outcome = request();
                if (outcome == Outcome::complete) break;
                if (attempt >= std::max(1, r_.max_attempts)) throw last_error_.value();
                if (delay > 0) std::this_thread::sleep_for(std::chrono::duration<double>(std::min(delay, 30.0)));
                delay *= 2;
            }
        } catch (...) {
            if (offset_ == 0) restart_from_zero();  // nothing worth resuming: leave no empty part file
            throw;
        }
        if (progress_) progress_->finish();
        return verify_and_install();
    }

private:
    enum class Outcome { complete, retry };

    // Keeps a part file only when we know what it is part of; hashes what it already holds.
    void prepare_part() {
        offset_ = file_size_or_zero(part_);
        auto info = read_part_info(info_);
        bool usable = offset_ > 0 && info && (info->total < 0 || offset_ <= info->total) &&
                      (r_.expected_size < 0 || offset_ <= r_.expected_size);
        if (!usable) {
            remove_quietly(part_);
            remove_quietly(info_);
            offset_ = 0;
            return;
        }
        validator_ = info->validator;
        total_ = info->total;
        std::ifstream in(part_, std::ios::binary);
        std::vector<char> buf(1 << 20);
        int64_t left = offset_;
        while (left > 0 && in) {
            in.read(buf.data(), static_cast<std::streamsize>(std::min<int64_t>(left, static_cast<int64_t>(buf.size()))));
            hash_.update(buf.data(), static_cast<size_t>(in.gcount()));
            left -= in.gcount();
        }
        if (left != 0) throw IoError(part_.string() + ": cannot read the partial download");
    }

    Outcome request() {
        EasyPtr easy(curl_easy_init());
        if (!easy) throw IoError("libcurl initialisation failed");
        CURL * h = easy.get();
        FilePtr out(std::fopen(part_.c_str(), offset_ > 0 ? "ab" : "wb"));
        if (!out) throw IoError(part_.string() + ": cannot open for writing");

        Attempt a;
        a.out = out.get();
        a.hash = &hash_;
        a.offset = offset_;
        a.part = part_;
        a.on_start = [this](const Attempt & att) { remember_part(att); };
        a.on_progress = [this](int64_t done) { progress(done); };
        std::string range = std::to_string(offset_) + "-";
        SlistPtr headers;
        auto add_header = [&headers](const std::string & hdr) {
            curl_slist * l = curl_slist_append(headers.get(), hdr.c_str());
            if (!l) throw IoError("libcurl: out of memory");
            (void)headers.release();
            headers.reset(l);
        };
        if (offset_ > 0) {
            curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
            if (!validator_.empty()) add_header("If-Range: " + validator_);
        }
        if (auto token = env("HF_TOKEN"); token && (host_ == "huggingface.co" || host_.ends_with(".huggingface.co")))
            add_header("Authorization: Bearer " + *token);  // curl drops it on redirects to other hosts

        std::string agent = "trmbench/" + harness_version();
        curl_easy_setopt(h, CURLOPT_URL, r_.url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, agent.c_str());
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r_.connect_timeout_s * 1000));
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(r_.stall_timeout_s)));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
        char errbuf[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

        CURLcode rc = curl_easy_perform(h);
        if (std::fclose(out.release()) != 0) throw IoError(part_.string() + ": write failed (disk full?)");
        offset_ = a.offset + a.written;
        if (char * eff = nullptr; curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff) result_.final_url = eff;
        if (!a.repo_commit.empty()) result_.repo_commit = a.repo_commit;

        std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        if (!a.abort_reason.empty()) {
            if (a.abort_is_local) throw IoError(a.abort_reason);
            restart_from_zero();  // the server's range did not line up: start over
            return fail(DownloadFailure::transfer, a.status, a.abort_reason);
        }
        if (rc != CURLE_OK && is_unreachable(rc, h))
            throw DownloadError("cannot reach " + host_ + ": " + detail, DownloadFailure::unreachable, host_, detail, 0);
        if (rc != CURLE_OK) {
            if (!is_transient(rc))
                throw DownloadError(r_.url + ": " + detail, DownloadFailure::transfer, host_, detail, a.status);
            return fail(DownloadFailure::transfer, a.status, detail + " after " + std::to_string(offset_) + " bytes");
        }
        if (a.status == 416 && offset_ > 0) {  // nothing left to send: complete, or a stale part file
            if (total_ >= 0 && offset_ == total_) return Outcome::complete;
            restart_from_zero();
            return fail(DownloadFailure::http_status, a.status, "range not satisfiable; restarting");
        }
        if (a.status != 200 && a.status != 206) {
            std::string what = "HTTP " + std::to_string(a.status) + " from " + r_.url + body_excerpt(a.error_body);
            if (!is_transient_status(a.status))
                throw DownloadError(what, DownloadFailure::http_status, host_, "HTTP " + std::to_string(a.status), a.status);
            return fail(DownloadFailure::http_status, a.status, what);
        }
        return Outcome::complete;
    }

    Outcome fail(DownloadFailure kind, long status, const std::string & detail) {
        last_error_ = DownloadError(r_.url + ": " + detail, kind, host_, detail, status);
        return Outcome::retry;
    }

    // Records the validator and full size of a 200/206 response before its body is written, so that
    // an interrupted run (Ctrl-C, crash) can resume too.
    void remember_part(const Attempt & a) {
        std::string validator = !a.etag.empty() && a.etag.rfind("W/", 0) != 0 ? a.etag : a.last_modified;
        int64_t total = a.status == 206 ? a.range_total : a.content_length;
        if (a.status == 206 && !validator_.empty() && validator.empty()) validator = validator_;
        validator_ = validator;
        total_ = total;
        write_file_atomic(info_, validator + "\n" + std::to_string(total) + "\n");
    }

    void restart_from_zero() {
        remove_quietly(part_);
        remove_quietly(info_);
        offset_ = 0;
        total_ = -1;
        validator_.clear();
        hash_ = Sha256();
    }

    void progress(int64_t done) {
        if (!progress_) {
            int64_t total = r_.expected_size >= 0 ? r_.expected_size : total_;
            progress_ = std::make_unique<Progress>(r_.label.empty() ? r_.dest.filename().string() : r_.label, total);
            progress_->set_quiet(r_.quiet);
        }
        progress_->update(done);
    }

    DownloadResult verify_and_install() {
        std::string sha = hash_.hex_digest();
        std::string problem;
        if (r_.expected_size >= 0 && offset_ != r_.expected_size)
            problem = "size " + std::to_string(offset_) + " bytes, expected " + std::to_string(r_.expected_size);
        else if (total_ >= 0 && offset_ != total_)
            problem = "size " + std::to_string(offset_) + " bytes, the server announced " + std::to_string(total_);
        else if (!r_.expected_sha256.empty() && sha != r_.expected_sha256)
            problem = "sha256 " + sha + ", expected " + r_.expected_sha256;
        if (!problem.empty()) {
            remove_quietly(part_);
            remove_quietly(info_);
            throw InputError(r_.url + ": downloaded file has " + problem + "; it was discarded, not installed");
        }
        std::error_code ec;
        fs::rename(part_, r_.dest, ec);
        if (ec) throw IoError(r_.dest.string() + ": cannot install the download: " + ec.message());
        remove_quietly(info_);
        result_.sha256 = sha;
        result_.size = offset_;
        return result_;
    }

    const DownloadRequest & r_;
    std::string host_;
    fs::path part_, info_;
    int64_t offset_ = 0;
    int64_t total_ = -1;
    std::string validator_;
    Sha256 hash_;
    DownloadResult result_;
    std::optional<DownloadError> last_error_;
    std::unique_ptr<Progress> progress_;
};

}  // namespace

DownloadError::DownloadError(const std::string & what, DownloadFailure k, std::string h, std::string d, long status)
    : IoError(what), kind(k), host(std::move(h)), detail(std::move(d)), http_status(status) {}

std::string url_host(const std::string & url) {
    size_t scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    size_t start = scheme + 3;
    size_t end = url.find_first_of("/?#", start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
    return authority.empty() ? url : authority;
}

DownloadResult download_file(const DownloadRequest & request) { return Downloader(request).run(); }

}  // namespace trmbench
