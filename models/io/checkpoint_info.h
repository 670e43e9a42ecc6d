// What a TRM/HRM checkpoint says about its model, from key names and shapes alone (torch-free):
// family, variant, sizes, parameter counts. Used by `trmbench models inspect`.
//
// Parameter counts follow the reference's `num_params` = sum(p.numel() for p in model.parameters()):
// H_init, L_init and the puzzle-embedding table are buffers, not parameters (spec §2.9), and
// non-persistent buffers (rotary cos/sin caches, the sparse embedding's local weights/ids) are not
// parameters either, should a file contain them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/io/tensor_blob.h"

namespace trmbench {

// False for the buffers named above; `key` may carry wrapper prefixes.
bool is_trainable_parameter(std::string_view key);

struct CheckpointSummary {
    size_t tensors = 0;
    int64_t total_elements = 0;
    int64_t trainable_params = 0;      // as the reference logs num_params
    int64_t buffer_elements = 0;       // total_elements - trainable_params
    uint64_t total_bytes = 0;
    std::string key_prefix;            // wrapper prefix shared by all keys ("_orig_mod.model.inner.")

    // Inferred model configuration; -1 / "" where the checkpoint does not say.
    std::string family;                // "TRM", "HRM" or "" (not a TRM/HRM checkpoint)
    std::string variant;               // "att" (self-attention) or "mlp_t" (token MLP)
    int64_t hidden_size = -1;
    int64_t vocab_size = -1;
    int64_t H_layers = -1;             // HRM only (TRM has no H_level modules)
    int64_t L_layers = -1;
    int64_t mlp_intermediate = -1;     // channel SwiGLU inner size
    int64_t mlp_t_intermediate = -1;   // token SwiGLU inner size (mlp_t)
    int64_t total_seq_len = -1;        // seq_len + puzzle_emb_len, from mlp_t or learned pos-embedding shapes
    std::string pos_encodings;         // "learned" when embed_pos is stored; "rope or none" otherwise
    int64_t num_puzzle_identifiers = -1;
    int64_t puzzle_emb_ndim = -1;
    std::string forward_dtype_hint;    // dtype of H_init: the reference stores it in the forward dtype
    std::vector<std::string> notes;    // what could not be inferred, and why
};

CheckpointSummary summarize_checkpoint(const TensorMap & tensors);

// "float32", "bfloat16", ... (torch's spelling of a dtype).
std::string torch_dtype_name(DType d);

}  // namespace trmbench
