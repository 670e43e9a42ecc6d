// The ARC builder (spec §3.4), seeded.
//
//   order       subsets in the given order; each subset's tasks (sorted by path when loaded) are
//               shuffled with Rng(derive_seed(derive_seed(seed, kArcTaskOrder), name_key(subset)));
//   splits      the test subset's train pairs -> train split, its test pairs -> test split; every
//               other subset's train and test pairs -> train split (in that order);
//   variants    tasks/arc generate_variants(task, num_aug, derive_seed(derive_seed(seed,
//               kArcVariants), name_key(task id))): the original first, then up to num_aug
//               dihedral x colour variants, deduplicated by whole-task hash over both splits;
//   ids         1, 2, ... over the train split's puzzles in order (0 = <blank>); a test puzzle
//               reuses the id of the same variant's train puzzle;
//   translation each train-split puzzle draws its offsets from Rng(derive_seed(derive_seed(derive_seed(
//               seed, kArcTranslation), name_key(task id)), variant index)): one example keeps
//               (0, 0), the others move input and output together (tasks/arc translation_offsets);
//               test examples stay at (0, 0).
// A task's variants and offsets depend only on the seed and the task, never on which other tasks
// are built or on the thread count. Names: the original is the plain task id, a variant is
// "{task}|||t{t}|||{colour map}" (tasks/arc variant_name), as in the reference.
// Test pairs without an output (hidden sets) get the reference's dummy [[0]] label in the test
// subset and are an error elsewhere (they would be trained on).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "harness/core/progress.h"
#include "harness/core/rng.h"
#include "harness/core/sha256.h"
#include "models/data/builders.h"
#include "models/data/parallel.h"
#include "models/data/split_writer.h"
#include "models/data/train_data.h"
#include "tasks/arc/arc_augment.h"
#include "tasks/arc/arc_canvas.h"
#include "tasks/arc/arc_loader.h"
#include "tasks/registry.h"

namespace fs = std::filesystem;

namespace trmbench {

namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

struct ArcEntry {
    const ArcTaskFile * task = nullptr;
    std::string subset;
    bool is_test = false;
    uint64_t key = 0;
    ArcTaskGrids grids;                 // dummy [[0]] outputs filled in for the test subset
    int dummy_outputs = 0;
    std::vector<ArcAugmentation> variants;
    int trials = 0;
    int64_t first_id = 0;               // identifier of variants[0]

    size_t train_pairs() const { return grids.train.size() + (is_test ? 0 : grids.test.size()); }
    size_t test_pairs() const { return is_test ? grids.test.size() : 0; }
};

std::string task_version() {
    for (const Task * t : all_tasks())
        if (t->family() == "arc") return std::string(t->version());
    throw UsageError("the arc task family is not part of this trmbench build");
}

std::vector<ArcEntry> order_tasks(const ArcDataOptions & o, const std::vector<std::vector<ArcTaskFile>> & loaded) {
    std::vector<ArcEntry> entries;
    const uint64_t order_seed = derive_seed(o.seed, seed_stream::kArcTaskOrder);
    std::map<std::string, std::string> seen;  // task id -> subset
    for (size_t s = 0; s < o.subsets.size(); ++s) {
        const auto & sub = o.subsets[s];
        std::vector<const ArcTaskFile *> tasks;
        for (const auto & t : loaded[s]) {
            auto [it, fresh] = seen.emplace(t.id, sub.name);
            if (!fresh)
                throw UsageError("arc: task " + t.id + " appears in subsets " + it->second + " and " + sub.name +
                                 " (identifiers would collide)");
            tasks.push_back(&t);
        }
        Rng rng(derive_seed(order_seed, name_key(sub.name)));
        rng.shuffle(tasks);
        for (const ArcTaskFile * t : tasks) {
            ArcEntry e;
            e.task = t;
            e.subset = sub.name;
            e.is_test = sub.name == o.test_subset;
            e.key = name_key(t->id);
            e.grids = t->grids();
            for (size_t i = 0; i < e.grids.test.size(); ++i) {
                if (!e.grids.test[i].second.empty()) continue;
                if (!e.is_test)
                    throw InputError(t->path.string() + ": test[" + std::to_string(i) + "] has no output, but subset " +
                                     sub.name + " is trained on (only the test subset may hide outputs)");
                e.grids.test[i].second = Grid(1, 1, 0);
                ++e.dummy_outputs;
            }
            entries.push_back(std::move(e));
        }
    }
    return entries;
}

void append_tokens(const Grid & g, CanvasOffset off, std::vector<uint8_t> & out) {
    const auto tokens = encode_arc_canvas(g, off);
    for (int32_t t : tokens) out.push_back(static_cast<uint8_t>(t));
}

struct EntryTokens {
    std::vector<uint8_t> train_in, train_lab, test_in, test_lab;
};

EntryTokens encode_entry(const ArcEntry & e, uint64_t translate_seed) {
    EntryTokens out;
    const size_t tr = e.train_pairs(), te = e.test_pairs(), n = e.variants.size();
    out.train_in.reserve(n * tr * kArcSeqLen);
    out.train_lab.reserve(n * tr * kArcSeqLen);
    out.test_in.reserve(n * te * kArcSeqLen);
    out.test_lab.reserve(n * te * kArcSeqLen);
    const uint64_t task_seed = derive_seed(translate_seed, e.key);
    for (size_t v = 0; v < n; ++v) {
        const ArcTaskGrids g = apply_augmentation(e.grids, e.variants[v]);
        std::vector<std::pair<Grid, Grid>> train = g.train;
        if (!e.is_test) train.insert(train.end(), g.test.begin(), g.test.end());
        Rng rng(derive_seed(task_seed, v));
        const auto offsets = translation_offsets(train, rng, true);
        for (size_t i = 0; i < train.size(); ++i) {
            append_tokens(train[i].first, offsets[i], out.train_in);
            append_tokens(train[i].second, offsets[i], out.train_lab);
        }
        if (e.is_test)
            for (const auto & [in, lab] : g.test) {
                append_tokens(in, {}, out.test_in);
                append_tokens(lab, {}, out.test_lab);
            }
    }
    return out;
}

ordered_json grid_json(const Grid & g) {
    ordered_json rows = ordered_json::array();
    for (int r = 0; r < g.rows; ++r) {
        ordered_json row = ordered_json::array();
        for (int c = 0; c < g.cols; ++c) row.push_back(static_cast<int>(g.at(r, c)));
        rows.push_back(std::move(row));
    }
    return rows;
}

// The test subset's original tasks with solutions, in split order (the reference's test_puzzles.json).
std::string test_puzzles_json(const std::vector<ArcEntry> & entries) {
    ordered_json j = ordered_json::object();
    for (const auto & e : entries) {
        if (!e.is_test) continue;
        ordered_json task;
        for (const char * split : {"train", "test"}) {
            const auto & pairs = std::string(split) == "train" ? e.grids.train : e.grids.test;
            ordered_json list = ordered_json::array();
            for (const auto & [in, out] : pairs) list.push_back({{"input", grid_json(in)}, {"output", grid_json(out)}});
            task[split] = std::move(list);
        }
        j[e.task->id] = std::move(task);
    }
    return j.dump();
}

}  // namespace

DatasetStamp arc_stamp(const ArcDataOptions & o) {
    if (o.subsets.empty()) throw UsageError("arc: no subsets given");
    if (o.num_aug < 0) throw UsageError("arc: num_aug must be >= 0");
    std::set<std::string> names;
    for (const auto & s : o.subsets) {
        if (s.name.empty()) throw UsageError("arc: a subset needs a name");
        if (!names.insert(s.name).second) throw UsageError("arc: subset " + s.name + " given twice");
        if (!fs::exists(s.source.path)) throw UsageError("arc: subset " + s.name + ": " + s.source.path.string() + " does not exist");
    }
    if (!names.count(o.test_subset))
        throw UsageError("arc: the test subset '" + o.test_subset + "' is not one of the subsets");
    DatasetStamp st;
    st.builder = "arc";
    st.builder_version = kArcBuilderVersion;
    st.label = o.label.empty() ? "arc" : o.label;
    json p;
    json subsets = json::array();
    for (const auto & s : o.subsets) subsets.push_back(s.name);
    p["subsets"] = subsets;
    p["test_subset"] = o.test_subset;
    p["num_aug"] = o.num_aug;
    p["seed"] = o.seed;
    p["task_version"] = task_version();
    st.params_json = p.dump();
    for (const auto & s : o.subsets) st.inputs.push_back({"subset:" + s.name, s.source.name, sha256_tree(s.source.path)});
    return st;
}

BuiltContents build_arc(const ArcDataOptions & o, const fs::path & root, const BuildSettings & s) {
    std::vector<std::vector<ArcTaskFile>> loaded;
    for (const auto & sub : o.subsets) {
        try {
            loaded.push_back(load_arc_tasks(sub.source.path));
        } catch (...) {
            rethrow_with_context("arc subset " + sub.name + " (" + sub.source.name + ")");
        }
    }
    std::vector<ArcEntry> entries = order_tasks(o, loaded);
    const int64_t n_entries = static_cast<int64_t>(entries.size());

    // Phase 1: variants of every task (the layout needs their counts before any token is written).
    {
        Progress progress("arc variants", n_entries);
        progress.set_quiet(s.quiet);
        const uint64_t variant_seed = derive_seed(o.seed, seed_stream::kArcVariants);
        const int64_t chunk = 4 * static_cast<int64_t>(data_detail::resolve_threads(s.threads));
        for (int64_t first = 0; first < n_entries; first += chunk) {
            const int64_t count = std::min(chunk, n_entries - first);
            data_detail::parallel_for(count, s.threads, [&](int64_t i) {
                auto & e = entries[static_cast<size_t>(first + i)];
                ArcVariants v = generate_variants(e.grids, o.num_aug, derive_seed(variant_seed, e.key));
                e.variants = std::move(v.augmentations);
                e.trials = v.trials;
            });
            progress.update(first + count);
        }
        progress.finish();
    }

    // Layout: identifiers and names over the train split in order.
    int64_t train_examples = 0, test_examples = 0, next_id = 1;
    std::vector<std::string> names{"<blank>"};
    for (auto & e : entries) {
        e.first_id = next_id;
        next_id += static_cast<int64_t>(e.variants.size());
        train_examples += static_cast<int64_t>(e.variants.size() * e.train_pairs());
        test_examples += static_cast<int64_t>(e.variants.size() * e.test_pairs());
        for (size_t v = 0; v < e.variants.size(); ++v)
            names.push_back(v == 0 ? e.task->id : variant_name(e.task->id, e.variants[v]));
    }
    if (next_id > std::numeric_limits<int32_t>::max()) throw UsageError("arc: too many puzzle identifiers for int32");

    // Phase 2: tokens, chunk by chunk (parallel), written in order.
    SplitWriter train(root, "train", kArcSeqLen, train_examples);
    SplitWriter test(root, "test", kArcSeqLen, test_examples);
    const uint64_t translate_seed = derive_seed(o.seed, seed_stream::kArcTranslation);
    const int64_t chunk = std::max(8, 2 * data_detail::resolve_threads(s.threads));
    Progress progress("arc encode", n_entries);
    progress.set_quiet(s.quiet);
    const size_t L = kArcSeqLen;
    for (int64_t first = 0; first < n_entries; first += chunk) {
        const int64_t count = std::min(chunk, n_entries - first);
        std::vector<EntryTokens> tokens(static_cast<size_t>(count));
        data_detail::parallel_for(count, s.threads, [&](int64_t i) {
            tokens[static_cast<size_t>(i)] = encode_entry(entries[static_cast<size_t>(first + i)], translate_seed);
        });
        for (int64_t i = 0; i < count; ++i) {
            const ArcEntry & e = entries[static_cast<size_t>(first + i)];
            const EntryTokens & t = tokens[static_cast<size_t>(i)];
            const size_t tr = e.train_pairs() * L, te = e.test_pairs() * L;
            for (size_t v = 0; v < e.variants.size(); ++v) {
                const int32_t id = static_cast<int32_t>(e.first_id + static_cast<int64_t>(v));
                train.add_puzzle({t.train_in.data() + v * tr, tr}, {t.train_lab.data() + v * tr, tr}, id);
                if (e.is_test) test.add_puzzle({t.test_in.data() + v * te, te}, {t.test_lab.data() + v * te, te}, id);
            }
            train.end_group();
            if (e.is_test) test.end_group();
        }
        progress.update(first + count);
    }
    progress.finish();

    PuzzleDatasetMetadata meta;
    meta.vocab_size = kArcVocab;
    meta.num_puzzle_identifiers = next_id;
    BuiltContents out;
    out.files = train.finish(meta);
    auto test_files = test.finish(meta);
    out.files.insert(out.files.end(), test_files.begin(), test_files.end());
    out.train = train.counts();
    out.test = test.counts();
    out.num_puzzle_identifiers = next_id;

    json ids = names;
    out.files.push_back(write_text_file(root, "identifiers.json", ids.dump()));
    out.files.push_back(write_text_file(root, "test_puzzles.json", test_puzzles_json(entries)));

    // Notes: how far the variant generator got (the reference prints "augmentation not full").
    int64_t short_tasks = 0, trials = 0, dummies = 0;
    const ArcEntry * fewest = nullptr;
    for (const auto & e : entries) {
        if (e.variants.size() < static_cast<size_t>(o.num_aug) + 1) ++short_tasks;
        if (!fewest || e.variants.size() < fewest->variants.size()) fewest = &e;
        trials += e.trials;
        dummies += e.dummy_outputs;
    }
    out.notes.emplace_back("tasks", std::to_string(entries.size()));
    out.notes.emplace_back("tasks_short_of_variants", std::to_string(short_tasks));
    if (fewest) out.notes.emplace_back("fewest_variants", fewest->task->id + " (" + std::to_string(fewest->variants.size()) + ")");
    out.notes.emplace_back("variant_trials", std::to_string(trials));
    if (dummies) out.notes.emplace_back("dummy_test_outputs", std::to_string(dummies));
    std::string per_subset;
    for (size_t i = 0; i < o.subsets.size(); ++i)
        per_subset += (i ? ", " : "") + o.subsets[i].name + " " + std::to_string(loaded[i].size());
    out.notes.emplace_back("subset_tasks", per_subset);
    return out;
}

}  // namespace trmbench
