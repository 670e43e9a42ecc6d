// ARC grid transforms as the reference TRM/HRM pipelines use them: the 8 dihedral transforms, colour
// permutations that keep black (0) fixed, their composition ("augmentation"), the variant name
// "{task}|||t{t}|||{10-digit colour map}", the whole-task hash used to deduplicate variants, and
// the seeded variant generator of the training-set builder (spec §3.4).
//
// All functions are pure: same arguments (and Rng seed), same result on every machine. Grids are
// assumed to hold colours 0..9 (the loader guarantees it); a value above 9 passes a colour map
// unchanged rather than indexing out of bounds.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/grid.h"
#include "harness/core/rng.h"

namespace trmbench {

// --- Dihedral transforms ----------------------------------------------------------------------
// Ids as in the reference dataset/common.py (numpy semantics, rot90 = counter-clockwise):
//   0 identity, 1 rot90, 2 rot180, 3 rot270, 4 fliplr, 5 flipud, 6 transpose, 7 fliplr(rot90)
constexpr int kDihedralCount = 8;
constexpr std::array<int, kDihedralCount> kDihedralInverse = {0, 3, 2, 1, 4, 5, 6, 7};

// Throws std::invalid_argument for an id outside 0..7 (a programming error).
Grid dihedral_transform(const Grid & g, int id);
Grid inverse_dihedral_transform(const Grid & g, int id);

// --- Colour maps ------------------------------------------------------------------------------
// map[c] is the colour that c becomes. The reference permutes 1..9 and keeps 0 fixed.
using ColourMap = std::array<uint8_t, 10>;

ColourMap identity_colour_map();
// True when `m` is a permutation of 0..9.
bool is_colour_permutation(const ColourMap & m);
// Inverse permutation; `m` must be a permutation (throws std::invalid_argument otherwise).
ColourMap inverse_colour_map(const ColourMap & m);
Grid apply_colour_map(const Grid & g, const ColourMap & m);
// A uniformly random permutation of 1..9 with 0 fixed.
ColourMap random_colour_map(Rng & rng);

// --- Augmentation = colour map, then dihedral transform -----------------------------------------
struct ArcAugmentation {
    int dihedral = 0;
    ColourMap colours = identity_colour_map();

    bool is_identity() const;
    bool operator==(const ArcAugmentation &) const = default;
};

// Colour map first, then the dihedral transform (the reference `aug`).
Grid apply_augmentation(const Grid & g, const ArcAugmentation & aug);
// Inverse dihedral first, then the inverse colour map (the reference `inverse_aug`).
Grid invert_augmentation(const Grid & g, const ArcAugmentation & aug);
// Draws the dihedral id, then the colour permutation (the reference's draw order).
ArcAugmentation random_augmentation(Rng & rng);

// --- Variant names ----------------------------------------------------------------------------
inline constexpr std::string_view kVariantSeparator = "|||";

// "{task}|||t{t}|||{colour map digits}", e.g. "007bbfb7|||t3|||0521348769".
std::string variant_name(std::string_view task_id, const ArcAugmentation & aug);

struct ParsedVariantName {
    std::string task_id;
    ArcAugmentation aug;  // identity for a plain name without separator
};
// Inverse of variant_name. A name without the separator is the task itself (identity), as in the
// reference. nullopt when the suffix is malformed (not "t0".."t7", or not 10 distinct digits).
std::optional<ParsedVariantName> parse_variant_name(std::string_view name);

// --- Task hashes (reference grid_hash / puzzle_hash) -------------------------------------------
// SHA-256 hex of the bytes [rows, cols, cells...] (rows and cols as one byte each).
std::string arc_grid_hash(const Grid & g);

// The grids of one task, both splits, as the variant generator sees them. A missing test output
// is an empty grid.
struct ArcTaskGrids {
    std::vector<std::pair<Grid, Grid>> train;
    std::vector<std::pair<Grid, Grid>> test;
};

// SHA-256 hex of the sorted "in_hash|out_hash" strings of every pair of both splits, joined by
// '|': equal for two tasks that hold the same pairs in any order.
std::string arc_task_hash(const ArcTaskGrids & task);
ArcTaskGrids apply_augmentation(const ArcTaskGrids & task, const ArcAugmentation & aug);

// --- Variant generation for the training-set builder -------------------------------------------
// Up to `num_aug` augmented variants of a task that differ from the task and from each other
// (by arc_task_hash), drawn with random_augmentation from Rng(seed), at most 5 * num_aug draws.
// The result starts with the identity (the task itself), so it holds 1..num_aug+1 entries, like
// the reference's group of 1 original + 1000 variants. Tasks with few colours or symmetric grids
// yield fewer (one non-black colour: at most 9 colour images x 8 transforms = 72 in all).
struct ArcVariants {
    std::vector<ArcAugmentation> augmentations;  // [0] is the identity
    int trials = 0;                              // random draws used
};
ArcVariants generate_variants(const ArcTaskGrids & task, int num_aug, uint64_t seed);
constexpr int kVariantTrialFactor = 5;

}  // namespace trmbench
