#include "harness/core/paths.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "harness/core/error.h"

namespace fs = std::filesystem;

namespace trmbench {

std::optional<std::string> env(const char * name) {
    const char * v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
}

static fs::path home_dir() {
    if (auto h = env("HOME")) return *h;
    return fs::temp_directory_path();
}

fs::path default_data_dir() {
    if (auto d = env("TRMBENCH_DATA")) return *d;
    if (auto x = env("XDG_DATA_HOME")) return fs::path(*x) / "trmbench" / "data";
    return home_dir() / ".local" / "share" / "trmbench" / "data";
}

fs::path default_cache_dir() {
    if (auto d = env("TRMBENCH_CACHE")) return *d;
    if (auto x = env("XDG_CACHE_HOME")) return fs::path(*x) / "trmbench";
    return home_dir() / ".cache" / "trmbench";
}

fs::path resolve_data_dir(const std::string & cli_value) {
    return cli_value.empty() ? default_data_dir() : fs::path(cli_value);
}

void write_file_atomic(const fs::path & path, const std::string & content) {
    fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::string tmpl = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw IoError("cannot create a temporary file next to " + path.string() + ": " + std::strerror(errno));
    const char * p = content.data();
    size_t left = content.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            ::unlink(tmpl.c_str());
            throw IoError("writing " + path.string() + ": " + std::strerror(err));
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        throw IoError("writing " + path.string() + ": " + std::strerror(err));
    }
    ::chmod(tmpl.c_str(), 0644);
    if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        throw IoError("renaming into " + path.string() + ": " + std::strerror(err));
    }
}

std::string read_file(const fs::path & path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw IoError("read error in " + path.string());
    return ss.str();
}

}  // namespace trmbench
