// ArcTask: the "arc" family behind the Task interface (arc_task.h). Loading, scoring and the
// reference encoding live in the other files of this folder; this file wires them together.
#include "tasks/arc/arc_task.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "harness/core/strings.h"
#include "tasks/arc/arc_canvas.h"
#include "tasks/arc/arc_loader.h"
#include "tasks/text/text_io.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

// The official ARC palette (arcprize.org viewer): black, blue, red, green, yellow, grey, magenta,
// orange, azure, maroon.
constexpr uint8_t kPalette[10][3] = {{0, 0, 0},       {0, 116, 217},  {255, 65, 54},  {46, 204, 64},
                                     {255, 220, 0},   {170, 170, 170}, {240, 18, 190}, {255, 133, 27},
                                     {127, 219, 255}, {135, 12, 37}};

class ArcScorer : public Scorer {
public:
    std::vector<std::string> measure_names() const override { return {"exact"}; }
    Score score(const Example & ex, const std::optional<Grid> & answer) const override {
        const bool exact = answer.has_value() && !ex.target.empty() && *answer == ex.target;
        return Score{{{"exact", exact}}};
    }
};

// "training" | "evaluation" | "test" | "" from a Kaggle file name such as arc-agi_evaluation2_challenges.
std::string kaggle_split(const std::string & stem) {
    for (const char * s : {"training", "evaluation", "test"})
        if (stem.find(s) != std::string::npos) return s;
    return "";
}

bool stdout_wants_colour() {
    const char * no_colour = std::getenv("NO_COLOR");
    const char * term = std::getenv("TERM");
    if (no_colour && *no_colour) return false;
    if (term && std::string(term) == "dumb") return false;
    return ::isatty(STDOUT_FILENO) != 0;
}

class ArcTask : public Task {
public:
    std::string_view family() const override { return "arc"; }
    // 1: first version (loader, exact scorer, reference 30x30 canvas encoding).
    std::string_view version() const override { return "1"; }

    std::vector<DatasetInfo> find_datasets(const fs::path & data_dir) const override {
        std::vector<DatasetInfo> out;
        for (const char * rel : {"arc-agi-1/training", "arc-agi-1/evaluation", "arc-agi-2/training", "arc-agi-2/evaluation",
                                 "conceptarc/corpus", "conceptarc/MinimalTasks"}) {
            fs::path p = data_dir / rel;
            std::error_code ec;
            if (fs::is_directory(p, ec)) out.push_back({rel, p, p.filename().string()});
        }
        add_kaggle_datasets(data_dir, out);
        return out;
    }

    std::vector<Example> load(const fs::path & path) const override { return arc_examples(load_arc_tasks(path)); }

    const Scorer & scorer() const override { return scorer_; }

    const PromptTemplate & prompt_template() const override { return arc_prompt_template(); }
    std::string render_prompt(const Example & ex) const override { return render_arc_prompt(ex); }
    ParsedAnswer parse_answer(std::string_view text, const Example &) const override { return parse_arc_answer(text); }

    TokenLayout token_layout() const override { return {kArcSeqLen, kArcVocab}; }
    std::vector<int32_t> encode(const Grid & g) const override { return encode_arc_canvas(g); }
    std::optional<Grid> decode(std::span<const int32_t> tokens, const Example &) const override {
        return decode_arc_prediction(tokens);
    }

    std::string pretty(const Grid & g) const override { return pretty_arc_grid(g, stdout_wants_colour()); }

    std::vector<std::string> extra_stats(std::span<const Example> examples) const override {
        ArcStats s = arc_stats(examples);
        std::string by_count;
        for (const auto & [n, tasks] : s.tasks_by_test_inputs)
            by_count += (by_count.empty() ? "" : ", ") + std::to_string(n) + ":" + std::to_string(tasks);
        char mean[32];
        std::snprintf(mean, sizeof mean, "%.1f", s.mean_test_output_cells);
        return {
            "tasks:     " + format_thousands(s.tasks),
            "train pairs: " + format_thousands(s.train_pairs),
            "test inputs: " + format_thousands(s.test_inputs) + " (without output: " + std::to_string(s.test_outputs_missing) + ")",
            "tasks by #test inputs: " + by_count,
            "max side:  " + std::to_string(s.max_side),
            "mean test-output cells: " + std::string(mean),
        };
    }

private:
    // Kaggle combined files (arc-agi_<set>_challenges.json) directly inside data_dir/arc*/ folders.
    static void add_kaggle_datasets(const fs::path & data_dir, std::vector<DatasetInfo> & out) {
        std::error_code ec;
        std::vector<DatasetInfo> found;
        try {
            for (const auto & dir : fs::directory_iterator(data_dir, ec)) {
                if (!dir.is_directory(ec) || dir.path().filename().string().rfind("arc", 0) != 0) continue;
                for (const auto & f : fs::directory_iterator(dir.path(), ec)) {
                    if (!is_kaggle_challenges_file(f.path())) continue;
                    const std::string stem = f.path().stem().string();
                    found.push_back({dir.path().filename().string() + "/" + stem, f.path(), kaggle_split(stem)});
                }
            }
        } catch (const fs::filesystem_error &) {
            // An unreadable folder just has no datasets to offer; `data list` must not fail on it.
        }
        std::sort(found.begin(), found.end(), [](const DatasetInfo & a, const DatasetInfo & b) { return a.name < b.name; });
        out.insert(out.end(), found.begin(), found.end());
    }

    ArcScorer scorer_;
};

}  // namespace

std::string pretty_arc_grid(const Grid & g, bool colour) {
    if (!colour) return to_digit_rows(g);
    std::string out;
    for (int r = 0; r < g.rows; ++r) {
        if (r) out += '\n';
        for (int c = 0; c < g.cols; ++c) {
            const uint8_t v = g.at(r, c);
            if (v > 9) {
                out += "\x1b[0m??";
                continue;
            }
            const auto & rgb = kPalette[v];
            out += "\x1b[48;2;" + std::to_string(rgb[0]) + ";" + std::to_string(rgb[1]) + ";" + std::to_string(rgb[2]) + "m  ";
        }
        out += "\x1b[0m";
    }
    return out;
}

std::unique_ptr<Task> make_arc_task() { return std::make_unique<ArcTask>(); }

}  // namespace trmbench
