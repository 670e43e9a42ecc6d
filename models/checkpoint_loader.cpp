// Config + checkpoint resolution for local models (see checkpoint_loader.h).
#include "models/checkpoint_loader.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"
#include "models/all_config_yaml.h"
#include "models/io/checkpoint_file.h"
#include "models/io/key_mapping.h"
#include "models/presets.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {

namespace {

const char * const kWeightFiles[] = {"model.safetensors", "model.pt", "checkpoint.safetensors", "checkpoint.pt", "checkpoint"};

bool is_file(const fs::path & p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}
bool is_dir(const fs::path & p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

// N of "step_N" / "step_000001234"; -1 otherwise.
int64_t step_number(const std::string & name) {
    if (name.rfind("step_", 0) != 0 || name.size() == 5 || name.size() > 5 + 18) return -1;
    for (size_t i = 5; i < name.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
    return std::stoll(name.substr(5));
}

fs::path find_in_dir(const fs::path & dir, int depth) {
    for (const char * name : kWeightFiles)
        if (is_file(dir / name)) return dir / name;
    if (depth < 3) {
        if (is_file(dir / "latest")) {
            const std::string latest(trim(read_file(dir / "latest")));
            if (latest.empty() || latest.find('/') != std::string::npos || latest == "." || latest == "..")
                throw InputError((dir / "latest").string() + ": expected the name of a checkpoint directory");
            return find_in_dir(dir / latest, depth + 1);
        }
        if (is_dir(dir / "checkpoints")) return find_in_dir(dir / "checkpoints", depth + 1);
    }
    // The newest step_N: a reference run's files, or a trainer's directories.
    fs::path best;
    int64_t best_step = -1;
    std::error_code ec;
    for (const auto & entry : fs::directory_iterator(dir, ec)) {
        const int64_t n = step_number(entry.path().filename().string());
        if (n > best_step && (is_file(entry.path()) || is_dir(entry.path()))) {
            best_step = n;
            best = entry.path();
        }
    }
    if (best_step >= 0) return is_file(best) ? best : find_in_dir(best, depth + 1);
    std::vector<std::string> names(std::begin(kWeightFiles), std::end(kWeightFiles));
    throw UsageError(dir.string() + ": no checkpoint in this directory (looked for " + join(names, ", ") +
                     ", latest, checkpoints/ and step_N files)");
}

// strip_wrapper_prefixes without copying the tensors (an ARC puzzle table is 1.8 GB).
TensorMap strip_prefixes(TensorMap && in, const std::string & origin) {
    TensorMap out;
    std::map<std::string, std::string> source;
    while (!in.empty()) {
        auto node = in.extract(in.begin());
        std::string name = strip_wrapper_prefix(node.key());
        if (auto it = source.find(name); it != source.end())
            throw InputError(origin + ": keys '" + it->second + "' and '" + node.key() + "' both become '" + name +
                             "' once their wrapper prefixes are stripped");
        source.emplace(name, node.key());
        out.emplace(std::move(name), std::move(node.mapped()));
    }
    return out;
}

bool is_yaml(const fs::path & p) {
    const std::string ext = to_lower(p.extension().string());
    return ext == ".yaml" || ext == ".yml";
}

const TensorBlob * find_tensor(const TensorMap & t, const std::string & key) {
    auto it = t.find(key);
    return it == t.end() ? nullptr : &it->second;
}

// Rows of a 2-D tensor, -1 when absent or not 2-D.
int64_t rows_of(const TensorMap & t, const std::string & key) {
    const TensorBlob * b = find_tensor(t, key);
    return b && b->shape.size() == 2 ? b->shape[0] : -1;
}

std::string family_from_vocab(int64_t vocab) {
    for (const Task * task : all_tasks())
        if (task->token_layout().vocab_size == vocab) {
            // Only when no other family shares the vocabulary.
            int same = 0;
            for (const Task * other : all_tasks()) same += other->token_layout().vocab_size == vocab;
            if (same == 1) return std::string(task->family());
        }
    return "";
}

ModelConfig config_from_yaml(const fs::path & path, const LocalModelSpec & spec, const TensorMap & tensors,
                             std::string & family, std::vector<std::string> & notes) {
    ArchYaml arch = load_all_config_yaml(path);
    family = spec.task_family;
    if (family.empty()) {
        const int64_t vocab = rows_of(tensors, "embed_tokens.embedding_weight");
        if (vocab < 0)
            throw UsageError(path.string() + ": an all_config.yaml has no data shape; give the task family (sudoku, maze, arc)" +
                             std::string(tensors.empty() ? " or a checkpoint" : ""));
        family = family_from_vocab(vocab);
        if (family.empty())
            throw UsageError(path.string() + ": the checkpoint's vocabulary of " + std::to_string(vocab) +
                             " tokens matches no task family; give the task family");
        notes.push_back("task family " + family + " told by the checkpoint's vocabulary (" + std::to_string(vocab) + " tokens)");
    }
    const TokenLayout layout = task_by_family(family).token_layout();
    ArchDataShape shape;
    shape.seq_len = layout.seq_len;
    shape.vocab_size = layout.vocab_size;
    const int64_t rows = rows_of(tensors, "puzzle_emb.weights");
    shape.num_puzzle_identifiers = rows > 0 ? rows : 1;
    std::vector<std::string> ignored;
    ModelConfig c = model_config_from_arch(arch, shape, &ignored);
    if (!ignored.empty()) notes.push_back("all_config.yaml arch keys the model classes ignore: " + join(ignored, ", "));
    return c;
}

ModelConfig config_from_json(const fs::path & path, bool strict, std::vector<std::string> & notes) {
    std::vector<std::string> ignored;
    ModelConfig c = load_model_config(path, {!strict, &ignored});
    if (!ignored.empty()) notes.push_back(path.filename().string() + " keys without effect (ignored): " + join(ignored, ", "));
    return c;
}

// Puzzle-table rows are a dataset property: take the checkpoint's.
void adopt_puzzle_rows(ResolvedLocalModel & r) {
    const int64_t rows = rows_of(r.tensors, "puzzle_emb.weights");
    if (rows <= 0 || r.config.puzzle_emb_ndim <= 0 || rows == r.config.num_puzzle_identifiers) return;
    r.notes.push_back("num_puzzle_identifiers " + std::to_string(r.config.num_puzzle_identifiers) + " -> " + std::to_string(rows) +
                      " (the checkpoint's puzzle table; a dataset property)");
    r.config.num_puzzle_identifiers = rows;
    validate(r.config);
}

// Clear messages for the commonest mismatch before the key-by-key check of state_dict.h.
void check_vocabulary(const ResolvedLocalModel & r) {
    const int64_t vocab = rows_of(r.tensors, "embed_tokens.embedding_weight");
    if (vocab < 0 || vocab == r.config.vocab_size) return;
    std::string theirs = family_from_vocab(vocab), ours = family_from_vocab(r.config.vocab_size);
    throw InputError(r.checkpoint_file.string() + ": embed_tokens has " + std::to_string(vocab) + " tokens" +
                     (theirs.empty() ? "" : " (" + theirs + ")") + " but the config (" + r.config_source + ") has vocab_size " +
                     std::to_string(r.config.vocab_size) + (ours.empty() ? "" : " (" + ours + ")") +
                     ": a checkpoint for another task or architecture");
}

}  // namespace

std::string family_for_shape(int64_t seq_len, int64_t vocab_size) {
    for (const Task * task : all_tasks())
        if (task->token_layout().accepts(seq_len, vocab_size)) return std::string(task->family());
    return "";
}

fs::path find_checkpoint_file(const fs::path & path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw UsageError(path.string() + ": no such checkpoint file or directory");
    if (is_dir(path)) return find_in_dir(path, 0);
    if (!is_file(path)) throw UsageError(path.string() + ": not a regular file");
    return path;
}

ResolvedLocalModel resolve_local_model(const LocalModelSpec & spec, bool hash) {
    if (!spec.preset.empty() && !spec.config.empty())
        throw UsageError("give a model preset or a config file, not both (preset " + spec.preset + ", config " + spec.config.string() + ")");
    if (!spec.task_family.empty()) (void)task_by_family(spec.task_family);
    ResolvedLocalModel r;
    fs::path weights_dir;
    if (!spec.checkpoint.empty()) {
        r.checkpoint_file = find_checkpoint_file(spec.checkpoint);
        weights_dir = r.checkpoint_file.parent_path();
        LoadedCheckpoint ck = load_checkpoint(r.checkpoint_file);
        r.checkpoint_format = format_name(ck.format);
        r.tensors = strip_prefixes(std::move(ck.tensors), r.checkpoint_file.string());
        if (r.tensors.empty()) throw InputError(r.checkpoint_file.string() + ": the checkpoint holds no tensors");
        if (hash) r.checkpoint_sha256 = sha256_file(r.checkpoint_file);
        if (r.checkpoint_file != spec.checkpoint) r.notes.push_back("checkpoint file " + r.checkpoint_file.string());
    }

    if (!spec.preset.empty()) {
        r.config = load_preset(spec.preset);
        r.config_source = "preset " + spec.preset;
    } else if (!spec.config.empty()) {
        if (!is_file(spec.config)) throw UsageError(spec.config.string() + ": no such config file");
        if (is_yaml(spec.config)) {
            r.config = config_from_yaml(spec.config, spec, r.tensors, r.task_family, r.notes);
            r.config_source = "all_config.yaml " + spec.config.string();
        } else {
            r.config = config_from_json(spec.config, true, r.notes);
            r.config_source = "config " + spec.config.string();
        }
    } else if (!weights_dir.empty() && is_file(weights_dir / "config.json")) {
        r.config = config_from_json(weights_dir / "config.json", false, r.notes);
        r.config_source = "config " + (weights_dir / "config.json").string();
    } else if (!weights_dir.empty() && is_file(weights_dir / "all_config.yaml")) {
        r.config = config_from_yaml(weights_dir / "all_config.yaml", spec, r.tensors, r.task_family, r.notes);
        r.config_source = "all_config.yaml " + (weights_dir / "all_config.yaml").string();
    } else {
        throw UsageError(spec.checkpoint.empty() ? std::string("no model: give a preset, a config file or a checkpoint")
                                                 : "no config for " + spec.checkpoint.string() +
                                                       ": give a preset or a config file (no config.json or all_config.yaml beside it)");
    }
    if (r.config.name.empty()) r.config.name = spec.preset;
    adopt_puzzle_rows(r);
    check_vocabulary(r);
    if (r.task_family.empty()) r.task_family = family_for_shape(r.config.seq_len, r.config.vocab_size);
    if (!spec.task_family.empty() && r.task_family != spec.task_family)
        throw UsageError(r.config_source + ": seq_len " + std::to_string(r.config.seq_len) + " and vocab_size " +
                         std::to_string(r.config.vocab_size) + " do not fit task family " + spec.task_family);
    return r;
}

}  // namespace trmbench
