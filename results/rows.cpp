// Row <-> struct mapping; see rows.h.
#include "results/rows.h"

#include <chrono>

#include "results/json_codec.h"

namespace trmbench::results {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---- runs

const char * const kRunColumns =
    "id, created_at_ms, finished_at_ms, status, resume_count, git_sha, harness_version, host, cpu, gpu, suite_name, "
    "config_json, config_hash, dataset_hashes_json, prompt_hashes_json, seeds_json, price_table_date, shard_index, "
    "shard_count, merged_from_json";

RunInfo read_run(sql::Statement & st, int c) {
    RunInfo r;
    r.id = st.get_int(c + 0);
    r.created_at_ms = st.get_int(c + 1);
    r.finished_at_ms = st.get_opt_int(c + 2).value_or(-1);
    r.status = st.get_text(c + 3);
    r.resume_count = static_cast<int>(st.get_int(c + 4));
    r.git_sha = st.get_text(c + 5);
    r.harness_version = st.get_text(c + 6);
    r.host = st.get_text(c + 7);
    r.cpu = st.get_text(c + 8);
    r.gpu = st.get_text(c + 9);
    r.suite_name = st.get_text(c + 10);
    r.config_json = st.get_text(c + 11);
    r.config_hash = st.get_text(c + 12);
    std::string what = "runs row " + std::to_string(r.id);
    r.dataset_hashes = string_map_from_json(st.get_text(c + 13), what + " dataset_hashes_json");
    r.prompt_template_hashes = string_map_from_json(st.get_text(c + 14), what + " prompt_hashes_json");
    r.seeds = seed_map_from_json(st.get_text(c + 15), what + " seeds_json");
    r.price_table_date = st.get_text(c + 16);
    r.shard_index = static_cast<int>(st.get_int(c + 17));
    r.shard_count = static_cast<int>(st.get_int(c + 18));
    r.merged_from_json = st.get_text(c + 19);
    return r;
}

std::optional<RunInfo> load_run(sql::Database & db, RunId id) {
    sql::Statement st(db, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_run(st);
}

RunId insert_run(sql::Database & db, const RunInfo & r) {
    sql::Statement st(db, std::string("INSERT INTO runs (") + kRunColumns +
                              ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, r.created_at_ms);
    if (r.finished_at_ms < 0) st.bind_null(2);
    else st.bind(2, r.finished_at_ms);
    st.bind(3, r.status).bind(4, r.resume_count).bind(5, r.git_sha).bind(6, r.harness_version).bind(7, r.host);
    st.bind(8, r.cpu).bind(9, r.gpu).bind(10, r.suite_name).bind(11, r.config_json).bind(12, r.config_hash);
    st.bind(13, string_map_to_json(r.dataset_hashes)).bind(14, string_map_to_json(r.prompt_template_hashes));
    st.bind(15, seed_map_to_json(r.seeds)).bind(16, r.price_table_date).bind(17, r.shard_index);
    st.bind(18, r.shard_count).bind(19, r.merged_from_json);
    st.run();
    return db.last_insert_rowid();
}

std::vector<RunInfo> load_runs(sql::Database & db) {
    sql::Statement st(db, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id");
    std::vector<RunInfo> out;
    while (st.step()) out.push_back(read_run(st));
    return out;
}

// ---- solvers

const char * const kSolverColumns =
    "name, kind, provider, model_id, n_params, active_params, device, dtype, checkpoint_sha256, config_json";

SolverInfo read_solver(sql::Statement & st, int c) {
    SolverInfo s;
    s.name = st.get_text(c + 0);
    s.kind = st.get_text(c + 1);
    s.provider = st.get_text(c + 2);
    s.model_id = st.get_text(c + 3);
    s.n_params = st.get_opt_int(c + 4).value_or(-1);
    s.active_params = st.get_opt_int(c + 5).value_or(-1);
    s.device = st.get_text(c + 6);
    s.dtype = st.get_text(c + 7);
    s.checkpoint_sha256 = st.get_text(c + 8);
    s.config_json = st.get_text(c + 9);
    return s;
}

std::vector<SolverInfo> load_solvers(sql::Database & db, RunId run) {
    sql::Statement st(db, std::string("SELECT ") + kSolverColumns + " FROM solvers WHERE run_id = ? ORDER BY id");
    st.bind(1, run);
    std::vector<SolverInfo> out;
    while (st.step()) out.push_back(read_solver(st));
    return out;
}

// ---- items

const char * const kItemColumns =
    "task_family, dataset, example_id, grp, pair_index, position, difficulty, stratum, target_json";

ItemRecord read_item(sql::Statement & st, int c) {
    ItemRecord it;
    it.task_family = st.get_text(c + 0);
    it.dataset = st.get_text(c + 1);
    it.example_id = st.get_text(c + 2);
    it.group = st.get_text(c + 3);
    it.index = static_cast<int>(st.get_int(c + 4));
    it.position = st.get_int(c + 5);
    it.difficulty = st.get_opt_double(c + 6).value_or(-1);
    it.stratum = st.get_text(c + 7);
    if (auto t = st.get_opt_text(c + 8))
        it.target = grid_from_json(*t, "item " + it.dataset + ":" + it.example_id + " target_json");
    return it;
}

void bind_item(sql::Statement & st, int p, const ItemRecord & it) {
    st.bind(p + 0, it.task_family).bind(p + 1, it.dataset).bind(p + 2, it.example_id);
    st.bind(p + 3, it.group).bind(p + 4, it.index).bind(p + 5, it.position);
    if (it.difficulty < 0) st.bind_null(p + 6);
    else st.bind(p + 6, it.difficulty);
    st.bind(p + 7, it.stratum);
    if (it.target) st.bind(p + 8, grid_to_json(*it.target));
    else st.bind_null(p + 8);
}

// ---- attempts

std::vector<std::string> attempt_data_columns() {
    std::vector<std::string> out;
    auto fields = AttemptRecord::fields();
    for (size_t i = kAttemptKeyFields; i < fields.size(); ++i)
        out.emplace_back(fields[i].name);
    return out;
}

bool is_detail_column(std::string_view c) {
    return c == "raw_text" || c == "reasoning_text" || c == "usage_json" || c == "steps_json";
}

std::vector<std::string> attempt_main_columns() {
    std::vector<std::string> out;
    for (auto & c : attempt_data_columns())
        if (!is_detail_column(c)) out.push_back(c);
    return out;
}

std::vector<std::string> attempt_detail_columns() {
    std::vector<std::string> out;
    for (auto & c : attempt_data_columns())
        if (is_detail_column(c)) out.push_back(c);
    return out;
}

std::string column_list(const std::vector<std::string> & columns, const std::string & prefix) {
    std::string out;
    for (const auto & c : columns) {
        if (!out.empty()) out += ", ";
        out += prefix + c;
    }
    return out;
}

std::string attempt_select_list(bool with_text, bool with_steps, bool single_table) {
    std::string out = "a.run_id, s.name, i.task_family, i.dataset, i.example_id, a.attempt";
    for (const auto & c : attempt_data_columns()) {
        bool is_text = c == "raw_text" || c == "reasoning_text" || c == "usage_json";
        bool is_step = c == "steps_json" || c == "steps_correct";
        out += ", ";
        if ((!with_text && is_text) || (!with_steps && is_step)) out += "NULL";
        else out += (is_detail_column(c) && !single_table ? "d." : "a.") + c;
    }
    return out;
}

AttemptRecord read_attempt(sql::Statement & st, int c) {
    size_t n = AttemptRecord::fields().size();
    std::vector<FieldValue> values;
    values.reserve(n);
    for (size_t k = 0; k < n; ++k) {
        int col = c + static_cast<int>(k);
        if (st.is_null(col)) {
            values.emplace_back();
            continue;
        }
        switch (AttemptRecord::fields()[k].type) {
            case FieldType::integer:
            case FieldType::boolean:
            case FieldType::timestamp_ms: values.emplace_back(st.get_int(col)); break;
            case FieldType::real: values.emplace_back(st.get_double(col)); break;
            case FieldType::text:
            case FieldType::json: values.emplace_back(st.get_text(col)); break;
        }
    }
    try {
        return AttemptRecord::from_values(values);
    } catch (...) {
        rethrow_with_context("attempt " + st.get_text(c + 3) + ":" + st.get_text(c + 4) + " of solver " +
                             st.get_text(c + 1));
    }
}

bool outcome_done(Outcome o, bool retry_failures) {
    switch (o) {
        case Outcome::ok:
        case Outcome::parse_error:
        case Outcome::truncated:
        case Outcome::refused: return true;
        case Outcome::skipped: return false;
        default: return !retry_failures;
    }
}

}  // namespace trmbench::results
