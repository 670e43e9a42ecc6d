// SudokuTask: datasets, loading, scoring, prompts, tokens and rendering of Sudoku-Extreme
// (see sudoku_task.h).
#include "tasks/sudoku/sudoku_task.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <system_error>

#include "harness/core/error.h"
#include "harness/core/strings.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_generator.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tasks/sudoku/sudoku_tokens.h"
#include "tasks/text/text_io.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace sudoku {

bool looks_like_puzzle_list(const fs::path & path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    for (std::string_view line : split_lines(head)) {
        std::string_view t = trim(line);
        if (t.empty() || t.front() == '#') continue;
        if (t.size() < static_cast<size_t>(kCells)) return false;
        if (t.size() > static_cast<size_t>(kCells) && t[kCells] != ' ' && t[kCells] != '\t') return false;
        return std::all_of(t.begin(), t.begin() + kCells, [](char ch) { return ch == '.' || (ch >= '0' && ch <= '9'); });
    }
    return false;
}

}  // namespace sudoku

namespace {

std::string split_of(const fs::path & file) {
    std::string stem = to_lower(file.stem().string());
    for (const char * s : {"train", "test"}) {
        std::string name = s;
        if (stem == name || stem.starts_with(name + "_") || stem.starts_with(name + "-")) return name;
    }
    return "";
}

bool is_dataset_file(const fs::path & file) {
    std::string name = file.filename().string();
    if (name.empty() || name.front() == '.') return false;  // hidden and temporary files
    std::string ext = to_lower(file.extension().string());
    if (ext == ".csv" || ext == ".txt") return true;
    return ext.empty() && sudoku::looks_like_puzzle_list(file);
}

class SudokuScorer final : public Scorer {
public:
    std::vector<std::string> measure_names() const override { return {"exact", "valid"}; }

    Score score(const Example & ex, const std::optional<Grid> & answer) const override {
        bool exact = false, valid = false;
        if (answer) {
            exact = !ex.target.empty() && *answer == ex.target;
            auto cells = sudoku::to_cells(*answer);
            auto givens = sudoku::to_cells(ex.input);
            valid = cells && givens && sudoku::is_complete_valid(*cells) && sudoku::keeps_givens(*givens, *cells);
        }
        return Score{{{"exact", exact}, {"valid", valid}}};
    }
};

class SudokuTask final : public Task {
public:
    std::string_view family() const override { return "sudoku"; }
    // Bump on any change of loading, scoring or encoding.
    std::string_view version() const override { return "sudoku-1"; }

    std::vector<DatasetInfo> find_datasets(const fs::path & data_dir) const override {
        std::vector<DatasetInfo> out;
        fs::path root = data_dir / "sudoku";
        std::error_code ec;
        if (!fs::is_directory(root, ec)) return out;
        auto options = fs::directory_options::skip_permission_denied | fs::directory_options::follow_directory_symlink;
        fs::recursive_directory_iterator it(root, options, ec), end;
        for (; !ec && it != end; it.increment(ec)) {
            if (!it->is_regular_file(ec) || !is_dataset_file(it->path())) continue;
            fs::path rel = it->path().lexically_relative(data_dir);
            out.push_back(DatasetInfo{rel.replace_extension().generic_string(), it->path(), split_of(it->path())});
        }
        std::sort(out.begin(), out.end(), [](const auto & a, const auto & b) { return a.name < b.name; });
        return out;
    }

    std::vector<Example> load(const fs::path & path) const override {
        std::error_code ec;
        if (fs::is_directory(path, ec))
            throw InputError(path.string() + ": is a directory; a Sudoku dataset is one .csv file or puzzle list");
        if (to_lower(path.extension().string()) == ".csv") return sudoku::load_csv(path);
        return sudoku::load_puzzle_list(path);
    }

    const Scorer & scorer() const override { return scorer_; }

    const PromptTemplate & prompt_template() const override { return sudoku_prompt_template(); }
    std::string render_prompt(const Example & ex) const override { return render_sudoku_prompt(ex); }
    ParsedAnswer parse_answer(std::string_view text, const Example &) const override {
        return parse_sudoku_answer(text);
    }

    TokenLayout token_layout() const override { return TokenLayout{sudoku::kSeqLen, sudoku::kVocabSize}; }
    std::vector<int32_t> encode(const Grid & g) const override { return sudoku::encode(g); }
    std::optional<Grid> decode(std::span<const int32_t> tokens, const Example &) const override {
        return sudoku::decode(tokens);
    }

    std::string pretty(const Grid & g) const override { return sudoku::pretty(g); }

    void generate(const GenerateOptions & opts, const fs::path & out) const override {
        sudoku::generate_file(opts, out);
    }

    std::vector<std::string> extra_stats(std::span<const Example> examples) const override;

private:
    SudokuScorer scorer_;
};

std::vector<std::string> SudokuTask::extra_stats(std::span<const Example> examples) const {
    std::map<int, int64_t> clues;
    std::map<std::string, int64_t> sources;
    int64_t total = 0, boards = 0;
    for (const auto & ex : examples) {
        auto cells = sudoku::to_cells(ex.input);
        if (!cells) continue;
        int n = sudoku::count_givens(*cells);
        ++clues[n];
        total += n;
        ++boards;
        auto it = ex.meta.find("source");
        ++sources[it == ex.meta.end() ? "(none)" : it->second];
    }
    if (clues.empty()) return {};
    std::vector<std::string> lines;
    char buf[128];
    std::snprintf(buf, sizeof buf, "clues:     min %d mean %.2f max %d", clues.begin()->first,
                  static_cast<double>(total) / static_cast<double>(boards), clues.rbegin()->first);
    lines.push_back(buf);
    std::vector<std::string> parts;
    for (auto [n, count] : clues) parts.push_back(std::to_string(n) + ": " + format_thousands(count));
    lines.push_back("clue counts: " + join(parts, ", "));
    parts.clear();
    for (const auto & [name, count] : sources) parts.push_back(name + " " + format_thousands(count));
    lines.push_back("sources:   " + join(parts, ", "));
    return lines;
}

}  // namespace

std::unique_ptr<Task> make_sudoku_task() { return std::make_unique<SudokuTask>(); }

}  // namespace trmbench
