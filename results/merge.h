// Merging results databases: the shards of one run (`trmbench run --shard i/N` on several
// machines) into one database that reports read as if the run had been made in one piece.
//
// Runs are matched by config hash. Runs that share one must agree on everything that defines the
// run (git sha, harness version, suite, config, dataset/prompt hashes, seeds, price table, shard
// count) and have the same item manifest; every input must hold the same set of config hashes
// (unless allow_distinct_runs). Solvers of the same name must be identical. Attempts are the union:
// the same attempt in two inputs is kept once when the answers agree (outcome, answer, measures)
// and refused when they conflict. API calls, superseded attempts and training metrics are
// appended; the response cache and batch jobs are unioned by key.
//
// The output is written to a temporary file in the output's directory, checked
// (integrity_check, foreign_key_check), and renamed into place; an existing output is replaced
// only with `force`. Any refusal leaves no output behind. Inputs are opened read-only (an input
// with an older schema is upgraded in place first, as any open by trmbench does).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace trmbench {

struct MergeOptions {
    std::vector<std::filesystem::path> inputs;
    std::filesystem::path output;
    bool force = false;                // replace an existing output
    bool allow_distinct_runs = false;  // inputs may hold runs of different config hashes
    bool quiet = false;                // no progress line
};

struct MergeSummary {
    int64_t runs = 0;
    int64_t solvers = 0;
    int64_t items = 0;
    int64_t attempts = 0;
    int64_t duplicate_attempts = 0;          // in several inputs with the same answer: kept once
    int64_t duplicates_differing_usage = 0;  // ... of which text, usage or timing differed (first kept)
    int64_t superseded_attempts = 0;
    int64_t api_calls = 0;
    int64_t cache_entries = 0;
    int64_t batch_jobs = 0;
    int64_t train_metrics = 0;
    std::vector<std::string> notes;          // one line per merged run: shards found, status
};

// Throws UsageError (bad paths, existing output without force), InputError (inconsistent shards,
// conflicting answers) or IoError/DbError (unreadable inputs, write failures).
MergeSummary merge_databases(const MergeOptions & options);

}  // namespace trmbench
