// The ARC training-set builder on a handful of shared tasks: split rules, subset order, identifiers
// (test ids = their variant's train id), translation offsets (in bounds, one example per puzzle at
// (0, 0), input and output together), variant names that invert the augmentation exactly,
// test_puzzles.json, determinism; plus the ARC-AGI-1 preset with few variants (counts of spec
// §3.4) and, hidden as [.slow], the full 1,000-variant ARC-AGI-1 build.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/data/train_data.h"
#include "tasks/arc/arc_augment.h"
#include "tasks/arc/arc_canvas.h"
#include "tasks/arc/arc_loader.h"
#include "tests/support/test_support.h"
#include "tests/unit/models/data_test_util.h"

using namespace trmbench;
namespace fs = std::filesystem;

namespace {

BuildSettings quiet(int threads = 1) {
    BuildSettings s;
    s.quiet = true;
    s.threads = threads;
    return s;
}

std::vector<int32_t> row_tokens(const NpyArray & a, int64_t example) {
    std::vector<int32_t> t(kArcSeqLen);
    a.copy_to_int32(static_cast<uint64_t>(example) * kArcSeqLen, t);
    return t;
}

bool is_colour(int32_t t) { return t >= kArcColourOffset && t < kArcVocab; }

// Where the grid sits in a canvas: the first row and column holding a colour token.
CanvasOffset find_offset(const std::vector<int32_t> & t) {
    CanvasOffset o{kArcCanvas, kArcCanvas};
    for (int r = 0; r < kArcCanvas; ++r)
        for (int c = 0; c < kArcCanvas; ++c)
            if (is_colour(t[static_cast<size_t>(r * kArcCanvas + c)])) {
                o.row = std::min(o.row, r);
                o.col = std::min(o.col, c);
            }
    return o;
}

// The grid of a (possibly translated) canvas.
Grid grid_at(const std::vector<int32_t> & t, CanvasOffset o) {
    std::vector<int32_t> shifted(kArcSeqLen, kArcPad);
    for (int r = o.row; r < kArcCanvas; ++r)
        for (int c = o.col; c < kArcCanvas; ++c)
            shifted[static_cast<size_t>((r - o.row) * kArcCanvas + (c - o.col))] = t[static_cast<size_t>(r * kArcCanvas + c)];
    return crop_arc_canvas(shifted);
}

std::map<std::string, ArcTaskFile> tasks_by_id(const ArcDataOptions & o) {
    std::map<std::string, ArcTaskFile> out;
    for (const auto & s : o.subsets)
        for (auto & t : load_arc_tasks(s.source.path)) out[t.id] = t;
    return out;
}

Grid grid_from_json(const nlohmann::json & rows) {
    Grid g(static_cast<int>(rows.size()), static_cast<int>(rows.at(0).size()));
    for (int r = 0; r < g.rows; ++r)
        for (int c = 0; c < g.cols; ++c) g.at(r, c) = rows.at(static_cast<size_t>(r)).at(static_cast<size_t>(c)).get<uint8_t>();
    return g;
}

}  // namespace

TEST_CASE("arc build: split rules, ids, translations and invertible variant names", "[models][data][arc]") {
    test::TempDir tmp;
    const int num_aug = 20;
    ArcDataOptions o = test::small_arc_options(tmp / "src", num_aug, 42);
    auto tasks = tasks_by_id(o);
    std::map<std::string, std::string> subset_of;
    for (const auto & s : o.subsets)
        for (auto & t : load_arc_tasks(s.source.path)) subset_of[t.id] = s.name;

    BuildResult r = build_train_data(o, tmp / "ds", quiet(2));
    TrainData d = open_train_data(r.dir, &r.manifest.stamp);
    const PuzzleSplit & train = d.train;
    REQUIRE(d.test);
    const PuzzleSplit & test = *d.test;

    // Metadata (spec §3.4).
    for (const PuzzleSplit * s : {&train, &test}) {
        CHECK(s->metadata().seq_len == 900);
        CHECK(s->metadata().vocab_size == 12);
        CHECK(s->metadata().pad_id == 0);
        CHECK(s->metadata().ignore_label_id == 0);
        CHECK(s->metadata().blank_identifier_id == 0);
        CHECK(s->metadata().num_puzzle_identifiers == static_cast<int64_t>(d.identifiers.size()));
    }
    CHECK(train.num_groups() == 9);  // every task trains (its demonstrations at least)
    CHECK(test.num_groups() == 3);   // only the test subset's tasks are tested
    CHECK(train.num_puzzles() == 9 * (num_aug + 1));  // all of these tasks reach 21 variants
    CHECK(d.identifiers.size() == static_cast<size_t>(train.num_puzzles()) + 1);
    CHECK(d.identifiers[0] == "<blank>");

    // Subset order: training, evaluation, concept; ids 1..P in train order.
    const auto gidx = train.group_indices();
    const auto pidx = train.puzzle_indices();
    std::vector<std::string> group_task;
    for (int64_t g = 0; g < train.num_groups(); ++g) group_task.push_back(d.identifiers[static_cast<size_t>(train.puzzle_identifiers()[static_cast<size_t>(gidx[static_cast<size_t>(g)])])]);
    for (int g = 0; g < 4; ++g) CHECK(subset_of.at(group_task[static_cast<size_t>(g)]) == "training");
    for (int g = 4; g < 7; ++g) CHECK(subset_of.at(group_task[static_cast<size_t>(g)]) == "evaluation");
    for (int g = 7; g < 9; ++g) CHECK(subset_of.at(group_task[static_cast<size_t>(g)]) == "concept");
    for (int64_t p = 0; p < train.num_puzzles(); ++p) CHECK(train.puzzle_identifiers()[static_cast<size_t>(p)] == p + 1);

    int64_t checked_examples = 0;
    for (int64_t g = 0; g < train.num_groups(); ++g) {
        const std::string & task_id = group_task[static_cast<size_t>(g)];
        const ArcTaskFile & task = tasks.at(task_id);
        const bool is_test = subset_of.at(task_id) == "evaluation";
        std::vector<ArcPair> pairs = task.train;
        if (!is_test) pairs.insert(pairs.end(), task.test.begin(), task.test.end());
        std::set<std::string> names;
        for (int64_t p = gidx[static_cast<size_t>(g)]; p < gidx[static_cast<size_t>(g) + 1]; ++p) {
            const std::string & name = d.identifiers[static_cast<size_t>(train.puzzle_identifiers()[static_cast<size_t>(p)])];
            names.insert(name);
            auto parsed = parse_variant_name(name);
            REQUIRE(parsed);
            CHECK(parsed->task_id == task_id);
            CHECK((p == gidx[static_cast<size_t>(g)]) == parsed->aug.is_identity());  // the original comes first, unnamed
            REQUIRE(pidx[static_cast<size_t>(p) + 1] - pidx[static_cast<size_t>(p)] == static_cast<int32_t>(pairs.size()));
            int at_origin = 0;
            for (int64_t e = pidx[static_cast<size_t>(p)]; e < pidx[static_cast<size_t>(p) + 1]; ++e) {
                const auto & pair = pairs[static_cast<size_t>(e - pidx[static_cast<size_t>(p)])];
                auto in = row_tokens(train.inputs(), e), out = row_tokens(train.labels(), e);
                const CanvasOffset oi = find_offset(in), oo = find_offset(out);
                CHECK(oi == oo);  // input and output move together
                const Grid gin = grid_at(in, oi), gout = grid_at(out, oo);
                CHECK(oi.row + std::max(gin.rows, gout.rows) <= kArcCanvas);
                CHECK(oi.col + std::max(gin.cols, gout.cols) <= kArcCanvas);
                if (oi == CanvasOffset{}) ++at_origin;
                // Undoing the augmentation named by the identifier gives the task's own pair back.
                CHECK(invert_augmentation(gin, parsed->aug) == pair.input);
                CHECK(invert_augmentation(gout, parsed->aug) == pair.output);
                CHECK(encode_arc_canvas(gin, oi) == in);  // exact reference encoding (EOS row/column)
                ++checked_examples;
            }
            CHECK(at_origin >= 1);  // one example per puzzle keeps (0, 0)
        }
        CHECK(names.size() == static_cast<size_t>(gidx[static_cast<size_t>(g) + 1] - gidx[static_cast<size_t>(g)]));  // distinct
    }
    CHECK(checked_examples == train.num_examples());

    // Test split: evaluation tasks in train order, each variant's test pairs at (0, 0), same ids.
    const auto tg = test.group_indices();
    const auto tp = test.puzzle_indices();
    auto puzzles_json = nlohmann::json::parse(read_file(r.dir / "test_puzzles.json"));
    CHECK(puzzles_json.size() == 3);
    for (int64_t g = 0; g < 3; ++g) {
        const int64_t train_group = 4 + g;
        const std::string & task_id = group_task[static_cast<size_t>(train_group)];
        const ArcTaskFile & task = tasks.at(task_id);
        REQUIRE(tg[static_cast<size_t>(g) + 1] - tg[static_cast<size_t>(g)] == gidx[static_cast<size_t>(train_group) + 1] - gidx[static_cast<size_t>(train_group)]);
        REQUIRE(puzzles_json.contains(task_id));
        CHECK(puzzles_json[task_id]["test"].size() == task.test.size());
        CHECK(grid_from_json(puzzles_json[task_id]["test"][0]["output"]) == task.test[0].output);
        for (int64_t v = 0; v < tg[static_cast<size_t>(g) + 1] - tg[static_cast<size_t>(g)]; ++v) {
            const int64_t p = tg[static_cast<size_t>(g)] + v;
            const int32_t id = test.puzzle_identifiers()[static_cast<size_t>(p)];
            CHECK(id == train.puzzle_identifiers()[static_cast<size_t>(gidx[static_cast<size_t>(train_group)] + v)]);
            auto parsed = parse_variant_name(d.identifiers[static_cast<size_t>(id)]);
            REQUIRE(parsed);
            REQUIRE(tp[static_cast<size_t>(p) + 1] - tp[static_cast<size_t>(p)] == static_cast<int32_t>(task.test.size()));
            for (size_t i = 0; i < task.test.size(); ++i) {
                const int64_t e = tp[static_cast<size_t>(p)] + static_cast<int64_t>(i);
                auto in = row_tokens(test.inputs(), e), out = row_tokens(test.labels(), e);
                CHECK(is_colour(in[0]));
                CHECK(is_colour(out[0]));
                CHECK(invert_augmentation(crop_arc_canvas(in), parsed->aug) == task.test[i].input);
                auto decoded = decode_arc_prediction(out, parsed->aug);  // what evaluation will do
                REQUIRE(decoded);
                CHECK(*decoded == task.test[i].output);
            }
        }
    }
    // One task has two test inputs: the test split counts examples, not tasks.
    CHECK(test.num_examples() == (num_aug + 1) * (1 + 1 + 2));
}

TEST_CASE("arc build: deterministic for any thread count, seed-dependent, task-local", "[models][data][arc]") {
    test::TempDir tmp;
    ArcDataOptions o = test::small_arc_options(tmp / "src", 12, 5);
    auto a = build_train_data(o, tmp / "a", quiet(1));
    auto b = build_train_data(o, tmp / "b", quiet(3));
    CHECK(test::dir_fingerprint(a.dir) == test::dir_fingerprint(b.dir));

    ArcDataOptions o2 = o;
    o2.seed = 6;
    auto c = build_train_data(o2, tmp / "c", quiet(2));
    auto fa = test::dir_fingerprint(a.dir), fc = test::dir_fingerprint(c.dir);
    CHECK(fa.at("train/all__inputs.npy") != fc.at("train/all__inputs.npy"));
    CHECK(fa.at("identifiers.json") != fc.at("identifiers.json"));

    // Dropping a subset does not change the other tasks' variants (per-task seeds).
    ArcDataOptions o3 = o;
    o3.subsets.erase(o3.subsets.begin() + 2);  // without "concept"
    auto e = open_train_data(build_train_data(o3, tmp / "e", quiet(2)).dir);
    auto full = open_train_data(a.dir);
    std::set<std::string> full_names(full.identifiers.begin(), full.identifiers.end());
    for (const auto & name : e.identifiers) CHECK(full_names.count(name) == 1);
}

TEST_CASE("arc build: option errors", "[models][data][arc]") {
    test::TempDir tmp;
    ArcDataOptions o = test::small_arc_options(tmp / "src", 2, 0);
    auto bad = o;
    bad.test_subset = "nope";
    CHECK_THROWS_AS(build_train_data(bad, tmp / "x", quiet()), UsageError);
    bad = o;
    bad.subsets.push_back(bad.subsets.front());
    CHECK_THROWS_AS(build_train_data(bad, tmp / "x", quiet()), UsageError);  // subset twice
    bad = o;
    bad.subsets.push_back({"again", bad.subsets.front().source});
    CHECK_THROWS_AS(build_train_data(bad, tmp / "x", quiet()), UsageError);  // same task ids in two subsets
    CHECK_THROWS_AS(arc_preset("arc3", tmp.path()), UsageError);
    CHECK_THROWS_AS(arc_preset("arc1", tmp.path()), UsageError);  // no arc-agi-1 directory there
    CHECK_FALSE(fs::exists(tmp / "x"));
}

TEST_CASE("arc build: the ARC-AGI-1 preset with 2 variants has the reference's structure", "[models][data][arc]") {
    test::TempDir tmp;
    ArcDataOptions o = arc_preset("arc1", test::shared_dir() / "data");
    o.num_aug = 2;
    auto r = build_train_data(o, tmp / "arc1", quiet(0));
    auto d = open_train_data(r.dir);
    // 400 training + 400 evaluation + 160 ConceptARC tasks; all reach 3 variants.
    CHECK(d.train.num_groups() == 960);
    CHECK(d.train.num_puzzles() == 960 * 3);
    // Spec §3.4 counts: training 1302 + 416, evaluation 1363 demonstrations, concept 427 + 480.
    CHECK(d.train.num_examples() == 3 * (1302 + 416 + 1363 + 427 + 480));
    REQUIRE(d.test);
    CHECK(d.test->num_groups() == 400);
    CHECK(d.test->num_examples() == 3 * 419);
    CHECK(d.train.metadata().num_puzzle_identifiers == 960 * 3 + 1);
    CHECK(nlohmann::json::parse(read_file(r.dir / "test_puzzles.json")).size() == 400);
}

TEST_CASE("arc build: full ARC-AGI-1 with 1,000 variants", "[models][data][arc][.slow]") {
    test::TempDir tmp;
    ArcDataOptions o = arc_preset("arc1", test::shared_dir() / "data");
    const auto start = std::chrono::steady_clock::now();
    auto r = build_train_data(o, tmp / "arc1", BuildSettings{});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto d = open_train_data(r.dir);
    WARN("ARC-AGI-1 x 1000: " << d.train.num_puzzles() << " train puzzles, " << d.train.num_examples() << " train examples, "
                              << d.test->num_puzzles() << " test puzzles, " << d.test->num_examples() << " test examples, "
                              << d.identifiers.size() << " identifiers, " << r.manifest.total_bytes() << " bytes, " << seconds
                              << " s");
    CHECK(d.train.num_groups() == 960);
    CHECK(d.test->num_groups() == 400);
    CHECK(d.train.num_puzzles() <= 960 * 1001);
    CHECK(d.train.num_puzzles() > 800000);  // the reference's table has 876,406 rows (with its own RNG)
}
