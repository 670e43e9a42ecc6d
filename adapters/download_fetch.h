// `trmbench data fetch`: installs a known source (download_sources.h) into the data directory,
// verified, and records it in the data directory's manifest.
//
// Files are fetched into <data_dir>/.fetch/<name>/ (partial downloads stay there and resume on the
// next run), checked (sizes, SHA-256 per file, and the pinned content hash for fixed commits), and
// only then moved into place. The manifest <data_dir>/MANIFEST.json records per source the source
// URL, revision, date and, per file, SHA-256, size and URL; <data_dir>/MANIFEST.sha256 lists the
// same hashes for `sha256sum -c`. A source whose manifest entry matches the files on disk (present,
// recorded sizes) is not fetched again; verify_sources() re-hashes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/download_sources.h"

namespace trmbench {

struct FetchOptions {
    std::filesystem::path data_dir;
    // "" = the default base URL; "http(s)://..." = another base URL (mirror, test server); anything
    // else = a local directory with the data-dir layout to copy from.
    std::string from;
    bool force = false;            // fetch even when the manifest says the files are installed
    bool link = false;             // --from DIR: hard-link instead of copying where possible
    std::string revision;          // Hugging Face revision (default: the source's, "main")
    bool quiet = false;
    double connect_timeout_s = 15;
    double stall_timeout_s = 60;
    int max_attempts = 4;
    double retry_delay_s = 1;
};

struct FetchReport {
    std::string name;
    bool up_to_date = false;       // nothing was fetched
    int64_t files = 0;
    int64_t bytes = 0;
    std::string content_sha256;
    std::string revision;          // commit of an archive; Hugging Face: X-Repo-Commit when sent
    std::vector<std::string> unmanaged;  // other files found in the source's folders (not removed)
};

// Fetches one source. Throws IoError (exit 4) when the host cannot be reached, with a message that
// names the host, the curl error and the folder to copy the files into; InputError (exit 3) when
// what arrived is malformed or does not match its pinned hash (nothing is installed then).
FetchReport fetch_source(const DataSource & source, const FetchOptions & options);

struct FetchVerifyReport {
    std::string name;
    int64_t files_ok = 0;
    std::vector<std::string> problems;  // "arc-agi-1/LICENSE: sha256 ..., manifest says ..."
};

// Re-hashes the files of the named sources (all manifest entries when `names` is empty).
std::vector<FetchVerifyReport> verify_sources(const std::filesystem::path & data_dir, const std::vector<std::string> & names,
                                         bool quiet);

// When a source was installed, from the manifest: "" when it is not.
std::string installed_date(const std::filesystem::path & data_dir, const std::string & name);

// The hash that identifies a source's content: SHA-256 of its `sha256sum` listing ("<hash>  <path>\n"
// per file, paths relative to the data dir, sorted bytewise).
std::string content_sha256(const std::vector<std::pair<std::string, std::string>> & path_and_sha256);

}  // namespace trmbench
