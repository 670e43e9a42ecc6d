// Training recipe: defaults, paper recipes, spec files and the LR schedule (see train_config.h).
#include "models/train/train_config.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <map>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "models/json_field_reader.h"
#include "models/presets.h"

namespace trmbench {

using json = nlohmann::json;

std::string to_string(LossKind k) {
    return k == LossKind::stablemax ? "stablemax_cross_entropy" : "softmax_cross_entropy";
}

void validate(const TrainConfig & t) {
    auto need = [](bool ok, const char * field, const std::string & why) {
        if (!ok) throw UsageError(std::string("train.") + field + ": " + why);
    };
    auto finite_nonneg = [&](double v, const char * field) { need(std::isfinite(v) && v >= 0, field, "must be a finite number >= 0"); };
    need(t.global_batch_size > 0, "global_batch_size", "must be > 0");
    need(t.epochs > 0, "epochs", "must be > 0");
    need(t.eval_interval >= 0, "eval_interval", "must be >= 0");
    if (t.eval_interval > 0)
        need(t.epochs % t.eval_interval == 0, "eval_interval",
             "must divide epochs (" + std::to_string(t.epochs) + "), as in the reference");
    need(t.min_eval_interval >= 0, "min_eval_interval", "must be >= 0");
    finite_nonneg(t.lr, "lr");
    finite_nonneg(t.puzzle_emb_lr, "puzzle_emb_lr");
    finite_nonneg(t.weight_decay, "weight_decay");
    finite_nonneg(t.puzzle_emb_weight_decay, "puzzle_emb_weight_decay");
    need(std::isfinite(t.lr_min_ratio) && t.lr_min_ratio >= 0 && t.lr_min_ratio <= 1, "lr_min_ratio", "must be in [0, 1]");
    need(t.lr_warmup_steps >= 0, "lr_warmup_steps", "must be >= 0");
    need(t.beta1 >= 0 && t.beta1 < 1, "beta1", "must be in [0, 1)");
    need(t.beta2 >= 0 && t.beta2 < 1, "beta2", "must be in [0, 1)");
    need(t.ema_rate >= 0 && t.ema_rate <= 1, "ema_rate", "must be in [0, 1]");
    need(t.max_steps >= 0, "max_steps", "must be >= 0");
    need(t.eval_every_steps >= 0, "eval_every_steps", "must be >= 0");
    need(t.checkpoint_every_steps >= 0, "checkpoint_every_steps", "must be >= 0");
    need(t.keep_last >= 1, "keep_last", "must be >= 1 (the newest checkpoint is always kept)");
    need(t.log_every_steps >= 1, "log_every_steps", "must be >= 1");
    need(t.eval_max_batches >= 0, "eval_max_batches", "must be >= 0");
}

TrainConfig paper_recipe(const std::string & preset, ModelFamily family) {
    TrainConfig t;  // common: batch 768, warm-up 2000, lr_min_ratio 1.0, betas 0.9/0.95, seed 0
    const bool arc = preset.find("arc") != std::string::npos;
    if (family == ModelFamily::hrm) {
        t.ema = false;
        t.epochs = arc ? 100000 : 20000;
        t.eval_interval = arc ? 10000 : 2000;
    } else {
        t.ema = true;
        t.epochs = arc ? 100000 : 50000;
        t.eval_interval = arc ? 10000 : 5000;
    }
    t.lr = 1e-4;
    t.puzzle_emb_lr = arc ? 1e-2 : 1e-4;
    t.weight_decay = arc ? 0.1 : 1.0;
    t.puzzle_emb_weight_decay = arc ? 0.1 : 1.0;
    return t;
}

namespace {

// Every error names "<origin>: train.<key>" (the reader is built with where = origin + ": train").
using TrainFieldReader = detail::FieldReader;

using Setter = std::function<void(TrainConfig &, const TrainFieldReader &, const std::string &)>;

const std::map<std::string, Setter> & train_setters() {
    static const std::map<std::string, Setter> setters = [] {
        std::map<std::string, Setter> s;
        auto integer = [&](const char * key, int64_t TrainConfig::*field) {
            s[key] = [field](TrainConfig & t, const TrainFieldReader & r, const std::string & k) { t.*field = r.integer(k); };
        };
        auto number = [&](const char * key, double TrainConfig::*field) {
            s[key] = [field](TrainConfig & t, const TrainFieldReader & r, const std::string & k) { t.*field = r.number(k); };
        };
        integer("global_batch_size", &TrainConfig::global_batch_size);
        integer("epochs", &TrainConfig::epochs);
        integer("eval_interval", &TrainConfig::eval_interval);
        integer("min_eval_interval", &TrainConfig::min_eval_interval);
        number("lr", &TrainConfig::lr);
        number("lr_min_ratio", &TrainConfig::lr_min_ratio);
        integer("lr_warmup_steps", &TrainConfig::lr_warmup_steps);
        number("weight_decay", &TrainConfig::weight_decay);
        number("beta1", &TrainConfig::beta1);
        number("beta2", &TrainConfig::beta2);
        number("puzzle_emb_lr", &TrainConfig::puzzle_emb_lr);
        number("puzzle_emb_weight_decay", &TrainConfig::puzzle_emb_weight_decay);
        number("ema_rate", &TrainConfig::ema_rate);
        integer("max_steps", &TrainConfig::max_steps);
        integer("eval_every_steps", &TrainConfig::eval_every_steps);
        integer("checkpoint_every_steps", &TrainConfig::checkpoint_every_steps);
        integer("keep_last", &TrainConfig::keep_last);
        integer("log_every_steps", &TrainConfig::log_every_steps);
        integer("eval_max_batches", &TrainConfig::eval_max_batches);
        s["ema"] = [](TrainConfig & t, const TrainFieldReader & r, const std::string & k) { t.ema = r.boolean(k); };
        s["seed"] = [](TrainConfig & t, const TrainFieldReader & r, const std::string & k) {
            int64_t v = r.integer(k);
            if (v < 0) r.bad_type(k, "an integer >= 0");
            t.seed = static_cast<uint64_t>(v);
        };
        s["loss_type"] = [](TrainConfig & t, const TrainFieldReader & r, const std::string & k) {
            std::string v = r.string(k);
            if (v == "stablemax_cross_entropy") t.loss = LossKind::stablemax;
            else if (v == "softmax_cross_entropy") t.loss = LossKind::softmax;
            else throw UsageError(r.where + ".loss_type: unknown loss '" + v +
                                  "' (stablemax_cross_entropy or softmax_cross_entropy)");
        };
        return s;
    }();
    return setters;
}

void apply_train_object(TrainConfig & t, const json & obj, const std::string & origin) {
    if (!obj.is_object()) throw InputError(origin + ": train: expected an object");
    const std::string where = origin + ": train";
    TrainFieldReader r{obj, where};
    const auto & setters = train_setters();
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        auto s = setters.find(it.key());
        if (s == setters.end()) throw UsageError(origin + ": train." + it.key() + ": unknown training field");
        s->second(t, r, it.key());
    }
}

}  // namespace

void apply_train_json(TrainConfig & t, const std::string & text, const std::string & origin) {
    json obj;
    try {
        obj = json::parse(text);
    } catch (const json::exception & e) {
        throw InputError(origin + ": not valid JSON: " + e.what());
    }
    apply_train_object(t, obj, origin);
}

std::string train_config_to_json(const TrainConfig & t) {
    json j = {
        {"global_batch_size", t.global_batch_size},
        {"epochs", t.epochs},
        {"eval_interval", t.eval_interval},
        {"min_eval_interval", t.min_eval_interval},
        {"lr", t.lr},
        {"lr_min_ratio", t.lr_min_ratio},
        {"lr_warmup_steps", t.lr_warmup_steps},
        {"weight_decay", t.weight_decay},
        {"beta1", t.beta1},
        {"beta2", t.beta2},
        {"puzzle_emb_lr", t.puzzle_emb_lr},
        {"puzzle_emb_weight_decay", t.puzzle_emb_weight_decay},
        {"ema", t.ema},
        {"ema_rate", t.ema_rate},
        {"seed", t.seed},
        {"loss_type", to_string(t.loss)},
        {"max_steps", t.max_steps},
        {"eval_every_steps", t.eval_every_steps},
        {"checkpoint_every_steps", t.checkpoint_every_steps},
        {"keep_last", t.keep_last},
        {"log_every_steps", t.log_every_steps},
        {"eval_max_batches", t.eval_max_batches},
    };
    return j.dump(1);
}

TrainSpec parse_train_spec(const std::string & text, const std::string & origin) {
    TrainSpec spec;
    spec.source = origin;
    json top;
    try {
        top = json::parse(text);
    } catch (const json::exception & e) {
        throw InputError(origin + ": not valid JSON: " + e.what());
    }
    if (!top.is_object()) throw InputError(origin + ": expected a JSON object");
    json model_part = top;
    model_part.erase("train");
    spec.model = parse_model_config(model_part.dump(), origin);
    spec.train = paper_recipe(spec.model.name, spec.model.family);
    if (top.contains("train")) apply_train_object(spec.train, top["train"], origin);
    try {
        validate(spec.train);
    } catch (const UsageError & e) {
        throw UsageError(origin + ": " + e.what());
    }
    return spec;
}

TrainSpec load_train_spec(const std::filesystem::path & path) {
    TrainSpec spec = parse_train_spec(read_file(path), path.string());
    if (spec.model.name.empty()) spec.model.name = path.stem().string();
    spec.source = path.string();
    return spec;
}

TrainSpec load_train_preset(const std::string & name) {
    for (const auto & p : embedded_presets()) {
        if (p.name != name) continue;
        TrainSpec spec = parse_train_spec(std::string(p.json), "preset " + name);
        spec.model.name = name;
        spec.source = name;
        // Paper presets carry no "train" object: their recipe is the paper's, by name.
        if (!json::parse(p.json).contains("train")) spec.train = paper_recipe(name, spec.model.family);
        return spec;
    }
    load_preset(name);  // throws the UsageError listing the known names
    throw UsageError("unknown preset " + name);
}

std::string train_spec_to_json(const TrainSpec & spec) {
    json top = json::parse(model_config_to_json(spec.model));
    top["train"] = json::parse(train_config_to_json(spec.train));
    return top.dump(1) + "\n";
}

double scheduled_lr(int64_t step, double base_lr, int64_t warmup_steps, int64_t total_steps, double min_ratio,
                    double num_cycles) {
    if (step < warmup_steps)
        return base_lr * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps));
    const double progress =
        static_cast<double>(step - warmup_steps) / static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
    const double pi = 3.141592653589793;  // math.pi
    return base_lr *
           (min_ratio + std::max(0.0, (1 - min_ratio) * 0.5 * (1.0 + std::cos(pi * num_cycles * 2.0 * progress))));
}

int64_t reference_total_steps(int64_t epochs, int64_t total_groups, double mean_puzzle_examples, int64_t global_batch) {
    // Python: int(epochs * total_groups * mean / batch); the first product is an exact integer.
    const double v = static_cast<double>(epochs * total_groups) * mean_puzzle_examples / static_cast<double>(global_batch);
    return static_cast<int64_t>(v);
}

}  // namespace trmbench
