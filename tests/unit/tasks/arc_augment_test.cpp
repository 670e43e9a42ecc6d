// Tests of tasks/arc/arc_augment: dihedral transforms against hand-derived numpy results, inverses,
// colour maps, variant names, the reference task hash (values computed independently with Python's
// hashlib following build_arc_dataset.py) and the variant generator.
#include <catch2/catch.hpp>

#include <set>

#include "tasks/arc/arc_augment.h"
#include "tests/unit/tasks/arc_test_helpers.h"

using namespace trmbench;
using trmbench::test::G;
using trmbench::test::random_grid;

TEST_CASE("dihedral transforms match numpy's rot90/fliplr/flipud/transpose", "[arc][augment]") {
    const Grid a = G({{1, 2, 3}, {4, 5, 6}});
    // Expected values worked out by hand from numpy semantics (rot90 is counter-clockwise).
    CHECK(dihedral_transform(a, 0) == a);
    CHECK(dihedral_transform(a, 1) == G({{3, 6}, {2, 5}, {1, 4}}));
    CHECK(dihedral_transform(a, 2) == G({{6, 5, 4}, {3, 2, 1}}));
    CHECK(dihedral_transform(a, 3) == G({{4, 1}, {5, 2}, {6, 3}}));
    CHECK(dihedral_transform(a, 4) == G({{3, 2, 1}, {6, 5, 4}}));
    CHECK(dihedral_transform(a, 5) == G({{4, 5, 6}, {1, 2, 3}}));
    CHECK(dihedral_transform(a, 6) == G({{1, 4}, {2, 5}, {3, 6}}));
    CHECK(dihedral_transform(a, 7) == G({{6, 3}, {5, 2}, {4, 1}}));
    CHECK_THROWS_AS(dihedral_transform(a, 8), std::invalid_argument);
    CHECK_THROWS_AS(dihedral_transform(a, -1), std::invalid_argument);
}

TEST_CASE("the 8 dihedral transforms are distinct and each has the listed inverse", "[arc][augment]") {
    Rng rng(7);
    for (int trial = 0; trial < 50; ++trial) {
        const int h = static_cast<int>(rng.uniform(1, 30)), w = static_cast<int>(rng.uniform(1, 30));
        const Grid g = random_grid(rng, h, w);
        for (int id = 0; id < kDihedralCount; ++id) {
            const Grid t = dihedral_transform(g, id);
            INFO("id " << id << " shape " << h << "x" << w);
            CHECK(t.size() == g.size());
            CHECK(inverse_dihedral_transform(t, id) == g);
            CHECK(dihedral_transform(t, kDihedralInverse[id]) == g);
            CHECK(dihedral_transform(inverse_dihedral_transform(g, id), id) == g);
        }
    }
    // On a grid without symmetry all 8 images differ.
    const Grid asym = G({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
    std::set<std::vector<uint8_t>> images;
    for (int id = 0; id < kDihedralCount; ++id) images.insert(dihedral_transform(asym, id).cells);
    CHECK(images.size() == 8);
}

TEST_CASE("colour maps: identity, inverse, random maps keep black", "[arc][augment]") {
    CHECK(is_colour_permutation(identity_colour_map()));
    ColourMap bad = identity_colour_map();
    bad[3] = 4;
    CHECK_FALSE(is_colour_permutation(bad));
    CHECK_THROWS_AS(inverse_colour_map(bad), std::invalid_argument);

    Rng rng(11);
    std::array<std::set<int>, 10> seen_at;
    for (int i = 0; i < 2000; ++i) {
        ColourMap m = random_colour_map(rng);
        REQUIRE(is_colour_permutation(m));
        REQUIRE(m[0] == 0);
        for (int c = 0; c < 10; ++c) seen_at[c].insert(m[c]);
        ColourMap inv = inverse_colour_map(m);
        for (int c = 0; c < 10; ++c) REQUIRE(inv[m[c]] == c);
    }
    CHECK(seen_at[0] == std::set<int>{0});
    for (int c = 1; c < 10; ++c) CHECK(seen_at[c].size() == 9);  // every colour 1..9 reaches every slot

    ColourMap swap12 = identity_colour_map();
    std::swap(swap12[1], swap12[2]);
    CHECK(apply_colour_map(G({{0, 1, 2, 3}}), swap12) == G({{0, 2, 1, 3}}));
}

TEST_CASE("augmentation = colour map then dihedral; invert_augmentation undoes it", "[arc][augment]") {
    ArcAugmentation aug;
    aug.dihedral = 1;
    aug.colours = {0, 5, 2, 1, 3, 4, 8, 7, 6, 9};
    const Grid g = G({{1, 0}, {6, 3}});
    // colour map: [[5,0],[8,1]]; rot90: [[0,1],[5,8]]
    CHECK(apply_augmentation(g, aug) == G({{0, 1}, {5, 8}}));
    CHECK(invert_augmentation(apply_augmentation(g, aug), aug) == g);

    Rng rng(3);
    for (int trial = 0; trial < 200; ++trial) {
        ArcAugmentation a = random_augmentation(rng);
        Grid x = random_grid(rng, static_cast<int>(rng.uniform(1, 30)), static_cast<int>(rng.uniform(1, 30)));
        REQUIRE(invert_augmentation(apply_augmentation(x, a), a) == x);
    }
    CHECK(ArcAugmentation{}.is_identity());
    CHECK_FALSE(aug.is_identity());
}

TEST_CASE("variant names round-trip and malformed suffixes are rejected", "[arc][augment]") {
    ArcAugmentation aug;
    aug.dihedral = 3;
    aug.colours = {0, 5, 2, 1, 3, 4, 8, 7, 6, 9};
    const std::string name = variant_name("007bbfb7", aug);
    CHECK(name == "007bbfb7|||t3|||0521348769");
    auto parsed = parse_variant_name(name);
    REQUIRE(parsed);
    CHECK(parsed->task_id == "007bbfb7");
    CHECK(parsed->aug == aug);

    auto plain = parse_variant_name("AboveBelow1");
    REQUIRE(plain);
    CHECK(plain->task_id == "AboveBelow1");
    CHECK(plain->aug.is_identity());

    for (const char * bad : {"x|||t8|||0123456789", "x|||t3|||012345678", "x|||t3|||0123456788", "x|||3|||0123456789",
                             "x|||t3", "x|||t3|||01234567890", "x|||t33|||0123456789", "x|||t3|||01234a6789"}) {
        INFO(bad);
        CHECK_FALSE(parse_variant_name(bad));
    }
}

TEST_CASE("grid and task hashes match the reference byte layout", "[arc][augment]") {
    // Expected values from Python hashlib over bytes([rows, cols]) + cells, and the sorted
    // "in|out" join of build_arc_dataset.puzzle_hash.
    CHECK(arc_grid_hash(G({{1, 2, 3}, {4, 5, 6}})) == "8a85482c8c93e41992c7fef9efca7b25d8e75bcc87bedf3e5f203700a34e9a6a");
    CHECK(arc_grid_hash(G({{0}})) == "9f44ac6acb8a37b00b615dc89259d306035be82dee7db2b472e4c48326195440");
    // A 1x6 grid with the same cells hashes differently (the shape is part of the hash).
    CHECK(arc_grid_hash(G({{1, 2, 3, 4, 5, 6}})) != arc_grid_hash(G({{1, 2, 3}, {4, 5, 6}})));

    ArcTaskGrids task;
    task.train = {{G({{1, 2}, {3, 4}}), G({{4, 3}, {2, 1}})}, {G({{5}}), G({{6, 6}})}};
    task.test = {{G({{7, 0, 7}}), G({{0}, {7}})}};
    const std::string expected = "f850bf356e017f213e4e74148e71b561cd15437a860607cc368f0b6e0e656ebb";
    CHECK(arc_task_hash(task) == expected);
    // Pair order and split membership do not matter; content does.
    ArcTaskGrids reordered;
    reordered.train = {task.test[0], task.train[1]};
    reordered.test = {task.train[0]};
    CHECK(arc_task_hash(reordered) == expected);
    reordered.test[0].second.at(0, 0) = 9;
    CHECK(arc_task_hash(reordered) != expected);
}

namespace {

ArcTaskGrids one_colour_task(bool symmetric) {
    ArcTaskGrids t;
    if (symmetric) {  // a plus sign: invariant under all 8 transforms
        Grid plus = G({{0, 1, 0}, {1, 1, 1}, {0, 1, 0}});
        t.train = {{plus, plus}};
        t.test = {{plus, plus}};
    } else {
        t.train = {{G({{1, 0, 0}, {1, 1, 0}}), G({{0, 1}, {0, 0}, {1, 1}})}};
        t.test = {{G({{1, 1, 1}, {0, 0, 1}}), G({{1}})}};
    }
    return t;
}

std::set<std::string> task_hashes(const ArcTaskGrids & task, const ArcVariants & v) {
    std::set<std::string> hashes;
    for (const auto & aug : v.augmentations) hashes.insert(arc_task_hash(apply_augmentation(task, aug)));
    return hashes;
}

}  // namespace

TEST_CASE("variant generation: distinct, capped, deterministic", "[arc][augment]") {
    ArcTaskGrids task;
    Rng rng(5);
    for (int i = 0; i < 3; ++i) task.train.emplace_back(random_grid(rng, 4, 5), random_grid(rng, 5, 4));
    task.test.emplace_back(random_grid(rng, 3, 3), random_grid(rng, 3, 3));

    const ArcVariants v = generate_variants(task, 50, 42);
    REQUIRE(v.augmentations.size() == 51);  // identity + 50: a 10-colour random task never runs short
    CHECK(v.augmentations.front().is_identity());
    CHECK(task_hashes(task, v).size() == v.augmentations.size());
    CHECK(v.trials <= 5 * 50);
    CHECK(v.trials >= 50);

    const ArcVariants again = generate_variants(task, 50, 42);
    CHECK(again.augmentations == v.augmentations);
    CHECK(generate_variants(task, 50, 43).augmentations != v.augmentations);

    CHECK(generate_variants(task, 0, 42).augmentations.size() == 1);
    // A prefix property does not hold (the stop rule differs), but the cap does.
    CHECK(generate_variants(task, 7, 42).augmentations.size() == 8);
}

TEST_CASE("variant generation: one non-black colour gives at most 72 variants", "[arc][augment]") {
    const ArcTaskGrids asym = one_colour_task(false);
    const ArcVariants v = generate_variants(asym, 1000, 1);
    // 9 colour images x 8 transforms, the original included; 5000 draws find them all.
    CHECK(v.augmentations.size() == 72);
    CHECK(task_hashes(asym, v).size() == 72);
    CHECK(v.trials == 5000);  // the cap: the generator cannot reach 1001 and tries to the end

    const ArcTaskGrids sym = one_colour_task(true);
    const ArcVariants s = generate_variants(sym, 1000, 1);
    CHECK(s.augmentations.size() == 9);  // only the colour can change a fully symmetric task
}

TEST_CASE("variant generation: two colours give at most 576 variants", "[arc][augment]") {
    ArcTaskGrids t;
    t.train = {{G({{1, 2, 0}, {0, 1, 1}}), G({{2, 2}, {1, 0}})}};
    t.test = {{G({{1, 0, 2}}), G({{2}, {1}})}};
    const ArcVariants v = generate_variants(t, 1000, 9);
    CHECK(v.augmentations.size() <= 576);
    CHECK(v.augmentations.size() > 400);  // 9*8 colour pairs x 8 transforms, most found in 5000 draws
    CHECK(task_hashes(t, v).size() == v.augmentations.size());
}
