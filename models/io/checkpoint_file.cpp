// Format detection and format-independent loading and saving.
#include "models/io/checkpoint_file.h"

#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "models/io/file_io.h"
#include "models/io/le_bytes.h"
#include "models/io/safetensors.h"
#include "models/io/torch_checkpoint.h"

namespace trmbench {

const char * format_name(CheckpointFormat f) { return f == CheckpointFormat::safetensors ? "safetensors" : "pytorch"; }

CheckpointFormat detect_checkpoint_format(std::span<const uint8_t> bytes) {
    if (bytes.size() >= 9 && bytes[8] == '{' && le::u64(bytes.data()) <= bytes.size() - 8) return CheckpointFormat::safetensors;
    return CheckpointFormat::torch_zip;
}

CheckpointFormat format_for_output(const std::filesystem::path & path) {
    const std::string ext = to_lower(path.extension().string());
    if (ext == ".safetensors") return CheckpointFormat::safetensors;
    if (ext == ".pt" || ext == ".pth" || ext == ".bin" || ext == ".ckpt") return CheckpointFormat::torch_zip;
    throw UsageError("cannot tell the output format from '" + path.string() +
                     "': use a .safetensors or .pt (.pth, .bin, .ckpt) extension");
}

LoadedCheckpoint load_checkpoint(const std::filesystem::path & path) {
    MappedFile file(path);
    LoadedCheckpoint out;
    out.format = detect_checkpoint_format(file.bytes());
    if (out.format == CheckpointFormat::safetensors) {
        auto st = parse_safetensors(file.bytes(), path.string(), [&file](std::span<const uint8_t> b) { file.release(b); });
        out.tensors = std::move(st.tensors);
        out.metadata = std::move(st.metadata);
        out.key_order = std::move(st.key_order);
        return out;
    }
    TorchReadOptions options;
    options.release_storage = [&file](std::span<const uint8_t> b) { file.release(b); };
    auto ck = parse_torch_checkpoint(file.bytes(), path.string(), options);
    out.tensors = std::move(ck.tensors);
    out.key_order = std::move(ck.key_order);
    out.skipped = std::move(ck.skipped);
    out.metadata["archive"] = ck.archive_name;
    out.metadata["state_dict_key"] = ck.state_dict_key.empty() ? "(top level)" : ck.state_dict_key;
    out.metadata["container"] = ck.ordered_dict ? "collections.OrderedDict" : "dict";
    out.metadata["locations"] = join(ck.locations, ",");
    out.metadata["version"] = ck.version;
    out.metadata["shared_storage_tensors"] = std::to_string(ck.shared_storage_tensors);
    return out;
}

void save_checkpoint(const std::filesystem::path & path, CheckpointFormat format, const TensorMap & tensors,
                     const std::vector<std::string> & key_order, const std::map<std::string, std::string> & metadata) {
    if (format == CheckpointFormat::safetensors) return write_safetensors(path, tensors, metadata, key_order);
    TorchWriteOptions options;
    options.key_order = key_order;
    write_torch_checkpoint(path, tensors, options);
}

}  // namespace trmbench
