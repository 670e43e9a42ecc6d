// published: accuracy numbers from the TRM paper (Jolicoeur-Martineau 2025, "Less is More:
// Recursive Reasoning with Tiny Networks"), Table 4 (Sudoku-Extreme, Maze-Hard; % test accuracy)
// and Table 5 (ARC-AGI-1, ARC-AGI-2; % test accuracy with 2 tries), as given in
// docs/trm-hrm-spec.md §4.3. Reports show them as reference values only: never as measured rows,
// never with compute (the paper gives none per puzzle), and always with their source.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trmbench {

enum class PublishedBenchmark { sudoku_extreme, maze_hard, arc_agi_1, arc_agi_2 };
std::string_view published_benchmark_name(PublishedBenchmark b);  // "Sudoku-Extreme", ...

struct PublishedResult {
    std::string method;      // as in the paper, e.g. "TRM-Att", "Deepseek R1"
    std::string params_text; // as printed: "7M", "671B", "?"
    double params = -1;      // parameter count, -1 when the paper gives "?"
    PublishedBenchmark benchmark;
    double accuracy_pct = 0;
    std::string source;      // "TRM Table 4" | "TRM Table 5"
};

// Every row of both tables, one entry per (method, benchmark), in the paper's row order.
const std::vector<PublishedResult> & published_results();

// The benchmark a dataset of this family and name is a subset or stand-in of, if any:
// sudoku -> Sudoku-Extreme, maze -> Maze-Hard, arc datasets under arc-agi-1/ or arc-agi-2/ -> the
// ARC-AGI versions. Returns false otherwise (ConceptARC, unknown families).
bool published_benchmark_for(std::string_view family, std::string_view dataset, PublishedBenchmark & out);

// Results for one benchmark, paper order.
std::vector<PublishedResult> published_for(PublishedBenchmark b);

}  // namespace trmbench
