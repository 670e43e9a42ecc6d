// Atomic training checkpoints with keep-last-K (see train_checkpoint.h).
#include "models/train/train_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>
#include <system_error>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "models/io/safetensors.h"
#include "models/io/torch_checkpoint.h"

namespace fs = std::filesystem;

namespace trmbench {

using json = nlohmann::json;

namespace {

constexpr const char * kMetaFile = "checkpoint.json";
constexpr const char * kStateFile = "train_state.safetensors";

json parse_or_throw(const std::string & text, const std::string & origin) {
    try {
        return json::parse(text);
    } catch (const json::exception & e) {
        throw InputError(origin + ": not valid JSON: " + e.what());
    }
}

// fsync a directory so that the renames inside it survive a crash.
void sync_dir(const fs::path & dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

bool is_checkpoint_name(const std::string & name) {
    static const std::regex re("step_[0-9]+");
    return std::regex_match(name, re);
}

std::string newest_intact(const fs::path & out_dir) {
    auto all = list_checkpoints(out_dir);
    return all.empty() ? std::string("there is no earlier checkpoint") : "the newest intact checkpoint is " + all.back().string();
}

}  // namespace

std::string checkpoint_dir_name(int64_t step) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "step_%09lld", static_cast<long long>(step));
    return buf;
}

std::string checkpoint_meta_to_json(const CheckpointMeta & m) {
    json j;
    j["format"] = m.format;
    j["step"] = m.step;
    j["total_steps"] = m.total_steps;
    j["iteration"] = m.iteration;
    j["batches_done"] = m.batches_done;
    j["iteration_finished"] = m.iteration_finished;
    j["spec"] = json::parse(train_spec_to_json(m.spec));
    j["dataset"] = {{"name", m.dataset_name}, {"key", m.dataset_key}};
    j["world_size"] = m.world_size;
    j["wall_time_s"] = m.wall_time_s;
    j["trainer_state"] = parse_or_throw(m.trainer_state_json.empty() ? "{}" : m.trainer_state_json, "trainer state");
    j["created_by"] = m.created_by;
    if (!m.last_eval_json.empty()) j["last_eval"] = json::parse(m.last_eval_json);
    return j.dump(1) + "\n";
}

CheckpointMeta checkpoint_meta_from_json(const std::string & text, const std::string & origin) {
    json j = parse_or_throw(text, origin);
    if (!j.is_object()) throw InputError(origin + ": expected a JSON object");
    auto field = [&](const char * key) -> const json & {
        if (!j.contains(key)) throw InputError(origin + ": missing field \"" + std::string(key) + "\"");
        return j[key];
    };
    auto integer = [&](const char * key) {
        const json & v = field(key);
        if (!v.is_number_integer()) throw InputError(origin + ": " + key + ": expected an integer");
        return v.get<int64_t>();
    };
    CheckpointMeta m;
    m.format = static_cast<int>(integer("format"));
    if (m.format != kTrainCheckpointFormat)
        throw InputError(origin + ": training checkpoint format " + std::to_string(m.format) + ", this trmbench reads format " +
                         std::to_string(kTrainCheckpointFormat) + " (a checkpoint from another version)");
    m.step = integer("step");
    m.total_steps = integer("total_steps");
    m.iteration = integer("iteration");
    m.batches_done = integer("batches_done");
    if (m.step < 0 || m.total_steps < 0 || m.iteration < 1 || m.batches_done < 0)
        throw InputError(origin + ": step, total_steps, iteration or batches_done out of range");
    if (!field("iteration_finished").is_boolean()) throw InputError(origin + ": iteration_finished: expected true or false");
    m.iteration_finished = j["iteration_finished"].get<bool>();
    if (!field("spec").is_object()) throw InputError(origin + ": spec: expected an object");
    m.spec = parse_train_spec(j["spec"].dump(), origin + ": spec");
    const json & d = field("dataset");
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string() || !d.contains("key") || !d["key"].is_string())
        throw InputError(origin + ": dataset: expected {\"name\": ..., \"key\": ...}");
    m.dataset_name = d["name"].get<std::string>();
    m.dataset_key = d["key"].get<std::string>();
    m.world_size = static_cast<int>(integer("world_size"));
    if (j.contains("wall_time_s") && j["wall_time_s"].is_number()) m.wall_time_s = j["wall_time_s"].get<double>();
    if (!field("trainer_state").is_object()) throw InputError(origin + ": trainer_state: expected an object");
    m.trainer_state_json = j["trainer_state"].dump();
    if (j.contains("created_by") && j["created_by"].is_string()) m.created_by = j["created_by"].get<std::string>();
    if (j.contains("last_eval")) m.last_eval_json = j["last_eval"].dump();
    return m;
}

std::vector<fs::path> list_checkpoints(const fs::path & out_dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    const fs::path root = out_dir / "checkpoints";
    if (!fs::is_directory(root, ec)) return out;
    for (const auto & e : fs::directory_iterator(root, ec)) {
        const std::string name = e.path().filename().string();
        if (e.is_directory(ec) && is_checkpoint_name(name) && fs::exists(e.path() / kMetaFile, ec)) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());  // zero-padded step numbers sort by step
    return out;
}

fs::path write_checkpoint(const fs::path & out_dir, const CheckpointFiles & files, int64_t keep_last) {
    const fs::path root = out_dir / "checkpoints";
    const std::string name = checkpoint_dir_name(files.meta.step);
    const fs::path final_dir = root / name;
    const fs::path partial = root / (".partial-" + name + "-" + std::to_string(::getpid()));
    std::error_code ec;
    try {
        fs::create_directories(root);
        fs::remove_all(partial, ec);
        fs::create_directories(partial);
        write_safetensors(partial / "model.safetensors", files.eval_weights,
                          {{"format", "pt"}, {"step", std::to_string(files.meta.step)}, {"source", "trmbench train"}});
        TorchWriteOptions pt;
        pt.archive_name = "model";
        write_torch_checkpoint(partial / "model.pt", files.eval_weights, pt);
        write_file_atomic(partial / "config.json", files.model_config_json);
        write_safetensors(partial / kStateFile, files.train_state, {{"step", std::to_string(files.meta.step)}});
        write_file_atomic(partial / kMetaFile, checkpoint_meta_to_json(files.meta));
        sync_dir(partial);
        if (fs::exists(final_dir)) {
            // The same step again (e.g. an interrupt right after a periodic checkpoint): replace it.
            const fs::path old = root / (".old-" + name + "-" + std::to_string(::getpid()));
            fs::rename(final_dir, old);
            fs::rename(partial, final_dir);
            fs::remove_all(old, ec);
        } else {
            fs::rename(partial, final_dir);
        }
        sync_dir(root);
    } catch (const std::exception & e) {
        fs::remove_all(partial, ec);
        throw IoError("writing checkpoint " + final_dir.string() + " failed: " + e.what() + "; nothing was replaced, " +
                      newest_intact(out_dir));
    }
    try {
        write_file_atomic(root / "latest", name + "\n");
    } catch (const std::exception & e) {
        throw IoError("checkpoint " + final_dir.string() + " is complete, but updating " + (root / "latest").string() +
                      " failed: " + e.what());
    }
    // Prune: keep the newest keep_last (the one just written is always among them).
    auto all = list_checkpoints(out_dir);
    const int64_t excess = static_cast<int64_t>(all.size()) - std::max<int64_t>(keep_last, 1);
    for (int64_t i = 0; i < excess; ++i) fs::remove_all(all[static_cast<size_t>(i)], ec);
    return final_dir;
}

fs::path resolve_checkpoint(const fs::path & path) {
    std::error_code ec;
    if (fs::exists(path / kMetaFile, ec)) return path;
    if (!fs::is_directory(path, ec)) throw UsageError("--resume " + path.string() + ": no such directory");
    const fs::path latest = path / "checkpoints" / "latest";
    if (fs::exists(latest, ec)) {
        std::string name(trim(read_file(latest)));
        if (is_checkpoint_name(name) && fs::exists(path / "checkpoints" / name / kMetaFile, ec)) return path / "checkpoints" / name;
    }
    auto all = list_checkpoints(path);
    if (all.empty())
        throw UsageError("--resume " + path.string() + ": no checkpoint found (expected a checkpoint directory with " + kMetaFile +
                         " or a run directory with checkpoints/step_*)");
    return all.back();
}

LoadedTrainCheckpoint read_checkpoint(const fs::path & dir) {
    LoadedTrainCheckpoint out;
    out.dir = dir;
    out.meta = checkpoint_meta_from_json(read_file(dir / kMetaFile), (dir / kMetaFile).string());
    out.train_state = read_safetensors(dir / kStateFile).tensors;
    return out;
}

std::vector<std::string> resume_incompatibilities(const CheckpointMeta & saved, const TrainSpec & spec,
                                                  const std::string & dataset_key) {
    std::vector<std::string> out;
    ModelConfig a = saved.spec.model, b = spec.model;
    a.name = b.name = "";
    a.batch_size = b.batch_size = 0;  // the local batch: follows the world size, sizes buffers only
    if (model_config_to_json(a) != model_config_to_json(b)) {
        json ja = json::parse(model_config_to_json(a))["config"], jb = json::parse(model_config_to_json(b))["config"];
        std::string diff;
        for (auto it = ja.begin(); it != ja.end(); ++it)
            if (!jb.contains(it.key()) || jb[it.key()] != it.value())
                diff += " " + it.key() + " " + it.value().dump() + " vs " + (jb.contains(it.key()) ? jb[it.key()].dump() : "absent") + ";";
        if (a.family != b.family) diff += " family " + to_string(a.family) + " vs " + to_string(b.family) + ";";
        out.push_back("model config differs (checkpoint vs this run):" + diff);
    }
    const TrainConfig & s = saved.spec.train;
    const TrainConfig & t = spec.train;
    auto cmp = [&](const char * name, auto x, auto y) {
        if (x != y) out.push_back(std::string("train.") + name + " differs: checkpoint " + json(x).dump() + ", this run " + json(y).dump());
    };
    cmp("global_batch_size", s.global_batch_size, t.global_batch_size);
    cmp("eval_interval", s.eval_interval, t.eval_interval);
    cmp("lr", s.lr, t.lr);
    cmp("lr_min_ratio", s.lr_min_ratio, t.lr_min_ratio);
    cmp("lr_warmup_steps", s.lr_warmup_steps, t.lr_warmup_steps);
    cmp("weight_decay", s.weight_decay, t.weight_decay);
    cmp("beta1", s.beta1, t.beta1);
    cmp("beta2", s.beta2, t.beta2);
    cmp("puzzle_emb_lr", s.puzzle_emb_lr, t.puzzle_emb_lr);
    cmp("puzzle_emb_weight_decay", s.puzzle_emb_weight_decay, t.puzzle_emb_weight_decay);
    cmp("ema", s.ema, t.ema);
    cmp("ema_rate", s.ema_rate, t.ema_rate);
    cmp("seed", s.seed, t.seed);
    cmp("loss_type", to_string(s.loss), to_string(t.loss));
    if (saved.dataset_key != dataset_key)
        out.push_back("dataset differs: the checkpoint was trained on " + saved.dataset_name + " (key " +
                      (saved.dataset_key.empty() ? "unknown" : saved.dataset_key.substr(0, 16)) + "), this run uses key " +
                      (dataset_key.empty() ? "unknown" : dataset_key.substr(0, 16)));
    return out;
}

}  // namespace trmbench
