// SplitWriter and StagingDir (see split_writer.h).
#include "models/data/split_writer.h"

#include <cerrno>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <fcntl.h>
#include <unistd.h>

#include "harness/core/error.h"
#include "harness/core/sha256.h"

namespace fs = std::filesystem;

namespace trmbench {

namespace {

void fsync_path(const fs::path & p) {
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

SplitWriter::SplitWriter(const fs::path & root, const std::string & split, int seq_len, int64_t examples)
    : root_(root), split_(split), seq_len_(seq_len), expected_examples_(examples) {
    if (seq_len <= 0 || examples < 0) throw std::invalid_argument("SplitWriter: bad shape");
    if (examples >= std::numeric_limits<int32_t>::max())
        throw UsageError("split " + split + ": " + std::to_string(examples) +
                         " examples exceed the int32 offsets of the reference format");
    std::error_code ec;
    fs::create_directories(root / split, ec);
    if (ec) throw IoError("cannot create " + (root / split).string() + ": " + ec.message());
    const std::vector<uint64_t> shape{static_cast<uint64_t>(examples), static_cast<uint64_t>(seq_len)};
    inputs_ = std::make_unique<NpyWriter>(root / split / "all__inputs.npy", NpyDtype::u8, shape);
    labels_ = std::make_unique<NpyWriter>(root / split / "all__labels.npy", NpyDtype::u8, shape);
}

void SplitWriter::add_puzzle(std::span<const uint8_t> inputs, std::span<const uint8_t> labels, int32_t identifier) {
    const size_t L = static_cast<size_t>(seq_len_);
    if (inputs.empty() || inputs.size() % L != 0 || labels.size() != inputs.size())
        throw std::logic_error("SplitWriter::add_puzzle: token rows do not match seq_len");
    const int64_t rows = static_cast<int64_t>(inputs.size() / L);
    if (examples_ + rows > expected_examples_) throw std::logic_error("SplitWriter: more examples than announced");
    inputs_->append(inputs);
    labels_->append(labels);
    examples_ += rows;
    puzzle_indices_.push_back(static_cast<int32_t>(examples_));
    identifiers_.push_back(identifier);
}

void SplitWriter::end_group() {
    const int32_t puzzles = static_cast<int32_t>(identifiers_.size());
    if (puzzles == group_indices_.back()) throw std::logic_error("SplitWriter: empty group");
    group_indices_.push_back(puzzles);
}

SplitCounts SplitWriter::counts() const {
    return SplitCounts{examples_, static_cast<int64_t>(identifiers_.size()), static_cast<int64_t>(group_indices_.size()) - 1};
}

std::vector<StampFile> SplitWriter::finish(PuzzleDatasetMetadata meta) {
    if (examples_ != expected_examples_)
        throw std::logic_error("SplitWriter: " + split_ + " got " + std::to_string(examples_) + " of " +
                               std::to_string(expected_examples_) + " announced examples");
    if (static_cast<int64_t>(identifiers_.size()) != group_indices_.back())
        throw std::logic_error("SplitWriter: puzzles after the last end_group()");
    std::vector<StampFile> files;
    auto rel = [&](const std::string & name) { return split_ + "/" + name; };
    inputs_->close();
    labels_->close();
    files.push_back({rel("all__inputs.npy"), inputs_->bytes_written(), inputs_->sha256()});
    files.push_back({rel("all__labels.npy"), labels_->bytes_written(), labels_->sha256()});
    auto write_index = [&](const std::string & name, const std::vector<int32_t> & values) {
        NpyWriter w(root_ / split_ / name, NpyDtype::i32, {values.size()});
        w.append(std::span<const int32_t>(values));
        w.close();
        files.push_back({rel(name), w.bytes_written(), w.sha256()});
    };
    write_index("all__puzzle_identifiers.npy", identifiers_);
    write_index("all__puzzle_indices.npy", puzzle_indices_);
    write_index("all__group_indices.npy", group_indices_);

    const SplitCounts c = counts();
    meta.seq_len = seq_len_;
    meta.total_groups = c.groups;
    meta.total_puzzles = c.puzzles;
    meta.mean_puzzle_examples = c.puzzles > 0 ? static_cast<double>(c.examples) / static_cast<double>(c.puzzles) : 0.0;
    meta.sets = {"all"};
    files.push_back(write_text_file(root_, rel("dataset.json"), metadata_to_json(meta)));
    return files;
}

StampFile write_text_file(const fs::path & root, const std::string & relative, const std::string & content) {
    const fs::path path = root / relative;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw IoError("cannot create " + path.string() + ": " + std::strerror(errno));
    size_t done = 0;
    while (done < content.size()) {
        ssize_t w = ::write(fd, content.data() + done, content.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int err = errno;
            ::close(fd);
            throw IoError("cannot write " + path.string() + ": " + std::strerror(err));
        }
        done += static_cast<size_t>(w);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) throw IoError("cannot sync " + path.string() + ": " + std::strerror(errno));
    return StampFile{relative, content.size(), sha256_hex(content)};
}

// --- StagingDir ------------------------------------------------------------------------------

StagingDir::StagingDir(const fs::path & target) : target_(target) {
    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw IoError("cannot create " + parent.string() + ": " + ec.message());
    std::random_device rd;  // only names the temporary directory; never affects the data
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
        fs::path candidate = parent / ("." + target.filename().string() + ".tmp-" + suffix);
        if (fs::create_directory(candidate, ec)) {
            tmp_ = candidate;
            return;
        }
    }
    throw IoError("cannot create a temporary directory in " + parent.string() + ": " + ec.message());
}

StagingDir::~StagingDir() {
    if (committed_ || tmp_.empty()) return;
    std::error_code ec;
    fs::remove_all(tmp_, ec);
}

void StagingDir::commit(bool replace) {
    std::error_code ec;
    fs::path aside;
    if (fs::exists(target_, ec)) {
        if (!replace) throw IoError(target_.string() + " already exists");
        aside = tmp_.string() + ".old";
        fs::rename(target_, aside, ec);
        if (ec) throw IoError("cannot move " + target_.string() + " aside: " + ec.message());
    }
    fs::rename(tmp_, target_, ec);
    if (ec) {
        std::error_code ec2;
        if (!aside.empty()) fs::rename(aside, target_, ec2);  // put the old dataset back
        throw IoError("cannot rename " + tmp_.string() + " to " + target_.string() + ": " + ec.message());
    }
    committed_ = true;
    fsync_path(target_.has_parent_path() ? target_.parent_path() : fs::path("."));
    if (!aside.empty()) fs::remove_all(aside, ec);
}

}  // namespace trmbench
