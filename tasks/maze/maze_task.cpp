// MazeTask (see maze_task.h): glue between the harness's Task interface and the maze modules.
#include "tasks/maze/maze_task.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/progress.h"
#include "harness/core/strings.h"
#include "tasks/maze/maze_core.h"
#include "tasks/maze/maze_csv.h"
#include "tasks/maze/maze_generator.h"
#include "tasks/maze/maze_scorer.h"
#include "tasks/text/text_io.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

// "train" / "test" when a token of the file name says so (train.csv, maze_test.csv), else "".
std::string split_of(const fs::path & file) {
    std::string stem = to_lower(file.stem().string());
    std::string split;
    for (auto token : trmbench::split(stem, '_')) {
        for (auto part : trmbench::split(token, '-')) {
            if (part == "train") split = "train";
            if (part == "test") split = "test";
        }
    }
    return split;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    double pos = p * static_cast<double>(v.size() - 1);
    auto lo = static_cast<size_t>(std::floor(pos));
    size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

double mean(const std::vector<double> & v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? NAN : s / static_cast<double>(v.size());
}

std::string summary_line(const std::string & label, const std::vector<double> & v, const char * fmt) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, mean(v), percentile(v, 0), percentile(v, 0.1), percentile(v, 0.5),
                  percentile(v, 0.9), percentile(v, 1));
    return label + buf;
}

bool colour_output() { return ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"); }

class MazeTask : public Task {
public:
    std::string_view family() const override { return "maze"; }
    std::string_view version() const override { return "1"; }

    std::vector<DatasetInfo> find_datasets(const fs::path & data_dir) const override {
        std::vector<DatasetInfo> out;
        fs::path root = data_dir / "maze";
        std::error_code ec;
        if (!fs::is_directory(root, ec)) return out;
        for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec) || to_lower(it->path().extension().string()) != ".csv") continue;
            fs::path rel = fs::relative(it->path(), data_dir, ec);
            if (ec) continue;
            out.push_back(DatasetInfo{rel.replace_extension().generic_string(), it->path(), split_of(it->path())});
        }
        std::sort(out.begin(), out.end(), [](const auto & a, const auto & b) { return a.name < b.name; });
        return out;
    }

    std::vector<Example> load(const fs::path & path) const override { return load_maze_csv(path); }

    const Scorer & scorer() const override { return scorer_; }

    const PromptTemplate & prompt_template() const override { return maze_prompt_template(); }
    std::string render_prompt(const Example & ex) const override { return render_maze_prompt(ex); }
    ParsedAnswer parse_answer(std::string_view text, const Example & ex) const override {
        return parse_maze_answer(text, ex);
    }

    // Sides 4..30, what `data generate maze --size N` and suite `size` accept; 30x30 is the reference set.
    TokenLayout token_layout() const override { return TokenLayout{30 * 30, kMazeVocab, 4, 30}; }

    std::vector<int32_t> encode(const Grid & g) const override {
        std::vector<int32_t> tokens(g.size());
        for (size_t i = 0; i < g.size(); ++i)
            tokens[i] = g.cells[i] < maze::kNumCellValues ? g.cells[i] + 1 : kMazePadToken;  // bad value -> PAD
        return tokens;
    }

    std::optional<Grid> decode(std::span<const int32_t> tokens, const Example & ex) const override {
        int rows = ex.input.rows, cols = ex.input.cols;
        if (ex.input.empty()) {  // no example to take the shape from: a square
            rows = cols = static_cast<int>(std::lround(std::sqrt(static_cast<double>(tokens.size()))));
        }
        if (rows <= 0 || static_cast<size_t>(rows) * static_cast<size_t>(cols) != tokens.size()) return std::nullopt;
        Grid g(rows, cols);
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (tokens[i] < 1 || tokens[i] > maze::kNumCellValues) return std::nullopt;  // PAD or out of vocab
            g.cells[i] = static_cast<uint8_t>(tokens[i] - 1);
        }
        return g;
    }

    std::string pretty(const Grid & g) const override {
        static const char * const kColour[] = {"\033[90m", "", "\033[1;32m", "\033[1;31m", "\033[1;33m"};
        const bool colour = colour_output();
        std::string out;
        for (int r = 0; r < g.rows; ++r) {
            if (r) out += '\n';
            for (int c = 0; c < g.cols; ++c) {
                uint8_t v = g.at(r, c);
                char ch = v < maze::kNumCellValues ? maze::kCharset[v] : '?';
                if (colour && v < maze::kNumCellValues && *kColour[v]) {
                    out += kColour[v];
                    out += ch;
                    out += "\033[0m";
                } else {
                    out += ch;
                }
            }
        }
        return out;
    }

    void generate(const GenerateOptions & opts, const fs::path & out) const override {
        if (opts.n <= 0) throw UsageError("--n must be positive");
        if (opts.min_rating >= 0 || opts.max_rating >= 0 || opts.max_blanks >= 0)
            throw UsageError("--min-rating/--max-rating/--max-blanks apply to sudoku; for mazes use --size/--min-path/--unique-path");
        MazeGenConfig cfg = make_maze_gen_config(opts.size, opts.min_path);
        cfg.unique_path = opts.unique_path;
        Progress progress("maze " + std::to_string(cfg.size) + "x" + std::to_string(cfg.size), opts.n);
        progress.set_quiet(opts.quiet);
        MazeGenStats stats;
        std::vector<GeneratedMaze> mazes = generate_mazes(cfg, opts.n, opts.seed, opts.threads, &progress, &stats);
        progress.finish();
        write_file_atomic(out, maze_csv(mazes, opts.seed));
        if (!opts.quiet) std::fprintf(stderr, "%s\n", stats.summary().c_str());
        if (stats.violations > 0)
            std::fprintf(stderr,
                         "warning: %lld layout(s) had boost*r > 1 and were accepted with probability 1 instead of "
                         "boost*r; such layouts are slightly under-represented (see maze_generator.h)\n",
                         static_cast<long long>(stats.violations));
    }

    std::vector<std::string> extra_stats(std::span<const Example> examples) const override;

private:
    MazeScorer scorer_;
};

std::vector<std::string> MazeTask::extra_stats(std::span<const Example> examples) const {
    std::vector<std::string> lines;
    if (examples.empty()) return lines;
    std::vector<double> wall_fraction, open_cells, path;
    int min_side = 1 << 30, max_side = 0, unreachable = 0, labelled = 0, valid = 0, optimal = 0, canonical = 0;
    int rated = 0, rating_moves = 0, rating_cells = 0;
    for (const Example & ex : examples) {
        min_side = std::min(min_side, ex.input.rows);
        max_side = std::max(max_side, ex.input.rows);
        double walls = static_cast<double>(std::count(ex.input.cells.begin(), ex.input.cells.end(), maze::kWall));
        double cells = static_cast<double>(ex.input.size());
        if (cells > 0) wall_fraction.push_back(walls / cells);
        open_cells.push_back(cells - walls);
        if (ex.difficulty >= 0) path.push_back(ex.difficulty);
        else ++unreachable;
        if (!ex.target.empty()) {
            ++labelled;
            maze::PathCheck check = maze::check_path(ex.input, ex.target);
            valid += check.valid;
            optimal += check.valid && check.moves == ex.difficulty;
            std::optional<Grid> canon = maze::canonical_solution(ex.input);
            canonical += canon && *canon == ex.target;
        }
        if (auto it = ex.meta.find("rating"); it != ex.meta.end() && ex.difficulty >= 0) {
            ++rated;
            rating_moves += it->second == std::to_string(static_cast<long long>(ex.difficulty));
            rating_cells += it->second == std::to_string(static_cast<long long>(ex.difficulty) + 1);
        }
    }
    lines.push_back("maze side: " + (min_side == max_side ? std::to_string(min_side)
                                                          : std::to_string(min_side) + ".." + std::to_string(max_side)));
    lines.push_back(summary_line("wall fraction: ", wall_fraction, "mean %.3f min %.3f p10 %.3f p50 %.3f p90 %.3f max %.3f"));
    lines.push_back(summary_line("open cells: ", open_cells, "mean %.1f min %.0f p10 %.0f p50 %.0f p90 %.0f max %.0f"));
    if (!path.empty())
        lines.push_back(summary_line("path length (moves): ", path, "mean %.2f min %.0f p10 %.0f p50 %.0f p90 %.0f max %.0f"));
    if (unreachable) lines.push_back("unreachable goal: " + std::to_string(unreachable));
    if (labelled)
        lines.push_back("labels: " + std::to_string(labelled) + ", valid paths " + std::to_string(valid) +
                        ", optimal " + std::to_string(optimal) + ", equal to the BFS up/down/left/right tie-break " +
                        std::to_string(canonical));
    if (rated)
        lines.push_back("rating: " + std::to_string(rated) + " rows; equals BFS moves in " +
                        std::to_string(rating_moves) + ", moves+1 (cells) in " + std::to_string(rating_cells) +
                        ", neither in " + std::to_string(rated - rating_moves - rating_cells));
    return lines;
}

}  // namespace

std::unique_ptr<Task> make_maze_task() { return std::make_unique<MazeTask>(); }

}  // namespace trmbench
