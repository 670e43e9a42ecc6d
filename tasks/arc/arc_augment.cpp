// Dihedral transforms, colour maps, variant names, task hashes and the variant generator of the
// reference ARC pipeline (see arc_augment.h). The byte layout of the hashes matches the reference
// grid_hash/puzzle_hash, so hashes can be compared with files the Python builder wrote.
#include "tasks/arc/arc_augment.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "harness/core/sha256.h"

namespace trmbench {
namespace {

void check_dihedral_id(int id) {
    if (id < 0 || id >= kDihedralCount)
        throw std::invalid_argument("dihedral transform id " + std::to_string(id) + " outside 0..7");
}

// Output cell (i, j) of transform `id` reads input cell source(i, j). h, w: input shape.
// Derived from numpy's rot90 (counter-clockwise), fliplr, flipud and .T.
struct Source {
    int r, c;
};
Source dihedral_source(int id, int i, int j, int h, int w) {
    switch (id) {
        case 1: return {j, w - 1 - i};          // rot90
        case 2: return {h - 1 - i, w - 1 - j};  // rot180
        case 3: return {h - 1 - j, i};          // rot270
        case 4: return {i, w - 1 - j};          // fliplr
        case 5: return {h - 1 - i, j};          // flipud
        case 6: return {j, i};                  // transpose
        case 7: return {h - 1 - j, w - 1 - i};  // fliplr(rot90): anti-transpose
        default: return {i, j};                 // identity
    }
}

bool swaps_axes(int id) { return id == 1 || id == 3 || id == 6 || id == 7; }

}  // namespace

Grid dihedral_transform(const Grid & g, int id) {
    check_dihedral_id(id);
    if (id == 0) return g;
    const int h = g.rows, w = g.cols;
    Grid out = swaps_axes(id) ? Grid(w, h) : Grid(h, w);
    for (int i = 0; i < out.rows; ++i)
        for (int j = 0; j < out.cols; ++j) {
            Source s = dihedral_source(id, i, j, h, w);
            out.at(i, j) = g.at(s.r, s.c);
        }
    return out;
}

Grid inverse_dihedral_transform(const Grid & g, int id) {
    check_dihedral_id(id);
    return dihedral_transform(g, kDihedralInverse[static_cast<size_t>(id)]);
}

ColourMap identity_colour_map() {
    ColourMap m{};
    for (uint8_t c = 0; c < 10; ++c) m[c] = c;
    return m;
}

bool is_colour_permutation(const ColourMap & m) {
    std::array<bool, 10> seen{};
    for (uint8_t v : m) {
        if (v > 9 || seen[v]) return false;
        seen[v] = true;
    }
    return true;
}

ColourMap inverse_colour_map(const ColourMap & m) {
    if (!is_colour_permutation(m)) throw std::invalid_argument("colour map is not a permutation of 0..9");
    ColourMap inv{};
    for (uint8_t c = 0; c < 10; ++c) inv[m[c]] = c;
    return inv;
}

Grid apply_colour_map(const Grid & g, const ColourMap & m) {
    Grid out = g;
    for (auto & v : out.cells)
        if (v < 10) v = m[v];
    return out;
}

ColourMap random_colour_map(Rng & rng) {
    std::vector<uint8_t> colours = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    rng.shuffle(colours);
    ColourMap m{};
    m[0] = 0;
    std::copy(colours.begin(), colours.end(), m.begin() + 1);
    return m;
}

bool ArcAugmentation::is_identity() const { return dihedral == 0 && colours == identity_colour_map(); }

Grid apply_augmentation(const Grid & g, const ArcAugmentation & aug) {
    return dihedral_transform(apply_colour_map(g, aug.colours), aug.dihedral);
}

Grid invert_augmentation(const Grid & g, const ArcAugmentation & aug) {
    return apply_colour_map(inverse_dihedral_transform(g, aug.dihedral), inverse_colour_map(aug.colours));
}

ArcAugmentation random_augmentation(Rng & rng) {
    ArcAugmentation aug;
    aug.dihedral = static_cast<int>(rng.below(kDihedralCount));
    aug.colours = random_colour_map(rng);
    return aug;
}

std::string variant_name(std::string_view task_id, const ArcAugmentation & aug) {
    std::string name(task_id);
    name += kVariantSeparator;
    name += 't';
    name += std::to_string(aug.dihedral);
    name += kVariantSeparator;
    for (uint8_t v : aug.colours) name += static_cast<char>('0' + v);
    return name;
}

std::optional<ParsedVariantName> parse_variant_name(std::string_view name) {
    size_t first = name.find(kVariantSeparator);
    if (first == std::string_view::npos) return ParsedVariantName{std::string(name), ArcAugmentation{}};
    // The reference takes the last two '|||' fields, so a task id could not contain the separator.
    std::string_view rest = name.substr(first + kVariantSeparator.size());
    size_t second = rest.find(kVariantSeparator);
    if (second == std::string_view::npos) return std::nullopt;
    std::string_view t = rest.substr(0, second);
    std::string_view digits = rest.substr(second + kVariantSeparator.size());
    if (t.size() != 2 || t[0] != 't' || t[1] < '0' || t[1] > '7') return std::nullopt;
    if (digits.size() != 10) return std::nullopt;
    ParsedVariantName out{std::string(name.substr(0, first)), ArcAugmentation{}};
    out.aug.dihedral = t[1] - '0';
    for (size_t i = 0; i < 10; ++i) {
        if (digits[i] < '0' || digits[i] > '9') return std::nullopt;
        out.aug.colours[i] = static_cast<uint8_t>(digits[i] - '0');
    }
    if (!is_colour_permutation(out.aug.colours)) return std::nullopt;
    return out;
}

std::string arc_grid_hash(const Grid & g) {
    Sha256 h;
    // The reference writes each dimension with int.to_bytes(1): ARC sides are <= 30.
    const uint8_t shape[2] = {static_cast<uint8_t>(g.rows), static_cast<uint8_t>(g.cols)};
    h.update(shape, 2);
    h.update(g.cells.data(), g.cells.size());
    return h.hex_digest();
}

std::string arc_task_hash(const ArcTaskGrids & task) {
    std::vector<std::string> pair_hashes;
    pair_hashes.reserve(task.train.size() + task.test.size());
    for (const auto * split : {&task.train, &task.test})
        for (const auto & [in, out] : *split) pair_hashes.push_back(arc_grid_hash(in) + "|" + arc_grid_hash(out));
    std::sort(pair_hashes.begin(), pair_hashes.end());
    std::string joined;
    for (size_t i = 0; i < pair_hashes.size(); ++i) {
        if (i) joined += '|';
        joined += pair_hashes[i];
    }
    return sha256_hex(joined);
}

ArcTaskGrids apply_augmentation(const ArcTaskGrids & task, const ArcAugmentation & aug) {
    ArcTaskGrids out;
    auto map_split = [&aug](const std::vector<std::pair<Grid, Grid>> & in, std::vector<std::pair<Grid, Grid>> & dst) {
        dst.reserve(in.size());
        for (const auto & [a, b] : in) dst.emplace_back(apply_augmentation(a, aug), apply_augmentation(b, aug));
    };
    map_split(task.train, out.train);
    map_split(task.test, out.test);
    return out;
}

ArcVariants generate_variants(const ArcTaskGrids & task, int num_aug, uint64_t seed) {
    ArcVariants out;
    out.augmentations.push_back(ArcAugmentation{});
    if (num_aug <= 0) return out;
    std::unordered_set<std::string> seen = {arc_task_hash(task)};
    Rng rng(seed);
    const int64_t max_trials = static_cast<int64_t>(kVariantTrialFactor) * num_aug;
    for (int64_t trial = 0; trial < max_trials; ++trial) {
        ArcAugmentation aug = random_augmentation(rng);
        ++out.trials;
        if (seen.insert(arc_task_hash(apply_augmentation(task, aug))).second) out.augmentations.push_back(aug);
        if (out.augmentations.size() >= static_cast<size_t>(num_aug) + 1) break;
    }
    return out;
}

}  // namespace trmbench
