// Tests of the "arc" Task: registry entry, dataset discovery, the exact scorer, token layout and
// encode/decode through the interface, extra stats and the pretty printer.
#include <catch2/catch.hpp>

#include "harness/core/error.h"
#include "tasks/arc/arc_task.h"
#include "tasks/registry.h"
#include "tasks/text/text_io.h"
#include "tests/support/test_support.h"
#include "tests/unit/tasks/arc_test_helpers.h"

namespace fs = std::filesystem;
using namespace trmbench;
using trmbench::test::G;

TEST_CASE("the arc family is registered", "[arc][task]") {
    const Task & t = task_by_family("arc");
    CHECK(t.family() == "arc");
    CHECK_FALSE(t.version().empty());
    CHECK(t.token_layout().seq_len == 900);
    CHECK(t.token_layout().vocab_size == 12);
    CHECK(t.scorer().measure_names() == std::vector<std::string>{"exact"});
}

TEST_CASE("find_datasets lists the ARC sets of the shared data directory", "[arc][task][data]") {
    const auto found = make_arc_task()->find_datasets(trmbench::test::shared_dir() / "data");
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto & d : found) {
        names.emplace_back(d.name, d.split);
        CHECK(fs::is_directory(d.path));
    }
    CHECK(names == std::vector<std::pair<std::string, std::string>>{{"arc-agi-1/training", "training"},
                                                                    {"arc-agi-1/evaluation", "evaluation"},
                                                                    {"arc-agi-2/training", "training"},
                                                                    {"arc-agi-2/evaluation", "evaluation"},
                                                                    {"conceptarc/corpus", "corpus"},
                                                                    {"conceptarc/MinimalTasks", "MinimalTasks"}});
}

TEST_CASE("find_datasets also offers Kaggle combined files under arc*/ folders", "[arc][task]") {
    trmbench::test::TempDir dir;
    trmbench::test::write_text(dir / "arc-prize-2025/arc-agi_evaluation_challenges.json", "{}");
    trmbench::test::write_text(dir / "arc-prize-2025/arc-agi_evaluation_solutions.json", "{}");
    trmbench::test::write_text(dir / "other/arc-agi_training_challenges.json", "{}");
    const auto found = make_arc_task()->find_datasets(dir.path());
    REQUIRE(found.size() == 1);
    CHECK(found[0].name == "arc-prize-2025/arc-agi_evaluation_challenges");
    CHECK(found[0].split == "evaluation");
    CHECK(make_arc_task()->find_datasets(dir / "nowhere").empty());
}

TEST_CASE("the scorer is exact whole-grid equality", "[arc][task]") {
    auto task = make_arc_task();
    Example ex;
    ex.target = G({{1, 2}, {3, 4}});
    CHECK(task->scorer().score(ex, G({{1, 2}, {3, 4}})).correct());
    CHECK_FALSE(task->scorer().score(ex, G({{1, 2}, {3, 5}})).correct());
    CHECK_FALSE(task->scorer().score(ex, G({{1, 2, 3, 4}})).correct());  // same cells, wrong shape
    CHECK_FALSE(task->scorer().score(ex, std::nullopt).correct());
    Example hidden;
    CHECK_FALSE(task->scorer().score(hidden, Grid()).correct());  // unknown answer is never right
    CHECK(task->scorer().score(ex, G({{1, 2}, {3, 4}})).get("exact"));
}

TEST_CASE("encode/decode through the Task interface", "[arc][task]") {
    auto task = make_arc_task();
    Rng rng(8);
    Example ex;
    for (int i = 0; i < 50; ++i) {
        Grid g = trmbench::test::random_grid(rng, static_cast<int>(rng.uniform(1, 30)), static_cast<int>(rng.uniform(1, 30)));
        auto tokens = task->encode(g);
        REQUIRE(tokens.size() == 900);
        auto back = task->decode(tokens, ex);
        REQUIRE(back);
        REQUIRE(*back == g);
    }
    CHECK_FALSE(task->decode(std::vector<int32_t>(900, 0), ex));
    CHECK_FALSE(task->decode(std::vector<int32_t>(81, 5), ex));
}

TEST_CASE("prompts and parsing delegate to tasks/text", "[arc][task]") {
    auto task = make_arc_task();
    Example ex;
    ex.input = G({{1}});
    ex.demos = {{G({{1}}), G({{2}})}};
    CHECK(&task->prompt_template() == &arc_prompt_template());
    CHECK(task->render_prompt(ex) == render_arc_prompt(ex));
    const std::string reply = "The answer is [[1, 2], [3, 4]]";
    const ParsedAnswer via_task = task->parse_answer(reply, ex), direct = parse_arc_answer(reply);
    CHECK(via_task.grid == direct.grid);
    CHECK(via_task.reason == direct.reason);
}

TEST_CASE("extra_stats and load through the interface", "[arc][task][data]") {
    auto task = make_arc_task();
    const auto examples = task->load(trmbench::test::shared_dir() / "data" / "arc-agi-2" / "evaluation");
    CHECK(examples.size() == 167);
    const auto lines = task->extra_stats(examples);
    auto has = [&lines](const std::string & s) {
        for (const auto & l : lines)
            if (l.find(s) != std::string::npos) return true;
        return false;
    };
    CHECK(has("tasks:     120"));
    CHECK(has("train pairs: 359"));
    CHECK(has("test inputs: 167"));
    CHECK(has("tasks by #test inputs: 1:75, 2:43, 3:2"));
    CHECK(has("max side:  30"));
    CHECK(has("mean test-output cells: 419.8"));  // datasets.md: ~420 cells vs 235 on ARC-AGI-1 eval
}

TEST_CASE("pretty: digits without colour, palette blocks with colour", "[arc][task]") {
    const Grid g = G({{0, 1}, {9, 4}});
    CHECK(pretty_arc_grid(g, false) == "01\n94");
    const std::string coloured = pretty_arc_grid(g, true);
    CHECK(coloured.find("\x1b[48;2;0;0;0m  ") == 0);                    // black
    CHECK(coloured.find("\x1b[48;2;0;116;217m  ") != std::string::npos);  // blue
    CHECK(coloured.find("\x1b[48;2;135;12;37m  ") != std::string::npos);  // maroon
    CHECK(coloured.find('\n') != std::string::npos);
    CHECK(coloured.substr(coloured.size() - 4) == "\x1b[0m");
}
