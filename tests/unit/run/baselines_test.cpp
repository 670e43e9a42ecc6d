// Baselines: identity, blank, random (seeded per example and attempt), the name table.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "harness/run/baselines.h"
#include "tasks/registry.h"

using namespace trmbench;

namespace {

struct CollectSink final : PredictionSink {
    std::vector<Prediction> got;
    int stop_after = -1;
    void put(Prediction && p) override { got.push_back(std::move(p)); }
    bool stop_requested() const override { return stop_after >= 0 && static_cast<int>(got.size()) >= stop_after; }
};

Example board(const std::string & id) {
    Example e;
    e.id = id;
    e.group = id;
    e.input = Grid(3, 4, 0);
    for (size_t i = 0; i < e.input.cells.size(); ++i) e.input.cells[i] = static_cast<uint8_t>(i % 3 == 0 ? 7 : i % 3);
    e.target = e.input;
    Grid demo_out(2, 2, 9);
    e.demos.push_back({Grid(2, 2, 1), demo_out});
    return e;
}

std::vector<Prediction> run(Solver & s, const std::vector<Example> & ex, int attempts, int stop_after = -1) {
    std::vector<WorkItem> items;
    for (const auto & e : ex)
        for (int a = 0; a < attempts; ++a) items.push_back({&e, a});
    CollectSink sink;
    sink.stop_after = stop_after;
    s.solve(task_by_family("arc"), items, sink);
    return sink.got;
}

}  // namespace

TEST_CASE("every baseline name builds a baseline", "[run][baselines]") {
    for (const auto & name : baseline_names()) {
        auto s = make_baseline(name, 1);
        CHECK(s->info().name == name);
        CHECK(s->info().kind == "baseline");
        CHECK(s->info().n_params == 0);
        CHECK(is_baseline_name(name));
    }
    CHECK_FALSE(is_baseline_name("oracle"));
    CHECK_THROWS_AS(make_baseline("oracle"), UsageError);
}

TEST_CASE("identity answers the input, blank a zero grid of its shape", "[run][baselines]") {
    std::vector<Example> ex{board("a"), board("b")};
    auto id = make_identity_solver();
    auto got = run(*id, ex, 1);
    REQUIRE(got.size() == 2);
    CHECK(got[0].example_id == "a");
    CHECK(got[0].outcome == Outcome::ok);
    REQUIRE(got[0].answer);
    CHECK(*got[0].answer == ex[0].input);
    CHECK(got[0].compute.wall_ms >= 0);

    auto blank = make_blank_solver();
    got = run(*blank, ex, 1);
    REQUIRE(got[1].answer);
    CHECK(got[1].answer->rows == 3);
    CHECK(got[1].answer->cols == 4);
    CHECK(std::all_of(got[1].answer->cells.begin(), got[1].answer->cells.end(), [](uint8_t v) { return v == 0; }));
}

TEST_CASE("random draws seen values, per (seed, example, attempt)", "[run][baselines]") {
    std::vector<Example> ex{board("a"), board("b")};
    auto r1 = make_random_solver(5), r2 = make_random_solver(5), r3 = make_random_solver(6);
    auto g1 = run(*r1, ex, 3), g2 = run(*r2, ex, 3), g3 = run(*r3, ex, 3);
    REQUIRE(g1.size() == 6);
    std::set<uint8_t> allowed{0, 1, 2, 7, 9};  // input values and the demo output's 9
    bool attempts_differ = false, seeds_differ = false;
    std::set<uint8_t> drawn;
    for (size_t i = 0; i < g1.size(); ++i) {
        REQUIRE(g1[i].answer);
        CHECK(*g1[i].answer == *g2[i].answer);  // same seed, same draw
        seeds_differ = seeds_differ || *g1[i].answer != *g3[i].answer;
        for (uint8_t v : g1[i].answer->cells) {
            CHECK(allowed.count(v) == 1);
            drawn.insert(v);
        }
    }
    for (size_t i = 1; i < 3; ++i) attempts_differ = attempts_differ || *g1[i].answer != *g1[0].answer;
    CHECK(attempts_differ);
    CHECK(seeds_differ);
    CHECK(drawn.count(9) == 1);  // the demo outputs' colours are drawn too
}

TEST_CASE("a baseline reports skipped items once the sink asks to stop", "[run][baselines]") {
    std::vector<Example> ex{board("a"), board("b"), board("c")};
    auto id = make_identity_solver();
    auto got = run(*id, ex, 1, /*stop_after=*/1);
    REQUIRE(got.size() == 3);
    CHECK(got[0].outcome == Outcome::ok);
    CHECK(got[1].outcome == Outcome::skipped);
    CHECK(got[2].outcome == Outcome::skipped);
    CHECK_FALSE(got[2].answer);
}
