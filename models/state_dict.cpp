// Checkpoint tensors <-> model (see state_dict.h).
#include "models/state_dict.h"

#include <map>
#include <sstream>
#include <vector>

#include "harness/core/error.h"
#include "models/io/torch_convert.h"

namespace trmbench {

namespace {

// Registered tensors that a checkpoint stores, by reference key.
std::map<std::string, at::Tensor> persistent_tensors(RecursiveReasoningModelImpl & model) {
    std::map<std::string, at::Tensor> out;
    for (const auto & p : model.named_parameters(true)) out[p.key()] = p.value();
    for (const auto & b : model.named_buffers(true))
        if (!is_non_persistent_buffer(b.key())) out[b.key()] = b.value();
    return out;
}

// Training-time state that some savers include; it is rebuilt at run time, so it is skipped.
bool is_ignorable_key(const std::string & key) {
    return is_non_persistent_buffer(key) || key == "puzzle_emb.local_weights" || key == "puzzle_emb.local_ids";
}

std::string shape_str(c10::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

bool is_float_dtype(DType d) { return d == DType::f32 || d == DType::f64 || d == DType::f16 || d == DType::bf16; }

// The dtype a stored tensor gets in the model: H_init/L_init run in the forward dtype.
at::ScalarType target_dtype(const RecursiveReasoningModelImpl & model, const std::string & key) {
    return key == "H_init" || key == "L_init" ? model.forward_dtype : at::kFloat;
}

}  // namespace

std::string strip_checkpoint_prefix(const std::string & key) {
    for (const char * prefix : {"_orig_mod.model.inner.", "model.inner.", "inner."}) {
        const std::string p = prefix;
        if (key.compare(0, p.size(), p) == 0) return key.substr(p.size());
    }
    return key;
}

void load_state_dict(RecursiveReasoningModelImpl & model, const TensorMap & tensors, const std::string & origin) {
    std::map<std::string, at::Tensor> expected = persistent_tensors(model);
    std::map<std::string, const TensorBlob *> found;
    std::vector<std::string> problems;
    for (const auto & [raw_key, blob] : tensors) {
        std::string key = strip_checkpoint_prefix(raw_key);
        if (is_ignorable_key(key)) continue;
        if (!found.emplace(key, &blob).second) problems.push_back("duplicate key " + key + " (after removing prefixes)");
    }
    for (const auto & [key, blob] : found) {
        auto it = expected.find(key);
        if (it == expected.end()) {
            problems.push_back("unexpected key " + key + " " + shape_str(blob->shape));
            continue;
        }
        if (c10::IntArrayRef(blob->shape) != it->second.sizes())
            problems.push_back("wrong shape for " + key + ": checkpoint " + shape_str(blob->shape) + ", model " +
                               shape_str(it->second.sizes()));
        else if (!is_float_dtype(blob->dtype))
            problems.push_back("wrong dtype for " + key + ": checkpoint " + std::string(dtype_name(blob->dtype)) +
                               ", expected a floating-point tensor");
    }
    for (const auto & [key, t] : expected)
        if (!found.count(key)) problems.push_back("missing key " + key + " " + shape_str(t.sizes()));
    if (!problems.empty()) {
        std::ostringstream msg;
        msg << origin << ": the checkpoint does not fit the " << to_string(model.config.family) << "-"
            << variant_name(model.config) << " model of this config (a checkpoint for another architecture or size?):";
        const size_t shown = std::min<size_t>(problems.size(), 40);
        for (size_t i = 0; i < shown; ++i) msg << "\n  " << problems[i];
        if (problems.size() > shown) msg << "\n  ... and " << problems.size() - shown << " more";
        throw InputError(msg.str());
    }
    at::NoGradGuard no_grad;
    for (auto & [key, param] : expected) {
        at::Tensor value = to_tensor(*found.at(key)).to(target_dtype(model, key));
        param.copy_(value);
    }
}

TensorMap export_state_dict(RecursiveReasoningModelImpl & model, const std::string & prefix) {
    TensorMap out;
    for (const auto & [key, t] : persistent_tensors(model)) out[prefix + key] = from_tensor(t);
    return out;
}

}  // namespace trmbench
