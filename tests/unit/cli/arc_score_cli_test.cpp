// End-to-end tests of `trmbench score arc` on a small task directory: numbers in the text and JSON
// output, k=1 vs k=2, per-task submission directories, warnings, and the exit codes for a
// malformed submission file (3) and a bad command line (2).
#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

using trmbench::test::TempDir;
using trmbench::test::write_text;

namespace {

// Three tasks: t1 (1 test), t2 (2 tests), t3 (1 test).
void write_tasks(const TempDir & dir) {
    write_text(dir / "tasks/t1.json", R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]], "output": [[4, 4]]}]})");
    write_text(dir / "tasks/t2.json", R"({"train": [{"input": [[1]], "output": [[2]]}],
        "test": [{"input": [[5]], "output": [[6]]}, {"input": [[7]], "output": [[8],[8]]}]})");
    write_text(dir / "tasks/t3.json", R"({"name": "t3", "train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[9]], "output": [[0]]}]})");
}

// t1 right at attempt 2; t2 pair 0 right (answer object), pair 1 wrong shape; t3 missing.
// pass@2: ARC Prize (1 + 0.5 + 0)/3 = 50.00%, strict 1/3 = 33.33%, per output 2/4 = 50.00%
// pass@1: ARC Prize (0 + 0.5 + 0)/3 = 16.67%, strict 0.00%, per output 1/4 = 25.00%
const char * kSubmission = R"({
  "t1": [{"attempt_1": [[4]], "attempt_2": [[4, 4]]}],
  "t2": [{"attempt_1": {"answer": [[6]], "metadata": {"pair_index": 0}}, "attempt_2": null},
         {"attempt_1": [[8, 8]], "attempt_2": "oops"}]
})";

// Runs trmbench; returns its output with runs of spaces squeezed to one, so that the checks do
// not depend on column widths.
std::string run(const std::string & args, int & rc) {
    std::string out, squeezed;
    rc = trmbench::test::run_command(trmbench::test::trmbench_exe().string() + " " + args, out);
    for (char c : out)
        if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
    return squeezed;
}

}  // namespace

TEST_CASE("score arc prints all conventions at pass@1 and pass@2", "[cli][arc]") {
    TempDir dir;
    write_tasks(dir);
    write_text(dir / "sub.json", kSubmission);
    int rc = -1;
    const std::string out = run("score arc --tasks " + (dir / "tasks").string() + " --submission " + (dir / "sub.json").string(), rc);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("3 tasks, 4 test outputs"));
    CHECK_THAT(out, Catch::Contains("pass@1") && Catch::Contains("pass@2"));
    CHECK_THAT(out, Catch::Contains("ARC Prize (per-task fraction) 16.67% 50.00% 1.50/3 tasks"));
    CHECK_THAT(out, Catch::Contains("strict per-task (all test inputs) 0.00% 33.33% 1/3 tasks"));
    CHECK_THAT(out, Catch::Contains("per test output (micro) 25.00% 50.00% 2/4 test outputs"));
    CHECK_THAT(out, Catch::Contains("1 tasks, 1 test outputs without an entry"));
    CHECK_THAT(out, Catch::Contains("task t2 pair 1: attempt_2: expected a grid"));
    CHECK_THAT(out, Catch::Contains("score: 50.00% (arc-prize, pass@2)"));
}

TEST_CASE("score arc --k 1, --convention and --json", "[cli][arc]") {
    TempDir dir;
    write_tasks(dir);
    write_text(dir / "sub.json", kSubmission);
    const std::string base = "score arc --tasks " + (dir / "tasks").string() + " --submission " + (dir / "sub.json").string();
    int rc = -1;
    std::string out = run(base + " --k 1 --convention strict", rc);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("strict per-task"));
    CHECK_THAT(out, !Catch::Contains("ARC Prize (per-task fraction)"));
    CHECK_THAT(out, !Catch::Contains("pass@2"));
    CHECK_THAT(out, Catch::Contains("0.00% (strict, pass@1)"));

    out = run(base + " --json", rc);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("\"arc-prize\": {") && Catch::Contains("\"pass@2\": 0.5"));
    CHECK_THAT(out, Catch::Contains("\"strict\": {") && Catch::Contains("\"per-output\": {"));
    CHECK_THAT(out, Catch::Contains("\"missing_tasks\": 1"));
    CHECK_THAT(out, Catch::Contains("\"test_outputs\": 4"));
}

TEST_CASE("score arc reads a directory of per-task submission files", "[cli][arc]") {
    TempDir dir;
    write_tasks(dir);
    write_text(dir / "subs/t1.json", R"([{"attempt_1": {"answer": [[4, 4]], "metadata": {"pair_index": 0}}, "attempt_2": null}])");
    write_text(dir / "subs/t3.json", R"([{"attempt_1": [[0]], "attempt_2": [[0]]}])");
    write_text(dir / "subs/results.json", R"({"score": 2})");
    int rc = -1;
    const std::string out = run("score arc --tasks " + (dir / "tasks").string() + " --submission " + (dir / "subs").string(), rc);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("66.67% (arc-prize, pass@2)"));  // 2 of 3 tasks, t2 missing
}

TEST_CASE("score arc: malformed submission file is exit 3 naming the file; usage errors exit 2", "[cli][arc]") {
    TempDir dir;
    write_tasks(dir);
    write_text(dir / "broken_sub.json", "{\"t1\": [");
    int rc = -1;
    std::string out = run("score arc --tasks " + (dir / "tasks").string() + " --submission " + (dir / "broken_sub.json").string(), rc);
    CHECK(rc == 3);
    CHECK_THAT(out, Catch::Contains("broken_sub.json") && Catch::Contains("not valid JSON"));

    out = run("score arc --tasks " + (dir / "no_such_dir").string() + " --submission " + (dir / "broken_sub.json").string(), rc);
    CHECK(rc == 2);
    out = run("score arc --tasks " + (dir / "tasks").string(), rc);
    CHECK(rc == 2);
    out = run("score arc --tasks " + (dir / "tasks").string() + " --submission x --k 0", rc);
    CHECK(rc == 2);

    write_text(dir / "hidden/h.json", R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]})");
    write_text(dir / "ok.json", "{}");
    out = run("score arc --tasks " + (dir / "hidden").string() + " --submission " + (dir / "ok.json").string(), rc);
    CHECK(rc == 3);
    CHECK_THAT(out, Catch::Contains("has no output"));
}
