// AttemptRecord: every field survives the database round trip (unicode, large text, empty
// optionals, per-step data), and the printer field list matches what the store keeps.
#include <catch2/catch.hpp>

#include <limits>
#include <set>

#include "results/json_codec.h"
#include "results/reader.h"
#include "results/rows.h"
#include "results/schema.h"
#include "results/sqlite.h"
#include "results/store.h"
#include "tests/support/test_support.h"
#include "tests/unit/results/fixtures.h"

using namespace trmbench;

namespace {

// Stores `records` (items and solver registered first) and reads every attempt back.
std::vector<AttemptRecord> round_trip(const std::filesystem::path & db, std::vector<AttemptRecord> records,
                                      const std::vector<ItemRecord> & items) {
    RunId run = 0;
    {
        ResultsStore store(db);
        run = store.begin_run(test::sample_run());
        store.insert_items(run, items);
        store.register_solver(run, test::sample_solver("s"));
        for (auto & r : records) {
            r.run_id = run;
            store.record_attempt(r);
        }
        store.close();
    }
    ResultsReader reader(db);
    AttemptQuery q;
    q.run = run;
    return reader.attempts(q);
}

}  // namespace

TEST_CASE("every AttemptRecord field round-trips through the database", "[results]") {
    test::TempDir dir;
    auto items = test::sample_items(8);
    std::vector<AttemptRecord> in;
    for (int i = 0; i < 8; ++i) in.push_back(test::sample_attempt(0, "s", items[static_cast<size_t>(i)], 0, i + 1));

    // Edge cases: nothing optional set; a huge text; an empty (0x0) answer; NUL bytes; extreme values.
    in[0] = AttemptRecord{};
    in[0].solver = "s";
    in[0].task_family = "sudoku";
    in[0].dataset = items[0].dataset;
    in[0].example_id = items[0].example_id;
    in[0].outcome = Outcome::skipped;
    in[0].created_at_ms = 42;
    in[1].raw_text = std::string(3 << 20, 'x') + "末尾";
    in[1].reasoning_text = std::string("nul\0inside", 10);
    in[2].answer = Grid();
    in[3].answer = Grid(30, 30, 9);
    in[3].usage.cost_usd = 0;
    in[3].compute.flops = 1e300;
    in[3].usage.input_tokens = std::numeric_limits<int64_t>::max();
    in[4].steps.push_back({Grid(), 3.4028235e38f, -1e-30f, true});  // undecodable step, float extremes
    in[5].measures = {{"exact", true}, {"valid", true}, {"optimal", false}, {"ünïcode", true}};

    auto out = round_trip(dir / "r.db", in, items);
    REQUIRE(out.size() == in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        INFO("record " << i);
        in[i].run_id = out[i].run_id;
        CHECK(out[i].values() == in[i].values());
        CHECK(out[i] == in[i]);
        // Structured members too (values() is the JSON view of them).
        CHECK(out[i].answer == in[i].answer);
        CHECK(out[i].steps == in[i].steps);
        CHECK(out[i].raw_text == in[i].raw_text);
        CHECK(out[i].reasoning_text == in[i].reasoning_text);
    }
    CHECK(out[0].usage.cost_usd == -1);
    CHECK(out[0].compute.act_steps == -1);
    CHECK_FALSE(out[0].answer.has_value());
    CHECK(out[0].measures.empty());
    REQUIRE(out[2].answer.has_value());
    CHECK(out[2].answer->empty());
    CHECK(out[4].steps.back().q_halt == 3.4028235e38f);
    CHECK(out[5].measures[3].name == "ünïcode");
    CHECK(out[5].correct());
}

TEST_CASE("fields() names every stored attempts column and values() follows it", "[results]") {
    auto fields = AttemptRecord::fields();
    std::set<std::string> names;
    for (const auto & f : fields) {
        CHECK(names.insert(std::string(f.name)).second);  // unique
        CHECK_FALSE(f.description.empty());
        CHECK_FALSE(field_type_name(f.type).empty());
    }
    CHECK(fields[0].name == "run_id");
    CHECK(fields[5].name == "attempt");

    // Every data field is a column of attempts or attempt_details, and every column there is a
    // field or an id.
    test::TempDir dir;
    { ResultsStore store(dir / "f.db"); }
    sql::Database db(dir / "f.db", {sql::OpenMode::read_only, 1000, ""});
    std::set<std::string> columns;
    for (const char * table : {"attempts", "attempt_details"}) {
        sql::Statement st(db, "SELECT name FROM pragma_table_info(?)");
        st.bind(1, table);
        while (st.step()) columns.insert(st.get_text(0));
    }
    for (const auto & c : results::attempt_data_columns()) CHECK(columns.count(c) == 1);
    for (const auto & c : columns) {
        bool key = c == "id" || c == "run_id" || c == "solver_id" || c == "item_id" || c == "attempt" || c == "attempt_id";
        CHECK((key || names.count(c) == 1));
    }
    // superseded_attempts holds them all.
    sql::Statement sup(db, "SELECT name FROM pragma_table_info('superseded_attempts')");
    std::set<std::string> sup_columns;
    while (sup.step()) sup_columns.insert(sup.get_text(0));
    for (const auto & c : results::attempt_data_columns()) CHECK(sup_columns.count(c) == 1);

    auto items = test::sample_items(1);
    AttemptRecord r = test::sample_attempt(7, "s", items[0], 1, 5);
    auto values = r.values();
    REQUIRE(values.size() == fields.size());
    CHECK(std::get<int64_t>(values[0]) == 7);
    CHECK(std::get<std::string>(values[1]) == "s");
    CHECK(AttemptRecord::from_values(values) == r);

    // Printer text of each kind of value.
    CHECK(field_value_text(FieldValue{}).empty());
    CHECK(field_value_text(FieldValue{int64_t(-12)}) == "-12");
    CHECK(field_value_text(FieldValue{0.1}) == "0.1");
    CHECK(field_value_text(FieldValue{1.5e12}) == "1.5e+12");
    CHECK(field_value_text(FieldValue{std::string("a,b")}) == "a,b");
}

TEST_CASE("from_values rejects wrong types and malformed JSON, naming the field", "[results]") {
    auto items = test::sample_items(1);
    auto values = test::sample_attempt(1, "s", items[0], 0, 2).values();
    auto index_of = [](std::string_view name) {
        auto f = AttemptRecord::fields();
        for (size_t i = 0; i < f.size(); ++i)
            if (f[i].name == name) return i;
        FAIL("no field " << name);
        return size_t(0);
    };
    auto bad = values;
    bad[index_of("answer_json")] = std::string("[[1,2],[3]]");
    CHECK_THROWS_WITH(AttemptRecord::from_values(bad), Catch::Contains("answer_json") && Catch::Contains("row 1"));
    bad = values;
    bad[index_of("outcome")] = std::string("exploded");
    CHECK_THROWS_WITH(AttemptRecord::from_values(bad), Catch::Contains("outcome") && Catch::Contains("exploded"));
    bad = values;
    bad[index_of("retries")] = std::string("three");
    CHECK_THROWS_AS(AttemptRecord::from_values(bad), InputError);
    bad = values;
    bad[index_of("measures_json")] = std::string("{\"exact\": 1}");
    CHECK_THROWS_WITH(AttemptRecord::from_values(bad), Catch::Contains("measures_json"));
    bad = values;
    bad[index_of("answer_json")] = std::string("[[256]]");
    CHECK_THROWS_AS(AttemptRecord::from_values(bad), InputError);
    bad = values;
    bad.pop_back();
    CHECK_THROWS_AS(AttemptRecord::from_values(bad), InputError);
}

TEST_CASE("make_attempt_record and item_from_example carry every field", "[results]") {
    Example ex;
    ex.id = "00576224/1";
    ex.family = "arc";
    ex.group = "00576224";
    ex.index = 1;
    ex.target = Grid(1, 2, 3);
    ex.difficulty = -1;
    ItemRecord it = item_from_example(ex, "arc-agi-1/evaluation", 17, "easy");
    CHECK(it.group == "00576224");
    CHECK(it.index == 1);
    CHECK(it.position == 17);
    CHECK(it.target == ex.target);
    CHECK(it.stratum == "easy");

    Prediction p;
    p.example_id = ex.id;
    p.attempt = 1;
    p.outcome = Outcome::ok;
    p.answer = Grid(1, 2, 3);
    p.raw_text = "text";
    p.usage.input_tokens = 5;
    p.compute.act_steps = 2;
    p.steps = {{Grid(1, 2, 0), 0.5f, -0.5f}, {Grid(1, 2, 3), 2.f, -2.f}};
    p.request_id = "r1";
    Score score{{{"exact", true}}};
    AttemptRecord r = make_attempt_record(3, "gpt", "arc-agi-1/evaluation", ex, p, score, {false, true});
    CHECK(r.run_id == 3);
    CHECK(r.task_family == "arc");
    CHECK(r.example_id == ex.id);
    CHECK(r.attempt == 1);
    CHECK(r.correct());
    REQUIRE(r.steps.size() == 2);
    CHECK_FALSE(r.steps[0].correct);
    CHECK(r.steps[1].correct);
    CHECK(r.steps[1].q_halt == 2.f);
    CHECK(r.usage.input_tokens == 5);
    CHECK(r.request_id == "r1");
}

TEST_CASE("step answers equal to the previous step's are written once and read back in full", "[results]") {
    std::vector<StepResult> steps;
    for (int s = 0; s < 16; ++s) steps.push_back({Grid(3, 3, static_cast<uint8_t>(s < 4 ? s : 4)), 0.25f * s, -1.f, s >= 4});
    std::string json = results::steps_to_json(steps);
    size_t answers = 0;
    for (size_t pos = json.find("\"answer\""); pos != std::string::npos; pos = json.find("\"answer\"", pos + 1)) ++answers;
    CHECK(answers == 5);  // steps 0..4 differ, 5..15 repeat step 4
    auto back = results::steps_from_json(json, results::steps_correct_string(steps), "test");
    CHECK(back == steps);
    CHECK_THROWS_WITH(results::steps_from_json(R"([{"q_halt":1}])", "0", "steps"), Catch::Contains("step 0 has no answer"));
    CHECK_THROWS_AS(results::steps_from_json(R"([{"answer":[[1]]}])", "01", "steps"), InputError);
    // The compact and the tolerant grid readers agree; bad grids are refused with the field name.
    CHECK(results::grid_from_json("[[1,2],[3,4]]", "g") == results::grid_from_json(" [ [1, 2] ,\n[3,4] ] ", "g"));
    CHECK(results::grid_from_json("[]", "g").empty());
    CHECK(results::grid_from_json("[[]]", "g").rows == 1);
    for (const char * bad : {"", "[", "[[1,2],[3]]", "[[1,2]]x", "[[1,,2]]", "[[300]]", "[[-1]]", "[1,2]", "[[1]],[[2]]"})
        CHECK_THROWS_WITH(results::grid_from_json(bad, "field g"), Catch::Contains("field g"));
}
