// The dataset cache: reuse on an equal key, clear errors for another version or other parameters
// (never silent reuse), --force, atomic writes, validation of damaged files, the default
// directory, and the reference's Python-side view of our files (numpy must be importable).
#include <catch2/catch.hpp>

#include <fstream>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/data/dataset_stamp.h"
#include "models/data/npy.h"
#include "models/data/train_data.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/data_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

SudokuDataOptions tiny(uint64_t seed) {
    SudokuDataOptions o;
    o.train = InputDataset{"puzzles6", test::small_sudoku_csv()};
    o.n = 6;
    o.num_aug = 2;
    o.test_n = 4;
    o.seed = seed;
    return o;
}

BuildSettings quiet(bool force = false) {
    BuildSettings s;
    s.quiet = true;
    s.threads = 1;
    s.force = force;
    return s;
}

std::string error_of(const std::function<void()> & f) {
    try {
        f();
    } catch (const std::exception & e) {
        return e.what();
    }
    return "";
}

void patch_byte(const fs::path & p, uint64_t offset, char value) {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(value);
}

}  // namespace

TEST_CASE("dataset cache: equal options reuse the build", "[models][data][cache]") {
    test::TempDir tmp;
    auto first = build_train_data(tiny(1), tmp / "ds", quiet());
    CHECK_FALSE(first.reused);
    auto again = build_train_data(tiny(1), tmp / "ds", quiet());
    CHECK(again.reused);
    CHECK(again.manifest.stamp.key() == first.manifest.stamp.key());
    CHECK(again.manifest.files.size() == first.manifest.files.size());
    // The key is independent of where the input lives (content hashes, not paths).
    fs::copy_file(test::small_sudoku_csv(), tmp / "copy.csv");
    auto moved = tiny(1);
    moved.train = InputDataset{"copy", tmp / "copy.csv"};
    CHECK(make_stamp(moved).key() == first.manifest.stamp.key());
}

TEST_CASE("dataset cache: other parameters are an error unless forced", "[models][data][cache]") {
    test::TempDir tmp;
    auto first = build_train_data(tiny(1), tmp / "ds", quiet());
    const std::string msg = error_of([&] { build_train_data(tiny(2), tmp / "ds", quiet()); });
    CHECK_THAT(msg, Catch::Contains("dataset cache with other parameters"));
    CHECK_THAT(msg, Catch::Contains("seed"));
    const DatasetStamp other = make_stamp(tiny(2));
    CHECK_THROWS_AS(open_train_data(tmp / "ds", &other), InputError);
    CHECK_NOTHROW(open_train_data(tmp / "ds", &first.manifest.stamp));

    // Another input file with the same parameters: also another key.
    auto changed_input = tiny(1);
    changed_input.train = InputDataset{"top1465", test::shared_dir() / "data/sudoku/rated/puzzles3_magictour_top1465.csv"};
    CHECK_THAT(error_of([&] { build_train_data(changed_input, tmp / "ds", quiet()); }), Catch::Contains("differs in content"));

    auto forced = build_train_data(tiny(2), tmp / "ds", quiet(true));
    CHECK_FALSE(forced.reused);
    CHECK(read_manifest(tmp / "ds").stamp.key() == other.key());
    // Nothing but the dataset is left in the parent (no staging or moved-aside directories).
    int entries = 0;
    for ([[maybe_unused]] auto & e : fs::directory_iterator(tmp.path())) ++entries;
    CHECK(entries == 1);
}

TEST_CASE("dataset cache: another builder or format version is a clear error", "[models][data][cache]") {
    test::TempDir tmp;
    auto r = build_train_data(tiny(1), tmp / "ds", quiet());
    DatasetManifest m = read_manifest(r.dir);
    m.stamp.builder_version += 1;  // as if written by a later trmbench
    write_file_atomic(r.dir / kManifestFileName, manifest_to_json(m));
    std::string msg = error_of([&] { open_train_data(r.dir); });
    CHECK_THAT(msg, Catch::StartsWith("dataset cache from another version"));
    CHECK_THAT(error_of([&] { build_train_data(tiny(1), r.dir, quiet()); }), Catch::Contains("another version"));
    CHECK_FALSE(build_train_data(tiny(1), r.dir, quiet(true)).reused);  // --force rebuilds it
    CHECK_NOTHROW(open_train_data(r.dir));

    m = read_manifest(r.dir);
    m.format_version = kDatasetFormatVersion + 1;
    write_file_atomic(r.dir / kManifestFileName, manifest_to_json(m));
    CHECK_THAT(error_of([&] { open_train_data(r.dir); }), Catch::Contains("format version"));

    // A hand-edited parameter without a matching key is not trusted either.
    m.format_version = kDatasetFormatVersion;
    std::string text = manifest_to_json(m);
    text.replace(text.find("\"seed\": 1"), 9, "\"seed\": 9");
    write_file_atomic(r.dir / kManifestFileName, text);
    CHECK_THAT(error_of([&] { open_train_data(r.dir); }), Catch::Contains("edited manifest"));
}

TEST_CASE("dataset cache: damaged files fail validation with the file named", "[models][data][cache]") {
    test::TempDir tmp;
    auto r = build_train_data(tiny(1), tmp / "ds", quiet());
    const fs::path inputs = r.dir / "train/all__inputs.npy";
    const uint64_t data_offset = NpyArray::open(inputs).header().data_offset;

    SECTION("a token outside the vocabulary") {
        patch_byte(inputs, data_offset + 5, static_cast<char>(200));
        std::string msg = error_of([&] { open_train_data(r.dir); });
        CHECK_THAT(msg, Catch::Contains("outside the vocabulary"));
        auto problems = verify_files(read_manifest(r.dir), r.dir);
        REQUIRE(problems.size() == 1);
        CHECK_THAT(problems[0], Catch::Contains("train/all__inputs.npy"));
    }
    SECTION("CSR offsets that go backwards") {
        std::vector<int32_t> bad{0, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
        write_npy_i32(r.dir / "train/all__puzzle_indices.npy", {bad.size()}, bad);
        CHECK_THAT(error_of([&] { open_train_data(r.dir); }), Catch::Contains("not strictly increasing"));
    }
    SECTION("an identifier outside the table") {
        std::vector<int32_t> ids(18, 0);
        ids[4] = 1;
        write_npy_i32(r.dir / "train/all__puzzle_identifiers.npy", {ids.size()}, ids);
        CHECK_THAT(error_of([&] { open_train_data(r.dir); }), Catch::Contains("puzzle_identifiers[4]"));
    }
    SECTION("a truncated file") {
        fs::resize_file(inputs, fs::file_size(inputs) - 81);
        CHECK_THAT(error_of([&] { open_train_data(r.dir); }), Catch::Contains("incomplete dataset"));
        CHECK_THAT(error_of([&] { PuzzleSplit::open(r.dir / "train"); }), Catch::Contains("data bytes"));
    }
    SECTION("metadata that disagrees with the arrays") {
        std::string meta = read_file(r.dir / "train/dataset.json");
        meta.replace(meta.find("\"total_groups\":6"), 16, "\"total_groups\":7");
        write_file_atomic(r.dir / "train/dataset.json", meta);
        CHECK_THAT(error_of([&] { PuzzleSplit::open(r.dir / "train"); }), Catch::Contains("total_groups"));
    }
}

TEST_CASE("dataset cache: default directory, non-dataset output directories", "[models][data][cache]") {
    const DatasetStamp st = make_stamp(tiny(3));
    const fs::path dir = default_dataset_dir(st, "/cache");
    CHECK(dir == fs::path("/cache/train-data") / ("sudoku-" + st.key().substr(0, 12)));
    CHECK(st.param_hash() != st.key());
    CHECK(st.params_json.find("\"seed\":3") != std::string::npos);

    test::TempDir tmp;
    test::write_text(tmp / "busy/notes.txt", "mine");
    CHECK_THROWS_AS(build_train_data(tiny(1), tmp / "busy", quiet(true)), UsageError);  // never replaced
    CHECK(fs::exists(tmp / "busy/notes.txt"));
    fs::create_directories(tmp / "empty");
    CHECK_NOTHROW(build_train_data(tiny(1), tmp / "empty", quiet()));
    CHECK(fs::exists(tmp / "empty" / kManifestFileName));
}

TEST_CASE("numpy reads our datasets the way puzzle_dataset.py does", "[models][data][cache][python]") {
    if (!test::numpy_available())
        FAIL("python3 with numpy is required for the parity check of the .npy files (Debian: apt install python3-numpy)");
    test::TempDir tmp;
    auto sudoku = build_train_data(tiny(1), tmp / "sudoku", quiet());
    auto arc = build_train_data(test::small_arc_options(tmp / "src", 3, 0), tmp / "arc", quiet());
    const std::string script = R"PY(
import json, os, sys
import numpy as np
fields = ["pad_id", "ignore_label_id", "blank_identifier_id", "vocab_size", "seq_len", "num_puzzle_identifiers",
          "total_groups", "mean_puzzle_examples", "total_puzzles", "sets"]
for root in sys.argv[1:]:
    ids = json.load(open(os.path.join(root, "identifiers.json")))
    assert ids[0] == "<blank>"
    for split in ["train", "test"]:
        d = os.path.join(root, split)
        meta = json.load(open(os.path.join(d, "dataset.json")))
        assert list(meta.keys()) == fields, meta.keys()
        arr = {k: np.load(os.path.join(d, "all__%s.npy" % k), mmap_mode="r" if k in ("inputs", "labels") else None)
               for k in ["inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices"]}
        assert arr["inputs"].dtype == np.uint8 and arr["labels"].dtype == np.uint8
        for k in ["puzzle_identifiers", "puzzle_indices", "group_indices"]:
            assert arr[k].dtype == np.int32 and arr[k].ndim == 1, k
        n = arr["inputs"].shape[0]
        assert arr["inputs"].shape == (n, meta["seq_len"]) and arr["labels"].shape == arr["inputs"].shape
        pi, gi = arr["puzzle_indices"], arr["group_indices"]
        assert pi[0] == 0 and pi[-1] == n and np.all(np.diff(pi) > 0)
        assert gi[0] == 0 and gi[-1] == len(pi) - 1 and np.all(np.diff(gi) > 0)
        assert meta["total_groups"] == len(gi) - 1 and meta["total_puzzles"] == len(pi) - 1
        assert abs(meta["mean_puzzle_examples"] - n / (len(pi) - 1)) < 1e-9
        assert meta["num_puzzle_identifiers"] == len(ids)
        assert arr["puzzle_identifiers"].max() < len(ids)
        assert int(arr["inputs"].max()) < meta["vocab_size"] and int(arr["labels"].max()) < meta["vocab_size"]
        # The reference's collate: int32, ignore label -> -100.
        labels = np.array(arr["labels"][:4]).astype(np.int32)
        labels[labels == meta["ignore_label_id"]] = -100
print("ok")
)PY";
    test::write_text(tmp / "check.py", script);
    std::string out;
    int rc = test::run_command("/usr/bin/python3 " + (tmp / "check.py").string() + " " + sudoku.dir.string() + " " +
                                   arc.dir.string(),
                               out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("ok"));
}
