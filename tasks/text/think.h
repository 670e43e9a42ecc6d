// Internal to tasks/text: splitting a reply into its reasoning (<think> blocks) and its answer part.
//
// Recognised tags, case-insensitive: <think>, <thinking>, <reasoning> and their closing forms (any
// closing form ends any opening one). Rules, in order:
//   1. A closing tag before any opening tag ("...</think> answer"): everything before it is
//      reasoning (servers that put "<think>" into the prompt, as DeepSeek-R1 templates do).
//   2. Each "<think>...</think>" block is reasoning; the text around it is the answer.
//   3. An opening tag that is never closed: the rest of the reply is reasoning (the model was cut
//      off while thinking, or never left its reasoning).
// Reasoning a provider returns in a separate field never reaches the parsers at all.
#pragma once

#include <string>
#include <string_view>

namespace trmbench::text {

struct ThinkSplit {
    std::string answer;      // the reply without its reasoning; pieces joined by '\n'
    std::string reasoning;   // the reasoning pieces joined by '\n'
    bool unterminated = false;  // an opening tag was never closed
};

ThinkSplit split_think(std::string_view reply);

}  // namespace trmbench::text
