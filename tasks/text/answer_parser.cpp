// Answer parsers for text models: the region rules of text_io.h ("Parsing rules") on top of the grid
// scanner of grid_scan.h.
//
// A reply is cut into regions once (reasoning, <answer> blocks, \boxed{}, fenced blocks, the rest);
// each region is scanned at most once, so the cost is linear in the reply. Failures are collected
// per rule so that the reason can say what was found where.
#include <algorithm>
#include <exception>
#include <optional>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "tasks/text/grid_scan.h"
#include "tasks/text/text_io.h"
#include "tasks/text/think.h"

namespace trmbench {
namespace {

using text::GridKind;
using text::GridSpec;
using text::ScanResult;

constexpr size_t kNone = std::string_view::npos;
constexpr size_t kMaxBoxed = 64;          // only the last 64 \boxed{} are tried
constexpr size_t kMaxBoxedLength = 200000;  // a \boxed{} longer than this is treated as unterminated
constexpr size_t kMaxNotes = 3;           // failure notes in a reason
constexpr size_t kMaxBlocksTried = 256;   // <answer> or fenced blocks tried per rule, from the last

// A delimited region: `content` inside, [begin, end) the whole block with its delimiters.
struct Block {
    std::string_view content;
    size_t begin = 0;
    size_t end = 0;
    bool unterminated = false;
};

// Keeps the last `keep` blocks of a growing list (amortised: trims when it reaches twice that).
template <class T>
void keep_last(std::vector<T> & v, size_t keep) {
    if (v.size() >= 2 * keep) v.erase(v.begin(), v.end() - static_cast<long>(keep));
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals_at(std::string_view s, size_t at, std::string_view word) {
    if (at + word.size() > s.size()) return false;
    for (size_t i = 0; i < word.size(); ++i)
        if (lower(s[at + i]) != word[i]) return false;
    return true;
}

// <answer>...</answer>, case-insensitive. A second opening tag before a close restarts the block
// (the inner one is the answer); an opening tag never closed runs to the end.
std::vector<Block> find_answer_tags(std::string_view s) {
    std::vector<Block> out;
    size_t open = kNone, open_end = 0;
    for (size_t i = s.find('<'); i != kNone; i = s.find('<', i + 1)) {
        if (iequals_at(s, i + 1, "answer>")) {
            open = i;
            open_end = i + 8;
        } else if (iequals_at(s, i + 1, "/answer>") && open != kNone) {
            out.push_back({s.substr(open_end, i - open_end), open, i + 9, false});
            keep_last(out, kMaxBlocksTried);
            open = kNone;
        }
    }
    if (open != kNone) out.push_back({s.substr(open_end), open, s.size(), true});
    return out;
}

// \boxed{...} and \fbox{...} with nested braces (LaTeX escapes \{ \} skipped).
std::vector<Block> find_boxed(std::string_view s) {
    std::vector<size_t> starts;
    for (size_t i = s.find('\\'); i != kNone; i = s.find('\\', i + 1))
        if (s.compare(i, 6, "\\boxed") == 0 || s.compare(i, 5, "\\fbox") == 0) {
            starts.push_back(i);
            keep_last(starts, kMaxBoxed);
        }
    if (starts.size() > kMaxBoxed) starts.erase(starts.begin(), starts.end() - kMaxBoxed);
    std::vector<Block> out;
    for (size_t start : starts) {
        size_t p = start + (s.compare(start, 6, "\\boxed") == 0 ? 6 : 5);
        while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
        if (p >= s.size() || s[p] != '{') continue;
        size_t content_begin = p + 1, depth = 0, limit = std::min(s.size(), p + kMaxBoxedLength);
        size_t close = kNone;
        for (size_t k = p; k < limit; ++k) {
            if (s[k] == '\\') {
                ++k;  // "\{", "\}" and "\\" are not braces
                continue;
            }
            if (s[k] == '{') ++depth;
            if (s[k] == '}' && --depth == 0) {
                close = k;
                break;
            }
        }
        if (close == kNone) out.push_back({s.substr(content_begin, limit - content_begin), start, limit, true});
        else out.push_back({s.substr(content_begin, close - content_begin), start, close + 1, false});
    }
    return out;
}

// Fenced code blocks: a line starting (after indentation) with ``` or ~~~ opens one, a line of at
// least as many of the same character closes it. "```[[1,2]]```" on one line is a block too.
std::vector<Block> find_fences(std::string_view s) {
    std::vector<Block> out;
    bool open = false;
    char fence_char = 0;
    size_t fence_len = 0, content_begin = 0, block_begin = 0;
    const size_t n = s.size();
    for (size_t i = 0;;) {
        size_t j = i;
        while (j < n && s[j] != '\n' && s[j] != '\r') ++j;
        size_t next = j >= n ? n : j + ((s[j] == '\r' && j + 1 < n && s[j + 1] == '\n') ? 2 : 1);
        std::string_view line = s.substr(i, j - i);
        size_t k = line.find_first_not_of(" \t");
        if (k != kNone && (line[k] == '`' || line[k] == '~')) {
            char c = line[k];
            size_t run = 0;
            while (k + run < line.size() && line[k + run] == c) ++run;
            std::string_view rest = line.substr(k + run);
            if (!open && run >= 3) {
                size_t inline_close = rest.find(std::string(3, c));
                if (inline_close != kNone) {
                    out.push_back({rest.substr(0, inline_close), i, j, false});
                    keep_last(out, kMaxBlocksTried);
                } else {
                    open = true;
                    fence_char = c;
                    fence_len = run;
                    content_begin = next;
                    block_begin = i;
                }
            } else if (open && c == fence_char && run >= fence_len && trim(rest).empty()) {
                out.push_back({s.substr(content_begin, i - content_begin), block_begin, j, false});
                keep_last(out, kMaxBlocksTried);
                open = false;
            }
        }
        if (j >= n) break;
        i = next;
    }
    if (open) out.push_back({s.substr(std::min(content_begin, n)), block_begin, n, true});
    return out;
}

// The reply outside the given blocks: block bytes become \x01 (text to every reader), line breaks
// stay, and each block is fenced off by a line break so that rows on either side do not join.
std::string mask_blocks(std::string_view s, const std::vector<const std::vector<Block> *> & groups) {
    std::string out(s);
    for (const auto * blocks : groups)
        for (const Block & b : *blocks)
            for (size_t k = b.begin; k < b.end && k < out.size(); ++k)
                if (out[k] != '\n' && out[k] != '\r') out[k] = (k == b.begin || k + 1 == b.end) ? '\n' : '\x01';
    return out;
}

// How rules 1-3 name their blocks in methods and messages.
struct RegionKind {
    const char * method;   // ParsedAnswer::method
    const char * article;  // "a ", "an ", ""
    const char * what;
    const char * plural;
    bool latex;            // contents may be LaTeX (matrix environments, "&" and a double backslash)
};
constexpr RegionKind kAnswerTag{"answer_tag", "an ", "<answer> block", "<answer> blocks", false};
constexpr RegionKind kBoxed{"boxed", "", "\\boxed{}", "\\boxed{} answers", true};
constexpr RegionKind kFenced{"fenced", "a ", "fenced code block", "fenced code blocks", false};

std::string describe(const text::Rejection & r, const std::string & where) {
    return "found " + r.found + " " + where + " (" + r.problem + ")";
}

class AnswerParser {
public:
    explicit AnswerParser(const GridSpec & spec) : spec_(spec) {}

    ParsedAnswer parse(std::string_view reply) {
        text::ThinkSplit split = text::split_think(reply);
        if (trim(split.answer).empty()) return failure(empty_reason(reply, split));
        const std::string & answer = split.answer;

        auto tags = find_answer_tags(answer);
        if (auto got = try_blocks(tags, kAnswerTag)) return *got;
        auto boxed = find_boxed(answer);
        if (auto got = try_blocks(boxed, kBoxed)) return *got;
        auto fences = find_fences(answer);
        if (auto got = try_blocks(fences, kFenced)) return *got;

        std::string rest = mask_blocks(answer, {&tags, &boxed, &fences});
        ScanResult r = text::scan_for_grids(rest, spec_, true);
        if (r.best) return ParsedAnswer{std::move(r.best->grid), r.best->format, ""};
        if (r.rejection) add_note(describe(*r.rejection, "in the text"));
        bool said = r.rejection && r.rejection->found.find("unfinished") != std::string::npos;
        if (r.unterminated && !said && cut_off_.empty()) cut_off_ = "an unfinished JSON list at the end";
        return failure(final_reason(split));
    }

private:
    // Rules 1-3: the blocks from last to first; the first with a valid grid wins.
    std::optional<ParsedAnswer> try_blocks(const std::vector<Block> & blocks, const RegionKind & kind) {
        bool noted = false;
        size_t tried = 0;
        for (auto it = blocks.rbegin(); it != blocks.rend() && tried++ < kMaxBlocksTried; ++it) {
            std::string converted;
            std::string_view content = it->content;
            if (kind.latex && spec_.kind != GridKind::maze) content = converted = text::latex_to_rows(content);
            ScanResult r = text::scan_for_grids(content, spec_, false);
            if (r.best) return ParsedAnswer{std::move(r.best->grid), kind.method, ""};
            if (it->unterminated && cut_off_.empty()) cut_off_ = std::string("unterminated ") + kind.what;
            if (!noted && r.rejection) {
                add_note(describe(*r.rejection, std::string("in ") + (it->unterminated ? "an unterminated " : kind.article) +
                                                    kind.what));
                noted = true;
            }
        }
        if (!noted && !blocks.empty())
            add_note(blocks.size() == 1 ? std::string("no grid in the ") + kind.what
                                        : "no grid in any of the " + std::to_string(blocks.size()) + " " + kind.plural);
        return std::nullopt;
    }

    void add_note(std::string note) {
        if (notes_.size() < kMaxNotes && std::find(notes_.begin(), notes_.end(), note) == notes_.end())
            notes_.push_back(std::move(note));
    }

    bool reasoning_has_grid(const std::string & reasoning) const {
        if (reasoning.empty()) return false;
        ScanResult r = text::scan_for_grids(reasoning, spec_, true);
        return r.best.has_value();
    }

    std::string empty_reason(std::string_view reply, const text::ThinkSplit & split) const {
        if (trim(reply).empty()) return "empty reply";
        std::string reason = "the reply is all reasoning (<think>) with no answer after it";
        if (split.unterminated) reason += "; the reasoning is never closed, so the reply looks cut off";
        if (reasoning_has_grid(split.reasoning)) reason += "; a grid inside the reasoning is not scored";
        return reason;
    }

    std::string final_reason(const text::ThinkSplit & split) const {
        std::string reason = notes_.empty() ? "no grid-like text" : join(notes_, "; ");
        if (notes_.empty() && reasoning_has_grid(split.reasoning))
            reason += " outside the reasoning; a grid inside <think> is not scored";
        if (!cut_off_.empty()) reason += "; the reply looks cut off (" + cut_off_ + ")";
        return reason;
    }

    static ParsedAnswer failure(std::string reason) { return ParsedAnswer{std::nullopt, "", std::move(reason)}; }

    GridSpec spec_;
    std::vector<std::string> notes_;
    std::string cut_off_;
};

// The public parsers never throw: anything unexpected (in practice only bad_alloc) becomes a reason.
ParsedAnswer parse_guarded(std::string_view reply, const GridSpec & spec) noexcept {
    try {
        return AnswerParser(spec).parse(reply);
    } catch (const std::exception & e) {
        return ParsedAnswer{std::nullopt, "", std::string("parser failed: ") + e.what()};
    } catch (...) {
        return ParsedAnswer{std::nullopt, "", "parser failed"};
    }
}

}  // namespace

ParsedAnswer parse_sudoku_answer(std::string_view text) {
    return parse_guarded(text, GridSpec{GridKind::sudoku, 9, 9});
}

ParsedAnswer parse_maze_answer(std::string_view text, const Example & ex) {
    if (ex.input.rows <= 0 || ex.input.cols <= 0)
        return ParsedAnswer{std::nullopt, "", "the example has no input maze to take the answer's shape from"};
    return parse_guarded(text, GridSpec{GridKind::maze, ex.input.rows, ex.input.cols});
}

ParsedAnswer parse_arc_answer(std::string_view text) { return parse_guarded(text, GridSpec{GridKind::arc, 0, 0}); }

ParsedAnswer parse_answer_for(std::string_view family, std::string_view text, const Example & ex) {
    if (family == "sudoku") return parse_sudoku_answer(text);
    if (family == "maze") return parse_maze_answer(text, ex);
    if (family == "arc") return parse_arc_answer(text);
    throw UsageError("no answer parser for task family '" + std::string(family) + "' (known: sudoku, maze, arc)");
}

}  // namespace trmbench
