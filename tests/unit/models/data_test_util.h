// Helpers shared by the training-data tests (tests/unit/models/data_*.cpp): small sources from
// ../shared, directory fingerprints for determinism checks, and the python3/numpy runner.
// Torch-free (plain Catch2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "models/data/train_data.h"

namespace trmbench::test {

// shared/data/sudoku/rated/puzzles6_forum_hardest_1106.csv (375 rated puzzles with answers).
std::filesystem::path small_sudoku_csv();

// Relative path -> SHA-256 of every file under `dir`.
std::map<std::string, std::string> dir_fingerprint(const std::filesystem::path & dir);

// A small ARC-AGI-1-like layout under `root`: subsets "training" (4 tasks of arc-agi-1/training),
// "evaluation" (3 tasks of arc-agi-1/evaluation, one of them with 2 test inputs) and "concept"
// (2 ConceptARC tasks), copied from ../shared. Returns options with test subset "evaluation".
ArcDataOptions small_arc_options(const std::filesystem::path & root, int num_aug, uint64_t seed);

// Whether /usr/bin/python3 can import numpy.
bool numpy_available();
// Runs a python3 script (written to a temp file); returns the exit status, output in `out`.
int run_python(const std::string & script, std::string & out);

}  // namespace trmbench::test
