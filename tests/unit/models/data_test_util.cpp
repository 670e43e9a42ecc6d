// Helpers for the training-data tests (see data_test_util.h).
#include "tests/unit/models/data_test_util.h"

#include <catch2/catch.hpp>

#include "harness/core/sha256.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;

namespace trmbench::test {

fs::path small_sudoku_csv() {
    fs::path p = shared_dir() / "data/sudoku/rated/puzzles6_forum_hardest_1106.csv";
    if (!fs::is_regular_file(p)) FAIL("missing " << p);
    return p;
}

std::map<std::string, std::string> dir_fingerprint(const fs::path & dir) {
    std::map<std::string, std::string> out;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it)
        if (it->is_regular_file()) out[fs::relative(it->path(), dir).generic_string()] = sha256_file(it->path());
    return out;
}

ArcDataOptions small_arc_options(const fs::path & root, int num_aug, uint64_t seed) {
    const fs::path data = shared_dir() / "data";
    struct Copy {
        const char * subset;
        const char * file;
    };
    const Copy copies[] = {
        {"training", "arc-agi-1/training/007bbfb7.json"},   {"training", "arc-agi-1/training/00d62c1b.json"},
        {"training", "arc-agi-1/training/017c7c7b.json"},   {"training", "arc-agi-1/training/28e73c20.json"},
        {"evaluation", "arc-agi-1/evaluation/00576224.json"}, {"evaluation", "arc-agi-1/evaluation/009d5c81.json"},
        {"evaluation", "arc-agi-1/evaluation/12997ef3.json"}, {"concept", "conceptarc/corpus/AboveBelow/AboveBelow1.json"},
        {"concept", "conceptarc/corpus/Center/Center1.json"},
    };
    for (const auto & c : copies) {
        fs::create_directories(root / c.subset);
        fs::path src = data / c.file;
        if (!fs::is_regular_file(src)) FAIL("missing " << src);
        fs::copy_file(src, root / c.subset / src.filename(), fs::copy_options::overwrite_existing);
    }
    ArcDataOptions o;
    o.label = "arc-small";
    for (const char * s : {"training", "evaluation", "concept"}) o.subsets.push_back({s, InputDataset{s, root / s}});
    o.test_subset = "evaluation";
    o.num_aug = num_aug;
    o.seed = seed;
    return o;
}

bool numpy_available() {
    std::string out;
    return run_command("/usr/bin/python3 -c 'import numpy'", out) == 0;
}

int run_python(const std::string & script, std::string & out) {
    TempDir tmp;
    write_text(tmp / "check.py", script);
    return run_command("/usr/bin/python3 " + (tmp / "check.py").string(), out);
}

}  // namespace trmbench::test
