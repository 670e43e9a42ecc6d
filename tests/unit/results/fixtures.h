// Shared helpers for the results-store tests: sample runs, items, solvers and fully populated
// attempts; a fault-injecting SQLite VFS (disk full); and child processes (crash simulation with
// fork()+_exit, and dropping root so that file permissions apply).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/core/solver.h"
#include "results/records.h"

namespace trmbench::test {

RunInfo sample_run(const std::string & config_hash = "cfg-hash-0001", int shard_index = 0, int shard_count = 1);
// `n` items of one dataset, e.g. sudoku/test with ids "ex0".."ex{n-1}", 2x2 targets.
std::vector<ItemRecord> sample_items(int n, const std::string & dataset = "sudoku/test",
                                     const std::string & family = "sudoku");
SolverInfo sample_solver(const std::string & name = "trm-sudoku");
// An attempt with every field set (text with unicode, usage, compute, steps), varied by `seed`.
AttemptRecord sample_attempt(RunId run, const std::string & solver, const ItemRecord & item, int attempt, int seed);

// Number of rows in a table (opens its own read-only connection).
int64_t count_rows(const std::filesystem::path & db, const std::string & table);
// PRAGMA integrity_check + foreign_key_check through a fresh connection: "ok" or the problems.
std::string integrity(const std::filesystem::path & db);

// A VFS named "trmbench-faulty" over the default one. While disk_full is set, every write that
// would make a file larger fails with SQLITE_FULL, as on a full disk (rewrites in place succeed).
const char * faulty_vfs_name();
void set_disk_full(bool full);

struct ChildResult {
    int exit_code = -1;   // 128 + signal when killed
    std::string output;   // what the child wrote to its message pipe
};
// Runs `fn` in a forked child and waits for it. The child exits with fn's return value through
// _exit (no destructors, no atexit: a crash as far as the files are concerned); an exception in
// fn exits 99 with its message. With drop_root, a root child first switches to uid/gid 65534 so
// that permissions apply. The parent must hold no open SQLite connection when calling this.
ChildResult run_child(const std::function<int(std::string & message)> & fn, bool drop_root = false);

}  // namespace trmbench::test
