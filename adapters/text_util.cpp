// split_think, Redactor, keep-alive prefixes.
#include "adapters/text_util.h"

#include "harness/core/strings.h"

namespace trmbench {
namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

void append_part(std::string & to, std::string_view part) {
    part = trim(part);
    if (part.empty()) return;
    if (!to.empty()) to += "\n\n";
    to += part;
}

}  // namespace

ThinkSplit split_think(std::string_view text) {
    ThinkSplit out;
    size_t last_close = text.rfind(kClose);
    size_t answer_begin = last_close == std::string_view::npos ? 0 : last_close + kClose.size();
    size_t open_after = text.find(kOpen, answer_begin);
    size_t answer_end = open_after == std::string_view::npos ? text.size() : open_after;
    // Everything before the answer is reasoning, with the tags themselves removed.
    std::string before(text.substr(0, last_close == std::string_view::npos ? 0 : last_close));
    for (std::string_view tag : {kOpen, kClose}) {
        size_t p;
        while ((p = before.find(tag)) != std::string::npos) before.replace(p, tag.size(), "\n");
    }
    append_part(out.reasoning, before);
    if (open_after != std::string_view::npos) {
        append_part(out.reasoning, text.substr(open_after + kOpen.size()));
        out.unterminated = true;
    }
    out.answer = std::string(trim(text.substr(answer_begin, answer_end - answer_begin)));
    return out;
}

void Redactor::add_secret(std::string secret) {
    if (secret.size() < 6) return;
    for (const auto & s : secrets_)
        if (s == secret) return;
    secrets_.push_back(std::move(secret));
}

std::string Redactor::apply(std::string_view text) const {
    std::string out(text);
    for (const auto & secret : secrets_) {
        size_t pos = 0;
        while ((pos = out.find(secret, pos)) != std::string::npos) {
            out.replace(pos, secret.size(), "[REDACTED]");
            pos += 10;
        }
    }
    return out;
}

std::string_view skip_keepalive_prefix(std::string_view body) {
    size_t pos = 0;
    while (pos < body.size()) {
        size_t end = body.find('\n', pos);
        std::string_view line = body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        std::string_view t = trim(line);
        if (!t.empty() && t.front() != ':') break;
        if (end == std::string_view::npos) return {};
        pos = end + 1;
    }
    return body.substr(pos);
}

}  // namespace trmbench
