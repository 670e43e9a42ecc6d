// Speed of the text-model answer parsers (tasks/text): a typical reply of a few kilobytes, and
// 10 MB pathological replies (random bytes, unclosed brackets, endless fences), which must stay
// linear-time. Run: build/bin/bench_text_parse
#include <benchmark/benchmark.h>

#include <string>

#include "harness/core/rng.h"
#include "tasks/text/text_io.h"

namespace {

using namespace trmbench;

const char * kSolution = "621943758783615492594728361142879635357461289869532174238197546916354827475286913";

std::string typical_sudoku_reply() {
    std::string reply = "<think>\n";
    for (int i = 0; i < 60; ++i) reply += "Row 3 needs 4 and 7; column 5 already has 7, so r3c5 = 4. Next, box 6...\n";
    reply += "</think>\nThe solved grid:\n\n<answer>\n";
    for (int r = 0; r < 9; ++r) reply += std::string(kSolution + 9 * r, 9) + "\n";
    return reply + "</answer>\n";
}

std::string typical_arc_reply() {
    std::string reply;
    for (int i = 0; i < 40; ++i) reply += "In example 1 the input [[8, 6], [6, 4]] is tiled three times across.\n";
    reply += "\nFinal answer:\n```json\n[";
    for (int r = 0; r < 30; ++r) {
        reply += r ? ",\n [" : "[";
        for (int c = 0; c < 30; ++c) reply += (c ? ", " : "") + std::to_string((r * 7 + c) % 10);
        reply += "]";
    }
    return reply + "]\n```\n";
}

std::string random_bytes(size_t n) {
    Rng rng(1);
    std::string s(n, ' ');
    for (char & c : s) c = static_cast<char>(rng.below(256));
    return s;
}

std::string repeated(const std::string & unit, size_t n) {
    std::string s;
    while (s.size() < n) s += unit;
    return s;
}

void run(benchmark::State & state, const std::string & reply, int which) {
    Example maze;
    maze.input = Grid(30, 30);
    for (auto _ : state) {
        ParsedAnswer got = which == 0 ? parse_sudoku_answer(reply) : which == 1 ? parse_arc_answer(reply) : parse_maze_answer(reply, maze);
        benchmark::DoNotOptimize(got);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(reply.size()));
}

void BM_SudokuTypicalReply(benchmark::State & state) { run(state, typical_sudoku_reply(), 0); }
void BM_ArcTypicalReply(benchmark::State & state) { run(state, typical_arc_reply(), 1); }
void BM_Garbage10MB(benchmark::State & state) {
    static const std::string garbage = random_bytes(10u << 20);
    run(state, garbage, static_cast<int>(state.range(0)));
}
void BM_OpenBrackets10MB(benchmark::State & state) {
    static const std::string brackets(10u << 20, '[');
    run(state, brackets, static_cast<int>(state.range(0)));
}
void BM_Fences10MB(benchmark::State & state) {
    static const std::string fences = repeated("```\n", 10u << 20);
    run(state, fences, static_cast<int>(state.range(0)));
}

BENCHMARK(BM_SudokuTypicalReply);
BENCHMARK(BM_ArcTypicalReply);
// Argument: 0 sudoku, 1 arc, 2 maze (30x30).
BENCHMARK(BM_Garbage10MB)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OpenBrackets10MB)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fences10MB)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
