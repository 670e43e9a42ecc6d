// ARC task loader: per-task JSON files, directory walks and the Kaggle combined layout, with
// strict validation and error messages that name the file and the JSON path (arc_loader.h).
#include "tasks/arc/arc_loader.h"

#include <algorithm>
#include <map>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "tasks/arc/arc_json_internal.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace trmbench {
namespace {

[[noreturn]] void fail(const fs::path & source, const std::string & where, const std::string & what) {
    throw InputError(source.string() + ": " + (where.empty() ? "" : where + ": ") + what);
}

json parse_json_or_fail(std::string_view text, const fs::path & source) {
    try {
        return json::parse(text);
    } catch (const json::parse_error & e) {
        // e.what() carries "parse error at line L, column C: ..."
        throw InputError(source.string() + ": not valid JSON: " + e.what());
    }
}

Grid grid_or_fail(const json & v, const fs::path & source, const std::string & where) {
    Grid g;
    auto p = arc_json::read_grid(v, g);
    if (!p.ok()) fail(source, where + p.where, p.what);
    return g;
}

// One {"input": grid, "output": grid} object at `where` (e.g. "train[2]").
ArcPair read_pair(const json & v, const fs::path & source, const std::string & where, bool output_required) {
    if (!v.is_object()) fail(source, where, "expected an object with \"input\" and \"output\", got " + arc_json::type_name(v));
    ArcPair pair;
    auto in = v.find("input");
    if (in == v.end()) fail(source, where + ".input", "missing");
    pair.input = grid_or_fail(*in, source, where + ".input");
    auto out = v.find("output");
    if (out == v.end()) {
        if (output_required) fail(source, where + ".output", "missing");
    } else {
        pair.output = grid_or_fail(*out, source, where + ".output");
    }
    return pair;
}

std::vector<ArcPair> read_pairs(const json & task, const char * key, const fs::path & source, const std::string & prefix,
                                bool output_required) {
    const std::string where = prefix + key;
    auto it = task.find(key);
    if (it == task.end()) fail(source, where, "missing");
    if (!it->is_array()) fail(source, where, "expected a list of pairs, got " + arc_json::type_name(*it));
    if (it->empty()) fail(source, where, "empty list (a task needs at least one pair)");
    std::vector<ArcPair> pairs;
    pairs.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i)
        pairs.push_back(read_pair((*it)[i], source, where + "[" + std::to_string(i) + "]", output_required));
    return pairs;
}

// `prefix` is the JSON path of the task object ("" for a task file, "<id>." in a Kaggle file).
ArcTaskFile read_task(const json & v, const fs::path & source, std::string id, const std::string & prefix) {
    if (!v.is_object())
        fail(source, prefix.empty() ? "top level" : prefix.substr(0, prefix.size() - 1),
             "expected an object with \"train\" and \"test\", got " + arc_json::type_name(v));
    ArcTaskFile task;
    task.id = std::move(id);
    task.path = source;
    task.train = read_pairs(v, "train", source, prefix, /*output_required=*/true);
    task.test = read_pairs(v, "test", source, prefix, /*output_required=*/false);
    return task;
}

bool ends_with(const std::string & s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

fs::path kaggle_solutions_file(const fs::path & challenges) {
    std::string name = challenges.filename().string();
    name.replace(name.rfind("challenges"), std::string("challenges").size(), "solutions");
    return challenges.parent_path() / name;
}

void fill_kaggle_solutions(std::vector<ArcTaskFile> & tasks, const fs::path & file) {
    json sols = parse_json_or_fail(read_file(file), file);
    if (!sols.is_object()) fail(file, "top level", "expected an object {task id: [output grid, ...]}, got " + arc_json::type_name(sols));
    std::map<std::string, ArcTaskFile *> by_id;
    for (auto & t : tasks) by_id[t.id] = &t;
    for (auto it = sols.begin(); it != sols.end(); ++it) {
        auto found = by_id.find(it.key());
        if (found == by_id.end()) fail(file, it.key(), "task not in the challenges file");
        ArcTaskFile & task = *found->second;
        if (!it->is_array()) fail(file, it.key(), "expected a list of output grids, got " + arc_json::type_name(*it));
        if (it->size() != task.test.size())
            fail(file, it.key(), std::to_string(it->size()) + " solutions for " + std::to_string(task.test.size()) + " test inputs");
        for (size_t i = 0; i < it->size(); ++i)
            task.test[i].output = grid_or_fail((*it)[i], file, it.key() + "[" + std::to_string(i) + "]");
    }
}

void check_unique_ids(const std::vector<ArcTaskFile> & tasks) {
    std::map<std::string, const fs::path *> seen;
    for (const auto & t : tasks) {
        auto [it, inserted] = seen.emplace(t.id, &t.path);
        if (!inserted)
            throw InputError(t.path.string() + ": task id '" + t.id + "' also defined by " + it->second->string());
    }
}

}  // namespace

ArcTaskGrids ArcTaskFile::grids() const {
    ArcTaskGrids g;
    for (const auto & p : train) g.train.emplace_back(p.input, p.output);
    for (const auto & p : test) g.test.emplace_back(p.input, p.output);
    return g;
}

ArcTaskFile parse_arc_task_json(std::string_view text, const fs::path & source, std::string id) {
    return read_task(parse_json_or_fail(text, source), source, std::move(id), "");
}

ArcTaskFile load_arc_task_file(const fs::path & file) {
    return parse_arc_task_json(read_file(file), file, file.stem().string());
}

bool is_kaggle_challenges_file(const fs::path & p) { return ends_with(p.filename().string(), "_challenges.json"); }

std::vector<ArcTaskFile> load_arc_kaggle(const fs::path & challenges_file) {
    json all = parse_json_or_fail(read_file(challenges_file), challenges_file);
    if (!all.is_object())
        fail(challenges_file, "top level", "expected an object {task id: task}, got " + arc_json::type_name(all));
    std::vector<ArcTaskFile> tasks;
    for (auto it = all.begin(); it != all.end(); ++it)  // nlohmann objects iterate in sorted key order
        tasks.push_back(read_task(*it, challenges_file, it.key(), it.key() + "."));
    if (tasks.empty()) fail(challenges_file, "top level", "no tasks");
    fs::path sols = kaggle_solutions_file(challenges_file);
    if (fs::is_regular_file(sols)) fill_kaggle_solutions(tasks, sols);
    return tasks;
}

std::vector<ArcTaskFile> load_arc_tasks(const fs::path & path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw InputError(path.string() + ": no such file or directory");
    if (!fs::is_directory(path, ec)) {
        if (is_kaggle_challenges_file(path)) return load_arc_kaggle(path);
        return {load_arc_task_file(path)};
    }
    std::vector<fs::path> files;
    try {
        for (const auto & entry : fs::recursive_directory_iterator(path, fs::directory_options::follow_directory_symlink))
            if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    } catch (const fs::filesystem_error & e) {
        throw IoError(path.string() + ": cannot list directory: " + e.what());
    }
    std::sort(files.begin(), files.end());
    std::vector<ArcTaskFile> tasks;
    for (const auto & f : files) {
        const std::string name = f.filename().string();
        if (name.front() == '.') continue;                  // hidden files (editor, macOS "._x.json")
        if (ends_with(name, "_solutions.json")) continue;  // read with its challenges file
        if (is_kaggle_challenges_file(f)) {
            auto more = load_arc_kaggle(f);
            std::move(more.begin(), more.end(), std::back_inserter(tasks));
        } else {
            tasks.push_back(load_arc_task_file(f));
        }
    }
    if (tasks.empty()) throw InputError(path.string() + ": no ARC task files (*.json) in this directory");
    check_unique_ids(tasks);
    return tasks;
}

std::vector<Example> arc_examples(std::span<const ArcTaskFile> tasks) {
    std::vector<Example> out;
    for (const auto & t : tasks) {
        std::vector<std::pair<Grid, Grid>> demos;
        demos.reserve(t.train.size());
        for (const auto & p : t.train) demos.emplace_back(p.input, p.output);
        for (size_t i = 0; i < t.test.size(); ++i) {
            Example ex;
            ex.id = t.id + "/" + std::to_string(i);
            ex.family = "arc";
            ex.group = t.id;
            ex.index = static_cast<int>(i);
            ex.input = t.test[i].input;
            ex.target = t.test[i].output;
            ex.demos = demos;
            ex.meta["file"] = t.path.string();
            out.push_back(std::move(ex));
        }
    }
    return out;
}

ArcStats arc_stats(std::span<const Example> examples) {
    ArcStats s;
    std::map<std::string, int> tests_per_task;
    std::map<int, int> by_count;
    double output_cells = 0;
    int outputs = 0;
    auto side = [&s](const Grid & g) { s.max_side = std::max({s.max_side, g.rows, g.cols}); };
    for (const auto & ex : examples) {
        if (tests_per_task[ex.group]++ == 0) {
            s.train_pairs += static_cast<int>(ex.demos.size());
            for (const auto & [in, out] : ex.demos) side(in), side(out);
        }
        ++s.test_inputs;
        side(ex.input);
        side(ex.target);
        if (ex.target.empty()) {
            ++s.test_outputs_missing;
        } else {
            output_cells += static_cast<double>(ex.target.size());
            ++outputs;
        }
    }
    s.tasks = static_cast<int>(tests_per_task.size());
    for (const auto & [task, n] : tests_per_task) ++by_count[n];
    s.tasks_by_test_inputs.assign(by_count.begin(), by_count.end());
    s.mean_test_output_cells = outputs ? output_cells / outputs : 0;
    return s;
}

}  // namespace trmbench
