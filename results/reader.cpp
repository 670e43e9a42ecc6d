// ResultsReader; see reader.h. SQL text is assembled only from constant fragments; every value
// (run id, solver name, dataset) is a bound parameter.
#include "results/reader.h"

#include <map>
#include <unordered_map>

#include "results/json_codec.h"
#include "results/rows.h"
#include "results/schema.h"
#include "results/sqlite.h"

namespace trmbench {
namespace {

std::string prefixed(const char * columns, const std::string & prefix) {
    std::string out = prefix;
    for (const char * p = columns; *p; ++p) {
        out += *p;
        if (*p == ' ' && p > columns && p[-1] == ',') out += prefix;
    }
    return out;
}

// WHERE clause and its bound values for an AttemptQuery.
struct Filter {
    std::string where;
    std::vector<std::variant<int64_t, std::string>> params;
};

Filter attempt_filter(const AttemptQuery & q) {
    Filter f;
    auto add = [&](const char * cond) { f.where += f.where.empty() ? std::string(" WHERE ") + cond : std::string(" AND ") + cond; };
    if (q.run > 0) {
        add("a.run_id = ?");
        f.params.emplace_back(q.run);
    }
    if (!q.solver.empty()) {
        add("s.name = ?");
        f.params.emplace_back(q.solver);
    }
    if (!q.dataset.empty()) {
        add("i.dataset = ?");
        f.params.emplace_back(q.dataset);
    }
    return f;
}

void bind_filter(sql::Statement & st, const Filter & f) {
    int i = 0;
    for (const auto & p : f.params) {
        if (auto v = std::get_if<int64_t>(&p)) st.bind(++i, *v);
        else st.bind(++i, std::get<std::string>(p));
    }
}

}  // namespace

ResultsReader::ResultsReader(const std::filesystem::path & path, int busy_timeout_ms) : path_(path) {
    results::ConnectionOptions o;
    o.access = results::Access::read_only;
    o.busy_timeout_ms = busy_timeout_ms;
    db_ = results::open_results_db(path, o);
}

ResultsReader::~ResultsReader() = default;

std::vector<RunInfo> ResultsReader::runs() { return results::load_runs(*db_); }
std::optional<RunInfo> ResultsReader::run(RunId id) { return results::load_run(*db_, id); }
std::vector<SolverInfo> ResultsReader::solvers(RunId run) { return results::load_solvers(*db_, run); }

std::vector<ItemRecord> ResultsReader::items(RunId run) {
    sql::Statement st(*db_, std::string("SELECT ") + results::kItemColumns + " FROM items WHERE run_id = ? ORDER BY position, id");
    st.bind(1, run);
    std::vector<ItemRecord> out;
    while (st.step()) out.push_back(results::read_item(st));
    return out;
}

int64_t ResultsReader::count_items(RunId run) {
    sql::Statement st(*db_, "SELECT count(*) FROM items WHERE run_id = ?");
    st.bind(1, run);
    st.step();
    return st.get_int(0);
}

int64_t ResultsReader::count_attempts(RunId run) {
    sql::Statement st(*db_, "SELECT count(*) FROM attempts WHERE run_id = ?");
    st.bind(1, run);
    st.step();
    return st.get_int(0);
}

void ResultsReader::for_each_attempt(const AttemptQuery & q,
                                     const std::function<void(const AttemptRecord &, const ItemRecord &)> & fn) {
    Filter f = attempt_filter(q);
    std::string items = prefixed(results::kItemColumns, "i.");
    if (!q.with_targets) items.replace(items.rfind("i.target_json"), std::string("i.target_json").size(), "NULL");
    std::string sql = "SELECT " + results::attempt_select_list(q.with_text, q.with_steps) + ", " + items +
                      " FROM attempts a JOIN solvers s ON s.id = a.solver_id JOIN items i ON i.id = a.item_id" +
                      (q.with_text || q.with_steps ? results::kDetailsJoin : "") + f.where +
                      " ORDER BY a.solver_id, a.item_id, a.attempt";
    sql::Transaction snapshot(*db_, sql::Transaction::Kind::deferred);
    sql::Statement st(*db_, sql);
    bind_filter(st, f);
    int item_col = static_cast<int>(AttemptRecord::fields().size());
    while (st.step()) {
        AttemptRecord a = results::read_attempt(st, 0);
        ItemRecord it = results::read_item(st, item_col);
        fn(a, it);
    }
}

std::vector<AttemptRecord> ResultsReader::attempts(const AttemptQuery & q) {
    std::vector<AttemptRecord> out;
    for_each_attempt(q, [&](const AttemptRecord & a, const ItemRecord &) { out.push_back(a); });
    return out;
}

std::vector<AttemptRecord> ResultsReader::superseded_attempts(RunId run) {
    std::string sql = "SELECT " + results::attempt_select_list(true, true, true) +
                      " FROM superseded_attempts a JOIN solvers s ON s.id = a.solver_id JOIN items i ON i.id = a.item_id"
                      " WHERE a.run_id = ? ORDER BY a.id";
    sql::Statement st(*db_, sql);
    st.bind(1, run);
    std::vector<AttemptRecord> out;
    while (st.step()) out.push_back(results::read_attempt(st, 0));
    return out;
}

std::vector<Aggregate> ResultsReader::aggregate(RunId run) {
    sql::Transaction snapshot(*db_, sql::Transaction::Kind::deferred);

    // Solvers in registration order, datasets of the manifest with their sizes, item -> dataset.
    std::vector<std::string> solver_names;
    std::unordered_map<int64_t, size_t> solver_index;
    {
        sql::Statement st(*db_, "SELECT id, name FROM solvers WHERE run_id = ? ORDER BY id");
        st.bind(1, run);
        while (st.step()) {
            solver_index[st.get_int(0)] = solver_names.size();
            solver_names.push_back(st.get_text(1));
        }
    }
    std::vector<std::string> dataset_names, dataset_family;
    std::vector<int64_t> dataset_size;
    std::vector<int32_t> item_dataset;  // by item id - min id; -1 for ids of other runs
    int64_t min_item = 0;
    {
        sql::Statement range(*db_, "SELECT min(id), max(id) FROM items WHERE run_id = ?");
        range.bind(1, run);
        range.step();
        min_item = range.get_int(0);
        int64_t max_item = range.get_int(1);
        if (!range.is_null(0)) item_dataset.assign(static_cast<size_t>(max_item - min_item + 1), -1);
        std::unordered_map<std::string, int32_t> index;
        sql::Statement st(*db_, "SELECT id, dataset, task_family FROM items WHERE run_id = ?");
        st.bind(1, run);
        while (st.step()) {
            std::string name = st.get_text(1);
            auto [it, fresh] = index.try_emplace(name, static_cast<int32_t>(dataset_names.size()));
            if (fresh) {
                dataset_names.push_back(name);
                dataset_family.push_back(st.get_text(2));
                dataset_size.push_back(0);
            }
            ++dataset_size[static_cast<size_t>(it->second)];
            item_dataset[static_cast<size_t>(st.get_int(0) - min_item)] = it->second;
        }
    }

    size_t n_ds = dataset_names.size();
    std::vector<Aggregate> cells(solver_names.size() * n_ds);
    // Per solver: per item 0 = no attempt, 1 = attempted, 2 = some attempt correct.
    std::vector<std::vector<uint8_t>> item_state(solver_names.size(), std::vector<uint8_t>(item_dataset.size(), 0));
    // Few distinct outcome and measure texts: parse each once (transparent lookup, no copies).
    std::map<std::string, std::vector<Measure>, std::less<>> measures_cache;

    sql::Statement st(*db_,
                      "SELECT solver_id, item_id, outcome, correct, measures_json, input_tokens, cached_input_tokens, "
                      "output_tokens, reasoning_tokens, total_tokens, cost_usd, wall_ms, device_ms, flops, "
                      "flops_estimated, act_steps, retries, rate_limit_wait_ms FROM attempts WHERE run_id = ?");
    st.bind(1, run);
    while (st.step()) {
        auto s_it = solver_index.find(st.get_int(0));
        int64_t item_off = st.get_int(1) - min_item;
        if (s_it == solver_index.end() || item_off < 0 || item_off >= static_cast<int64_t>(item_dataset.size()) ||
            item_dataset[static_cast<size_t>(item_off)] < 0)
            continue;  // cannot happen with foreign keys on; never index out of range
        size_t si = s_it->second, di = static_cast<size_t>(item_dataset[static_cast<size_t>(item_off)]);
        Aggregate & g = cells[si * n_ds + di];
        bool correct = st.get_int(3) != 0;
        ++g.n_attempts;
        g.n_attempts_correct += correct;
        uint8_t & state = item_state[si][static_cast<size_t>(item_off)];
        state = std::max<uint8_t>(state, correct ? 2 : 1);
        std::string_view outcome = st.get_view(2);
        auto o = g.outcomes.find(outcome);
        if (o == g.outcomes.end()) o = g.outcomes.emplace(std::string(outcome), 0).first;
        ++o->second;
        if (!st.is_null(4)) {
            std::string_view mj = st.get_view(4);
            auto m = measures_cache.find(mj);
            if (m == measures_cache.end())
                m = measures_cache.emplace(std::string(mj), results::measures_from_json(mj, "attempts.measures_json")).first;
            for (const auto & meas : m->second) {
                auto t = g.measures_true.find(meas.name);
                if (t == g.measures_true.end()) t = g.measures_true.emplace(meas.name, 0).first;
                t->second += meas.value;
            }
        }
        if (!st.is_null(5)) {
            g.input_tokens += st.get_int(5);
            ++g.n_tokens_known;
        }
        g.cached_input_tokens += st.get_int(6);
        g.output_tokens += st.get_int(7);
        if (!st.is_null(8)) {
            g.reasoning_tokens += st.get_int(8);
            ++g.n_reasoning_known;
        }
        g.total_tokens += st.get_int(9);
        if (!st.is_null(10)) {
            g.cost_usd += st.get_double(10);
            ++g.n_cost_known;
        }
        if (!st.is_null(11)) {
            g.wall_ms += st.get_double(11);
            ++g.n_wall_known;
        }
        if (!st.is_null(12)) {
            g.device_ms += st.get_double(12);
            ++g.n_device_known;
        }
        if (!st.is_null(13)) {
            g.flops += st.get_double(13);
            ++g.n_flops_known;
        }
        g.flops_estimated |= st.get_int(14) != 0;
        if (!st.is_null(15)) {
            g.act_steps_sum += static_cast<double>(st.get_int(15));
            ++g.n_act_steps_known;
        }
        g.retries += st.get_int(16);
        g.rate_limit_wait_ms += st.get_double(17);
    }

    std::vector<Aggregate> out;
    for (size_t si = 0; si < solver_names.size(); ++si) {
        std::vector<int64_t> attempted(n_ds, 0), solved(n_ds, 0);
        for (size_t k = 0; k < item_dataset.size(); ++k) {
            uint8_t state = item_state[si][k];
            if (!state) continue;
            auto di = static_cast<size_t>(item_dataset[k]);
            ++attempted[di];
            solved[di] += state == 2;
        }
        for (size_t di = 0; di < n_ds; ++di) {
            Aggregate & g = cells[si * n_ds + di];
            if (g.n_attempts == 0) continue;
            g.run_id = run;
            g.solver = solver_names[si];
            g.dataset = dataset_names[di];
            g.task_family = dataset_family[di];
            g.n_items = dataset_size[di];
            g.n_items_attempted = attempted[di];
            g.n_items_correct = solved[di];
            out.push_back(std::move(g));
        }
    }
    return out;
}

std::vector<ApiCallRow> ResultsReader::api_calls(RunId run) {
    sql::Statement st(*db_,
                      "SELECT id, run_id, solver, provider, model_id, example_id, attempt, cache_key, started_at_ms, "
                      "latency_ms, http_status, retries, wait_ms, outcome, error, request_id, request_json, "
                      "response_body, response_truncated FROM api_calls WHERE run_id = ? ORDER BY id");
    st.bind(1, run);
    std::vector<ApiCallRow> out;
    while (st.step()) {
        ApiCallRow r;
        r.id = st.get_int(0);
        r.run_id = st.get_int(1);
        ApiCallRecord & c = r.call;
        c.solver = st.get_text(2);
        c.provider = st.get_text(3);
        c.model_id = st.get_text(4);
        c.example_id = st.get_text(5);
        c.attempt = static_cast<int>(st.get_int(6));
        c.cache_key = st.get_text(7);
        c.started_at_ms = st.get_int(8);
        c.latency_ms = st.get_double(9);
        c.http_status = static_cast<int>(st.get_int(10));
        c.retries = static_cast<int>(st.get_int(11));
        c.wait_ms = st.get_double(12);
        c.outcome = st.get_text(13);
        c.error = st.get_text(14);
        c.request_id = st.get_text(15);
        c.request_json = st.get_text(16);
        c.response_body = st.get_text(17);
        r.response_truncated = st.get_int(18) != 0;
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<TrainMetric> ResultsReader::train_metrics(RunId run) {
    sql::Statement st(*db_,
                      "SELECT run_id, series, step, wall_time_s, name, value FROM train_metrics WHERE run_id = ? "
                      "ORDER BY series, name, step, id");
    st.bind(1, run);
    std::vector<TrainMetric> out;
    while (st.step())
        out.push_back({st.get_int(0), st.get_text(1), st.get_int(2), st.get_double(3), st.get_text(4), st.get_double(5)});
    return out;
}

std::string ResultsReader::integrity_check() { return results::check_integrity(*db_); }

}  // namespace trmbench
