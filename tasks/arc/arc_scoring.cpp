// ARC scoring conventions, and the ARC Prize submission reader and writer (arc_scoring.h).
#include "tasks/arc/arc_scoring.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <unordered_map>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "tasks/arc/arc_json_internal.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace trmbench {
namespace {

// --- reading ----------------------------------------------------------------------------------

// More attempt slots than anyone submits; bounds the memory a hostile "attempt_999999999" can take.
constexpr int kMaxAttempts = 1000;

// "attempt_12" -> 12; 0 when the key is not an attempt key (or beyond kMaxAttempts).
int attempt_number(const std::string & key) {
    constexpr std::string_view prefix = "attempt_";
    if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0) return 0;
    int n = 0;
    const char * first = key.data() + prefix.size();
    const char * last = key.data() + key.size();
    auto [ptr, ec] = std::from_chars(first, last, n);
    if (ec != std::errc() || ptr != last || n < 1 || n > kMaxAttempts || *first == '0') return 0;
    return n;
}

// Reads what an attempt slot holds into `out`; returns false with a warning for malformed values.
// null and [] are legitimate "no answer" values.
class EntryReader {
public:
    EntryReader(std::string task_id, std::vector<std::string> & warnings) : task_(std::move(task_id)), warnings_(warnings) {}

    ArcSubmissionPair read_pair(const json & v, size_t position) {
        ArcSubmissionPair pair;
        where_ = "task " + task_ + " pair " + std::to_string(position);
        if (!v.is_object()) {
            warn("", "expected an object with attempt_1, attempt_2, ..., got " + arc_json::type_name(v));
            return pair;
        }
        for (auto it = v.begin(); it != v.end(); ++it) {
            int n = attempt_number(it.key());
            if (n == 0) {
                warn("", "ignored key \"" + it.key() + "\" (not attempt_1..attempt_" + std::to_string(kMaxAttempts) + ")");
                continue;
            }
            if (pair.attempts.size() < static_cast<size_t>(n)) pair.attempts.resize(static_cast<size_t>(n));
            pair.attempts[static_cast<size_t>(n - 1)] = read_attempt(*it, it.key(), pair.declared_index);
        }
        return pair;
    }

private:
    std::optional<Grid> read_attempt(const json & v, const std::string & slot, int & declared_index) {
        if (v.is_object()) {
            read_pair_index(v, slot, declared_index);
            auto answer = v.find("answer");
            if (answer == v.end()) {
                warn(slot, "object without \"answer\"");
                return std::nullopt;
            }
            if (answer->is_object()) {
                warn(slot + ".answer", "expected a grid, got an object");
                return std::nullopt;
            }
            return read_attempt(*answer, slot + ".answer", declared_index);
        }
        if (v.is_null() || (v.is_array() && v.empty())) return std::nullopt;
        if (!v.is_array()) {
            warn(slot, "expected a grid, null or an object with \"answer\", got " + arc_json::type_name(v));
            return std::nullopt;
        }
        Grid g;
        auto problem = arc_json::read_grid(v, g);
        if (!problem.ok()) {
            warn(slot + problem.where, "not an ARC grid: " + problem.what);
            return std::nullopt;
        }
        return g;
    }

    void read_pair_index(const json & attempt, const std::string & slot, int & declared_index) {
        auto meta = attempt.find("metadata");
        if (meta == attempt.end() || !meta->is_object()) return;
        auto idx = meta->find("pair_index");
        if (idx == meta->end() || idx->is_null()) return;
        if (!idx->is_number_integer() || idx->get<int64_t>() < 0 || idx->get<int64_t>() > 1'000'000) {
            warn(slot + ".metadata.pair_index", "not a non-negative integer; ignored");
            return;
        }
        if (declared_index < 0) declared_index = static_cast<int>(idx->get<int64_t>());
    }

    void warn(const std::string & slot, const std::string & what) {
        warnings_.push_back(where_ + (slot.empty() ? "" : ": " + slot) + ": " + what);
    }

    std::string task_;
    std::vector<std::string> & warnings_;
    std::string where_;
};

void add_task(ArcSubmission & sub, const std::string & task_id, const json & entries, const fs::path & source) {
    if (sub.tasks.count(task_id)) {
        sub.warnings.push_back("task " + task_id + ": second submission in " + source.string() + " ignored");
        return;
    }
    auto & pairs = sub.tasks[task_id];
    if (!entries.is_array()) {
        sub.warnings.push_back("task " + task_id + ": expected a list with one entry per test input, got " +
                               arc_json::type_name(entries));
        return;
    }
    EntryReader reader(task_id, sub.warnings);
    for (size_t i = 0; i < entries.size(); ++i) pairs.push_back(reader.read_pair(entries[i], i));
}

void merge_json(ArcSubmission & sub, const json & doc, const fs::path & source) {
    if (doc.is_object()) {
        for (auto it = doc.begin(); it != doc.end(); ++it) add_task(sub, it.key(), *it, source);
    } else if (doc.is_array()) {
        add_task(sub, source.stem().string(), doc, source);  // arc-agi-benchmarking: <task_id>.json
    } else {
        throw InputError(source.string() + ": top level: expected an object {task_id: [...]} or a per-task list, got " +
                         arc_json::type_name(doc));
    }
}

json parse_or_fail(std::string_view text, const fs::path & source) {
    try {
        return json::parse(text);
    } catch (const json::parse_error & e) {
        throw InputError(source.string() + ": not valid JSON: " + e.what());
    }
}

// --- scoring ----------------------------------------------------------------------------------

bool solved_at(const ArcSubmissionPair & entry, const Grid & truth, int k) {
    if (truth.empty()) return false;
    const size_t n = std::min(entry.attempts.size(), static_cast<size_t>(k));
    for (size_t i = 0; i < n; ++i)
        if (entry.attempts[i] && *entry.attempts[i] == truth) return true;
    return false;
}

int unanswered(const ArcSubmissionPair & entry, int k) {
    int n = 0;
    for (size_t i = 0; i < static_cast<size_t>(k); ++i)
        if (i >= entry.attempts.size() || !entry.attempts[i]) ++n;
    return n;
}

// Which submission entry answers which test input of a task: index -> entry (nullptr: none).
std::vector<const ArcSubmissionPair *> assign_entries(const std::string & task_id, const std::vector<ArcSubmissionPair> & entries,
                                                      size_t n_pairs, std::vector<std::string> & warnings) {
    std::vector<const ArcSubmissionPair *> by_index(n_pairs, nullptr);
    for (size_t pos = 0; pos < entries.size(); ++pos) {
        const auto & e = entries[pos];
        size_t idx = pos;
        const std::string where = "task " + task_id + " pair " + std::to_string(pos) + ": ";
        if (e.declared_index >= 0) {
            if (static_cast<size_t>(e.declared_index) < n_pairs)
                idx = static_cast<size_t>(e.declared_index);
            else
                warnings.push_back(where + "metadata pair_index " + std::to_string(e.declared_index) +
                                   " outside the task's " + std::to_string(n_pairs) + " test inputs; using the position");
        }
        if (idx >= n_pairs) {
            warnings.push_back(where + "entry beyond the task's " + std::to_string(n_pairs) + " test inputs; ignored");
        } else if (by_index[idx]) {
            warnings.push_back(where + "second entry for test input " + std::to_string(idx) + "; ignored");
        } else {
            by_index[idx] = &e;
        }
    }
    return by_index;
}

}  // namespace

std::string_view arc_convention_name(ArcConvention c) {
    switch (c) {
        case ArcConvention::strict: return "strict";
        case ArcConvention::per_output: return "per-output";
        default: return "arc-prize";
    }
}

std::string_view arc_convention_title(ArcConvention c) {
    switch (c) {
        case ArcConvention::strict: return "strict per-task (all test inputs)";
        case ArcConvention::per_output: return "per test output (micro)";
        default: return "ARC Prize (per-task fraction)";
    }
}

bool parse_arc_convention(std::string_view name, ArcConvention & out) {
    for (ArcConvention c : kArcConventions)
        if (arc_convention_name(c) == name) {
            out = c;
            return true;
        }
    return false;
}

std::vector<ArcTaskTruth> arc_task_set(std::span<const Example> examples) {
    std::vector<ArcTaskTruth> set;
    std::vector<std::vector<bool>> seen;
    std::unordered_map<std::string, size_t> index;
    for (const auto & ex : examples) {
        auto [it, inserted] = index.emplace(ex.group, set.size());
        if (inserted) {
            set.push_back({ex.group, {}});
            seen.emplace_back();
        }
        if (ex.index < 0) throw std::invalid_argument("example " + ex.id + ": negative test-pair index");
        auto & task = set[it->second];
        auto & have = seen[it->second];
        const size_t i = static_cast<size_t>(ex.index);
        if (task.outputs.size() <= i) task.outputs.resize(i + 1), have.resize(i + 1, false);
        if (have[i]) throw std::invalid_argument("task " + ex.group + ": test pair " + std::to_string(i) + " appears twice");
        have[i] = true;
        task.outputs[i] = ex.target;
    }
    for (size_t t = 0; t < set.size(); ++t)
        for (size_t i = 0; i < seen[t].size(); ++i)
            if (!seen[t][i]) throw std::invalid_argument("task " + set[t].id + ": test pair " + std::to_string(i) + " is missing");
    return set;
}

ArcSubmission parse_arc_submission_json(std::string_view text, const fs::path & source) {
    ArcSubmission sub;
    merge_json(sub, parse_or_fail(text, source), source);
    return sub;
}

ArcSubmission load_arc_submission(const fs::path & path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return parse_arc_submission_json(read_file(path), path);
    std::vector<fs::path> files;
    for (const auto & entry : fs::directory_iterator(path, ec))
        if (entry.path().extension() == ".json" && entry.path().filename() != "results.json" &&
            entry.path().filename().string().front() != '.')
            files.push_back(entry.path());
    if (ec) throw IoError(path.string() + ": cannot list directory: " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw InputError(path.string() + ": no submission files (*.json) in this directory");
    ArcSubmission sub;
    for (const auto & f : files) merge_json(sub, parse_or_fail(read_file(f), f), f);
    return sub;
}

double ArcScore::value(ArcConvention c) const {
    switch (c) {
        case ArcConvention::strict: return strict;
        case ArcConvention::per_output: return per_output;
        default: return arc_prize;
    }
}

ArcScore score_arc_submission(std::span<const ArcTaskTruth> task_set, const ArcSubmission & sub, int k) {
    if (k < 1) throw std::invalid_argument("pass@k needs k >= 1, got " + std::to_string(k));
    ArcScore s;
    s.k = k;
    s.warnings = sub.warnings;
    double fraction_sum = 0;
    std::unordered_map<std::string, bool> in_set;
    for (const auto & task : task_set) {
        in_set[task.id] = true;
        ArcTaskScore ts{task.id, static_cast<int>(task.outputs.size()), 0, false};
        auto found = sub.tasks.find(task.id);
        ts.submitted = found != sub.tasks.end();
        std::vector<const ArcSubmissionPair *> entries(task.outputs.size(), nullptr);
        if (ts.submitted) entries = assign_entries(task.id, found->second, task.outputs.size(), s.warnings);
        else ++s.missing_tasks;
        for (size_t i = 0; i < task.outputs.size(); ++i) {
            if (!entries[i]) {
                ++s.missing_outputs;
                continue;
            }
            s.unanswered_attempts += unanswered(*entries[i], k);
            if (solved_at(*entries[i], task.outputs[i], k)) ++ts.solved;
        }
        s.test_outputs += ts.outputs;
        s.solved_outputs += ts.solved;
        if (ts.outputs > 0) fraction_sum += static_cast<double>(ts.solved) / ts.outputs;
        if (ts.outputs > 0 && ts.solved == ts.outputs) ++s.strict_tasks_solved;
        s.per_task.push_back(std::move(ts));
    }
    for (const auto & [id, entries] : sub.tasks)
        if (!in_set.count(id)) s.unknown_tasks.push_back(id);
    s.tasks = static_cast<int>(task_set.size());
    if (s.tasks > 0) {
        s.arc_prize = fraction_sum / s.tasks;
        s.strict = static_cast<double>(s.strict_tasks_solved) / s.tasks;
    }
    if (s.test_outputs > 0) s.per_output = static_cast<double>(s.solved_outputs) / s.test_outputs;
    return s;
}

ArcSubmission make_arc_submission(std::span<const ArcPredictionEntry> entries, std::span<const ArcTaskTruth> task_set) {
    ArcSubmission sub;
    auto ensure = [&sub](const std::string & task, size_t n) {
        auto & pairs = sub.tasks[task];
        while (pairs.size() < n) {
            ArcSubmissionPair p;
            p.declared_index = static_cast<int>(pairs.size());
            pairs.push_back(std::move(p));
        }
        return &pairs;
    };
    for (const auto & t : task_set) ensure(t.id, t.outputs.size());
    for (const auto & e : entries) {
        if (e.pair_index < 0) throw std::invalid_argument("task " + e.task_id + ": negative pair index");
        auto * pairs = ensure(e.task_id, static_cast<size_t>(e.pair_index) + 1);
        (*pairs)[static_cast<size_t>(e.pair_index)].attempts = e.attempts;
    }
    return sub;
}

ArcSubmission arc_submission_from_predictions(std::span<const Example> examples, std::span<const Prediction> predictions) {
    std::unordered_map<std::string, const Example *> by_id;
    for (const auto & ex : examples) by_id[ex.id] = &ex;
    std::vector<ArcPredictionEntry> entries;
    std::vector<std::string> warnings;
    std::unordered_map<std::string, size_t> entry_of;  // example id -> entries index
    for (const auto & p : predictions) {
        auto ex = by_id.find(p.example_id);
        if (ex == by_id.end() || p.attempt < 0 || p.attempt >= kMaxAttempts) {
            warnings.push_back("prediction for unknown example '" + p.example_id + "' (attempt " + std::to_string(p.attempt) + ") ignored");
            continue;
        }
        auto [it, inserted] = entry_of.emplace(p.example_id, entries.size());
        if (inserted) entries.push_back({ex->second->group, ex->second->index, {}});
        auto & attempts = entries[it->second].attempts;
        if (attempts.size() <= static_cast<size_t>(p.attempt)) attempts.resize(static_cast<size_t>(p.attempt) + 1);
        if (p.outcome == Outcome::ok && p.answer) attempts[static_cast<size_t>(p.attempt)] = *p.answer;
    }
    auto task_set = arc_task_set(examples);
    ArcSubmission sub = make_arc_submission(entries, task_set);
    sub.warnings = std::move(warnings);
    return sub;
}

std::string arc_submission_json(const ArcSubmission & sub, const ArcSubmissionWriteOptions & opts) {
    json doc = json::object();
    const size_t slots = static_cast<size_t>(std::max(1, opts.attempts));
    for (const auto & [task, pairs] : sub.tasks) {
        json list = json::array();
        for (const auto & pair : pairs) {
            json entry = json::object();
            for (size_t i = 0; i < slots; ++i) {
                const std::string key = "attempt_" + std::to_string(i + 1);
                if (i < pair.attempts.size() && pair.attempts[i])
                    entry[key] = arc_json::grid_to_json(*pair.attempts[i]);
                else
                    entry[key] = opts.placeholder_grid ? json::array({json::array({0})}) : json(nullptr);
            }
            list.push_back(std::move(entry));
        }
        doc[task] = std::move(list);
    }
    // Task ids from file names may hold invalid UTF-8: replace it rather than throw.
    return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace trmbench
