// Installing datasets and checkpoints into the data directory (see download_fetch.h): staging,
// verification against pinned hashes, atomic per-file moves, and the manifest.
#include "adapters/download_fetch.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "adapters/targz.h"
#include "adapters/download.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/progress.h"
#include "harness/core/sha256.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace trmbench {
namespace {

constexpr const char * kManifestFormat = "trmbench-data-manifest/1";

struct FileRecord {
    std::string sha256;
    int64_t size = 0;
    std::string url;
};
using FileMap = std::map<std::string, FileRecord>;  // path relative to the data dir -> record

fs::path manifest_path(const fs::path & data_dir) { return data_dir / "MANIFEST.json"; }

json load_manifest(const fs::path & data_dir) {
    fs::path p = manifest_path(data_dir);
    std::error_code ec;
    if (!fs::exists(p, ec)) return json{{"format", kManifestFormat}, {"sources", json::object()}};
    json m;
    try {
        m = json::parse(read_file(p));
    } catch (const json::exception & e) {
        throw InputError(p.string() + ": not valid JSON (" + e.what() + "); delete it to re-fetch everything");
    }
    if (!m.is_object() || m.value("format", "") != kManifestFormat || !m.contains("sources") || !m["sources"].is_object())
        throw InputError(p.string() + ": field 'format' must be \"" + kManifestFormat + "\" with a 'sources' object");
    return m;
}

FileMap entry_files(const json & entry, const std::string & where) {
    FileMap files;
    try {
        for (const auto & [path, f] : entry.at("files").items())
            files[path] = {f.at("sha256").get<std::string>(), f.at("size").get<int64_t>(), f.value("url", "")};
    } catch (const json::exception & e) {
        throw InputError(where + ": malformed 'files' (" + e.what() + ")");
    }
    for (const auto & [path, f] : files)
        if (!is_safe_relative_path(path)) throw InputError(where + ": unsafe file path '" + path + "'");
    return files;
}

// MANIFEST.json and, derived from it, MANIFEST.sha256 (for `sha256sum -c` inside the data dir).
void save_manifest(const fs::path & data_dir, const json & m) {
    write_file_atomic(manifest_path(data_dir), m.dump(1) + "\n");
    std::map<std::string, std::string> lines;
    for (const auto & [name, entry] : m["sources"].items())
        for (const auto & [path, rec] : entry_files(entry, "MANIFEST.json: " + name)) lines[path] = rec.sha256;
    std::string out;
    for (const auto & [path, sha] : lines) out += sha + "  " + path + "\n";
    write_file_atomic(data_dir / "MANIFEST.sha256", out);
}

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// rethrow_with_context, keeping the exception type that the tests and callers distinguish.
[[noreturn]] void rethrow_typed(const std::string & context) {
    try {
        throw;
    } catch (const InputError & e) {
        throw InputError(context + ": " + e.what());
    } catch (const UsageError & e) {
        throw UsageError(context + ": " + e.what());
    } catch (const IoError & e) {
        throw IoError(context + ": " + e.what());
    } catch (...) {
        rethrow_with_context(context);
    }
}

bool is_url(const std::string & s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

// An exclusive lock on the data directory's fetch area, so that two fetches do not interleave.
class FetchLock {
public:
    explicit FetchLock(const fs::path & dir) {
        fs::path p = dir / "lock";
        fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw IoError(p.string() + ": cannot open lock file");
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            std::fprintf(stderr, "waiting for another `trmbench data fetch` in %s\n", dir.parent_path().c_str());
            if (::flock(fd_, LOCK_EX) != 0) throw IoError(p.string() + ": cannot lock");
        }
    }
    ~FetchLock() { ::close(fd_); }
    FetchLock(const FetchLock &) = delete;
    FetchLock & operator=(const FetchLock &) = delete;

private:
    int fd_ = -1;
};

// SHA-256 of a file, reported to `progress` as bytes go by.
std::string hash_file(const fs::path & p, Progress * progress) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw IoError(p.string() + ": cannot read");
    Sha256 h;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = in.gcount();
        h.update(buf.data(), static_cast<size_t>(n));
        if (progress) progress->add(n);
    }
    if (in.bad()) throw IoError(p.string() + ": read error");
    return h.hex_digest();
}

int64_t size_of(const fs::path & p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? -1 : static_cast<int64_t>(n);
}

// Whether every file of a manifest entry is on disk with its recorded size.
bool entry_is_installed(const json & entry, const fs::path & data_dir, const std::string & where) {
    FileMap files = entry_files(entry, where);
    if (files.empty()) return false;
    for (const auto & [path, rec] : files)
        if (size_of(data_dir / path) != rec.size) return false;
    return true;
}

class Fetcher {
public:
    Fetcher(const DataSource & s, const FetchOptions & o)
        : s_(s), o_(o), work_(o.data_dir / ".fetch" / s.name),
          revision_(s.kind == SourceKind::huggingface && !o.revision.empty() ? o.revision : s.revision) {}

    FetchReport run() {
        FetchReport report;
        report.name = s_.name;
        json manifest = load_manifest(o_.data_dir);
        json & sources = manifest["sources"];
        const json * old = sources.contains(s_.name) ? &sources[s_.name] : nullptr;
        if (!o_.force && old && up_to_date(*old)) {
            FileMap files = entry_files(*old, manifest_path(o_.data_dir).string() + ": " + s_.name);
            report.up_to_date = true;
            report.files = static_cast<int64_t>(files.size());
            for (const auto & [p, r] : files) report.bytes += r.size;
            report.content_sha256 = old->value("content_sha256", "");
            report.revision = old->value("revision", "");
            return report;
        }

        FileMap staged;
        fs::path staged_root;
        std::string via, source_url;
        if (o_.from.empty() || is_url(o_.from)) {
            std::string base = o_.from.empty() ? default_base_url(s_) : o_.from;
            via = base;
            try {
                if (s_.kind == SourceKind::github_archive) {
                    source_url = archive_url(s_, base);
                    staged_root = work_ / "staging";
                    staged = fetch_archive(source_url, staged_root);
                } else {
                    source_url = file_url(s_, s_.files.front(), base, revision_);
                    source_url = source_url.substr(0, source_url.rfind('/'));
                    staged_root = work_ / "files";
                    staged = fetch_files(base, staged_root);
                }
            } catch (const DownloadError & e) {
                if (e.kind != DownloadFailure::unreachable) rethrow_typed(s_.name);
                throw IoError(s_.name + ": cannot reach " + e.host + " (offline, or blocked by a firewall or proxy?): " +
                              e.detail + "; nothing was installed. Without network, copy the files into " +
                              where_files_go() + " or use --from DIR (a directory with the data-dir layout)");
            } catch (...) {
                rethrow_typed(s_.name);
            }
        } else {
            fs::path dir = o_.from;
            via = "dir:" + fs::absolute(dir).lexically_normal().string();
            source_url = via;
            std::error_code ec;
            if (!fs::is_directory(dir, ec))
                throw UsageError("--from " + o_.from + ": neither an http(s) URL nor a directory");
            if (fs::equivalent(dir, o_.data_dir, ec)) {
                staged_root = o_.data_dir;  // the files are already in place: adopt them
                staged = hash_in_place(dir, collect_local(dir));
            } else {
                staged_root = work_ / "staging";
                staged = copy_from_dir(dir, staged_root);
            }
        }

        std::vector<std::pair<std::string, std::string>> listing;
        for (const auto & [p, r] : staged) listing.emplace_back(p, r.sha256);
        std::string content = content_sha256(listing);
        if (!s_.content_sha256.empty() && content != s_.content_sha256) {
            if (staged_root != o_.data_dir) remove_all_quietly(staged_root);
            throw InputError(s_.name + ": content sha256 " + content + " (" + std::to_string(staged.size()) +
                             " files from " + via + ") differs from the pinned " + s_.content_sha256 + " for " +
                             s_.repo + "@" + s_.revision + "; nothing was installed");
        }

        install(staged, staged_root, old);
        json entry = {{"category", s_.category},
                      {"kind", s_.kind == SourceKind::github_archive ? "github-archive" : "huggingface"},
                      {"repo", s_.repo},
                      {"requested_revision", revision_},
                      {"revision", fetched_revision_.empty() ? revision_ : fetched_revision_},
                      {"source", source_url},
                      {"via", via},
                      {"fetched_at", utc_now()},
                      {"license", s_.license},
                      {"content_sha256", content},
                      {"files", json::object()}};
        for (const auto & [p, r] : staged) entry["files"][p] = {{"sha256", r.sha256}, {"size", r.size}, {"url", r.url}};
        sources[s_.name] = entry;
        save_manifest(o_.data_dir, manifest);
        remove_all_quietly(work_);

        report.files = static_cast<int64_t>(staged.size());
        for (const auto & [p, r] : staged) report.bytes += r.size;
        report.content_sha256 = content;
        report.revision = entry["revision"];
        report.unmanaged = unmanaged(staged);
        return report;
    }

private:
    bool up_to_date(const json & entry) const {
        if (entry.value("requested_revision", "") != revision_) return false;
        if (!s_.content_sha256.empty() && entry.value("content_sha256", "") != s_.content_sha256) return false;
        return entry_is_installed(entry, o_.data_dir, manifest_path(o_.data_dir).string() + ": " + s_.name);
    }

    std::string where_files_go() const {
        std::string out;
        for (const auto & d : s_.local_dirs) out += (out.empty() ? "" : ", ") + (o_.data_dir / d).string() + "/";
        return out;
    }

    DownloadRequest request(const std::string & url, const fs::path & dest, const std::string & label) const {
        DownloadRequest r;
        r.url = url;
        r.dest = dest;
        r.label = label;
        r.quiet = o_.quiet;
        r.connect_timeout_s = o_.connect_timeout_s;
        r.stall_timeout_s = o_.stall_timeout_s;
        r.max_attempts = o_.max_attempts;
        r.retry_delay_s = o_.retry_delay_s;
        return r;
    }

    FileMap fetch_archive(const std::string & url, const fs::path & staging) {
        fs::path archive = work_ / (s_.revision + ".tar.gz");
        std::error_code ec;
        if (!fs::exists(archive, ec)) download_file(request(url, archive, s_.name));
        fetched_revision_ = s_.revision;
        remove_all_quietly(staging);
        auto mapping = [this](const std::string & member) -> std::optional<fs::path> {
            auto local = map_archive_member(s_, member);
            return local ? std::optional<fs::path>(*local) : std::nullopt;
        };
        std::vector<ExtractedFile> extracted;
        try {
            extracted = extract_tar_gz(archive, staging, mapping, 1);
        } catch (const InputError &) {
            remove_all_quietly(archive.string());  // a bad archive must not be reused by the next run
            remove_all_quietly(staging);
            throw;
        }
        if (extracted.empty()) {
            remove_all_quietly(archive.string());
            throw InputError(url + ": the archive holds none of the expected files");
        }
        FileMap files;
        for (const auto & f : extracted) files[f.dest.generic_string()] = {f.sha256, f.size, url + "#" + f.member};
        return files;
    }

    FileMap fetch_files(const std::string & base, const fs::path & root) {
        FileMap files;
        for (const auto & f : s_.files) {
            std::string url = file_url(s_, f, base, revision_);
            fs::path dest = root / f.local;
            fs::path part = dest;
            part += ".part";
            std::error_code ec;
            if (fs::exists(dest, ec) && !fs::exists(part, ec)) {  // completed by an earlier, interrupted run
                files[f.local] = {hash_file(dest, nullptr), size_of(dest), url};
                continue;
            }
            DownloadResult r = download_file(request(url, dest, s_.name + " " + f.remote));
            if (!r.repo_commit.empty()) fetched_revision_ = r.repo_commit;
            files[f.local] = {r.sha256, r.size, url};
        }
        return files;
    }

    // The source's files under `dir` (a directory with the data-dir layout), relative paths.
    std::vector<std::string> collect_local(const fs::path & dir) const {
        std::vector<std::string> out;
        if (s_.kind == SourceKind::huggingface) {
            for (const auto & f : s_.files) {
                std::error_code ec;
                if (!fs::is_regular_file(dir / f.local, ec))
                    throw UsageError("--from " + dir.string() + ": " + (dir / f.local).string() +
                                     " not found (the directory must have the data-dir layout)");
                out.push_back(f.local);
            }
            return out;
        }
        std::set<std::string> tops;
        for (const auto & r : s_.rules) tops.insert(r.local_prefix.substr(0, r.local_prefix.find('/')));
        for (const auto & top : tops) {
            std::error_code ec;
            if (!fs::is_directory(dir / top, ec)) continue;
            for (auto it = fs::recursive_directory_iterator(dir / top, ec); !ec && it != fs::recursive_directory_iterator();
                 it.increment(ec)) {
                if (!it->is_regular_file(ec)) continue;
                std::string rel = it->path().lexically_relative(dir).generic_string();
                if (is_source_file(s_, rel)) out.push_back(rel);
            }
            if (ec) throw IoError((dir / top).string() + ": " + ec.message());
        }
        if (out.empty())
            throw UsageError("--from " + dir.string() + ": no files of " + s_.name + " (expected e.g. " +
                             (dir / s_.rules.front().local_prefix).string() + "...)");
        std::sort(out.begin(), out.end());
        return out;
    }

    FileMap hash_in_place(const fs::path & dir, const std::vector<std::string> & rels) const {
        FileMap files;
        for (const auto & rel : rels) files[rel] = {hash_file(dir / rel, nullptr), size_of(dir / rel), "file://" + (fs::absolute(dir) / rel).string()};
        return files;
    }

    FileMap copy_from_dir(const fs::path & dir, const fs::path & staging) const {
        std::vector<std::string> rels = collect_local(dir);
        remove_all_quietly(staging);
        int64_t total = 0;
        for (const auto & rel : rels) total += std::max<int64_t>(0, size_of(dir / rel));
        Progress progress(s_.name + " copy", total);
        progress.set_quiet(o_.quiet);
        FileMap files;
        for (const auto & rel : rels) {
            fs::path src = dir / rel, dst = staging / rel;
            std::error_code ec;
            fs::create_directories(dst.parent_path(), ec);
            if (ec) throw IoError(dst.parent_path().string() + ": cannot create directory: " + ec.message());
            bool linked = false;
            if (o_.link) {
                fs::create_hard_link(src, dst, ec);
                linked = !ec;
            }
            if (!linked) {
                fs::copy_file(src, dst, fs::copy_options::overwrite_existing, ec);
                if (ec) throw IoError(src.string() + ": cannot copy to " + dst.string() + ": " + ec.message());
                fs::permissions(dst, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add, ec);
            }
            files[rel] = {hash_file(dst, &progress), size_of(dst), "file://" + fs::absolute(src).lexically_normal().string()};
        }
        progress.finish();
        return files;
    }

    // Moves staged files into place; removes files an earlier version had that this one lacks.
    void install(const FileMap & staged, const fs::path & staged_root, const json * old) const {
        if (old) {
            for (const auto & [path, rec] : entry_files(*old, "MANIFEST.json: " + s_.name))
                if (!staged.count(path)) remove_all_quietly(o_.data_dir / path);
        }
        if (staged_root == o_.data_dir) return;
        for (const auto & [path, rec] : staged) {
            fs::path dst = o_.data_dir / path;
            std::error_code ec;
            fs::create_directories(dst.parent_path(), ec);
            if (!ec) fs::rename(staged_root / path, dst, ec);
            if (ec) throw IoError(dst.string() + ": cannot install: " + ec.message());
        }
    }

    // Files in the source's folders that the source did not install (left alone, reported).
    std::vector<std::string> unmanaged(const FileMap & installed) const {
        std::vector<std::string> out;
        for (const auto & d : s_.local_dirs) {
            std::error_code ec;
            if (!fs::is_directory(o_.data_dir / d, ec)) continue;
            for (auto it = fs::recursive_directory_iterator(o_.data_dir / d, ec); !ec && it != fs::recursive_directory_iterator();
                 it.increment(ec)) {
                if (!it->is_regular_file(ec)) continue;
                std::string rel = it->path().lexically_relative(o_.data_dir).generic_string();
                if (!installed.count(rel)) out.push_back(rel);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    static void remove_all_quietly(const fs::path & p) {
        std::error_code ec;
        fs::remove_all(p, ec);
    }

    const DataSource & s_;
    const FetchOptions & o_;
    fs::path work_;
    std::string revision_;
    std::string fetched_revision_;
};

}  // namespace

std::string content_sha256(const std::vector<std::pair<std::string, std::string>> & path_and_sha256) {
    auto sorted = path_and_sha256;
    std::sort(sorted.begin(), sorted.end());
    Sha256 h;
    for (const auto & [path, sha] : sorted) {
        h.update(sha);
        h.update("  ");
        h.update(path);
        h.update("\n");
    }
    return h.hex_digest();
}

FetchReport fetch_source(const DataSource & source, const FetchOptions & options) {
    std::error_code ec;
    fs::create_directories(options.data_dir / ".fetch", ec);
    if (ec) throw IoError(options.data_dir.string() + ": cannot create the data directory: " + ec.message());
    FetchLock lock(options.data_dir / ".fetch");
    return Fetcher(source, options).run();
}

std::vector<FetchVerifyReport> verify_sources(const fs::path & data_dir, const std::vector<std::string> & names, bool quiet) {
    json manifest = load_manifest(data_dir);
    const json & sources = manifest["sources"];
    std::vector<std::string> todo = names;
    if (todo.empty())
        for (const auto & [name, entry] : sources.items()) todo.push_back(name);
    std::vector<FetchVerifyReport> out;
    for (const auto & name : todo) {
        FetchVerifyReport r;
        r.name = name;
        if (!sources.contains(name)) {
            r.problems.push_back(name + ": not installed (no entry in " + manifest_path(data_dir).string() + ")");
            out.push_back(std::move(r));
            continue;
        }
        const json & entry = sources[name];
        FileMap files = entry_files(entry, manifest_path(data_dir).string() + ": " + name);
        int64_t total = 0;
        for (const auto & [p, rec] : files) total += rec.size;
        Progress progress(name + " verify", total);
        progress.set_quiet(quiet);
        std::vector<std::pair<std::string, std::string>> listing;
        for (const auto & [path, rec] : files) {
            fs::path p = data_dir / path;
            int64_t size = size_of(p);
            if (size < 0) {
                r.problems.push_back(path + ": missing");
                continue;
            }
            std::string sha = hash_file(p, &progress);
            listing.emplace_back(path, sha);
            if (size != rec.size || sha != rec.sha256)
                r.problems.push_back(path + ": sha256 " + sha + " (" + std::to_string(size) + " bytes), manifest says " +
                                     rec.sha256 + " (" + std::to_string(rec.size) + " bytes)");
            else
                ++r.files_ok;
        }
        progress.finish();
        const DataSource * s = find_data_source(name);
        if (r.problems.empty() && s && !s->content_sha256.empty() && content_sha256(listing) != s->content_sha256)
            r.problems.push_back(name + ": content sha256 differs from the pinned " + s->content_sha256);
        out.push_back(std::move(r));
    }
    return out;
}

std::string installed_date(const fs::path & data_dir, const std::string & name) {
    std::error_code ec;
    if (!fs::exists(manifest_path(data_dir), ec)) return "";
    json m = load_manifest(data_dir);
    if (!m["sources"].contains(name)) return "";
    return m["sources"][name].value("fetched_at", "");
}

}  // namespace trmbench
