// Parameter counts and configuration inference from checkpoint keys and shapes.
#include "models/io/checkpoint_info.h"

#include <algorithm>
#include <map>

#include "models/io/key_mapping.h"

namespace trmbench {
namespace {

bool ends_with_name(std::string_view key, std::string_view name) {
    return key == name || (key.size() > name.size() && key.ends_with(name) && key[key.size() - name.size() - 1] == '.');
}

// Number of layers under "<level>.layers.<i>.": the largest index + 1, or -1 when absent.
int64_t count_layers(const std::map<std::string, const TensorBlob *> & m, std::string_view level) {
    const std::string prefix = std::string(level) + ".layers.";
    int64_t n = -1;
    for (const auto & [key, blob] : m) {
        if (!key.starts_with(prefix)) continue;
        const size_t start = prefix.size();
        size_t end = start;
        while (end < key.size() && key[end] >= '0' && key[end] <= '9' && end - start < 9) ++end;
        if (end == start || end >= key.size() || key[end] != '.') continue;
        n = std::max<int64_t>(n, std::stoll(key.substr(start, end - start)) + 1);
    }
    return n;
}

const TensorBlob * find(const std::map<std::string, const TensorBlob *> & m, const std::string & key) {
    auto it = m.find(key);
    return it == m.end() ? nullptr : it->second;
}

// The first tensor whose key ends with `suffix` (e.g. ".mlp_t.gate_up_proj.weight").
const TensorBlob * find_suffix(const std::map<std::string, const TensorBlob *> & m, std::string_view suffix) {
    for (const auto & [key, blob] : m)
        if (key.ends_with(suffix)) return blob;
    return nullptr;
}

}  // namespace

bool is_trainable_parameter(std::string_view key) {
    for (std::string_view buffer : {"H_init", "L_init", "puzzle_emb.weights", "puzzle_emb.local_weights", "puzzle_emb.local_ids",
                                    "rotary_emb.cos_cached", "rotary_emb.sin_cached"})
        if (ends_with_name(key, buffer)) return false;
    return true;
}

std::string torch_dtype_name(DType d) {
    switch (d) {
        case DType::f64: return "float64";
        case DType::f32: return "float32";
        case DType::f16: return "float16";
        case DType::bf16: return "bfloat16";
        case DType::i64: return "int64";
        case DType::i32: return "int32";
        case DType::i16: return "int16";
        case DType::i8: return "int8";
        case DType::u8: return "uint8";
        case DType::boolean: return "bool";
    }
    return "?";
}

CheckpointSummary summarize_checkpoint(const TensorMap & tensors) {
    CheckpointSummary s;
    s.tensors = tensors.size();
    s.key_prefix = common_wrapper_prefix(tensors);
    std::map<std::string, const TensorBlob *> m;  // keys without wrapper prefixes
    for (const auto & [key, blob] : tensors) {
        const int64_t n = blob.numel();
        s.total_elements += n;
        s.total_bytes += blob.data.size();
        if (is_trainable_parameter(key)) s.trainable_params += n;
        m.emplace(strip_wrapper_prefix(key), &blob);
    }
    s.buffer_elements = s.total_elements - s.trainable_params;

    s.H_layers = count_layers(m, "H_level");
    s.L_layers = count_layers(m, "L_level");
    if (s.H_layers > 0) s.family = "HRM";
    else if (s.L_layers > 0) s.family = "TRM";
    else s.notes.push_back("no H_level/L_level layers: not a TRM or HRM checkpoint");
    if (s.family == "TRM") s.H_layers = -1;

    const bool has_attn = find_suffix(m, ".self_attn.qkv_proj.weight") != nullptr;
    const TensorBlob * mlp_t_up = find_suffix(m, ".mlp_t.gate_up_proj.weight");
    if (mlp_t_up) s.variant = "mlp_t";
    else if (has_attn) s.variant = "att";

    if (const TensorBlob * e = find(m, "embed_tokens.embedding_weight"); e && e->shape.size() == 2) {
        s.vocab_size = e->shape[0];
        s.hidden_size = e->shape[1];
    } else if (const TensorBlob * h = find(m, "lm_head.weight"); h && h->shape.size() == 2) {
        s.vocab_size = h->shape[0];
        s.hidden_size = h->shape[1];
    }
    if (const TensorBlob * d = find_suffix(m, ".mlp.down_proj.weight"); d && d->shape.size() == 2) s.mlp_intermediate = d->shape[1];
    if (mlp_t_up && mlp_t_up->shape.size() == 2) {
        s.total_seq_len = mlp_t_up->shape[1];
        s.mlp_t_intermediate = mlp_t_up->shape[0] / 2;
    }
    if (const TensorBlob * p = find(m, "embed_pos.embedding_weight"); p && p->shape.size() == 2) {
        s.pos_encodings = "learned";
        s.total_seq_len = p->shape[0];
    } else if (s.family.size()) {
        s.pos_encodings = "rope or none";
        s.notes.push_back("rope and no positional encoding store nothing: pos_encodings cannot be told apart");
    }
    if (const TensorBlob * p = find(m, "puzzle_emb.weights"); p && p->shape.size() == 2) {
        s.num_puzzle_identifiers = p->shape[0];
        s.puzzle_emb_ndim = p->shape[1];
    }
    if (const TensorBlob * h = find(m, "H_init")) s.forward_dtype_hint = torch_dtype_name(h->dtype);
    if (has_attn) s.notes.push_back("num_heads is not stored (qkv_proj holds heads x head_dim rows)");
    if (s.family.size() && s.total_seq_len < 0) s.notes.push_back("seq_len + puzzle_emb_len is not stored by this variant");
    return s;
}

}  // namespace trmbench
