// Checkpoint key names: the wrapper prefixes that training adds, and a generic check of a
// checkpoint's keys, shapes and dtypes against what a model expects. Torch-free.
//
// The reference saves the torch.compile'd loss head, so its keys read
// "_orig_mod.model.inner.<name>"; without compile they read "model.inner.<name>", and DDP adds
// "module.". The model's own names (<name>) are what the C++ models use.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/io/tensor_blob.h"

namespace trmbench {

// The prefix the reference's own checkpoints carry.
inline constexpr std::string_view kReferenceKeyPrefix = "_orig_mod.model.inner.";

// The wrapper prefix of one key: any run of "module." / "_orig_mod." (DDP and torch.compile, in
// either nesting), then "model." (the loss head) and "inner." (the ACT wrapper) when present.
// "_orig_mod.model.inner.H_init" -> "_orig_mod.model.inner."; "H_init" -> "".
std::string_view wrapper_prefix(std::string_view key);
std::string strip_wrapper_prefix(std::string_view key);

// Strips every key's wrapper prefix. Throws InputError naming both keys (and `origin`) when two
// keys become the same name.
TensorMap strip_wrapper_prefixes(const TensorMap & tensors, const std::string & origin = "checkpoint");
// Adds `prefix` to every key that does not already start with it.
TensorMap add_key_prefix(const TensorMap & tensors, std::string_view prefix = kReferenceKeyPrefix);
// The wrapper prefix shared by all keys ("" when none, or when keys disagree).
std::string common_wrapper_prefix(const TensorMap & tensors);

// What a model expects of one tensor. An unset dtype accepts any dtype.
struct ExpectedTensor {
    std::vector<int64_t> shape;
    std::optional<DType> dtype;
};

struct KeyCheckReport {
    struct Mismatch {
        std::string key;
        std::string what;  // "shape [64, 11] expected [11, 64]" / "dtype BF16 expected F32"
    };
    std::vector<std::string> missing;     // expected but absent
    std::vector<std::string> unexpected;  // present but not expected
    std::vector<Mismatch> mismatched;     // present with the wrong shape or dtype

    bool ok() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
    // One line per problem (at most `max_lines`, then a count), naming each key.
    std::string to_string(size_t max_lines = 40) const;
};

// Compares names exactly (strip or add prefixes first).
KeyCheckReport check_tensor_keys(const std::map<std::string, ExpectedTensor> & expected, const TensorMap & actual);

// "[3, 64]"; "[]" for a scalar.
std::string shape_string(const std::vector<int64_t> & shape);

}  // namespace trmbench
