// merge_databases(): shards of one run merge into exactly the rows an unsharded run writes; the
// merge refuses shards of different runs and conflicting answers, leaves no output (and no
// temporary file) when it refuses, and never replaces an output without force.
#include <catch2/catch.hpp>

#include <algorithm>

#include "harness/core/paths.h"
#include "results/cache.h"
#include "results/merge.h"
#include "results/reader.h"
#include "results/sqlite.h"
#include "results/store.h"
#include "tests/support/test_support.h"
#include "tests/unit/results/fixtures.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

struct Shape {
    int shard = 0, count = 1;
    std::string config_hash = "merge-cfg";
    std::string git_sha = "abc1234";
    int n_items = 12;
    std::string solver_config = R"({"H_cycles":3})";
    int answer_seed_offset = 0;  // changes every answer when non-zero
    std::string status = std::string(kRunCompleted);
};

// A database as `trmbench run --shard shard/count` would write it: the full manifest, every
// solver, and the attempts of the items whose manifest position falls in this shard.
void write_db(const fs::path & path, const Shape & s) {
    ResultsStore store(path);
    RunInfo info = test::sample_run(s.config_hash, s.shard, s.count);
    info.git_sha = s.git_sha;
    RunId run = store.begin_run(info);
    auto sudoku = test::sample_items(s.n_items, "sudoku/test", "sudoku");
    auto maze = test::sample_items(s.n_items / 2, "maze/test", "maze");
    store.insert_items(run, sudoku);
    store.insert_items(run, maze);
    for (const char * name : {"trm", "gpt"}) {
        SolverInfo si = test::sample_solver(name);
        si.config_json = s.solver_config;
        store.register_solver(run, si);
    }
    auto sink = store.api_call_sink(run);
    int seed = 0;
    for (const auto * items : {&sudoku, &maze}) {
        for (const auto & it : *items) {
            ++seed;
            if (it.position % s.count != s.shard) continue;
            for (int attempt = 0; attempt < 2; ++attempt) {
                for (const char * name : {"trm", "gpt"}) {
                    store.record_attempt(test::sample_attempt(run, name, it, attempt, seed * 4 + attempt + s.answer_seed_offset));
                    ApiCallRecord c;
                    c.solver = name;
                    c.example_id = it.example_id;
                    c.attempt = attempt;
                    c.started_at_ms = seed;
                    store.record_api_call(run, c);
                }
            }
            store.response_cache().put("key-" + it.dataset + it.example_id, "openai", "m", {200, "b" + it.example_id, "{}"});
        }
    }
    store.record_train_metric({run, "trm", s.shard, 1.0, "loss", 0.5});
    store.batch_jobs().save_batch({"batch-" + std::to_string(s.shard), "openai", "gpt", "completed", "in", "out", "[]", 5, 6});
    store.end_run(run, s.status);
}

struct Contents {
    std::vector<ItemRecord> items;
    std::vector<SolverInfo> solvers;
    std::vector<std::vector<FieldValue>> attempts;
    std::vector<std::string> calls;
    std::vector<Aggregate> aggregates;
    RunInfo run;
};

Contents read_all(const fs::path & path) {
    ResultsReader r(path);
    auto runs = r.runs();
    REQUIRE(runs.size() == 1);
    Contents c;
    c.run = runs[0];
    RunId id = c.run.id;
    c.items = r.items(id);
    c.solvers = r.solvers(id);
    for (auto & a : r.attempts({id})) {
        auto v = a.values();
        v[0] = int64_t(0);  // run ids differ between databases
        c.attempts.push_back(v);
    }
    std::sort(c.attempts.begin(), c.attempts.end());
    for (auto & call : r.api_calls(id))
        c.calls.push_back(call.call.solver + "/" + call.call.example_id + "/" + std::to_string(call.call.attempt));
    std::sort(c.calls.begin(), c.calls.end());
    c.aggregates = r.aggregate(id);
    return c;
}

// Files in `dir`, without the -wal/-shm files that read-only connections leave beside a WAL input.
std::vector<std::string> dir_entries(const fs::path & dir) {
    std::vector<std::string> out;
    for (const auto & e : fs::directory_iterator(dir)) {
        std::string name = e.path().filename().string();
        bool input_wal = name.rfind("all.db", 0) != 0 && name.rfind("out.db", 0) != 0 &&
                         (name.ends_with("-wal") || name.ends_with("-shm"));
        if (!input_wal) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

MergeOptions options(std::vector<fs::path> inputs, fs::path output) {
    MergeOptions o;
    o.inputs = std::move(inputs);
    o.output = std::move(output);
    o.quiet = true;
    return o;
}

}  // namespace

TEST_CASE("merging two shards gives the rows of the unsharded run", "[results]") {
    test::TempDir dir;
    write_db(dir / "whole.db", {});
    write_db(dir / "s0.db", {.shard = 0, .count = 2});
    write_db(dir / "s1.db", {.shard = 1, .count = 2});
    MergeSummary sum = merge_databases(options({dir / "s0.db", dir / "s1.db"}, dir / "all.db"));

    Contents whole = read_all(dir / "whole.db");
    Contents merged = read_all(dir / "all.db");
    CHECK(merged.items == whole.items);
    REQUIRE(merged.solvers.size() == whole.solvers.size());
    for (size_t i = 0; i < whole.solvers.size(); ++i) {
        CHECK(merged.solvers[i].name == whole.solvers[i].name);
        CHECK(merged.solvers[i].config_json == whole.solvers[i].config_json);
        CHECK(merged.solvers[i].checkpoint_sha256 == whole.solvers[i].checkpoint_sha256);
    }
    REQUIRE(merged.attempts.size() == whole.attempts.size());
    CHECK(merged.attempts == whole.attempts);
    CHECK(merged.calls == whole.calls);
    REQUIRE(merged.aggregates.size() == whole.aggregates.size());
    for (size_t i = 0; i < whole.aggregates.size(); ++i) {
        CHECK(merged.aggregates[i].n_items == whole.aggregates[i].n_items);
        CHECK(merged.aggregates[i].n_items_correct == whole.aggregates[i].n_items_correct);
        CHECK(merged.aggregates[i].n_attempts == whole.aggregates[i].n_attempts);
        CHECK(merged.aggregates[i].cost_usd == Approx(whole.aggregates[i].cost_usd));
    }
    CHECK(test::count_rows(dir / "all.db", "response_cache") == test::count_rows(dir / "whole.db", "response_cache"));
    CHECK(test::count_rows(dir / "all.db", "batch_jobs") == 2);
    CHECK(test::count_rows(dir / "all.db", "train_metrics") == 2);
    CHECK(test::integrity(dir / "all.db") == "ok");

    CHECK(merged.run.shard_index == 0);
    CHECK(merged.run.shard_count == 1);
    CHECK(merged.run.status == kRunCompleted);
    CHECK(merged.run.config_hash == "merge-cfg");
    CHECK(merged.run.seeds == whole.run.seeds);
    CHECK_THAT(merged.run.merged_from_json, Catch::Contains("s0.db") && Catch::Contains("s1.db"));
    CHECK(sum.runs == 1);
    CHECK(sum.attempts == static_cast<int64_t>(whole.attempts.size()));
    CHECK(sum.duplicate_attempts == 0);
    // The output is one self-contained file: no -wal left next to it, no temporary files.
    CHECK(dir_entries(dir.path()) == std::vector<std::string>{"all.db", "s0.db", "s1.db", "whole.db"});
}

TEST_CASE("identical overlapping shards are kept once; a partial merge can be completed later", "[results]") {
    test::TempDir dir;
    for (int s = 0; s < 3; ++s) write_db(dir / ("s" + std::to_string(s) + ".db"), {.shard = s, .count = 3});
    fs::copy_file(dir / "s1.db", dir / "s1-copy.db");
    MergeSummary part = merge_databases(options({dir / "s0.db", dir / "s1.db", dir / "s1-copy.db"}, dir / "part.db"));
    CHECK(part.duplicate_attempts > 0);
    CHECK(part.duplicates_differing_usage == 0);
    Contents p = read_all(dir / "part.db");
    CHECK(p.run.shard_index == -1);  // partial
    CHECK(p.run.shard_count == 3);

    merge_databases(options({dir / "part.db", dir / "s2.db"}, dir / "all.db"));
    write_db(dir / "whole.db", {});
    Contents all = read_all(dir / "all.db");
    CHECK(all.run.shard_index == 0);
    CHECK(all.run.shard_count == 1);
    CHECK(all.attempts == read_all(dir / "whole.db").attempts);
}

TEST_CASE("merge refuses inputs that are not shards of one run, leaving no output", "[results]") {
    test::TempDir dir;
    write_db(dir / "s0.db", {.shard = 0, .count = 2});
    auto refuse = [&](const Shape & other, const std::string & expected) {
        fs::remove(dir / "other.db");
        write_db(dir / "other.db", other);
        auto before = dir_entries(dir.path());
        try {
            merge_databases(options({dir / "s0.db", dir / "other.db"}, dir / "out.db"));
            FAIL("merged: " << expected);
        } catch (const InputError & e) {
            CHECK(e.exit_code() == kExitInput);
            CHECK_THAT(e.what(), Catch::Contains(expected));
            CHECK_THAT(e.what(), Catch::Contains("other.db"));
        }
        CHECK(dir_entries(dir.path()) == before);  // no output, no temporary file
    };
    refuse({.shard = 1, .count = 2, .git_sha = "fff0000"}, "git_sha");
    refuse({.shard = 1, .count = 2, .n_items = 14}, "different item manifests");
    refuse({.shard = 1, .count = 2, .config_hash = "another-run"}, "different config hashes");
    refuse({.shard = 1, .count = 2, .solver_config = R"({"H_cycles":4})"}, "solver 'trm'");
    refuse({.shard = 1, .count = 3}, "shard_count");
    // The same shard twice with different answers: a conflict, listed by item.
    refuse({.shard = 0, .count = 2, .answer_seed_offset = 1}, "conflict");
}

TEST_CASE("different runs can be combined on request", "[results]") {
    test::TempDir dir;
    write_db(dir / "a.db", {.config_hash = "run-a"});
    write_db(dir / "b.db", {.config_hash = "run-b"});
    auto o = options({dir / "a.db", dir / "b.db"}, dir / "ab.db");
    o.allow_distinct_runs = true;
    MergeSummary s = merge_databases(o);
    CHECK(s.runs == 2);
    ResultsReader r(dir / "ab.db");
    auto runs = r.runs();
    REQUIRE(runs.size() == 2);
    CHECK(r.count_attempts(runs[0].id) == r.count_attempts(runs[1].id));
    CHECK(r.count_attempts(runs[0].id) > 0);
}

TEST_CASE("merge never replaces an output without force, nor merges into an input", "[results]") {
    test::TempDir dir;
    write_db(dir / "s0.db", {.shard = 0, .count = 2});
    write_db(dir / "s1.db", {.shard = 1, .count = 2});
    test::write_text(dir / "out.db", "precious");
    CHECK_THROWS_AS(merge_databases(options({dir / "s0.db", dir / "s1.db"}, dir / "out.db")), UsageError);
    CHECK(read_file(dir / "out.db") == "precious");
    CHECK_THROWS_WITH(merge_databases(options({dir / "s0.db", dir / "s1.db"}, dir / "s0.db")),
                      Catch::Contains("also an input"));
    CHECK_THROWS_WITH(merge_databases(options({dir / "s0.db", dir / "missing.db"}, dir / "x.db")),
                      Catch::Contains("missing.db"));
    CHECK_THROWS_WITH(merge_databases(options({dir / "s0.db", dir / "s0.db"}, dir / "x.db")), Catch::Contains("twice"));
    // A file that is not a database as input: an I/O error naming it, nothing written.
    test::write_text(dir / "junk.db", std::string(4096, 'j'));
    CHECK_THROWS_WITH(merge_databases(options({dir / "s0.db", dir / "junk.db"}, dir / "x.db")),
                      Catch::Contains("junk.db") && Catch::Contains("not an SQLite database"));
    CHECK_FALSE(fs::exists(dir / "x.db"));

    // A stale -wal beside the output must not be replayed onto the new file.
    test::write_text(dir / "out.db-wal", std::string(10000, 'w'));
    auto o = options({dir / "s0.db", dir / "s1.db"}, dir / "out.db");
    o.force = true;
    merge_databases(o);
    CHECK_FALSE(fs::exists(dir / "out.db-wal"));
    CHECK(test::integrity(dir / "out.db") == "ok");
    CHECK(read_all(dir / "out.db").attempts.size() > 0);
}
