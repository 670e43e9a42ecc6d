// Splitting <think> reasoning off a model reply (rules in think.h). Linear in the reply's length.
#include "tasks/text/think.h"

#include <array>

#include "tasks/text/text_io.h"

namespace trmbench {
namespace text {
namespace {

constexpr std::array<std::string_view, 3> kThinkNames = {"think", "thinking", "reasoning"};
constexpr size_t kNone = std::string_view::npos;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals_at(std::string_view s, size_t at, std::string_view word) {
    if (at + word.size() > s.size()) return false;
    for (size_t i = 0; i < word.size(); ++i)
        if (lower(s[at + i]) != word[i]) return false;
    return true;
}

struct Tag {
    size_t pos = kNone;  // where '<' is
    size_t end = 0;      // just past '>'
};

// The next <name> (or </name> when `closing`) at or after `from`.
Tag find_tag(std::string_view s, size_t from, bool closing) {
    for (size_t i = s.find('<', from); i != kNone; i = s.find('<', i + 1)) {
        size_t k = i + 1;
        if (closing) {
            if (k >= s.size() || s[k] != '/') continue;
            ++k;
        }
        for (std::string_view name : kThinkNames)
            if (iequals_at(s, k, name) && k + name.size() < s.size() && s[k + name.size()] == '>')
                return {i, k + name.size() + 1};
    }
    return {};
}

void append_piece(std::string & to, std::string_view piece) {
    if (!to.empty()) to += '\n';
    to += piece;
}

}  // namespace

ThinkSplit split_think(std::string_view reply) {
    ThinkSplit out;
    size_t pos = 0;
    Tag open = find_tag(reply, 0, false);
    Tag close = find_tag(reply, 0, true);
    if (close.pos != kNone && (open.pos == kNone || close.pos < open.pos)) {
        append_piece(out.reasoning, reply.substr(0, close.pos));
        pos = close.end;
    }
    while (true) {
        open = find_tag(reply, pos, false);
        if (open.pos == kNone) {
            out.answer += reply.substr(pos);
            return out;
        }
        out.answer += reply.substr(pos, open.pos - pos);
        close = find_tag(reply, open.end, true);
        if (close.pos == kNone) {
            append_piece(out.reasoning, reply.substr(open.end));
            out.unterminated = true;
            return out;
        }
        append_piece(out.reasoning, reply.substr(open.end, close.pos - open.end));
        out.answer += '\n';
        pos = close.end;
    }
}

}  // namespace text

std::string strip_think(std::string_view text, std::string * reasoning) {
    text::ThinkSplit split = text::split_think(text);
    if (reasoning) {
        if (!reasoning->empty() && !split.reasoning.empty()) *reasoning += '\n';
        *reasoning += split.reasoning;
    }
    return std::move(split.answer);
}

}  // namespace trmbench
