// Prediction, Usage, Compute: what one solver attempt at one example produced.
//
// Expected failures are data: an HTTP error, a truncated answer or an unparseable grid is an Outcome
// with an error text, never an exception. Numbers that are not known are -1, never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/grid.h"

namespace trmbench {

enum class Outcome {
    ok,               // an answer grid was produced (it may still be wrong)
    parse_error,      // text came back but no grid could be parsed from it
    truncated,        // the provider stopped on its length limit: billed, no usable answer
    refused,          // the model or provider refused (content filter, safety stop)
    rate_limited,     // gave up after rate-limit retries
    quota_exhausted,  // quota or billing error: never retried
    http_error,       // other HTTP or provider error
    timeout,          // no answer within the time limit
    error,            // local failure (e.g. out of memory in one batch)
    skipped,          // not attempted (spend cap reached, time budget over)
    overloaded,       // gave up after "provider overloaded" retries (529/503), not the user's rate limit
};

std::string_view outcome_name(Outcome o);
// Inverse of outcome_name; returns false for an unknown name.
bool parse_outcome(std::string_view name, Outcome & out);

// Token usage and money. Normalised across providers; raw_json keeps what the provider sent.
struct Usage {
    int64_t input_tokens = -1;         // prompt tokens, cached ones included
    int64_t cached_input_tokens = -1;  // part of input_tokens served from the provider's cache
    int64_t output_tokens = -1;        // visible completion tokens (reasoning excluded)
    int64_t reasoning_tokens = -1;     // hidden reasoning / thinking tokens
    int64_t total_tokens = -1;
    double cost_usd = -1;              // from the dated price table; -1 unknown
    std::string raw_json;              // provider's usage object, verbatim
};

// Compute spent on one attempt. FLOPs are analytic for local models and an estimate for LLMs.
struct Compute {
    double wall_ms = -1;
    double device_ms = -1;   // CUDA events on GPU; -1 on CPU
    int act_steps = -1;      // ACT steps actually run (local models)
    double flops = -1;       // -1 unknown
    bool flops_estimated = false;  // true for 2 * active params * tokens style estimates
};

// Per-ACT-step record of a local recursive model, so accuracy-vs-steps comes from one run.
struct StepRecord {
    Grid answer;             // decoded prediction after this step (may be empty if undecodable)
    float q_halt = 0;        // halting logit
    float q_continue = 0;
};

struct Prediction {
    std::string example_id;
    int attempt = 0;                // 0-based attempt index (pass@k)
    Outcome outcome = Outcome::ok;
    std::optional<Grid> answer;     // present iff a grid was produced
    std::string raw_text;           // model text (LLMs) or empty
    std::string reasoning_text;     // separated reasoning / <think> content, when the provider returns it
    std::string error;              // human-readable reason for a non-ok outcome
    int http_status = 0;            // last HTTP status, 0 if none
    std::string request_id;         // provider's request id, for support tickets
    int retries = 0;
    double rate_limit_wait_ms = 0;  // time spent waiting on rate limits
    Usage usage;
    Compute compute;
    std::vector<StepRecord> steps;  // local models: one per ACT step
};

}  // namespace trmbench
