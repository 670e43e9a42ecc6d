// Normalised token counts, dated price tables, cost and estimated FLOPs.
//
// Providers count differently (harness-anchors §0.5): OpenAI's completion_tokens include reasoning;
// Gemini's candidatesTokenCount excludes thoughts; Anthropic's input_tokens exclude cache reads and
// writes and its output_tokens include thinking. Each provider parser converts its usage into
// TokenCounts with one meaning:
//   input          every prompt token, cached and cache-written ones included
//   cached_input   part of input read from the provider's prompt cache
//   cache_write    part of input written to the cache (Anthropic bills it above the input price)
//   output         visible answer tokens, reasoning excluded; when a provider gives no split
//                  (reasoning == -1) output holds the whole completion and is priced as output
//   reasoning      hidden reasoning / thinking tokens; -1 when the provider does not say
// -1 means unknown, never a guess.
#pragma once

#include <cstdint>
#include <string>

#include "harness/core/prediction.h"

namespace trmbench {

struct TokenCounts {
    int64_t input = -1;
    int64_t cached_input = -1;
    int64_t cache_write = -1;
    int64_t output = -1;
    int64_t reasoning = -1;
    int64_t total = -1;
    // input + output + reasoning (unknown parts as 0); -1 when input and output are both unknown.
    int64_t billed_tokens() const;
};

// USD (or `currency`) per 1M tokens, valid as of `date` (YYYY-MM-DD).
struct Pricing {
    std::string date;
    std::string currency = "USD";
    double input = -1;          // uncached input
    double cached_input = -1;   // default: input
    double cache_write = -1;    // default: input
    double output = -1;
    double reasoning = -1;      // default: output
    double batch_discount = 0;  // fraction off with the provider's batch API (0.5 = half price)
    std::string note;           // e.g. "uncertain: from a third-party table"

    bool known() const { return input >= 0 && output >= 0; }
    double cached_input_price() const { return cached_input >= 0 ? cached_input : input; }
    double cache_write_price() const { return cache_write >= 0 ? cache_write : input; }
    double reasoning_price() const { return reasoning >= 0 ? reasoning : output; }
};

// Cost of one call; -1 when the prices or the input/output counts are unknown.
double cost_usd(const TokenCounts & t, const Pricing & p, bool batch = false);

// 2 x active params x (input + output + reasoning tokens); -1 when active params or counts are unknown.
double estimate_flops(int64_t active_params, const TokenCounts & t);

// Fills a core Usage (counts, total, cost, raw JSON).
Usage to_usage(const TokenCounts & t, const Pricing & p, const std::string & raw_json);

// Heuristic token count of a prompt, for pre-flight estimates and the tokens/minute bucket (no
// tokenizer ships with trmbench). Runs of letters count one token per 4 characters, runs of digits
// one per 3 (BPE vocabularies merge up to 3 digits), every other visible character (brackets, commas,
// '#', '.') one token, a line break one token, other whitespace none. On puzzle prompts this errs
// high, which is the safe side for a spend cap; it is not checked against a real tokenizer.
int64_t estimate_tokens(std::string_view text);

}  // namespace trmbench
