// The datasets and checkpoints `trmbench data fetch` knows: where each comes from (a GitHub source
// archive at a pinned commit, or files of a Hugging Face repository), how its files map into the
// data directory, its license and approximate size, and, for pinned commits, the SHA-256 of the
// installed content (see content_sha256() in download_fetch.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trmbench {

enum class SourceKind { github_archive, huggingface };

// Archive members under `member_prefix` whose name ends in `suffix` go to `local_prefix` + the rest
// of their path (sub-folders only when `recursive`). A prefix that does not end in '/' names one
// file exactly.
struct ArchiveRule {
    std::string member_prefix;
    std::string local_prefix;
    std::string suffix;
    bool recursive = false;
};

// One file of a Hugging Face repository and where it goes, relative to the data directory.
struct RemoteFile {
    std::string remote;
    std::string local;
};

struct DataSource {
    std::string name;          // what the user types: "arc-agi-1"
    std::string category;      // "dataset" or "checkpoint"
    std::string description;
    SourceKind kind = SourceKind::github_archive;
    std::string repo;          // "fchollet/ARC-AGI", "sapientinc/sudoku-extreme"
    std::string revision;      // pinned commit (archives) or default revision (Hugging Face: "main")
    bool hf_dataset = false;   // a Hugging Face dataset repo (URL has "datasets/")
    std::vector<ArchiveRule> rules;   // github_archive
    std::vector<RemoteFile> files;    // huggingface
    std::string license;
    int64_t approx_bytes = 0;  // installed size, approximate
    std::string content_sha256;  // pinned hash of the installed files ("" = not fixed: Hugging Face "main")
    std::vector<std::string> local_dirs;  // folders (relative to the data dir) this source fills
};

// All known sources, datasets first.
const std::vector<DataSource> & data_sources();
const DataSource * find_data_source(std::string_view name);

// Names and group names ("arc", "datasets", "checkpoints", "all") to sources, in the order of
// data_sources(), without duplicates. Throws UsageError listing the known names for an unknown one.
std::vector<const DataSource *> resolve_source_names(const std::vector<std::string> & names);

// The default base URL of a source: https://github.com, or https://huggingface.co ($HF_ENDPOINT
// overrides it, as for the huggingface_hub library).
std::string default_base_url(const DataSource & s);
// The URL of the archive (github_archive) or of one file (huggingface) under `base_url`.
std::string archive_url(const DataSource & s, const std::string & base_url);
std::string file_url(const DataSource & s, const RemoteFile & f, const std::string & base_url, const std::string & revision);

// Where an archive member goes (relative to the data dir), or nullopt when no rule selects it.
std::optional<std::string> map_archive_member(const DataSource & s, const std::string & member);
// Whether a file at `local` (relative to the data dir) belongs to the source: the inverse of the
// mapping, used to take a source's files from a directory with the data-dir layout (--from DIR).
bool is_source_file(const DataSource & s, const std::string & local);

// "3.8 MB", "2.5 GB".
std::string format_bytes(int64_t bytes);

}  // namespace trmbench
