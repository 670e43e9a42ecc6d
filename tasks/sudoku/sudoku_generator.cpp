// Sudoku generator (see sudoku_generator.h).
#include "tasks/sudoku/sudoku_generator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <thread>

#include "harness/core/error.h"
#include "harness/core/paths.h"
#include "harness/core/progress.h"
#include "harness/core/rng.h"
#include "harness/core/strings.h"
#include "harness/core/version.h"
#include "tasks/sudoku/sudoku_band.h"
#include "tasks/sudoku/sudoku_io.h"
#include "tasks/sudoku/sudoku_solver.h"

namespace trmbench::sudoku {
namespace {

constexpr const char * kSource = "trmbench-gen";
constexpr uint64_t kRevealStream = 0x7265'7665'616cULL;  // "reveal": the seed stream of the --max-blanks draw

bool bound_set(double v) { return v >= 0; }

std::string band_text(const GenerateOptions & o) {
    auto side = [](double v) {
        if (!bound_set(v)) return std::string("any");
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    return "[" + side(o.min_rating) + ", " + side(o.max_rating) + "]";
}

bool in_band(const GenerateOptions & o, int64_t rating) {
    double r = static_cast<double>(rating);
    return (!bound_set(o.min_rating) || r >= o.min_rating) && (!bound_set(o.max_rating) || r <= o.max_rating);
}

void check_options(const GenerateOptions & o, const GenerateLimits & limits) {
    if (o.n <= 0) throw UsageError("sudoku generator: --n must be positive, got " + std::to_string(o.n));
    if (o.max_blanks < -1 || o.max_blanks > kCells)
        throw UsageError("sudoku generator: --max-blanks must be in [0, 81] (or -1: keep every blank), got " +
                         std::to_string(o.max_blanks));
    if (o.size != GenerateOptions{}.size || o.min_path != GenerateOptions{}.min_path || o.unique_path)
        throw UsageError("sudoku generator: --size/--min-path/--unique-path apply to mazes; for sudoku use --min-rating/--max-rating/--max-blanks");
    if (bound_set(o.min_rating) && bound_set(o.max_rating) && o.min_rating > o.max_rating)
        throw UsageError("sudoku generator: the rating band " + band_text(o) + " is empty (--min-rating is above --max-rating)");
    if (limits.batch <= 0 || limits.min_candidates <= 0 || limits.candidates_per_puzzle <= 0)
        throw UsageError("sudoku generator: limits must be positive");
}

// Evaluates candidates [first, first + count) on `threads` threads; results[i] is candidate first + i.
std::vector<GeneratedPuzzle> evaluate_batch(uint64_t seed, int max_blanks, uint64_t first, int64_t count, int threads) {
    std::vector<GeneratedPuzzle> results(static_cast<size_t>(count));
    std::atomic<int64_t> next{0};
    std::exception_ptr failure;
    std::atomic<bool> failed{false};
    auto work = [&] {
        try {
            for (int64_t i; (i = next.fetch_add(1)) < count && !failed.load();)
                results[static_cast<size_t>(i)] = generate_candidate(seed, first + static_cast<uint64_t>(i), max_blanks);
        } catch (...) {
            if (!failed.exchange(true)) failure = std::current_exception();
        }
    };
    if (threads <= 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) pool.emplace_back(work);
        for (auto & th : pool) th.join();
    }
    if (failure) std::rethrow_exception(failure);
    return results;
}

// "0: 10,883, 1: 3,868, 2: 2,212, 3-5: 2,385, ..." over fixed buckets, empty buckets left out.
std::string ratings_seen(const std::map<int64_t, int64_t> & histogram) {
    struct Bucket {
        int64_t lo, hi;
    };
    const Bucket buckets[] = {{0, 0}, {1, 1}, {2, 2}, {3, 5}, {6, 10}, {11, 20}, {21, 50}, {51, INT64_MAX}};
    std::vector<std::string> parts;
    for (auto [lo, hi] : buckets) {
        int64_t count = 0;
        for (auto it = histogram.lower_bound(lo); it != histogram.end() && it->first <= hi; ++it) count += it->second;
        if (count == 0) continue;
        std::string label = lo == hi ? std::to_string(lo) : hi == INT64_MAX ? std::to_string(lo) + "+" : std::to_string(lo) + "-" + std::to_string(hi);
        parts.push_back(label + ": " + format_thousands(count));
    }
    return join(parts, ", ");
}

[[noreturn]] void fail_unreachable(const GenerateOptions & o, int64_t evaluated, int64_t accepted,
                                   const std::map<int64_t, int64_t> & histogram) {
    int64_t max_seen = histogram.empty() ? -1 : histogram.rbegin()->first;
    int64_t easy = 0;
    for (auto it = histogram.begin(); it != histogram.end() && it->first <= 2; ++it) easy += it->second;
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.0f%%", evaluated ? 100.0 * static_cast<double>(easy) / static_cast<double>(evaluated) : 0.0);
    std::string msg = "sudoku generator: rating band " + band_text(o) + " is out of reach: " +
                      format_thousands(evaluated) + " candidates gave " + format_thousands(accepted) + " of the " +
                      format_thousands(o.n) + " puzzles asked for (max rating seen " + std::to_string(max_seen) +
                      "; ratings seen: " + ratings_seen(histogram) + "). ";
    msg += "Random clue removal makes minimal puzzles that are mostly easy (here " + std::string(pct) +
           " rated 0-2); truly hard puzzles are far too rare to generate this way. Lower --min-rating, ask for "
           "fewer puzzles, or use the rated collections (sudoku/rated/, datasets.md section 3.5).";
    throw UsageError(msg);
}

}  // namespace

GeneratedPuzzle generate_candidate(uint64_t seed, uint64_t k, int max_blanks) {
    Rng rng(derive_seed(seed, k));
    GeneratedPuzzle p;
    p.candidate = k;
    p.answer = random_solution(rng);
    std::vector<int> order(kCells);
    for (int c = 0; c < kCells; ++c) order[static_cast<size_t>(c)] = c;
    rng.shuffle(order);
    p.question = p.answer;
    for (int c : order) {
        uint8_t keep = p.question[c];
        p.question[c] = 0;
        if (count_solutions(p.question, 2) != 1) p.question[c] = keep;
    }
    // The reveal draws from its own stream, so the minimal puzzle above is the same with or without a band.
    if (max_blanks >= 0) reveal_down_to(p.question, p.answer, max_blanks, derive_seed(derive_seed(seed, k), kRevealStream));
    p.rating = rate(p.question);
    return p;
}

std::vector<GeneratedPuzzle> generate_puzzles(const GenerateOptions & opts, const GenerateLimits & limits) {
    check_options(opts, limits);
    int threads = opts.threads > 0 ? opts.threads : cpu_cores();
    threads = static_cast<int>(std::min<int64_t>(threads, limits.batch));
    const int64_t budget = std::max(limits.min_candidates, opts.n * limits.candidates_per_puzzle);

    std::vector<GeneratedPuzzle> accepted;
    std::map<int64_t, int64_t> histogram;  // rating -> candidates seen with it
    Progress progress("generating sudoku", opts.n);
    progress.set_quiet(opts.quiet);
    int64_t evaluated = 0;
    while (static_cast<int64_t>(accepted.size()) < opts.n) {
        // Batches shrink near the end so a small request does not evaluate a full batch for nothing;
        // the size depends only on counts, never on threads, so the output does not either.
        int64_t missing = opts.n - static_cast<int64_t>(accepted.size());
        int64_t size = std::clamp<int64_t>(2 * missing, std::min<int64_t>(32, limits.batch), limits.batch);
        auto batch = evaluate_batch(opts.seed, opts.max_blanks, static_cast<uint64_t>(evaluated), size, threads);
        evaluated += size;
        for (auto & p : batch) {
            ++histogram[p.rating];
            if (static_cast<int64_t>(accepted.size()) < opts.n && in_band(opts, p.rating)) accepted.push_back(p);
        }
        int64_t n_ok = static_cast<int64_t>(accepted.size());
        progress.update(n_ok, format_thousands(evaluated) + " candidates, max rating " +
                                  std::to_string(histogram.rbegin()->first));
        if (n_ok >= opts.n || evaluated < limits.min_candidates) continue;
        // Projected candidates for n puzzles at the acceptance rate so far.
        double projected = n_ok ? static_cast<double>(evaluated) * static_cast<double>(opts.n) / static_cast<double>(n_ok)
                                : INFINITY;
        if (projected > static_cast<double>(budget)) fail_unreachable(opts, evaluated, n_ok, histogram);
    }
    progress.finish(format_thousands(evaluated) + " candidates");
    return accepted;
}

std::string to_csv(const std::vector<GeneratedPuzzle> & puzzles) {
    std::string out(kCsvHeader);
    out += '\n';
    out.reserve(out.size() + puzzles.size() * 185);
    for (const auto & p : puzzles) {
        out += kSource;
        out += ',';
        out += to_line(p.question);
        out += ',';
        out += to_line(p.answer);
        out += ',';
        out += std::to_string(p.rating);
        out += '\n';
    }
    return out;
}

void generate_file(const GenerateOptions & opts, const std::filesystem::path & out) {
    if (out.empty()) throw UsageError("sudoku generator: --out is empty");
    write_file_atomic(out, to_csv(generate_puzzles(opts)));
}

}  // namespace trmbench::sudoku
