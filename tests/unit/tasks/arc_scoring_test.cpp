// Tests of tasks/arc/arc_scoring: the three conventions at pass@1 and pass@2 on hand-built
// submissions (missing task, multi-test task with one of two right, attempt objects with "answer",
// null and [] attempts, wrong shapes), malformed entries as warnings, pair_index remapping,
// per-task directories, and the submission writer.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "tasks/arc/arc_scoring.h"
#include "tests/support/test_support.h"
#include "tests/unit/tasks/arc_test_helpers.h"

using namespace trmbench;
using trmbench::test::G;

namespace {

// T1: 1 test, T2: 2 tests, T3: 1 test, T4: 3 tests.
std::vector<ArcTaskTruth> task_set() {
    return {{"T1", {G({{1, 2}, {3, 4}})}},
            {"T2", {G({{5}}), G({{6, 7, 8}})}},
            {"T3", {G({{9}})}},
            {"T4", {G({{1}}), G({{2}}), G({{3}})}}};
}

// T1: wrong first, right second. T2: pair 0 right as an {"answer"} object, pair 1 null then the
// transposed (wrong-shape) grid. T3: absent. T4: all right at attempt 1. T9: not in the set.
const char * kSubmission = R"({
  "T1": [{"attempt_1": [[1,2],[3,5]], "attempt_2": [[1,2],[3,4]]}],
  "T2": [{"attempt_1": {"answer": [[5]], "metadata": {"pair_index": 0, "cost": {"total_cost": 0.1}}},
          "attempt_2": {"answer": [], "metadata": {"pair_index": 0}}},
         {"attempt_1": null, "attempt_2": [[6],[7],[8]]}],
  "T4": [{"attempt_1": [[1]], "attempt_2": [[0]]}, {"attempt_1": [[2]]}, {"attempt_1": [[3]], "attempt_2": null}],
  "T9": [{"attempt_1": [[1]], "attempt_2": [[1]]}]
})";

bool has_warning(const std::vector<std::string> & warnings, const std::string & needle) {
    for (const auto & w : warnings)
        if (w.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("the three conventions at pass@1 and pass@2 on a hand-built submission", "[arc][scoring]") {
    const auto set = task_set();
    const ArcSubmission sub = parse_arc_submission_json(kSubmission, "sub.json");
    CHECK(sub.warnings.empty());

    const ArcScore s2 = score_arc_submission(set, sub, 2);
    CHECK(s2.tasks == 4);
    CHECK(s2.test_outputs == 7);
    // per task: T1 1/1, T2 1/2, T3 0/1 (missing), T4 3/3
    CHECK(s2.arc_prize == Approx((1.0 + 0.5 + 0.0 + 1.0) / 4));
    CHECK(s2.strict == Approx(2.0 / 4));
    CHECK(s2.per_output == Approx(5.0 / 7));
    CHECK(s2.solved_outputs == 5);
    CHECK(s2.strict_tasks_solved == 2);
    CHECK(s2.missing_tasks == 1);
    CHECK(s2.missing_outputs == 1);
    CHECK(s2.unknown_tasks == std::vector<std::string>{"T9"});
    // unanswered slots among entries present: T2 pair0 attempt_2 ([]), T2 pair1 attempt_1 (null),
    // T4 pair1 attempt_2 (absent), T4 pair2 attempt_2 (null)
    CHECK(s2.unanswered_attempts == 4);
    REQUIRE(s2.per_task.size() == 4);
    CHECK(s2.per_task[1].id == "T2");
    CHECK(s2.per_task[1].solved == 1);
    CHECK_FALSE(s2.per_task[2].submitted);

    const ArcScore s1 = score_arc_submission(set, sub, 1);
    // T1 needs its second attempt: 0/1 at k=1
    CHECK(s1.arc_prize == Approx((0.0 + 0.5 + 0.0 + 1.0) / 4));
    CHECK(s1.strict == Approx(1.0 / 4));
    CHECK(s1.per_output == Approx(4.0 / 7));
    CHECK(s1.value(ArcConvention::strict) == s1.strict);
    CHECK(s1.value(ArcConvention::per_output) == s1.per_output);
    CHECK(s1.value(ArcConvention::arc_prize) == s1.arc_prize);
    CHECK_THROWS_AS(score_arc_submission(set, sub, 0), std::invalid_argument);
}

TEST_CASE("the denominator is the task set, not the tasks submitted", "[arc][scoring]") {
    // Only the solved task is submitted: arc-agi-benchmarking would report 100%.
    const auto sub = parse_arc_submission_json(R"({"T3": [{"attempt_1": [[9]]}]})", "s.json");
    const ArcScore s = score_arc_submission(task_set(), sub, 2);
    CHECK(s.arc_prize == Approx(0.25));
    CHECK(s.missing_tasks == 3);
    CHECK(s.missing_outputs == 6);
    const ArcScore none = score_arc_submission({}, sub, 2);
    CHECK(none.arc_prize == 0);
    CHECK(none.per_output == 0);
}

TEST_CASE("pass@k reads attempt_1..attempt_k only", "[arc][scoring]") {
    const std::vector<ArcTaskTruth> set = {{"A", {G({{3}})}}};
    const auto sub = parse_arc_submission_json(R"({"A": [{"attempt_3": [[3]], "attempt_1": [[0]]}]})", "s.json");
    CHECK(score_arc_submission(set, sub, 1).arc_prize == 0);
    CHECK(score_arc_submission(set, sub, 2).arc_prize == 0);
    CHECK(score_arc_submission(set, sub, 3).arc_prize == 1);
}

TEST_CASE("malformed entries are wrong answers with warnings naming task and pair", "[arc][scoring]") {
    const std::vector<ArcTaskTruth> set = {{"A", {G({{1}}), G({{2}}), G({{3}}), G({{4}}), G({{5}}), G({{6}})}},
                                           {"B", {G({{1}})}}};
    const char * text = R"({
      "A": [{"attempt_1": "[[1]]", "attempt_2": [[1]]},
            {"attempt_1": [[2],[2,2]]},
            {"attempt_1": [[12]]},
            {"attempt_1": {"metadata": {}}},
            [[5]],
            {"attempt_1": [[6]], "foo": 1, "attempt_2": [[1.5]]}],
      "B": {"attempt_1": [[1]]}
    })";
    ArcSubmission sub;
    REQUIRE_NOTHROW(sub = parse_arc_submission_json(text, "bad.json"));
    CHECK(has_warning(sub.warnings, "task A pair 0: attempt_1: expected a grid"));
    CHECK(has_warning(sub.warnings, "task A pair 1: attempt_1[1]: not an ARC grid"));
    CHECK(has_warning(sub.warnings, "task A pair 2: attempt_1[0][0]: not an ARC grid: colour 12 outside 0..9"));
    CHECK(has_warning(sub.warnings, "task A pair 3: attempt_1: object without \"answer\""));
    CHECK(has_warning(sub.warnings, "task A pair 4: expected an object"));
    CHECK(has_warning(sub.warnings, "task A pair 5: ignored key \"foo\""));
    CHECK(has_warning(sub.warnings, "task A pair 5: attempt_2[0][0]: not an ARC grid"));
    CHECK(has_warning(sub.warnings, "task B: expected a list"));
    const ArcScore s = score_arc_submission(set, sub, 2);
    // A pair 0 (attempt_2 valid) and pair 5 (attempt_1 valid) are right; everything else wrong.
    CHECK(s.per_task[0].solved == 2);
    CHECK(s.per_task[1].solved == 0);
    CHECK(s.per_task[1].submitted);
    CHECK(s.per_output == Approx(2.0 / 7));
}

TEST_CASE("metadata pair_index maps entries; bad or duplicate indices warn", "[arc][scoring]") {
    const std::vector<ArcTaskTruth> set = {{"A", {G({{1}}), G({{2}})}}};
    SECTION("swapped entries are matched by pair_index") {
        const auto sub = parse_arc_submission_json(R"({"A": [
            {"attempt_1": {"answer": [[2]], "metadata": {"pair_index": 1}}},
            {"attempt_1": {"answer": [[1]], "metadata": {"pair_index": 0}}}]})", "s.json");
        const ArcScore s = score_arc_submission(set, sub, 2);
        CHECK(s.per_output == 1);
        CHECK(s.warnings.empty());
    }
    SECTION("an out-of-range pair_index falls back to the position") {
        const auto sub = parse_arc_submission_json(R"({"A": [
            {"attempt_1": {"answer": [[1]], "metadata": {"pair_index": 7}}}]})", "s.json");
        const ArcScore s = score_arc_submission(set, sub, 2);
        CHECK(s.per_task[0].solved == 1);
        CHECK(s.missing_outputs == 1);
        CHECK(has_warning(s.warnings, "task A pair 0: metadata pair_index 7 outside"));
    }
    SECTION("a second entry for the same pair and extra entries are ignored") {
        const auto sub = parse_arc_submission_json(R"({"A": [
            {"attempt_1": {"answer": [[9]], "metadata": {"pair_index": 0}}},
            {"attempt_1": {"answer": [[1]], "metadata": {"pair_index": 0}}},
            {"attempt_1": [[2]]}]})", "s.json");
        const ArcScore s = score_arc_submission(set, sub, 2);
        CHECK(s.per_task[0].solved == 0);
        CHECK(has_warning(s.warnings, "task A pair 1: second entry for test input 0"));
        CHECK(has_warning(s.warnings, "task A pair 2: entry beyond the task's 2 test inputs"));
    }
}

TEST_CASE("non-JSON and wrongly shaped submissions are InputErrors naming the file", "[arc][scoring]") {
    try {
        parse_arc_submission_json("{not json", "/tmp/x/sub_bad.json");
        FAIL("no exception");
    } catch (const InputError & e) {
        CHECK_THAT(e.what(), Catch::Contains("sub_bad.json") && Catch::Contains("not valid JSON"));
    }
    CHECK_THROWS_AS(parse_arc_submission_json("42", "n.json"), InputError);
    CHECK_THROWS_WITH(parse_arc_submission_json("\"s\"", "n.json"), Catch::Contains("n.json"));
}

TEST_CASE("per-task list files and directories as arc-agi-benchmarking writes them", "[arc][scoring]") {
    const std::vector<ArcTaskTruth> set = {{"aa", {G({{1}})}}, {"bb", {G({{2}}), G({{3}})}}};
    trmbench::test::TempDir dir;
    trmbench::test::write_text(dir / "aa.json", R"([{"attempt_1": {"answer": [[1]], "metadata": {"pair_index": 0}}, "attempt_2": null}])");
    trmbench::test::write_text(dir / "bb.json", R"([{"attempt_1": [[2]]}, {"attempt_1": [], "attempt_2": [[0]]}])");
    trmbench::test::write_text(dir / "results.json", R"({"score": 1.0})");
    trmbench::test::write_text(dir / "notes.txt", "ignored");

    const ArcSubmission sub = load_arc_submission(dir.path());
    CHECK(sub.tasks.size() == 2);
    const ArcScore s = score_arc_submission(set, sub, 2);
    CHECK(s.arc_prize == Approx((1.0 + 0.5) / 2));
    CHECK(s.strict == Approx(0.5));

    const ArcSubmission single = load_arc_submission(dir / "bb.json");  // a list: the stem is the task id
    REQUIRE(single.tasks.count("bb"));
    CHECK(single.tasks.at("bb").size() == 2);

    trmbench::test::write_text(dir / "cc.json", "garbage");
    CHECK_THROWS_WITH(load_arc_submission(dir.path()), Catch::Contains("cc.json"));

    trmbench::test::TempDir empty;
    CHECK_THROWS_AS(load_arc_submission(empty.path()), InputError);
}

TEST_CASE("arc_task_set groups examples and rejects gaps and duplicates", "[arc][scoring]") {
    auto ex = [](std::string task, int index, Grid target) {
        Example e;
        e.id = task + "/" + std::to_string(index);
        e.group = task;
        e.index = index;
        e.target = std::move(target);
        return e;
    };
    std::vector<Example> examples = {ex("b", 1, G({{2}})), ex("a", 0, G({{7}})), ex("b", 0, G({{1}}))};
    auto set = arc_task_set(examples);
    REQUIRE(set.size() == 2);
    CHECK(set[0].id == "b");
    CHECK(set[0].outputs == std::vector<Grid>{G({{1}}), G({{2}})});
    CHECK(set[1].id == "a");

    examples.push_back(ex("a", 0, G({{7}})));
    CHECK_THROWS_AS(arc_task_set(examples), std::invalid_argument);
    CHECK_THROWS_AS(arc_task_set(std::vector<Example>{ex("c", 1, G({{1}}))}), std::invalid_argument);
}

TEST_CASE("writer: predictions to ARC Prize JSON and back", "[arc][scoring]") {
    const auto set = task_set();
    std::vector<ArcPredictionEntry> entries = {
        {"T1", 0, {G({{1, 2}, {3, 5}}), G({{1, 2}, {3, 4}})}},
        {"T2", 1, {std::nullopt, G({{6, 7, 8}})}},
        {"T4", 0, {G({{1}})}},
    };
    const ArcSubmission sub = make_arc_submission(entries, set);
    CHECK(sub.tasks.size() == 4);                  // every task of the set is present
    CHECK(sub.tasks.at("T2").size() == 2);
    CHECK(sub.tasks.at("T4").size() == 3);

    const std::string json = arc_submission_json(sub);
    CHECK(json.find(R"("T1":[{"attempt_1":[[1,2],[3,5]],"attempt_2":[[1,2],[3,4]]}])") != std::string::npos);
    CHECK(json.find(R"("T3":[{"attempt_1":null,"attempt_2":null}])") != std::string::npos);

    const ArcSubmission back = parse_arc_submission_json(json, "written.json");
    CHECK(back.warnings.empty());
    const ArcScore direct = score_arc_submission(set, sub, 2), reread = score_arc_submission(set, back, 2);
    CHECK(direct.arc_prize == Approx((1.0 + 0.5 + 0 + 1.0 / 3) / 4));
    CHECK(reread.arc_prize == direct.arc_prize);
    CHECK(reread.per_output == direct.per_output);
    CHECK(reread.missing_outputs == 0);

    ArcSubmissionWriteOptions kaggle;
    kaggle.placeholder_grid = true;
    const std::string padded = arc_submission_json(sub, kaggle);
    CHECK(padded.find("null") == std::string::npos);
    CHECK(padded.find(R"("T3":[{"attempt_1":[[0]],"attempt_2":[[0]]}])") != std::string::npos);

    CHECK_THROWS_AS(make_arc_submission(std::vector<ArcPredictionEntry>{{"X", -1, {}}}), std::invalid_argument);
}

TEST_CASE("submission from runner predictions", "[arc][scoring]") {
    std::vector<Example> examples(3);
    const char * ids[] = {"t1/0", "t1/1", "t2/0"};
    for (int i = 0; i < 3; ++i) {
        examples[i].id = ids[i];
        examples[i].group = i < 2 ? "t1" : "t2";
        examples[i].index = i < 2 ? i : 0;
        examples[i].target = G({{i}});
    }
    std::vector<Prediction> preds(4);
    preds[0].example_id = "t1/0", preds[0].attempt = 0, preds[0].answer = G({{0}});
    preds[1].example_id = "t1/1", preds[1].attempt = 1, preds[1].answer = G({{1}});
    preds[2].example_id = "t2/0", preds[2].attempt = 0, preds[2].outcome = Outcome::parse_error;
    preds[3].example_id = "nope/0", preds[3].attempt = 0, preds[3].answer = G({{0}});
    const ArcSubmission sub = arc_submission_from_predictions(examples, preds);
    CHECK(sub.warnings.size() == 1);
    const ArcScore s = score_arc_submission(arc_task_set(examples), sub, 2);
    CHECK(s.per_task[0].solved == 2);
    CHECK(s.per_task[1].solved == 0);
    CHECK(s.missing_outputs == 0);
    CHECK(score_arc_submission(arc_task_set(examples), sub, 1).per_task[0].solved == 1);
}

TEST_CASE("convention names round-trip", "[arc][scoring]") {
    for (ArcConvention c : kArcConventions) {
        ArcConvention back;
        REQUIRE(parse_arc_convention(arc_convention_name(c), back));
        CHECK(back == c);
    }
    ArcConvention c;
    CHECK_FALSE(parse_arc_convention("kaggle", c));
}

TEST_CASE("mutated submissions are parsed and scored without crashing", "[arc][scoring]") {
    const auto set = task_set();
    const std::string alphabet = "[]{},:\"0123456789-.e _attempnswrmdaix";
    Rng rng(777);
    int parsed = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text = kSubmission;
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
            const ArcSubmission sub = parse_arc_submission_json(text, "mutant.json");
            ++parsed;
            for (int k = 1; k <= 2; ++k) {
                const ArcScore s = score_arc_submission(set, sub, k);
                REQUIRE(s.arc_prize >= 0);
                REQUIRE(s.arc_prize <= 1);
                REQUIRE(s.per_output <= 1);
            }
        } catch (const InputError & e) {
            REQUIRE(std::string(e.what()).rfind("mutant.json: ", 0) == 0);
        }
    }
    CHECK(parsed > 100);
}
