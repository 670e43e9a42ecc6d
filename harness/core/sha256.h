// SHA-256 (FIPS 180-4), for dataset, subset, template and checkpoint hashes. Streaming and one-shot.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace trmbench {

class Sha256 {
public:
    Sha256();
    void update(const void * data, size_t n);
    void update(std::string_view s) { update(s.data(), s.size()); }
    std::array<uint8_t, 32> digest();  // finalises; the object must not be updated afterwards
    std::string hex_digest();

private:
    void block(const uint8_t * p);
    std::array<uint32_t, 8> h_;
    std::array<uint8_t, 64> buf_{};
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view data);
// Hash of a file's bytes; throws IoError naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path & path);

// Hash of a file, or of a directory tree (sorted relative paths and file bytes), so that a dataset
// has one identity however it is stored.
std::string sha256_tree(const std::filesystem::path & path);

}  // namespace trmbench
