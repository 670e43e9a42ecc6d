// BatchSource over the models/data training datasets (see dataset_source.h).
#include "models/train/dataset_source.h"

#include "harness/core/error.h"

#include <algorithm>
#include <fstream>

#include "harness/core/paths.h"

#include "harness/core/sha256.h"
#include "harness/core/task.h"
#include "models/data/batch_sampler.h"
#include "models/data/train_data.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {

namespace {

// The splits, owned jointly by the source and every stream made from it.
struct OpenSplits {
    std::string name;
    std::string key;
    PuzzleSplit train;
    std::optional<PuzzleSplit> test;
};

void to_host(Batch & b, int64_t seq_len, HostBatch & out) {
    out.rows = b.rows;
    out.seq_len = seq_len;
    out.inputs = std::move(b.inputs);
    out.labels = std::move(b.labels);
    out.puzzle_identifiers = std::move(b.puzzle_identifiers);
    out.padding_rows = b.padding_rows;
    out.global_effective = b.global_effective;
}

class SamplerStream : public TrainBatchStream {
public:
    SamplerStream(std::shared_ptr<const OpenSplits> s, const StreamOptions & o)
        : splits_(std::move(s)), sampler_(splits_->train, {o.global_batch_size, o.rank, o.world_size, o.epochs_per_iter, o.seed}) {}
    void start_iteration(int64_t iteration) override { sampler_.start_iteration(iteration); }
    bool next(HostBatch & out) override {
        if (!sampler_.next(batch_)) return false;
        to_host(batch_, splits_->train.seq_len(), out);
        return true;
    }

private:
    std::shared_ptr<const OpenSplits> splits_;
    TrainSampler sampler_;
    Batch batch_;
};

class TestStream : public TestBatchStream {
public:
    TestStream(std::shared_ptr<const OpenSplits> s, const StreamOptions & o)
        : splits_(std::move(s)), sampler_(*splits_->test, {o.global_batch_size, o.rank, o.world_size, 1, 0}) {}
    int64_t num_batches() const override { return sampler_.num_batches(); }
    void reset() override { sampler_.reset(); }
    bool next(HostBatch & out) override {
        if (!sampler_.next(batch_)) return false;
        to_host(batch_, splits_->test->seq_len(), out);
        return true;
    }

private:
    std::shared_ptr<const OpenSplits> splits_;
    TestSampler sampler_;
    Batch batch_;
};

class DatasetSource : public BatchSource {
public:
    explicit DatasetSource(std::shared_ptr<const OpenSplits> s) : splits_(std::move(s)) {
        const PuzzleDatasetMetadata & m = splits_->train.metadata();
        info_.name = splits_->name;
        info_.key = splits_->key;
        info_.seq_len = m.seq_len;
        info_.vocab_size = m.vocab_size;
        info_.num_puzzle_identifiers = m.num_puzzle_identifiers;
        info_.total_groups = m.total_groups;
        info_.mean_puzzle_examples = m.mean_puzzle_examples;
        info_.train_examples = splits_->train.num_examples();
        info_.test_examples = splits_->test ? splits_->test->num_examples() : 0;
        if (splits_->test && splits_->test->seq_len() != m.seq_len)
            throw InputError(splits_->name + ": the test split's seq_len differs from the train split's");
    }
    const TrainDataInfo & info() const override { return info_; }
    std::unique_ptr<TrainBatchStream> train_stream(const StreamOptions & o) const override {
        check_stream_options(o);
        return std::make_unique<SamplerStream>(splits_, o);
    }
    std::unique_ptr<TestBatchStream> test_stream(const StreamOptions & o) const override {
        check_stream_options(o);
        if (!splits_->test) return nullptr;
        return std::make_unique<TestStream>(splits_, o);
    }

private:
    std::shared_ptr<const OpenSplits> splits_;
    TrainDataInfo info_;
};

// A reference-layout directory without a manifest: identified by its metadata and array sizes.
std::string reference_layout_key(const fs::path & dir) {
    Sha256 h;
    for (const char * split : {"train", "test"}) {
        std::error_code ec;
        if (!fs::is_directory(dir / split, ec)) continue;
        std::vector<fs::path> files;
        for (const auto & e : fs::directory_iterator(dir / split, ec)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto & f : files) {
            h.update(split + std::string("/") + f.filename().string() + ":" + std::to_string(fs::file_size(f, ec)) + "\n");
            if (f.filename() == "dataset.json") h.update(read_file(f));
        }
    }
    return "reference-layout:" + h.hex_digest();
}

InputDataset resolve_name(const std::string & family, const std::string & name, const fs::path & data_dir) {
    std::error_code ec;
    if (fs::exists(name, ec)) return InputDataset{name, fs::path(name)};
    const Task & task = task_by_family(family);
    std::string list;
    if (fs::is_directory(data_dir, ec))
        for (const auto & d : task.find_datasets(data_dir)) {
            if (d.name == name) return InputDataset{d.name, d.path};
            list += "\n  " + d.name;
        }
    throw UsageError("--data " + name + ": no such dataset directory, built dataset or " + family + " dataset (data directory " +
                     data_dir.string() + ")" + (list.empty() ? std::string() : "; " + family + " datasets:" + list));
}

TrainDataOptions options_for_name(const std::string & name, const fs::path & data_dir) {
    if (name == "arc1" || name == "arc2") return arc_preset(name, data_dir);
    const std::string family = name.substr(0, name.find('/'));
    if (family == "sudoku") {
        SudokuDataOptions o;  // the paper: 1000 puzzles x 1000 augmentations
        o.train = resolve_name(family, name, data_dir);
        return o;
    }
    if (family == "maze") {
        MazeDataOptions o;  // the README recipe: no augmentation
        o.train = resolve_name(family, name, data_dir);
        return o;
    }
    throw UsageError("--data " + name +
                     ": expected a built dataset directory (trmbench train data build ...), a directory in the reference "
                     "layout, a sudoku/... or maze/... dataset of the data directory, or arc1 / arc2");
}

}  // namespace

std::shared_ptr<const BatchSource> open_batch_source(const std::string & data, const DataOpenSettings & settings) {
    auto splits = std::make_shared<OpenSplits>();
    std::error_code ec;
    const fs::path p(data);
    if (fs::is_directory(p, ec) && fs::exists(p / kManifestFileName, ec)) {
        TrainData d = open_train_data(p);
        splits->name = p.string();
        splits->key = d.manifest.stamp.key();
        splits->train = std::move(d.train);
        splits->test = std::move(d.test);
    } else if (fs::is_directory(p, ec) && fs::exists(p / "train" / "dataset.json", ec)) {
        splits->name = p.string();
        splits->key = reference_layout_key(p);
        splits->train = PuzzleSplit::open(p / "train");
        if (fs::exists(p / "test" / "dataset.json", ec)) splits->test = PuzzleSplit::open(p / "test");
    } else {
        BuildSettings b;
        b.threads = settings.threads;
        b.quiet = settings.quiet;
        BuildResult built = build_train_data(options_for_name(data, settings.data_dir), fs::path(), b);
        TrainData d = open_train_data(built.dir, &built.manifest.stamp);
        splits->name = data + " (" + built.dir.string() + ")";
        splits->key = d.manifest.stamp.key();
        splits->train = std::move(d.train);
        splits->test = std::move(d.test);
    }
    return std::make_shared<DatasetSource>(splits);
}

}  // namespace trmbench
