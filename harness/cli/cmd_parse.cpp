// `trmbench parse`: run a task's answer parser on a saved model reply and print what it extracts.
//
//   trmbench parse --task sudoku reply.txt
//   trmbench parse --task maze reply.txt --example-input maze.txt      (or DATASET:ID, or --rows/--cols)
//   some-command | trmbench parse --task arc -
//
// Prints {"grid": [[...]], "method": "..."} (maze adds "rows": the grid as "# SGo" strings) and exits
// 0, or prints {"error": "..."} and exits 1. The parsers are the ones every run uses
// (tasks/text/text_io.h), so this is the way to check why a reply scored as unparsed.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/strings.h"
#include "tasks/registry.h"
#include "tasks/text/text_io.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

constexpr std::string_view kMazeChars = "# SGo";

struct ParseOptions {
    std::string task;
    std::string file;
    std::string example_input;
    int rows = 0;
    int cols = 0;
};

std::string read_reply(const std::string & file) {
    if (file != "-") return read_file(file);
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    if (std::cin.bad()) throw IoError("read error on standard input");
    return ss.str();
}

// A maze board file: its rows of "# SGo" (all the same width), or one line of n*n characters (the
// dataset's own layout).
Grid read_maze_file(const std::string & path) {
    std::string content = read_file(path);
    std::vector<std::string> lines;
    for (std::string_view line : split(content, '\n')) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.emplace_back(line);
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.empty()) throw InputError(path + ": empty maze file");
    if (lines.size() == 1) {
        size_t side = 1;
        while (side * side < lines[0].size()) ++side;
        if (side * side == lines[0].size() && side > 1) {
            std::vector<std::string> rows;
            for (size_t r = 0; r < side; ++r) rows.push_back(lines[0].substr(r * side, side));
            lines = std::move(rows);
        }
    }
    Grid g(static_cast<int>(lines.size()), static_cast<int>(lines[0].size()));
    for (size_t r = 0; r < lines.size(); ++r) {
        if (lines[r].size() != lines[0].size())
            throw InputError(path + ":" + std::to_string(r + 1) + ": row has " + std::to_string(lines[r].size()) +
                             " characters, row 1 has " + std::to_string(lines[0].size()));
        for (size_t c = 0; c < lines[r].size(); ++c) {
            size_t v = kMazeChars.find(lines[r][c]);
            if (v == std::string_view::npos)
                throw InputError(path + ":" + std::to_string(r + 1) + ": character " + std::to_string(c + 1) +
                                 " is not one of \"# SGo\"");
            g.at(static_cast<int>(r), static_cast<int>(c)) = static_cast<uint8_t>(v);
        }
    }
    if (g.rows > 256 || g.cols > 256) throw InputError(path + ": maze larger than 256x256");
    return g;
}

// DATASET:ID (a dataset name of the data directory, or a dataset path) -> that example.
Example load_dataset_example(const GlobalOptions & g, const std::string & task_name, const std::string & ref) {
    size_t colon = ref.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == ref.size())
        throw UsageError("--example-input '" + ref + "': no such file, and not DATASET:ID");
    std::string name = ref.substr(0, colon), which = ref.substr(colon + 1);
    const Task & task = task_by_family(task_name);
    fs::path path;
    if (fs::exists(name)) {
        path = name;
    } else {
        fs::path data_dir = resolve_data_dir(g.data_dir);
        for (const auto & d : task.find_datasets(data_dir))
            if (d.name == name) path = d.path;
        if (path.empty()) throw UsageError("--example-input: no " + task_name + " dataset named '" + name + "' in " + data_dir.string());
    }
    std::vector<Example> examples = task.load(path);
    for (auto & e : examples)
        if (e.id == which) return std::move(e);
    if (!which.empty() && std::all_of(which.begin(), which.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        size_t i = std::stoul(which);
        if (i < examples.size()) return std::move(examples[i]);
    }
    throw UsageError("--example-input: no example '" + which + "' in " + name + " (" + std::to_string(examples.size()) + " examples)");
}

Example build_example(const GlobalOptions & g, const ParseOptions & o) {
    Example ex;
    ex.family = o.task;
    if (o.example_input.empty()) {
        if (o.task == "maze") ex.input = Grid(o.rows > 0 ? o.rows : 30, o.cols > 0 ? o.cols : 30);
        return ex;
    }
    if (o.rows > 0 || o.cols > 0) throw UsageError("give either --example-input or --rows/--cols, not both");
    if (fs::is_regular_file(o.example_input)) {
        // Only the maze parser needs the example (for its shape); other tasks accept and ignore it.
        if (o.task == "maze") ex.input = read_maze_file(o.example_input);
        return ex;
    }
    return load_dataset_example(g, o.task, o.example_input);
}

void cmd_parse(const GlobalOptions & g, const ParseOptions & o) {
    Example ex = build_example(g, o);
    std::string reply = read_reply(o.file);
    ParsedAnswer parsed = parse_answer_for(o.task, reply, ex);
    nlohmann::json out;
    if (parsed.grid) {
        const Grid & grid = *parsed.grid;
        auto rows = nlohmann::json::array();
        for (int r = 0; r < grid.rows; ++r) {
            auto row = nlohmann::json::array();
            for (int c = 0; c < grid.cols; ++c) row.push_back(grid.at(r, c));
            rows.push_back(std::move(row));
        }
        out["grid"] = std::move(rows);
        out["method"] = parsed.method;
        if (o.task == "maze") {
            auto text_rows = nlohmann::json::array();
            for (int r = 0; r < grid.rows; ++r) {
                std::string line;
                for (int c = 0; c < grid.cols; ++c) line += grid.at(r, c) < kMazeChars.size() ? kMazeChars[grid.at(r, c)] : '?';
                text_rows.push_back(line);
            }
            out["rows"] = std::move(text_rows);
        }
    } else {
        out["error"] = parsed.reason;
    }
    std::string text = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
    if (!parsed.grid) throw Error("no answer grid parsed from " + (o.file == "-" ? std::string("standard input") : o.file), kExitFailure);
}

}  // namespace

void setup_parse(CLI::App & app, const GlobalOptions & g) {
    auto o = std::make_shared<ParseOptions>();
    auto * cmd = app.add_subcommand("parse", "Extract the answer grid from a saved model reply, as the runs do");
    cmd->add_option("--task", o->task, "Task family: sudoku | maze | arc")
        ->required()
        ->check(CLI::IsMember({"sudoku", "maze", "arc"}));
    cmd->add_option("file", o->file, "File with the model's reply ('-' reads standard input)")->required();
    cmd->add_option("--example-input", o->example_input,
                    "Maze: a file with the maze's rows (or its one-line dataset string), or DATASET:ID; "
                    "gives the expected shape (other tasks do not need it)");
    cmd->add_option("--rows", o->rows, "Maze: expected rows when no --example-input (default 30)")->check(CLI::Range(1, 256));
    cmd->add_option("--cols", o->cols, "Maze: expected columns when no --example-input (default 30)")->check(CLI::Range(1, 256));
    cmd->callback([&g, o] { cmd_parse(g, *o); });
}

}  // namespace trmbench
