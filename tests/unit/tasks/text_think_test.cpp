// strip_think / split_think: reasoning is split off before any parsing (text_io.h rule 0).
#include <catch2/catch.hpp>

#include "tasks/text/text_io.h"
#include "tasks/text/think.h"

using namespace trmbench;

TEST_CASE("strip_think removes closed think blocks and keeps the text around them", "[text][think]") {
    std::string reasoning;
    CHECK(strip_think("<think>a [[1]]</think>answer", &reasoning) == "\nanswer");
    CHECK(reasoning == "a [[1]]");
    reasoning.clear();
    CHECK(strip_think("pre<THINK>x</Think>mid<thinking>y</thinking>post", &reasoning) == "pre\nmid\npost");
    CHECK(reasoning == "x\ny");
    CHECK(strip_think("<reasoning>r</reasoning>A") == "\nA");
}

TEST_CASE("strip_think treats an unterminated opening tag as reasoning to the end", "[text][think]") {
    std::string reasoning;
    CHECK(strip_think("<think>still thinking [[1, 2]]", &reasoning).empty());
    CHECK(reasoning == "still thinking [[1, 2]]");
    auto split = text::split_think("answer first <think>then more");
    CHECK(split.answer == "answer first ");
    CHECK(split.reasoning == "then more");
    CHECK(split.unterminated);
}

TEST_CASE("strip_think treats text before an orphan closing tag as reasoning", "[text][think]") {
    // DeepSeek-R1 chat templates put "<think>" in the prompt, so replies start inside it.
    std::string reasoning;
    CHECK(strip_think("reasoning here\n</think>\n\nfinal", &reasoning) == "\n\nfinal");
    CHECK(reasoning == "reasoning here\n");
    auto split = text::split_think("no tags at all");
    CHECK(split.answer == "no tags at all");
    CHECK(split.reasoning.empty());
    CHECK_FALSE(split.unterminated);
}

TEST_CASE("strip_think ignores look-alike tags", "[text][think]") {
    CHECK(strip_think("<thinker>x</thinker> <think") == "<thinker>x</thinker> <think");
    CHECK(strip_think("a < think > b") == "a < think > b");
}

TEST_CASE("parsers never score a grid that is only in the reasoning", "[text][think]") {
    ParsedAnswer got = parse_arc_answer("<think>[[1,2],[3,4]]</think>I am not sure.");
    CHECK_FALSE(got.grid);
    CHECK_THAT(got.reason, Catch::Contains("not scored"));
    got = parse_arc_answer("<think>[[1,2],[3,4]]</think>[[5,6],[7,8]]");
    REQUIRE(got.grid);
    CHECK(to_json_rows(*got.grid) == "[[5,6],[7,8]]");
}
