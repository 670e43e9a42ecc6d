// One-shot requests for `trmbench llm ask`: one prompt through the full client path (limits, retries,
// parsing), reported as one JSON line.
#pragma once

#include <string>

#include "adapters/client.h"
#include "harness/core/prediction.h"

namespace trmbench {

// Sends one prompt and waits for its result.
LlmResult ask_once(LlmClient & client, const std::string & example_id, int attempt, const std::string & prompt);

// The Prediction of a result with no task to parse an answer (the answer stays empty).
Prediction prediction_without_task(LlmResult && result);

// {"model":..., "outcome":..., "answer":..., "usage":{...}, "cost_usd":..., "latency_ms":..., ...}
// on one line, keys sorted. `last_exchange_ms` is the latency of the final HTTP exchange.
std::string prediction_json_line(const ModelEntry & entry, const Prediction & p, double last_exchange_ms);

}  // namespace trmbench
