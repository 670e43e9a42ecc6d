// Suite files: parsing, defaults, canonical form, and every malformed-suite case naming its field.
#include <catch2/catch.hpp>

#include <string>

#include "harness/core/error.h"
#include "harness/run/suite.h"

using namespace trmbench;

namespace {

const char * kMinimal = R"({
  "name": "mini",
  "tasks": [ { "family": "sudoku", "generate": { "n": 10, "seed": 3 } } ],
  "solvers": [ { "kind": "baseline", "name": "sudoku-exact" } ]
})";

Suite parse(const std::string & text) { return parse_suite(text, "t.json", "/base"); }

// The message of the exception parse() throws, and whether it was of type E.
template <class E>
std::string error_of(const std::string & text) {
    try {
        parse(text);
    } catch (const E & e) {
        return e.what();
    } catch (const std::exception & e) {
        FAIL("wrong exception type: " << e.what());
    }
    FAIL("no exception for: " << text);
    return "";
}

// The minimal suite with one replacement applied.
std::string with(const std::string & from, const std::string & to) {
    std::string s = kMinimal;
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("a minimal suite gets its defaults", "[run][suite]") {
    Suite s = parse(kMinimal);
    CHECK(s.name == "mini");
    CHECK(s.attempts == 1);
    CHECK(s.seed == 0);
    REQUIRE(s.tasks.size() == 1);
    CHECK(s.tasks[0].name == "sudoku-generated-n10-seed3");
    CHECK(s.tasks[0].family == "sudoku");
    REQUIRE(s.tasks[0].generate);
    CHECK(s.tasks[0].generate->n == 10);
    CHECK(s.tasks[0].generate->seed == 3);
    CHECK_FALSE(s.tasks[0].optional);
    REQUIRE(s.solvers.size() == 1);
    CHECK(s.solvers[0].kind == SolverKind::baseline);
    CHECK(s.solvers[0].run_name() == "sudoku-exact");
    CHECK(s.limits.spend_usd == -1);
    CHECK(s.limits.time_budget_s == 0);
    CHECK(s.base_dir == "/base");
}

TEST_CASE("maze generate options: size, min_path and the unique_path flag", "[run][suite]") {
    auto maze_suite = [](const std::string & options) {
        return R"({"tasks": [{"name": "m", "family": "maze", "generate": {"n": 4, "seed": 2, "options": )" + options +
               R"(}}], "solvers": [{"kind": "baseline", "name": "maze-bfs"}]})";
    };
    Suite s = parse(maze_suite(R"({"size": 6, "min_path": 4, "unique_path": true})"));
    GenerateOptions o = s.tasks[0].generate->to_options();
    CHECK(o.size == 6);
    CHECK(o.min_path == 4);
    CHECK(o.unique_path);
    CHECK(s.tasks[0].generate->options.back() == std::pair<std::string, double>("unique_path", 1.0));
    // false is the default: the same data set, so the same options (and cache file) as leaving it out.
    Suite plain = parse(maze_suite(R"({"size": 6, "unique_path": false})"));
    CHECK_FALSE(plain.tasks[0].generate->to_options().unique_path);
    CHECK(plain.tasks[0].generate->options == parse(maze_suite(R"({"size": 6})")).tasks[0].generate->options);
    CHECK(error_of<InputError>(maze_suite(R"({"unique_path": 1})"))
              .find("tasks[0].generate.options.unique_path: must be true or false, got 1") != std::string::npos);
    CHECK(error_of<InputError>(maze_suite(R"({"unique": true})"))
              .find("unknown option for maze (known: size, min_path, unique_path)") != std::string::npos);
}

TEST_CASE("a full suite parses every field", "[run][suite]") {
    Suite s = parse(R"({
      // comments are allowed
      "suite": 1, "name": "full", "description": "d", "seed": 7, "attempts": 2, "output": "out.sqlite",
      "tasks": [
        { "name": "s", "family": "sudoku", "dataset": "sudoku/rated/x", "split": "test",
          "subset": { "size": 50, "seed": 9, "strata": [0, 10, 30], "allocation": "equal" }, "attempts": 3, "optional": true },
        { "name": "m", "family": "sudoku", "generate": { "n": 5, "seed": 1, "options": { "min_rating": 2, "max_rating": 9, "max_blanks": 16 } } }
      ],
      "solvers": [
        { "kind": "baseline", "name": "identity", "tasks": ["s"], "attempts": 1 },
        { "kind": "local", "name": "trm-mlp-sudoku", "checkpoint": "c.safetensors", "device": "cuda:1", "dtype": "bfloat16", "batch_size": 64, "optional": true },
        { "kind": "llm", "name": "gpt-x", "as": "gpt-x-low", "request": { "reasoning_effort": "low" } },
        { "kind": "llm", "name": "*" }
      ],
      "limits": { "spend_usd": 12.5, "concurrency": 8, "parallel_solvers": 2, "time_budget_s": 3600 }
    })");
    CHECK(s.seed == 7);
    CHECK(s.attempts == 2);
    CHECK(s.output == "out.sqlite");
    const TaskEntry & t = s.tasks[0];
    CHECK(t.dataset == "sudoku/rated/x");
    CHECK(t.split == "test");
    REQUIRE(t.subset);
    CHECK(t.subset->size == 50);
    CHECK(t.subset->seed == 9);
    CHECK(t.subset->strata == std::vector<double>{0, 10, 30});
    CHECK(t.subset->allocation == "equal");
    CHECK(t.attempts == 3);
    CHECK(t.optional);
    auto opts = s.tasks[1].generate->to_options();
    CHECK(opts.min_rating == 2);
    CHECK(opts.max_rating == 9);
    CHECK(opts.max_blanks == 16);
    CHECK(opts.n == 5);
    CHECK(s.solvers[0].tasks == std::vector<std::string>{"s"});
    CHECK(s.solvers[1].kind == SolverKind::local);
    CHECK(s.solvers[1].preset == "trm-mlp-sudoku");
    CHECK(s.solvers[1].device == "cuda:1");
    CHECK(s.solvers[1].dtype == "bfloat16");
    CHECK(s.solvers[1].batch_size == 64);
    CHECK(s.solvers[2].run_name() == "gpt-x-low");
    CHECK(s.solvers[2].request_json == R"({"reasoning_effort":"low"})");
    CHECK(s.limits.spend_usd == 12.5);
    CHECK(s.limits.concurrency == 8);
    CHECK(s.limits.parallel_solvers == 2);
    CHECK(s.limits.time_budget_s == 3600);
}

TEST_CASE("a subset seed defaults to the suite seed", "[run][suite]") {
    Suite t = parse(R"({"seed": 42, "tasks": [{"family": "sudoku", "dataset": "a", "subset": {"size": 3}}],
                        "solvers": [{"kind": "baseline", "name": "identity"}]})");
    CHECK(t.tasks[0].subset->seed == 42);
}

TEST_CASE("the canonical form is stable and sensitive to what matters", "[run][suite]") {
    Suite a = parse(kMinimal);
    Suite b = parse(R"({ "solvers": [ { "name": "sudoku-exact", "kind": "baseline" } ], "name": "mini",
                         "tasks": [ { "generate": { "seed": 3, "n": 10 }, "family": "sudoku" } ] })");
    CHECK(a.canonical_json() == b.canonical_json());
    Suite c = parse(with(R"("seed": 3)", R"("seed": 4)"));
    CHECK(a.canonical_json() != c.canonical_json());
}

TEST_CASE("malformed suites name the file and the field", "[run][suite]") {
    SECTION("not JSON") {
        std::string m = error_of<InputError>("{\n  \"name\": \"x\",\n  \"tasks\": [ oops ]\n}");
        CHECK(m.find("t.json: line 3") != std::string::npos);
        CHECK(m.find("not valid JSON") != std::string::npos);
    }
    SECTION("top level not an object") { CHECK(error_of<InputError>("[1,2]").find("t.json: (top level): must be an object") != std::string::npos); }
    SECTION("unknown top-level field") {
        std::string m = error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "atempts": 2)"));
        CHECK(m.find("t.json: atempts: unknown field") != std::string::npos);
        CHECK(m.find("attempts") != std::string::npos);  // the known fields are listed
    }
    SECTION("missing tasks") { CHECK(error_of<InputError>(R"({"solvers": []})").find("t.json: tasks: required field is missing") != std::string::npos); }
    SECTION("empty tasks") { CHECK(error_of<InputError>(R"({"tasks": [], "solvers": []})").find("t.json: tasks: must be a non-empty list") != std::string::npos); }
    SECTION("task not an object") { CHECK(error_of<InputError>(with(R"([ { "family")", R"([ 3, { "family")")).find("tasks[0]: must be an object, got a number") != std::string::npos); }
    SECTION("missing family") { CHECK(error_of<InputError>(with(R"("family": "sudoku", )", "")).find("tasks[0].family: required field is missing") != std::string::npos); }
    SECTION("family of the wrong type") { CHECK(error_of<InputError>(with(R"("family": "sudoku")", R"("family": 5)")).find("tasks[0].family: must be a string, got 5") != std::string::npos); }
    SECTION("neither dataset nor generate") {
        CHECK(error_of<InputError>(R"({"tasks": [{"family": "sudoku"}], "solvers": [{"kind": "baseline", "name": "identity"}]})")
                  .find("tasks[0]: needs exactly one of \"dataset\"") != std::string::npos);
    }
    SECTION("both dataset and generate") {
        CHECK(error_of<InputError>(with(R"("family": "sudoku", )", R"("family": "sudoku", "dataset": "x", )"))
                  .find("tasks[0]: needs exactly one of") != std::string::npos);
    }
    SECTION("negative n") { CHECK(error_of<InputError>(with(R"("n": 10)", R"("n": -5)")).find("tasks[0].generate.n: must be an integer in [1, ") != std::string::npos); }
    SECTION("fractional n") { CHECK(error_of<InputError>(with(R"("n": 10)", R"("n": 2.5)")).find("tasks[0].generate.n: must be an integer, got 2.5") != std::string::npos); }
    SECTION("string seed") { CHECK(error_of<InputError>(with(R"("seed": 3)", R"("seed": "3")")).find("tasks[0].generate.seed: must be an integer >= 0, got the string \"3\"") != std::string::npos); }
    SECTION("negative seed") { CHECK(error_of<InputError>(with(R"("seed": 3)", R"("seed": -1)")).find("tasks[0].generate.seed: must be an integer >= 0") != std::string::npos); }
    SECTION("generate option of another family") {
        CHECK(error_of<InputError>(with(R"("seed": 3 })", R"("seed": 3, "options": {"size": 30} })"))
                  .find("tasks[0].generate.options.size: unknown option for sudoku (known: min_rating, max_rating, max_blanks)") != std::string::npos);
    }
    SECTION("max_blanks out of range") {
        CHECK(error_of<InputError>(with(R"("seed": 3 })", R"("seed": 3, "options": {"max_blanks": 90} })"))
                  .find("tasks[0].generate.options.max_blanks: must be an integer in [0, 81]") != std::string::npos);
    }
    SECTION("negative subset size") {
        CHECK(error_of<InputError>(with(R"("seed": 3 })", R"("seed": 3 }, "subset": {"size": -5})"))
                  .find("tasks[0].subset.size: must be an integer in [0, ") != std::string::npos);
    }
    SECTION("strata not ascending") {
        CHECK(error_of<InputError>(with(R"("seed": 3 })", R"("seed": 3 }, "subset": {"size": 5, "strata": [0, 10, 10]})"))
                  .find("tasks[0].subset.strata[2]: edges must be strictly ascending") != std::string::npos);
    }
    SECTION("strata of the wrong type") {
        CHECK(error_of<InputError>(with(R"("seed": 3 })", R"("seed": 3 }, "subset": {"strata": [0, "x"]})"))
                  .find("tasks[0].subset.strata[1]: must be a number") != std::string::npos);
    }
    SECTION("unknown allocation") {
        CHECK(error_of<InputError>(with(R"("seed": 3 })", R"("seed": 3 }, "subset": {"strata": [0], "allocation": "neyman"})"))
                  .find("tasks[0].subset.allocation: must be \"proportional\" or \"equal\"") != std::string::npos);
    }
    SECTION("zero attempts") { CHECK(error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "attempts": 0)")).find("t.json: attempts: must be an integer in [1, 1000], got 0") != std::string::npos); }
    SECTION("optional not a boolean") { CHECK(error_of<InputError>(with(R"("family": "sudoku", )", R"("family": "sudoku", "optional": "yes", )")).find("tasks[0].optional: must be true or false") != std::string::npos); }
    SECTION("duplicate task name") {
        CHECK(error_of<InputError>(R"({"tasks": [{"name": "a", "family": "sudoku", "generate": {"n": 1}}, {"name": "a", "family": "sudoku", "generate": {"n": 2}}],
                                       "solvers": [{"kind": "baseline", "name": "identity"}]})")
                  .find("tasks[1].name: duplicate task name 'a'") != std::string::npos);
    }
    SECTION("dataset used twice") {
        CHECK(error_of<InputError>(R"({"tasks": [{"name": "a", "family": "sudoku", "dataset": "d"}, {"name": "b", "family": "sudoku", "dataset": "d"}],
                                       "solvers": [{"kind": "baseline", "name": "identity"}]})")
                  .find("tasks[1].dataset: 'd' is already used") != std::string::npos);
    }
    SECTION("missing solvers") { CHECK(error_of<InputError>(R"({"tasks": [{"family": "sudoku", "generate": {"n": 1}}]})").find("t.json: solvers: required field is missing") != std::string::npos); }
    SECTION("solver without kind") { CHECK(error_of<InputError>(with(R"("kind": "baseline", )", "")).find("solvers[0].kind: required field is missing") != std::string::npos); }
    SECTION("unknown solver field") {
        CHECK(error_of<InputError>(with(R"("name": "sudoku-exact")", R"("name": "sudoku-exact", "checkpoint": "x")"))
                  .find("solvers[0].checkpoint: unknown field") != std::string::npos);
    }
    SECTION("local without checkpoint") {
        CHECK(error_of<InputError>(with(R"({ "kind": "baseline", "name": "sudoku-exact" })", R"({ "kind": "local", "name": "trm" })"))
                  .find("solvers[0].checkpoint: required field is missing") != std::string::npos);
    }
    SECTION("bad dtype") {
        CHECK(error_of<InputError>(with(R"({ "kind": "baseline", "name": "sudoku-exact" })", R"({ "kind": "local", "name": "trm", "checkpoint": "c", "dtype": "fp8" })"))
                  .find("solvers[0].dtype: must be \"float32\"") != std::string::npos);
    }
    SECTION("bad device") {
        CHECK(error_of<InputError>(with(R"({ "kind": "baseline", "name": "sudoku-exact" })", R"({ "kind": "local", "name": "trm", "checkpoint": "c", "device": "tpu" })"))
                  .find("solvers[0].device: must be") != std::string::npos);
    }
    SECTION("request not an object") {
        CHECK(error_of<InputError>(with(R"({ "kind": "baseline", "name": "sudoku-exact" })", R"({ "kind": "llm", "name": "m", "request": [1] })"))
                  .find("solvers[0].request: must be an object, got a list") != std::string::npos);
    }
    SECTION("request overriding the name") {
        CHECK(error_of<InputError>(with(R"({ "kind": "baseline", "name": "sudoku-exact" })", R"({ "kind": "llm", "name": "m", "request": {"name": "x"} })"))
                  .find("solvers[0].request.name: cannot be overridden") != std::string::npos);
    }
    SECTION("star with a request") {
        CHECK(error_of<InputError>(with(R"({ "kind": "baseline", "name": "sudoku-exact" })", R"({ "kind": "llm", "name": "*", "request": {"temperature": 0} })"))
                  .find("solvers[0].request: cannot be used with \"name\": \"*\"") != std::string::npos);
    }
    SECTION("duplicate solver name") {
        CHECK(error_of<InputError>(with(R"({ "kind": "baseline", "name": "sudoku-exact" })",
                                        R"({ "kind": "baseline", "name": "identity" }, { "kind": "baseline", "name": "identity" })"))
                  .find("solvers[1].name: duplicate solver name 'identity'") != std::string::npos);
    }
    SECTION("negative spend cap") { CHECK(error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "limits": {"spend_usd": -1})")).find("t.json: limits.spend_usd: must be >= 0, got -1") != std::string::npos); }
    SECTION("negative concurrency") { CHECK(error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "limits": {"concurrency": -2})")).find("limits.concurrency: must be an integer in [0, ") != std::string::npos); }
    SECTION("negative time budget") { CHECK(error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "limits": {"time_budget_s": -60})")).find("limits.time_budget_s: must be >= 0") != std::string::npos); }
    SECTION("time budget as a string") { CHECK(error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "limits": {"time_budget_s": "1h"})")).find("limits.time_budget_s: must be a number, got the string \"1h\"") != std::string::npos); }
    SECTION("unknown limit") { CHECK(error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "limits": {"budget": 5})")).find("limits.budget: unknown field") != std::string::npos); }
    SECTION("unsupported schema version") { CHECK(error_of<InputError>(with(R"("name": "mini")", R"("name": "mini", "suite": 2)")).find("t.json: suite:") != std::string::npos); }
}

TEST_CASE("unknown names are usage errors that list the known ones", "[run][suite]") {
    SECTION("task family") {
        std::string m = error_of<UsageError>(with(R"("family": "sudoku")", R"("family": "sodoku")"));
        CHECK(m.find("t.json: tasks[0].family: unknown task family 'sodoku' (known: ") != std::string::npos);
        CHECK(m.find("sudoku") != std::string::npos);
        CHECK(m.find("arc") != std::string::npos);
    }
    SECTION("baseline") {
        std::string m = error_of<UsageError>(with(R"("name": "sudoku-exact")", R"("name": "sudoku-magic")"));
        CHECK(m.find("solvers[0].name: unknown baseline 'sudoku-magic' (known: sudoku-exact") != std::string::npos);
        CHECK(m.find("identity") != std::string::npos);
    }
    SECTION("solver kind") {
        CHECK(error_of<UsageError>(with(R"("kind": "baseline")", R"("kind": "oracle")")).find("solvers[0].kind: unknown solver kind 'oracle' (known: baseline, local, llm)") != std::string::npos);
    }
    SECTION("a solver's task") {
        std::string m = error_of<UsageError>(with(R"("name": "sudoku-exact")", R"("name": "sudoku-exact", "tasks": ["nope"])"));
        CHECK(m.find("solvers[0].tasks[0]: unknown task 'nope' (tasks of this suite: sudoku-generated-n10-seed3)") != std::string::npos);
    }
    SECTION("ARC cannot be generated") {
        CHECK(error_of<UsageError>(with(R"("family": "sudoku")", R"("family": "arc")")).find("tasks[0].generate: family 'arc' cannot be generated") != std::string::npos);
    }
}

TEST_CASE("the built-in default suite parses and is found by name", "[run][suite]") {
    auto names = builtin_suite_names();
    REQUIRE(std::find(names.begin(), names.end(), "default") != names.end());
    Suite s = load_suite("default");
    CHECK(s.name == "default");
    CHECK(s.source == "built-in:default");
    CHECK(s.find_task("sudoku-generated"));
    CHECK(s.find_task("maze-30"));
    CHECK(s.find_task("arc-agi-1-eval"));
    CHECK(s.find_task("arc-agi-1-eval")->optional);
    CHECK(s.limits.spend_usd > 0);  // LLMs included by "*" are capped
    bool has_star = false;
    for (const auto & e : s.solvers) has_star = has_star || (e.kind == SolverKind::llm && e.name == "*");
    CHECK(has_star);
    CHECK_THROWS_AS(load_suite("no-such-suite"), UsageError);
    CHECK_THROWS_AS(load_suite("/no/such/file.json"), UsageError);
}
