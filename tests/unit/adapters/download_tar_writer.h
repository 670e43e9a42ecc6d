// Builds .tar.gz byte strings for the archive and fetch tests: ustar headers (optionally with a pax
// "path" record or a GNU long name), and gzip through zlib. Lets tests craft archives that real
// tools refuse to write (entries named "../../x", bad checksums).
#pragma once

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace trmbench::test {

struct TarMember {
    std::string path;
    std::string data;
    char type = '0';
    enum class Name { header, pax, gnu_long } name = Name::header;
};

inline std::string tar_header(const std::string & name, size_t size, char type) {
    std::string h(512, '\0');
    std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 100));
    std::snprintf(h.data() + 100, 8, "%07o", 0644);
    std::snprintf(h.data() + 108, 8, "%07o", 0);
    std::snprintf(h.data() + 116, 8, "%07o", 0);
    std::snprintf(h.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
    std::snprintf(h.data() + 136, 12, "%011o", 0);
    h[156] = type;
    std::memcpy(h.data() + 257, "ustar\0" "00", 8);
    std::memset(h.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h.data() + 148, 8, "%06o", sum);
    return h;
}

inline void tar_append(std::string & out, const std::string & name, const std::string & data, char type) {
    out += tar_header(name, data.size(), type);
    out += data;
    out.append((512 - data.size() % 512) % 512, '\0');
}

inline std::string make_tar(const std::vector<TarMember> & members) {
    std::string out;
    for (const auto & m : members) {
        if (m.name == TarMember::Name::pax) {
            std::string rec = " path=" + m.path + "\n";
            size_t len = rec.size() + 1;
            while (std::to_string(len).size() + rec.size() != len) ++len;
            tar_append(out, "PaxHeaders/x", std::to_string(len) + rec, 'x');
            tar_append(out, "short-name-replaced-by-pax", m.data, m.type);
        } else if (m.name == TarMember::Name::gnu_long) {
            tar_append(out, "././@LongLink", m.path + std::string(1, '\0'), 'L');
            tar_append(out, m.path.substr(0, 99), m.data, m.type);
        } else {
            tar_append(out, m.path, m.data, m.type);
        }
    }
    out.append(1024, '\0');
    return out;
}

inline std::string gzip(const std::string & data) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
    std::string out(deflateBound(&zs, data.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
    return out;
}

inline std::string make_tar_gz(const std::vector<TarMember> & members) { return gzip(make_tar(members)); }

}  // namespace trmbench::test
