// Checkpoint tensors <-> the model. Loading strips the wrapper prefixes of reference checkpoints
// (`_orig_mod.model.inner.`, `model.inner.`, `inner.`), checks every key and shape against the
// model built from the config, converts dtypes (parameters and the puzzle table to float32,
// H_init/L_init to the forward dtype) and copies the values in. Any missing, unexpected or
// wrong-shape key is an InputError that names each key and both shapes, so a checkpoint for
// another architecture is reported as such instead of failing deep inside a forward.
//
// Exporting gives the reference key names back (optionally with a prefix such as
// "_orig_mod.model.inner."), for the trainer's checkpoints and for round trips.
#pragma once

#include <string>

#include "models/io/tensor_blob.h"
#include "models/reasoning_model.h"

namespace trmbench {

inline constexpr const char * kReferenceKeyPrefix = "_orig_mod.model.inner.";

// The key with the first matching wrapper prefix removed (the key itself when none matches).
std::string strip_checkpoint_prefix(const std::string & key);

// `origin` (a file name) starts every error message.
void load_state_dict(RecursiveReasoningModelImpl & model, const TensorMap & tensors, const std::string & origin);

// Parameters and persistent buffers as CPU blobs in their stored dtypes, keys prefixed by `prefix`.
TensorMap export_state_dict(RecursiveReasoningModelImpl & model, const std::string & prefix = "");

}  // namespace trmbench
