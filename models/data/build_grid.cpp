// The Sudoku and Maze builders: one source row = one group, its puzzles = the row and its
// augmentations (one example each), identifier 0 for all (spec §3.2, §3.3).
//
// Randomness (all from trmbench::Rng):
//   training rows   derive_seed(seed, kTrainSubsample): partial Fisher-Yates over the source rows,
//                   kept in source order;
//   test rows       derive_seed(seed, kTestSubsample), only when test_n caps the test split;
//   Sudoku shuffles Rng(derive_seed(derive_seed(seed, kSudokuShuffle), source row)) draws the
//                   group's num_aug transforms in turn, so a puzzle's variants depend on the seed and
//                   its row in the source file only (not on N, the thread count or the group order).
// Maze augmentation is the 8 dihedral transforms in id order (no randomness).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

#include "harness/core/error.h"
#include "harness/core/progress.h"
#include "harness/core/rng.h"
#include "harness/core/sha256.h"
#include "models/data/builders.h"
#include "models/data/parallel.h"
#include "models/data/split_writer.h"
#include "models/data/train_data.h"
#include "tasks/arc/arc_augment.h"
#include "tasks/registry.h"
#include "tasks/sudoku/sudoku_augment.h"
#include "tasks/sudoku/sudoku_band.h"
#include "tasks/sudoku/sudoku_board.h"
#include "tasks/sudoku/sudoku_tokens.h"

namespace fs = std::filesystem;

namespace trmbench {

namespace {

using json = nlohmann::json;

// How one family's rows become token rows.
struct GridFamily {
    std::string family;  // "sudoku" | "maze"
    const Task * task = nullptr;
    int seq_len = 0;             // 0: from the data (every row must have the same number of cells)
    int vocab_size = 0;
    int puzzles_per_group = 1;  // train split
    // Fills puzzles_per_group rows of input and label tokens for one source row (train split when
    // `augment`, else exactly one row) of `seq_len` tokens each.
    std::function<void(const Example &, uint64_t source_row, bool augment, int seq_len, uint8_t * inputs, uint8_t * labels)>
        fill;
};

void tokens_to_u8(const std::vector<int32_t> & tokens, int seq_len, int vocab, uint8_t * out, const std::string & what) {
    if (static_cast<int>(tokens.size()) != seq_len)
        throw InputError(what + ": encodes to " + std::to_string(tokens.size()) + " tokens, expected " + std::to_string(seq_len));
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] < 0 || tokens[i] >= vocab) throw InputError(what + ": token outside the vocabulary");
        out[i] = static_cast<uint8_t>(tokens[i]);
    }
}

const Task & family_task(const std::string & family) {
    for (const Task * t : all_tasks())
        if (t->family() == family) return *t;
    throw UsageError("the " + family + " task family is not part of this trmbench build");
}

// `n` of `total` indices drawn without replacement, returned in ascending order.
std::vector<int64_t> draw_rows(int64_t total, int64_t n, uint64_t seed) {
    std::vector<int64_t> idx(static_cast<size_t>(total));
    for (int64_t i = 0; i < total; ++i) idx[static_cast<size_t>(i)] = i;
    if (n >= total) return idx;
    Rng rng(seed);
    for (int64_t i = 0; i < n; ++i) {
        int64_t j = i + static_cast<int64_t>(rng.below(static_cast<uint64_t>(total - i)));
        std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(j)]);
    }
    idx.resize(static_cast<size_t>(n));
    std::sort(idx.begin(), idx.end());
    return idx;
}

std::vector<Example> load_rows(const GridFamily & fam, const InputDataset & src, std::optional<int64_t> min_difficulty) {
    std::vector<Example> rows;
    try {
        rows = fam.task->load(src.path);
    } catch (...) {
        rethrow_with_context("loading " + fam.family + " dataset " + src.name);
    }
    if (min_difficulty) {
        std::erase_if(rows, [&](const Example & e) { return e.difficulty < static_cast<double>(*min_difficulty); });
    }
    for (const auto & e : rows)
        if (e.target.empty()) throw InputError(src.name + ": example " + e.id + " has no answer (training needs labels)");
    return rows;
}

// Writes one split: `rows[sel[g]]` is group g.
SplitCounts write_split(const GridFamily & fam, const std::vector<Example> & rows, const std::vector<int64_t> & sel,
                        bool augment, const fs::path & root, const std::string & split, const BuildSettings & s,
                        std::vector<StampFile> & files) {
    const int per_group = augment ? fam.puzzles_per_group : 1;
    const int64_t groups = static_cast<int64_t>(sel.size());
    const size_t L = static_cast<size_t>(fam.seq_len);
    const size_t group_tokens = static_cast<size_t>(per_group) * L;
    SplitWriter writer(root, split, fam.seq_len, groups * per_group);
    Progress progress(fam.family + " " + split, groups);
    progress.set_quiet(s.quiet);
    // Chunks of groups are filled in parallel, then written in order.
    const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(4096, (64 << 20) / static_cast<int64_t>(2 * group_tokens)));
    std::vector<uint8_t> inputs, labels;
    for (int64_t first = 0; first < groups; first += chunk) {
        const int64_t count = std::min(chunk, groups - first);
        inputs.assign(static_cast<size_t>(count) * group_tokens, 0);
        labels.assign(inputs.size(), 0);
        data_detail::parallel_for(count, s.threads, [&](int64_t i) {
            const int64_t row = sel[static_cast<size_t>(first + i)];
            fam.fill(rows[static_cast<size_t>(row)], static_cast<uint64_t>(row), augment, fam.seq_len,
                     inputs.data() + static_cast<size_t>(i) * group_tokens, labels.data() + static_cast<size_t>(i) * group_tokens);
        });
        for (int64_t i = 0; i < count; ++i) {
            for (int k = 0; k < per_group; ++k) {
                const size_t off = static_cast<size_t>(i) * group_tokens + static_cast<size_t>(k) * L;
                writer.add_puzzle({inputs.data() + off, L}, {labels.data() + off, L}, 0);
            }
            writer.end_group();
        }
        progress.update(first + count);
    }
    progress.finish();
    PuzzleDatasetMetadata meta;
    meta.vocab_size = fam.vocab_size;
    meta.num_puzzle_identifiers = 1;
    auto written = writer.finish(meta);
    files.insert(files.end(), written.begin(), written.end());
    return writer.counts();
}

struct RowPlan {
    std::vector<Example> train_rows;
    std::vector<int64_t> train_sel;
    std::vector<Example> test_rows_owned;  // when the test split has its own source
    std::vector<int64_t> test_sel;
    bool held_out = false;
};

RowPlan plan_rows(const GridFamily & fam, const InputDataset & train, const std::optional<InputDataset> & test, int64_t n,
                  int64_t test_n, std::optional<int64_t> min_difficulty, uint64_t seed) {
    RowPlan p;
    p.train_rows = load_rows(fam, train, min_difficulty);
    const int64_t available = static_cast<int64_t>(p.train_rows.size());
    const std::string filtered = min_difficulty ? " rated >= " + std::to_string(*min_difficulty) : "";
    p.held_out = !test.has_value();
    if (n > available || (n == 0 && p.held_out) || (p.held_out && n >= available))
        throw UsageError(train.name + " has " + std::to_string(available) + " " + fam.family + " puzzles" + filtered + "; " +
                         (p.held_out ? "a training subsample of " + std::to_string(n) +
                                           " must leave some for the held-out test split (or give a test source)"
                                     : std::to_string(n) + " were asked for"));
    p.train_sel = draw_rows(available, n == 0 ? available : n, derive_seed(seed, seed_stream::kTrainSubsample));
    if (p.train_sel.empty()) throw UsageError(train.name + " has no " + fam.family + " puzzles" + filtered);
    std::vector<int64_t> test_candidates;
    if (p.held_out) {
        std::vector<char> used(static_cast<size_t>(available), 0);
        for (int64_t r : p.train_sel) used[static_cast<size_t>(r)] = 1;
        for (int64_t r = 0; r < available; ++r)
            if (!used[static_cast<size_t>(r)]) test_candidates.push_back(r);
    } else {
        p.test_rows_owned = load_rows(fam, *test, min_difficulty);
        for (int64_t r = 0; r < static_cast<int64_t>(p.test_rows_owned.size()); ++r) test_candidates.push_back(r);
    }
    const int64_t tc = static_cast<int64_t>(test_candidates.size());
    if (test_n > tc)
        throw UsageError("the test split has " + std::to_string(tc) + " " + fam.family + " puzzles" + filtered + ", " +
                         std::to_string(test_n) + " were asked for");
    auto picks = draw_rows(tc, test_n == 0 ? tc : test_n, derive_seed(seed, seed_stream::kTestSubsample));
    for (int64_t i : picks) p.test_sel.push_back(test_candidates[static_cast<size_t>(i)]);
    return p;
}

// The common grid size of the rows a build uses (Maze: 900 for Maze-Hard, smaller generated sets).
int common_seq_len(const RowPlan & plan, const std::string & family) {
    const auto & test_rows = plan.held_out ? plan.train_rows : plan.test_rows_owned;
    const Example & first = plan.train_rows[static_cast<size_t>(plan.train_sel.front())];
    const size_t cells = first.input.size();
    auto check = [&](const std::vector<Example> & rows, const std::vector<int64_t> & sel) {
        for (int64_t r : sel) {
            const Example & e = rows[static_cast<size_t>(r)];
            if (e.input.size() != cells || e.target.size() != cells)
                throw InputError(family + " example " + e.id + ": " + std::to_string(e.input.rows) + "x" +
                                 std::to_string(e.input.cols) + " grid, but example " + first.id + " is " +
                                 std::to_string(first.input.rows) + "x" + std::to_string(first.input.cols) +
                                 " (one dataset needs one sequence length)");
        }
    };
    check(plan.train_rows, plan.train_sel);
    check(test_rows, plan.test_sel);
    return static_cast<int>(cells);
}

BuiltContents build_grid(GridFamily fam, const InputDataset & train, const std::optional<InputDataset> & test, int64_t n,
                         int64_t test_n, std::optional<int64_t> min_difficulty, uint64_t seed, const fs::path & root,
                         const BuildSettings & s) {
    RowPlan plan = plan_rows(fam, train, test, n, test_n, min_difficulty, seed);
    if (fam.seq_len == 0) fam.seq_len = common_seq_len(plan, fam.family);
    BuiltContents out;
    out.train = write_split(fam, plan.train_rows, plan.train_sel, true, root, "train", s, out.files);
    const auto & test_rows = plan.held_out ? plan.train_rows : plan.test_rows_owned;
    out.test = write_split(fam, test_rows, plan.test_sel, false, root, "test", s, out.files);
    out.num_puzzle_identifiers = 1;
    out.files.push_back(write_text_file(root, "identifiers.json", "[\"<blank>\"]"));
    out.notes.emplace_back("train_source_rows", std::to_string(plan.train_rows.size()));
    out.notes.emplace_back("test_split", plan.held_out ? "held-out rows of " + train.name : test->name);
    return out;
}

void check_common(const InputDataset & train, int64_t n, int64_t test_n, const std::string & family) {
    if (train.path.empty()) throw UsageError(family + ": no training source given");
    if (n < 0) throw UsageError(family + ": n must be >= 0 (0 = all)");
    if (test_n < 0) throw UsageError(family + ": test_n must be >= 0 (0 = all)");
}

std::vector<StampInput> grid_inputs(const InputDataset & train, const std::optional<InputDataset> & test) {
    std::vector<StampInput> inputs{{"train", train.name, sha256_tree(train.path)}};
    if (test) inputs.push_back({"test", test->name, sha256_tree(test->path)});
    return inputs;
}

GridFamily sudoku_family(const SudokuDataOptions & o) {
    GridFamily fam;
    fam.family = "sudoku";
    fam.task = &family_task("sudoku");
    fam.seq_len = sudoku::kSeqLen;
    fam.vocab_size = sudoku::kVocabSize;
    fam.puzzles_per_group = 1 + o.num_aug;
    const uint64_t shuffle_seed = derive_seed(o.seed, seed_stream::kSudokuShuffle);
    const uint64_t reveal_seed = derive_seed(o.seed, seed_stream::kSudokuReveal);
    const int num_aug = o.num_aug, max_blanks = o.max_blanks;
    fam.fill = [shuffle_seed, reveal_seed, num_aug, max_blanks](const Example & ex, uint64_t row, bool augment, int,
                                                                uint8_t * in, uint8_t * lab) {
        auto puzzle = sudoku::to_cells(ex.input), answer = sudoku::to_cells(ex.target);
        if (!puzzle || !answer) throw InputError("sudoku example " + ex.id + ": not a 9x9 board");
        if (max_blanks > 0) sudoku::reveal_down_to(*puzzle, *answer, max_blanks, derive_seed(reveal_seed, row));
        auto put = [&](const sudoku::Cells & p, const sudoku::Cells & a, int k) {
            const size_t off = static_cast<size_t>(k) * sudoku::kSeqLen;
            tokens_to_u8(sudoku::encode(sudoku::to_grid(p)), sudoku::kSeqLen, sudoku::kVocabSize, in + off, "sudoku " + ex.id);
            tokens_to_u8(sudoku::encode(sudoku::to_grid(a)), sudoku::kSeqLen, sudoku::kVocabSize, lab + off, "sudoku " + ex.id);
        };
        put(*puzzle, *answer, 0);
        if (!augment) return;
        Rng rng(derive_seed(shuffle_seed, row));
        for (int k = 1; k <= num_aug; ++k) {
            auto t = sudoku::Transform::random(rng);
            put(t.apply(*puzzle), t.apply(*answer), k);
        }
    };
    return fam;
}

GridFamily maze_family(const MazeDataOptions & o) {
    GridFamily fam;
    fam.family = "maze";
    fam.task = &family_task("maze");
    fam.seq_len = 0;  // the data's grid size (900 for Maze-Hard)
    fam.vocab_size = fam.task->token_layout().vocab_size;
    fam.puzzles_per_group = o.dihedral ? kDihedralCount : 1;
    const Task * task = fam.task;
    const int vocab = fam.vocab_size, per_group = fam.puzzles_per_group;
    fam.fill = [task, vocab, per_group](const Example & ex, uint64_t, bool augment, int seq_len, uint8_t * in, uint8_t * lab) {
        const int count = augment ? per_group : 1;
        if (count > 1 && ex.input.rows != ex.input.cols)
            throw InputError("maze example " + ex.id + ": dihedral augmentation needs a square maze");
        for (int k = 0; k < count; ++k) {
            const size_t off = static_cast<size_t>(k) * static_cast<size_t>(seq_len);
            tokens_to_u8(task->encode(dihedral_transform(ex.input, k)), seq_len, vocab, in + off, "maze " + ex.id);
            tokens_to_u8(task->encode(dihedral_transform(ex.target, k)), seq_len, vocab, lab + off, "maze " + ex.id);
        }
    };
    return fam;
}

}  // namespace

uint64_t name_key(const std::string & name) {
    Sha256 h;
    h.update(name);
    auto d = h.digest();
    uint64_t k = 0;
    for (int i = 0; i < 8; ++i) k = (k << 8) | d[static_cast<size_t>(i)];
    return k;
}

DatasetStamp sudoku_stamp(const SudokuDataOptions & o) {
    check_common(o.train, o.n, o.test_n, "sudoku");
    if (o.num_aug < 0) throw UsageError("sudoku: num_aug must be >= 0");
    if (o.max_blanks < 0 || o.max_blanks > 81) throw UsageError("sudoku: max_blanks must be in [0, 81] (0 = keep every blank)");
    const Task & task = family_task("sudoku");
    DatasetStamp st;
    st.builder = "sudoku";
    st.builder_version = kSudokuBuilderVersion;
    st.label = "sudoku";
    json p;
    p["n"] = o.n;
    p["num_aug"] = o.num_aug;
    p["min_difficulty"] = o.min_difficulty ? json(*o.min_difficulty) : json(nullptr);
    p["test_n"] = o.test_n;
    p["test_split"] = o.test ? "source" : "held-out";
    p["seed"] = o.seed;
    p["task_version"] = std::string(task.version());
    // Only when set, so that the keys of datasets built before the option existed stay valid.
    if (o.max_blanks > 0) p["max_blanks"] = o.max_blanks;
    st.params_json = p.dump();
    st.inputs = grid_inputs(o.train, o.test);
    if (o.max_blanks > 0) st.label = "sudoku-blanks" + std::to_string(o.max_blanks);
    return st;
}

DatasetStamp maze_stamp(const MazeDataOptions & o) {
    check_common(o.train, o.n, o.test_n, "maze");
    const Task & task = family_task("maze");
    DatasetStamp st;
    st.builder = "maze";
    st.builder_version = kMazeBuilderVersion;
    st.label = o.dihedral ? "maze-dihedral" : "maze";
    json p;
    p["n"] = o.n;
    p["dihedral"] = o.dihedral;
    p["test_n"] = o.test_n;
    p["test_split"] = o.test ? "source" : "held-out";
    p["seed"] = o.seed;
    p["task_version"] = std::string(task.version());
    st.params_json = p.dump();
    st.inputs = grid_inputs(o.train, o.test);
    return st;
}

BuiltContents build_sudoku(const SudokuDataOptions & o, const fs::path & root, const BuildSettings & s) {
    return build_grid(sudoku_family(o), o.train, o.test, o.n, o.test_n, o.min_difficulty, o.seed, root, s);
}

BuiltContents build_maze(const MazeDataOptions & o, const fs::path & root, const BuildSettings & s) {
    return build_grid(maze_family(o), o.train, o.test, o.n, o.test_n, std::nullopt, o.seed, root, s);
}

}  // namespace trmbench
