// Where trmbench keeps data, caches and results by default. Everything can be overridden.
//
//   data dir:  --data-dir, else $TRMBENCH_DATA, else $XDG_DATA_HOME/trmbench/data (~/.local/share/...)
//   cache dir: $TRMBENCH_CACHE, else $XDG_CACHE_HOME/trmbench (~/.cache/trmbench)
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace trmbench {

std::filesystem::path default_data_dir();
std::filesystem::path default_cache_dir();
// The data dir to use: `cli_value` when non-empty, else the default above.
std::filesystem::path resolve_data_dir(const std::string & cli_value);

// Environment variable, or nullopt when unset or empty.
std::optional<std::string> env(const char * name);

// Writes `content` to `path` atomically: a temporary file in the same directory, fsync, rename.
// The previous file stays intact if anything fails. Throws IoError naming the path.
void write_file_atomic(const std::filesystem::path & path, const std::string & content);
// Reads a whole file; throws IoError naming the path.
std::string read_file(const std::filesystem::path & path);

}  // namespace trmbench
