// Tests of tasks/arc/arc_loader: the counts of every shared ARC set (datasets.md §1.1), the "name"
// key, malformed files with file and JSON path in the message, directory walks, hidden test
// outputs and the Kaggle combined layout. Also two data facts of datasets.md §1.2.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "tasks/arc/arc_loader.h"
#include "tests/support/test_support.h"
#include "tests/unit/tasks/arc_test_helpers.h"

namespace fs = std::filesystem;
using namespace trmbench;
using trmbench::test::G;
using trmbench::test::TempDir;
using trmbench::test::write_text;

namespace {

struct ExpectedCounts {
    const char * dir;
    int tasks, train_pairs, test_pairs;
    std::vector<std::pair<int, int>> by_tests;
};

// datasets.md §1.1 (ARC-AGI-2 evaluation as placed here: the 167-pair version).
const std::vector<ExpectedCounts> kShared = {
    {"arc-agi-1/training", 400, 1302, 416, {{1, 386}, {2, 12}, {3, 2}}},
    {"arc-agi-1/evaluation", 400, 1363, 419, {{1, 381}, {2, 19}}},
    {"arc-agi-2/training", 1000, 3232, 1076, {{1, 931}, {2, 63}, {3, 5}, {4, 1}}},
    {"arc-agi-2/evaluation", 120, 359, 167, {{1, 75}, {2, 43}, {3, 2}}},
    {"conceptarc/corpus", 160, 427, 480, {{3, 160}}},
    {"conceptarc/MinimalTasks", 16, 46, 48, {{3, 16}}},
};

fs::path data(const std::string & rel) { return trmbench::test::shared_dir() / "data" / rel; }

const char * kGoodTask = R"({"train": [{"input": [[1,2],[3,4]], "output": [[4]]}], "test": [{"input": [[0]], "output": [[5,5]]}]})";

// Loads `text` as a task file named `name` and returns the InputError message ("" if it loaded).
std::string load_error(const std::string & name, const std::string & text) {
    TempDir dir;
    write_text(dir / name, text);
    try {
        load_arc_tasks(dir / name);
    } catch (const InputError & e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("every shared ARC set loads with the documented counts", "[arc][loader][data]") {
    for (const auto & want : kShared) {
        INFO(want.dir);
        const auto tasks = load_arc_tasks(data(want.dir));
        const auto examples = arc_examples(tasks);
        const ArcStats s = arc_stats(examples);
        CHECK(static_cast<int>(tasks.size()) == want.tasks);
        CHECK(s.tasks == want.tasks);
        CHECK(s.train_pairs == want.train_pairs);
        CHECK(s.test_inputs == want.test_pairs);
        CHECK(static_cast<int>(examples.size()) == want.test_pairs);
        CHECK(s.tasks_by_test_inputs == want.by_tests);
        CHECK(s.test_outputs_missing == 0);  // all public test pairs include their output
        CHECK(s.max_side <= 30);
        // Sorted by path, so ids come out in a stable order.
        CHECK(std::is_sorted(tasks.begin(), tasks.end(), [](const auto & a, const auto & b) { return a.path < b.path; }));
    }
    CHECK(arc_stats(arc_examples(load_arc_tasks(data("conceptarc/corpus")))).max_side == 25);
    CHECK(arc_stats(arc_examples(load_arc_tasks(data("arc-agi-1/evaluation")))).max_side == 30);
}

TEST_CASE("ARC-AGI-2 task files match the upstream id lists", "[arc][loader][data]") {
    for (const char * split : {"training", "evaluation"}) {
        INFO(split);
        std::ifstream list(data(std::string("arc-agi-2/") + split + ".txt"));
        std::set<std::string> listed;
        for (std::string line; std::getline(list, line);)
            if (!line.empty()) listed.insert(line.substr(0, line.find_first_of("\r ")));
        std::set<std::string> loaded;
        for (const auto & t : load_arc_tasks(data(std::string("arc-agi-2/") + split))) loaded.insert(t.id);
        CHECK(loaded == listed);
    }
}

TEST_CASE("the 11 ARC-AGI-1 files with a top-level \"name\" key load", "[arc][loader][data]") {
    for (const char * rel : {"training/9edfc990", "training/b230c067", "evaluation/05a7bcf2", "evaluation/20818e16",
                             "evaluation/310f3251", "evaluation/4852f2fa", "evaluation/79fb03f4", "evaluation/9def23fe",
                             "evaluation/ac0c5833", "evaluation/c35c1b4c", "evaluation/e6de6e8f"}) {
        INFO(rel);
        const fs::path file = data(std::string("arc-agi-1/") + rel + ".json");
        REQUIRE(trmbench::read_file(file).find("\"name\"") != std::string::npos);
        ArcTaskFile t = load_arc_task_file(file);
        CHECK(t.id == file.stem().string());
        CHECK_FALSE(t.train.empty());
    }
    CHECK(load_error("named.json", R"({"name": "named", "train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]], "output": [[4]]}]})") == "");
}

TEST_CASE("six ARC-AGI-2 evaluation tasks equal ARC-AGI-1 evaluation tasks (datasets.md 1.2)", "[arc][loader][data]") {
    std::map<std::string, std::string> v1;
    for (const auto & t : load_arc_tasks(data("arc-agi-1/evaluation"))) v1[t.id] = arc_task_hash(t.grids());
    std::set<std::string> same;
    for (const auto & t : load_arc_tasks(data("arc-agi-2/evaluation"))) {
        auto it = v1.find(t.id);
        if (it != v1.end() && it->second == arc_task_hash(t.grids())) same.insert(t.id);
    }
    CHECK(same == std::set<std::string>{"0934a4d8", "136b0064", "16b78196", "981571dc", "aa4ec2a5", "da515329"});
}

TEST_CASE("ARC-AGI-2 training holds 767 ARC-AGI-1 tasks, 376 from v1 evaluation (datasets.md 1.2)", "[arc][loader][data]") {
    std::map<std::string, std::string> v1_train, v1_eval;
    for (const auto & t : load_arc_tasks(data("arc-agi-1/training"))) v1_train[t.id] = arc_task_hash(t.grids());
    for (const auto & t : load_arc_tasks(data("arc-agi-1/evaluation"))) v1_eval[t.id] = arc_task_hash(t.grids());
    int from_train = 0, from_eval = 0, content_differs = 0;
    for (const auto & t : load_arc_tasks(data("arc-agi-2/training"))) {
        const auto * source = v1_train.count(t.id) ? &v1_train : v1_eval.count(t.id) ? &v1_eval : nullptr;
        if (!source) continue;
        (source == &v1_train ? from_train : from_eval) += 1;
        if (source->at(t.id) != arc_task_hash(t.grids())) ++content_differs;
    }
    CHECK(from_train == 391);
    CHECK(from_eval == 376);
    CHECK(content_differs == 1);  // "one task also differs in content"; the others only reorder pairs
}

TEST_CASE("malformed task files name the file and the JSON path", "[arc][loader]") {
    SECTION("bad colour") {
        std::string rows;
        for (int r = 0; r < 4; ++r) rows += std::string(r ? "," : "") + (r == 3 ? "[0,0,0,0,0,0,0,12]" : "[0,0,0,0,0,0,0,0]");
        const std::string msg = load_error("0a2355a6.json", R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[1]], "output": [)" + rows + "]}]}");
        CHECK_THAT(msg, Catch::EndsWith("0a2355a6.json: test[0].output[3][7]: colour 12 outside 0..9"));
    }
    SECTION("ragged row") {
        const std::string msg = load_error("ragged.json", R"({"train": [{"input": [[1]], "output": [[2]]}, {"input": [[1,2,3],[4,5,6],[7,8]], "output": [[1]]}], "test": [{"input": [[1]]}]})");
        CHECK_THAT(msg, Catch::Contains("ragged.json: train[1].input[2]: 2 columns, but row 0 has 3"));
    }
    SECTION("31-wide grid") {
        std::string row = "[";
        for (int c = 0; c < 31; ++c) row += std::string(c ? "," : "") + "0";
        row += "]";
        const std::string msg = load_error("wide.json", R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [)" + row + "]}]}");
        CHECK_THAT(msg, Catch::Contains("wide.json: test[0].input[0]: 31 columns, expected 1..30"));
    }
    SECTION("31 rows") {
        std::string rows;
        for (int r = 0; r < 31; ++r) rows += std::string(r ? "," : "") + "[1]";
        const std::string msg = load_error("tall.json", R"({"train": [{"input": [)" + rows + R"(], "output": [[2]]}], "test": [{"input": [[1]]}]})");
        CHECK_THAT(msg, Catch::Contains("tall.json: train[0].input: 31 rows, expected 1..30"));
    }
    SECTION("missing test") {
        CHECK_THAT(load_error("notest.json", R"({"train": [{"input": [[1]], "output": [[2]]}]})"),
                   Catch::Contains("notest.json: test: missing"));
    }
    SECTION("empty test list") {
        CHECK_THAT(load_error("emptytest.json", R"({"train": [{"input": [[1]], "output": [[2]]}], "test": []})"),
                   Catch::Contains("emptytest.json: test: empty list"));
    }
    SECTION("not JSON") {
        const std::string msg = load_error("broken.json", "{\"train\": [{\"input\": [[1]],\n \"output\": [[2]]}");
        CHECK_THAT(msg, Catch::Contains("broken.json: not valid JSON") && Catch::Contains("line 2"));
    }
    SECTION("train pair without output") {
        CHECK_THAT(load_error("noout.json", R"({"train": [{"input": [[1]]}], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("noout.json: train[0].output: missing"));
    }
    SECTION("non-integer, negative and string cells") {
        CHECK_THAT(load_error("f.json", R"({"train": [{"input": [[1.5]], "output": [[2]]}], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("f.json: train[0].input[0][0]: expected an integer colour 0..9, got a non-integer number"));
        CHECK_THAT(load_error("n.json", R"({"train": [{"input": [[1]], "output": [[2, -1]]}], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("n.json: train[0].output[0][1]: colour -1 outside 0..9"));
        CHECK_THAT(load_error("s.json", R"({"train": [{"input": [["1"]], "output": [[2]]}], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("s.json: train[0].input[0][0]: expected an integer colour"));
    }
    SECTION("empty grids and rows, wrong top level, wrong pair type") {
        CHECK_THAT(load_error("e.json", R"({"train": [{"input": [], "output": [[2]]}], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("e.json: train[0].input: 0 rows"));
        CHECK_THAT(load_error("e2.json", R"({"train": [{"input": [[]], "output": [[2]]}], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("e2.json: train[0].input[0]: 0 columns"));
        CHECK_THAT(load_error("top.json", "[1, 2]"), Catch::Contains("top.json: top level: expected an object"));
        CHECK_THAT(load_error("pair.json", R"({"train": [[1]], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("pair.json: train[0]: expected an object"));
        CHECK_THAT(load_error("grid.json", R"({"train": [{"input": 3, "output": [[2]]}], "test": [{"input": [[1]]}]})"),
                   Catch::Contains("grid.json: train[0].input: expected a list of rows, got a number"));
    }
    SECTION("a good file loads") { CHECK(load_error("good.json", kGoodTask) == ""); }
}

TEST_CASE("examples: one per test input, demos, ids; hidden test outputs give empty targets", "[arc][loader]") {
    TempDir dir;
    write_text(dir / "abc.json", R"({"train": [{"input": [[1]], "output": [[2]]}, {"input": [[3]], "output": [[4]]}],
                                     "test": [{"input": [[5]], "output": [[6]]}, {"input": [[7]]}]})");
    const auto examples = arc_examples(load_arc_tasks(dir / "abc.json"));
    REQUIRE(examples.size() == 2);
    CHECK(examples[0].id == "abc/0");
    CHECK(examples[1].id == "abc/1");
    CHECK(examples[1].group == "abc");
    CHECK(examples[1].index == 1);
    CHECK(examples[0].family == "arc");
    CHECK(examples[0].demos.size() == 2);
    CHECK(examples[0].demos[1].second == G({{4}}));
    CHECK(examples[0].input == G({{5}}));
    CHECK(examples[0].target == G({{6}}));
    CHECK(examples[1].target.empty());
    CHECK(arc_stats(examples).test_outputs_missing == 1);
}

TEST_CASE("directories are walked recursively in path order; ids must be unique", "[arc][loader]") {
    TempDir dir;
    write_text(dir / "Zeta/Zeta1.json", kGoodTask);
    write_text(dir / "Alpha/Alpha2.json", kGoodTask);
    write_text(dir / "Alpha/Alpha1.json", kGoodTask);
    write_text(dir / "top.json", kGoodTask);
    write_text(dir / "README.md", "not a task");
    write_text(dir / ".hidden.json", "garbage");
    const auto tasks = load_arc_tasks(dir.path());
    std::vector<std::string> ids;
    for (const auto & t : tasks) ids.push_back(t.id);
    CHECK(ids == std::vector<std::string>{"Alpha1", "Alpha2", "Zeta1", "top"});

    write_text(dir / "Zeta/top.json", kGoodTask);
    CHECK_THROWS_WITH(load_arc_tasks(dir.path()), Catch::Contains("task id 'top' also defined by"));

    TempDir empty;
    write_text(empty / "notes.txt", "x");
    CHECK_THROWS_WITH(load_arc_tasks(empty.path()), Catch::Contains("no ARC task files"));
    CHECK_THROWS_AS(load_arc_tasks(empty / "missing"), InputError);

    write_text(dir / "Alpha/bad.json", "{");
    CHECK_THROWS_WITH(load_arc_tasks(dir.path()), Catch::Contains("bad.json"));
}

TEST_CASE("Kaggle combined layout: challenges plus optional solutions", "[arc][loader]") {
    TempDir dir;
    write_text(dir / "arc-agi_evaluation_challenges.json",
               R"({"bbb": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}, {"input": [[4]]}]},
                   "aaa": {"train": [{"input": [[5]], "output": [[6]]}], "test": [{"input": [[7]]}]}})");
    SECTION("without solutions the targets are empty") {
        const auto tasks = load_arc_tasks(dir / "arc-agi_evaluation_challenges.json");
        REQUIRE(tasks.size() == 2);
        CHECK(tasks[0].id == "aaa");  // sorted by id
        CHECK(tasks[1].test.size() == 2);
        CHECK(tasks[1].test[0].output.empty());
    }
    SECTION("solutions fill the test outputs; a directory walk reads the pair once") {
        write_text(dir / "arc-agi_evaluation_solutions.json", R"({"aaa": [[[8]]], "bbb": [[[9]], [[1,1]]]})");
        const auto tasks = load_arc_tasks(dir.path());
        REQUIRE(tasks.size() == 2);
        CHECK(tasks[1].test[1].output == G({{1, 1}}));
        CHECK(tasks[0].test[0].output == G({{8}}));
    }
    SECTION("a solutions file with the wrong count is an error naming it and the task") {
        write_text(dir / "arc-agi_evaluation_solutions.json", R"({"aaa": [[[8]]], "bbb": [[[9]]]})");
        CHECK_THROWS_WITH(load_arc_tasks(dir.path()),
                          Catch::Contains("arc-agi_evaluation_solutions.json: bbb: 1 solutions for 2 test inputs"));
    }
    SECTION("errors inside a task carry the task id in the path") {
        write_text(dir / "arc-agi_x_challenges.json", R"({"ccc": {"train": [{"input": [[10]], "output": [[1]]}], "test": [{"input": [[1]]}]}})");
        CHECK_THROWS_WITH(load_arc_tasks(dir / "arc-agi_x_challenges.json"),
                          Catch::Contains("arc-agi_x_challenges.json: ccc.train[0].input[0][0]: colour 10 outside 0..9"));
    }
}

TEST_CASE("mutated task files either load or raise InputError", "[arc][loader]") {
    const std::string base = R"({"name": "x", "train": [{"input": [[1,2],[3,4]], "output": [[4,3,2]]}, {"input": [[0]], "output": [[9]]}],
                                 "test": [{"input": [[5,6,7]], "output": [[1],[2]]}]})";
    const std::string alphabet = "[]{},:\"0123456789-.e trainputesoname";
    Rng rng(12345);
    int loaded = 0, rejected = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text = base;
        const int edits = static_cast<int>(rng.uniform(1, 4));
        for (int e = 0; e < edits; ++e) {
            const size_t pos = rng.below(text.size());
            switch (rng.below(3)) {
                case 0: text[pos] = alphabet[rng.below(alphabet.size())]; break;
                case 1: text.erase(pos, 1); break;
                default: text.insert(pos, 1, alphabet[rng.below(alphabet.size())]); break;
            }
        }
        try {
            ArcTaskFile t = parse_arc_task_json(text, "mutant.json", "x");
            ++loaded;
            for (const auto & p : t.train) REQUIRE((p.input.rows >= 1 && p.input.rows <= 30 && !p.output.empty()));
        } catch (const InputError & e) {
            ++rejected;
            REQUIRE(std::string(e.what()).rfind("mutant.json: ", 0) == 0);
        }
    }
    CHECK(loaded > 0);
    CHECK(rejected > 0);
}
