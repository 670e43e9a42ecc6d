// The identity of a built training dataset and the manifest that records it in the cache.
//
// A DatasetStamp says what a dataset was built from: the builder ("sudoku", "maze", "arc") and its
// version, the build parameters as canonical JSON (sorted keys; seeds, counts, task-library
// versions — never paths, threads or output options) and the SHA-256 of every input dataset.
//   param_hash = sha256(builder, builder version, parameters)
//   key        = sha256(param_hash, each input's role and content hash)
// Equal keys mean equal bytes: the builders are deterministic for any thread count.
//
// The manifest (`trmbench_dataset.json` at the top of a dataset directory) holds the stamp, the
// on-disk format version, the size and SHA-256 of every file, and summary counts. Opening a dataset
// checks the format version, the builder version against this build of trmbench, and — when the
// caller says what it expects — the key; any mismatch is an InputError that starts with "dataset
// cache from another version" or "dataset cache with other parameters", never silent reuse.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace trmbench {

// Version of the directory layout and manifest. Bump on any change of what a reader must expect.
inline constexpr int kDatasetFormatVersion = 1;
inline constexpr const char * kManifestFileName = "trmbench_dataset.json";

struct StampInput {
    std::string role;    // "train", "test", "subset:training", ...
    std::string name;    // dataset name or path, for people (not part of the key)
    std::string sha256;  // sha256_tree of the file or directory
};

struct DatasetStamp {
    std::string builder;       // "sudoku" | "maze" | "arc"
    int builder_version = 0;   // the builder's version in this trmbench
    std::string label;         // short name for directories and logs: "sudoku", "maze", "arc1", ...
    std::string params_json;   // canonical JSON object of the parameters
    std::vector<StampInput> inputs;

    std::string param_hash() const;
    std::string key() const;
};

struct StampFile {
    std::string path;  // relative to the dataset directory, '/' separated
    uint64_t bytes = 0;
    std::string sha256;
};

struct SplitCounts {
    int64_t examples = 0;
    int64_t puzzles = 0;
    int64_t groups = 0;
};

struct DatasetManifest {
    int format_version = kDatasetFormatVersion;
    DatasetStamp stamp;
    std::string created_by;  // "trmbench <version> (git <sha>)"
    SplitCounts train;
    SplitCounts test;
    int64_t num_puzzle_identifiers = 0;
    std::vector<std::pair<std::string, std::string>> notes;  // builder remarks, e.g. ARC tasks short of variants
    std::vector<StampFile> files;

    uint64_t total_bytes() const;
};

std::string manifest_to_json(const DatasetManifest & m);
// Throws InputError naming `name` and the key for malformed manifests.
DatasetManifest manifest_from_json(std::string_view text, const std::string & name);
DatasetManifest read_manifest(const std::filesystem::path & dataset_dir);

// The builder version this trmbench writes, or -1 for an unknown builder.
int current_builder_version(const std::string & builder);

// Throws InputError "dataset cache from another version: ..." when the manifest's format or builder
// version is not this trmbench's.
void check_manifest_version(const DatasetManifest & m, const std::filesystem::path & dir);
// The version check, then (when `expected` is non-null) "dataset cache with other parameters: ..."
// unless the keys are equal; the message names the differing parameters or inputs.
void check_manifest(const DatasetManifest & m, const DatasetStamp * expected, const std::filesystem::path & dir);

// Re-hashes every file listed in the manifest; returns one line per problem (empty when all match).
std::vector<std::string> verify_files(const DatasetManifest & m, const std::filesystem::path & dir);

}  // namespace trmbench
