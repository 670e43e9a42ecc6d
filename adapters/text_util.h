// Small text helpers for model replies and secrets, local to adapters/.
//
// split_think follows the strip_think semantics of tasks/text (adapters may not depend on tasks):
// the answer is the text after the last "</think>" and everything before it is reasoning (tags
// removed). A reply that opens "<think>" and never closes it is all reasoning (the model
// ran out of budget or the server cut it). A reply with a "</think>" but no opening tag (chat
// templates that put "<think>" into the prompt, e.g. DeepSeek-R1 distills, Qwen3) has its reasoning
// before that tag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trmbench {

struct ThinkSplit {
    std::string answer;
    std::string reasoning;
    bool unterminated = false;  // "<think>" without "</think>"
};
ThinkSplit split_think(std::string_view text);

// Replaces every occurrence of each secret (keys shorter than 6 characters are ignored: replacing
// them would mangle ordinary text and they are not real keys) with "[REDACTED]".
class Redactor {
public:
    void add_secret(std::string secret);
    std::string apply(std::string_view text) const;
    bool empty() const { return secrets_.empty(); }

private:
    std::vector<std::string> secrets_;
};

// Strips the keep-alive prefix some servers send before a non-streaming JSON body: blank lines
// (DeepSeek under load) and SSE comment lines starting with ':'.
std::string_view skip_keepalive_prefix(std::string_view body);

}  // namespace trmbench
