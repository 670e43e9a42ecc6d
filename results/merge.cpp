// merge_databases(); see merge.h. Each input is ATTACHed read-only to the output connection and
// copied with INSERT ... SELECT through temporary id maps (run, solver, item), one transaction per
// input, after the consistency checks for that input have passed.
#include "results/merge.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sqlite3.h>
#include <system_error>

#include "harness/core/error.h"
#include "harness/core/progress.h"
#include "harness/core/sha256.h"
#include "results/json_codec.h"
#include "results/rows.h"
#include "results/schema.h"
#include "results/sqlite.h"

namespace fs = std::filesystem;

namespace trmbench {
namespace {

// The temporary output: removed with its -wal/-shm unless committed.
class TempOutput {
public:
    explicit TempOutput(const fs::path & output) {
        fs::path dir = output.has_parent_path() ? output.parent_path() : fs::path(".");
        std::string tmpl = (dir / ("." + output.filename().string() + ".merge-XXXXXX")).string();
        int fd = ::mkstemp(tmpl.data());
        if (fd < 0)
            throw IoError("merge: cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno));
        ::close(fd);
        path_ = tmpl;
    }
    ~TempOutput() {
        if (kept_) return;
        std::error_code ec;
        for (const char * suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path_.string() + suffix, ec);
    }
    const fs::path & path() const { return path_; }
    void keep() { kept_ = true; }

private:
    fs::path path_;
    bool kept_ = false;
};

void fsync_path(const fs::path & p, bool directory) {
    int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) throw IoError("merge: cannot open " + p.string() + " to sync it: " + std::strerror(errno));
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw IoError("merge: fsync of " + p.string() + " failed: " + std::strerror(errno));
}

// sha256 over a run's manifest in a canonical order, and its size.
std::pair<std::string, int64_t> manifest_hash(sql::Database & db, const char * schema, RunId run) {
    sql::Statement st(db, std::string("SELECT ") + results::kItemColumns + " FROM " + schema +
                              ".items WHERE run_id = ? ORDER BY dataset, example_id");
    st.bind(1, run);
    Sha256 h;
    int64_t n = 0;
    while (st.step()) {
        for (int c = 0; c < st.column_count(); ++c) {
            h.update(st.is_null(c) ? std::string("\x01null") : st.get_text(c));
            h.update("\x1f");
        }
        h.update("\x1e");
        ++n;
    }
    return {h.hex_digest(), n};
}

// The first field (name, a, b) in which two runs that claim to be shards of one run differ.
std::optional<std::array<std::string, 3>> run_difference(const RunInfo & a, const RunInfo & b) {
    auto cmp = [](const char * name, const std::string & x, const std::string & y)
        -> std::optional<std::array<std::string, 3>> {
        if (x == y) return std::nullopt;
        auto cut = [](std::string s) { return s.size() > 80 ? s.substr(0, 80) + "..." : s; };
        return std::array<std::string, 3>{name, cut(x), cut(y)};
    };
    for (auto d : {cmp("git_sha", a.git_sha, b.git_sha), cmp("harness_version", a.harness_version, b.harness_version),
                   cmp("suite_name", a.suite_name, b.suite_name), cmp("config_json", a.config_json, b.config_json),
                   cmp("dataset hashes", results::string_map_to_json(a.dataset_hashes),
                       results::string_map_to_json(b.dataset_hashes)),
                   cmp("prompt template hashes", results::string_map_to_json(a.prompt_template_hashes),
                       results::string_map_to_json(b.prompt_template_hashes)),
                   cmp("seeds", results::seed_map_to_json(a.seeds), results::seed_map_to_json(b.seeds)),
                   cmp("price_table_date", a.price_table_date, b.price_table_date),
                   cmp("shard_count", std::to_string(a.shard_count), std::to_string(b.shard_count))})
        if (d) return d;
    return std::nullopt;
}

// Shard indices a run stands for: its own, or those listed by the merge that made it.
std::set<int> shards_of(const RunInfo & r) {
    if (r.shard_index >= 0) return {r.shard_index};
    std::set<int> out;
    auto j = nlohmann::json::parse(r.merged_from_json, nullptr, false);
    if (j.is_array())
        for (const auto & e : j)
            if (e.is_object() && e.contains("shards") && e["shards"].is_array())
                for (const auto & s : e["shards"])
                    if (s.is_number_integer()) out.insert(s.get<int>());
    return out;
}

int status_rank(const std::string & s) {
    if (s == kRunCompleted) return 0;
    if (s == kRunRunning) return 1;
    if (s == kRunInterrupted) return 2;
    return 3;  // failed or unknown
}

struct MergedRun {
    RunId dst = 0;
    RunInfo first;
    fs::path first_path;
    std::string manifest;
    int64_t n_items = 0;
    std::set<int> shards;
    std::string status = std::string(kRunCompleted);
    int64_t created_at_ms = 0;
    int64_t finished_at_ms = -1;
    bool unfinished = false;
    int resume_count = 0;
    nlohmann::json merged_from = nlohmann::json::array();
};

class Merger {
public:
    Merger(const MergeOptions & o, sql::Database & out) : o_(o), out_(out) {
        out_.exec("CREATE TEMP TABLE run_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);"
                  "CREATE TEMP TABLE solver_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);"
                  "CREATE TEMP TABLE item_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);");
    }

    void add(const fs::path & input) {
        attach(input);
        try {
            copy(input);
        } catch (...) {
            detach();
            throw;
        }
        detach();
    }

    void finish() {
        sql::Transaction tx(out_);
        sql::Statement st(out_,
                          "UPDATE runs SET created_at_ms = ?, finished_at_ms = ?, status = ?, resume_count = ?, "
                          "shard_index = ?, shard_count = ?, merged_from_json = ? WHERE id = ?");
        for (auto & entry : runs_) {
            MergedRun & m = entry.second;
            int count = m.first.shard_count;
            bool complete = static_cast<int>(m.shards.size()) == count && m.shards.size() > 0 &&
                            *m.shards.begin() == 0 && *m.shards.rbegin() == count - 1;
            int index = complete ? 0 : m.shards.size() == 1 ? *m.shards.begin() : -1;
            st.bind(1, m.created_at_ms);
            if (m.unfinished) st.bind_null(2);
            else st.bind(2, m.finished_at_ms);
            st.bind(3, m.status).bind(4, m.resume_count).bind(5, index).bind(6, complete ? 1 : count);
            st.bind(7, m.merged_from.dump()).bind(8, m.dst);
            st.run();
            std::string shards;
            for (int s : m.shards) shards += (shards.empty() ? "" : ",") + std::to_string(s);
            summary_.notes.push_back("run " + std::to_string(m.dst) + " (suite '" + m.first.suite_name + "', config " +
                                     m.first.config_hash.substr(0, 12) + "): shards {" + shards + "} of " +
                                     std::to_string(count) + (complete ? " (complete)" : " (partial)") + ", status " +
                                     m.status + ", " + std::to_string(m.n_items) + " items");
        }
        tx.commit();
        summary_.runs = static_cast<int64_t>(runs_.size());
    }

    MergeSummary summary() const { return summary_; }

private:
    void attach(const fs::path & input) {
        // Validates (owner, version; upgrades an old schema) before touching the data.
        results::ConnectionOptions ro;
        ro.access = results::Access::read_only;
        results::open_results_db(input, ro);
        std::string first_error;
        auto try_attach = [&](const char * query) {
            try {
                sql::Statement st(out_, "ATTACH DATABASE ? AS src");
                st.bind(1, sql::file_uri(input, query));
                st.run();
                out_.query_int("SELECT count(*) FROM src.runs");
                return true;
            } catch (const sql::DbError & e) {
                if (first_error.empty()) first_error = e.what();
                detach();
                return false;
            }
        };
        if (try_attach("mode=ro")) return;
        // A read-only directory: read it without locks, but only when no -wal file holds rows.
        std::error_code ec;
        fs::path wal = input.string() + "-wal";
        bool wal_has_rows = fs::exists(wal, ec) && fs::file_size(wal, ec) > 0;
        if (wal_has_rows || !try_attach("immutable=1")) throw IoError("merge: cannot read " + name(input) + ": " + first_error);
    }

    void detach() noexcept {
        try {
            out_.exec("DETACH DATABASE src");
        } catch (...) {
        }
    }

    std::string name(const fs::path & p) const { return p.string(); }

    void copy(const fs::path & input) {
        sql::Transaction tx(out_);
        out_.exec("DELETE FROM temp.run_map; DELETE FROM temp.solver_map; DELETE FROM temp.item_map;");
        map_runs(input);
        map_solvers(input);
        map_items();
        copy_attempts(input);
        copy_rest();
        tx.commit();
    }

    void map_runs(const fs::path & input) {
        std::vector<RunInfo> src_runs;
        {
            sql::Statement st(out_, std::string("SELECT ") + results::kRunColumns + " FROM src.runs ORDER BY id");
            while (st.step()) src_runs.push_back(results::read_run(st));
        }
        std::set<std::string> hashes;
        for (const auto & r : src_runs) hashes.insert(r.config_hash);
        if (!o_.allow_distinct_runs) {
            if (first_input_.empty()) {
                first_input_ = input;
                hashes_ = hashes;
            } else if (hashes != hashes_) {
                throw InputError("merge: " + name(input) + " and " + name(first_input_) +
                                 " hold runs with different config hashes (" + join_short(hashes) + " vs " +
                                 join_short(hashes_) +
                                 "): they are not shards of one run (use --allow-distinct-runs to combine different "
                                 "runs)");
            }
        }
        sql::Statement map(out_, "INSERT INTO temp.run_map (src, dst) VALUES (?, ?)");
        for (const auto & r : src_runs) {
            auto [hash, n_items] = manifest_hash(out_, "src", r.id);
            auto it = runs_.find(r.config_hash);
            if (it == runs_.end()) {
                MergedRun m;
                m.first = r;
                m.first_path = input;
                m.manifest = hash;
                m.n_items = n_items;
                m.created_at_ms = r.created_at_ms;
                m.dst = results::insert_run(out_, r);
                sql::Statement items(out_, std::string("INSERT INTO main.items (run_id, ") + results::kItemColumns +
                                               ") SELECT ?, " + results::kItemColumns +
                                               " FROM src.items WHERE run_id = ? ORDER BY id");
                items.bind_all(m.dst, r.id);
                items.run();
                summary_.items += out_.changes();
                it = runs_.emplace(r.config_hash, std::move(m)).first;
            } else {
                check_same_run(it->second, r, input, hash, n_items);
            }
            absorb(it->second, r, input);
            map.bind_all(r.id, it->second.dst);
            map.run();
        }
    }

    static std::string join_short(const std::set<std::string> & s) {
        std::string out;
        for (const auto & h : s) out += (out.empty() ? "" : ", ") + h.substr(0, 12);
        return "{" + out + "}";
    }

    void check_same_run(const MergedRun & m, const RunInfo & r, const fs::path & input, const std::string & hash,
                        int64_t n_items) const {
        std::string who = name(m.first_path) + " run " + std::to_string(m.first.id) + " and " + name(input) + " run " +
                          std::to_string(r.id) + " (config hash " + r.config_hash.substr(0, 12) + ")";
        if (auto d = run_difference(m.first, r))
            throw InputError("merge: " + who + " differ in " + (*d)[0] + " ('" + (*d)[1] + "' vs '" + (*d)[2] +
                             "'): they are not shards of one run");
        if (hash != m.manifest)
            throw InputError("merge: " + who + " have different item manifests (" + std::to_string(m.n_items) +
                             " vs " + std::to_string(n_items) + " items, or the same count with different items)");
    }

    void absorb(MergedRun & m, const RunInfo & r, const fs::path & input) {
        std::set<int> shards = shards_of(r);
        m.shards.insert(shards.begin(), shards.end());
        if (status_rank(r.status) > status_rank(m.status)) m.status = r.status;
        m.created_at_ms = std::min(m.created_at_ms, r.created_at_ms);
        if (r.finished_at_ms < 0) m.unfinished = true;
        m.finished_at_ms = std::max(m.finished_at_ms, r.finished_at_ms);
        m.resume_count += r.resume_count;
        m.merged_from.push_back({{"path", fs::absolute(input).string()},
                                 {"run_id", r.id},
                                 {"shards", std::vector<int>(shards.begin(), shards.end())},
                                 {"shard_count", r.shard_count},
                                 {"status", r.status}});
    }

    void map_solvers(const fs::path & input) {
        std::string cols = results::kSolverColumns;
        sql::Statement ins(out_, "INSERT INTO main.solvers (run_id, " + cols + ") SELECT rm.dst, " +
                                     prefixed(cols, "ss.") +
                                     " FROM src.solvers ss JOIN temp.run_map rm ON rm.src = ss.run_id WHERE true "
                                     "ORDER BY ss.id ON CONFLICT(run_id, name) DO NOTHING");
        ins.run();
        summary_.solvers += out_.changes();
        sql::Statement conflict(out_,
                                "SELECT ss.name FROM src.solvers ss JOIN temp.run_map rm ON rm.src = ss.run_id "
                                "JOIN main.solvers ms ON ms.run_id = rm.dst AND ms.name = ss.name "
                                "WHERE ms.kind IS NOT ss.kind OR ms.provider IS NOT ss.provider "
                                "OR ms.model_id IS NOT ss.model_id OR ms.n_params IS NOT ss.n_params "
                                "OR ms.active_params IS NOT ss.active_params OR ms.device IS NOT ss.device "
                                "OR ms.dtype IS NOT ss.dtype OR ms.checkpoint_sha256 IS NOT ss.checkpoint_sha256 "
                                "OR ms.config_json IS NOT ss.config_json ORDER BY ss.id LIMIT 1");
        if (conflict.step())
            throw InputError("merge: solver '" + conflict.get_text(0) + "' in " + name(input) +
                             " differs from the solver of that name in an earlier input (model, checkpoint, device, "
                             "dtype or config)");
        out_.exec("INSERT INTO temp.solver_map (src, dst) SELECT ss.id, ms.id FROM src.solvers ss "
                  "JOIN temp.run_map rm ON rm.src = ss.run_id "
                  "JOIN main.solvers ms ON ms.run_id = rm.dst AND ms.name = ss.name");
    }

    void map_items() {
        out_.exec("INSERT INTO temp.item_map (src, dst) SELECT si.id, mi.id FROM src.items si "
                  "JOIN temp.run_map rm ON rm.src = si.run_id "
                  "JOIN main.items mi ON mi.run_id = rm.dst AND mi.dataset = si.dataset AND mi.example_id = si.example_id");
    }

    static std::string prefixed(const std::string & cols, const std::string & prefix) {
        std::string out = prefix;
        for (char c : cols) {
            out += c;
            if (c == ' ') out += prefix;
        }
        return out;
    }

    void copy_attempts(const fs::path & input) {
        const std::string join =
            " FROM src.attempts sa JOIN temp.solver_map sm ON sm.src = sa.solver_id "
            "JOIN temp.item_map im ON im.src = sa.item_id "
            "JOIN main.attempts ma ON ma.solver_id = sm.dst AND ma.item_id = im.dst AND ma.attempt = sa.attempt";
        sql::Statement conflict(out_, "SELECT (SELECT name FROM main.solvers WHERE id = sm.dst), "
                                      "(SELECT dataset || ':' || example_id FROM main.items WHERE id = im.dst), "
                                      "sa.attempt, ma.outcome, sa.outcome" +
                                          join +
                                          " WHERE ma.outcome IS NOT sa.outcome OR ma.answer_json IS NOT sa.answer_json "
                                          "OR ma.measures_json IS NOT sa.measures_json LIMIT 5");
        std::string conflicts;
        while (conflict.step())
            conflicts += "\n  solver " + conflict.get_text(0) + ", item " + conflict.get_text(1) + ", attempt " +
                         std::to_string(conflict.get_int(2)) + ": " + conflict.get_text(3) + " vs " +
                         conflict.get_text(4);
        if (!conflicts.empty())
            throw InputError("merge: " + name(input) +
                             " has attempts that conflict with an earlier input (same run, solver, item and attempt "
                             "index, different outcome, answer or measures):" + conflicts);
        using results::column_list;
        auto main_cols = results::attempt_main_columns();
        auto detail_cols = results::attempt_detail_columns();
        std::string differs;
        for (const auto & c : main_cols) differs += (differs.empty() ? "" : " OR ") + ("ma." + c + " IS NOT sa." + c);
        for (const auto & c : detail_cols) differs += " OR md." + c + " IS NOT sd." + c;
        summary_.duplicate_attempts += out_.query_int("SELECT count(*)" + join).value_or(0);
        summary_.duplicates_differing_usage +=
            out_.query_int("SELECT count(*)" + join + " LEFT JOIN main.attempt_details md ON md.attempt_id = ma.id " +
                           "LEFT JOIN src.attempt_details sd ON sd.attempt_id = sa.id WHERE " + differs)
                .value_or(0);

        // New rows get ids above the current maximum: that is how their details find them.
        int64_t max_before = out_.query_int("SELECT coalesce(max(id), 0) FROM main.attempts").value_or(0);
        sql::Statement ins(out_, "INSERT INTO main.attempts (run_id, solver_id, item_id, attempt, " +
                                     column_list(main_cols) + ") SELECT rm.dst, sm.dst, im.dst, sa.attempt, " +
                                     column_list(main_cols, "sa.") +
                                     " FROM src.attempts sa JOIN temp.run_map rm ON rm.src = sa.run_id "
                                     "JOIN temp.solver_map sm ON sm.src = sa.solver_id "
                                     "JOIN temp.item_map im ON im.src = sa.item_id WHERE true ORDER BY sa.id "
                                     "ON CONFLICT(solver_id, item_id, attempt) DO NOTHING");
        ins.run();
        summary_.attempts += out_.changes();
        sql::Statement details(out_, "INSERT INTO main.attempt_details (attempt_id, " + column_list(detail_cols) +
                                         ") SELECT ma.id, " + column_list(detail_cols, "sd.") +
                                         " FROM src.attempt_details sd JOIN src.attempts sa ON sa.id = sd.attempt_id "
                                         "JOIN temp.solver_map sm ON sm.src = sa.solver_id "
                                         "JOIN temp.item_map im ON im.src = sa.item_id "
                                         "JOIN main.attempts ma ON ma.solver_id = sm.dst AND ma.item_id = im.dst "
                                         "AND ma.attempt = sa.attempt WHERE ma.id > ? ORDER BY ma.id");
        details.bind(1, max_before);
        details.run();
        int64_t src_attempts = out_.query_int("SELECT count(*) FROM src.attempts").value_or(0);
        int64_t mapped = out_.query_int("SELECT count(*) FROM src.attempts sa "
                                        "JOIN temp.solver_map sm ON sm.src = sa.solver_id "
                                        "JOIN temp.item_map im ON im.src = sa.item_id").value_or(0);
        if (mapped != src_attempts)
            throw InputError("merge: " + name(input) + ": " + std::to_string(src_attempts - mapped) +
                             " attempts refer to solvers or items that are not in the database");

        auto all = main_cols;
        all.insert(all.end(), detail_cols.begin(), detail_cols.end());
        sql::Statement sup(out_, "INSERT INTO main.superseded_attempts (superseded_at_ms, run_id, solver_id, item_id, "
                                 "attempt, " + column_list(all) +
                                     ") SELECT sa.superseded_at_ms, rm.dst, sm.dst, im.dst, sa.attempt, " +
                                     column_list(all, "sa.") +
                                     " FROM src.superseded_attempts sa JOIN temp.run_map rm ON rm.src = sa.run_id "
                                     "JOIN temp.solver_map sm ON sm.src = sa.solver_id "
                                     "JOIN temp.item_map im ON im.src = sa.item_id ORDER BY sa.id");
        sup.run();
        summary_.superseded_attempts += out_.changes();
    }

    void copy_rest() {
        out_.exec("INSERT INTO main.api_calls (run_id, solver, provider, model_id, example_id, attempt, cache_key, "
                  "started_at_ms, latency_ms, http_status, retries, wait_ms, outcome, error, request_id, request_json, "
                  "response_body, response_truncated) "
                  "SELECT rm.dst, c.solver, c.provider, c.model_id, c.example_id, c.attempt, c.cache_key, "
                  "c.started_at_ms, c.latency_ms, c.http_status, c.retries, c.wait_ms, c.outcome, c.error, "
                  "c.request_id, c.request_json, c.response_body, c.response_truncated "
                  "FROM src.api_calls c LEFT JOIN temp.run_map rm ON rm.src = c.run_id ORDER BY c.id");
        summary_.api_calls += out_.changes();
        out_.exec("INSERT INTO main.train_metrics (run_id, series, step, wall_time_s, name, value) "
                  "SELECT rm.dst, t.series, t.step, t.wall_time_s, t.name, t.value "
                  "FROM src.train_metrics t JOIN temp.run_map rm ON rm.src = t.run_id ORDER BY t.id");
        summary_.train_metrics += out_.changes();
        out_.exec("INSERT INTO main.response_cache (key, provider, model_id, http_status, body, headers_json, "
                  "created_at_ms) SELECT key, provider, model_id, http_status, body, headers_json, created_at_ms "
                  "FROM src.response_cache WHERE true ON CONFLICT(key) DO NOTHING");
        summary_.cache_entries += out_.changes();
        out_.exec("INSERT INTO main.batch_jobs (batch_id, run_id, provider, solver, status, input_file_id, "
                  "output_file_id, custom_ids_json, created_at_ms, updated_at_ms, collected) "
                  "SELECT b.batch_id, rm.dst, b.provider, b.solver, b.status, b.input_file_id, b.output_file_id, "
                  "b.custom_ids_json, b.created_at_ms, b.updated_at_ms, b.collected "
                  "FROM src.batch_jobs b LEFT JOIN temp.run_map rm ON rm.src = b.run_id WHERE true "
                  "ON CONFLICT(batch_id) DO UPDATE SET status = excluded.status, "
                  "output_file_id = excluded.output_file_id, updated_at_ms = excluded.updated_at_ms, "
                  "collected = max(collected, excluded.collected) "
                  "WHERE excluded.updated_at_ms > batch_jobs.updated_at_ms OR excluded.collected > batch_jobs.collected");
        summary_.batch_jobs += out_.changes();
    }

    const MergeOptions & o_;
    sql::Database & out_;
    std::map<std::string, MergedRun> runs_;
    fs::path first_input_;
    std::set<std::string> hashes_;
    MergeSummary summary_;
};

void check_paths(const MergeOptions & o) {
    if (o.inputs.empty()) throw UsageError("merge: no input databases");
    if (o.output.empty()) throw UsageError("merge: no output database (-o)");
    std::error_code ec;
    fs::path out = fs::weakly_canonical(o.output, ec);
    std::set<fs::path> seen;
    for (const auto & in : o.inputs) {
        if (!fs::is_regular_file(in)) throw UsageError("merge: input " + in.string() + " does not exist or is not a file");
        fs::path canon = fs::weakly_canonical(in, ec);
        if (canon == out) throw UsageError("merge: the output " + o.output.string() + " is also an input");
        if (!seen.insert(canon).second) throw UsageError("merge: input " + in.string() + " is given twice");
    }
    if (fs::exists(o.output) && !o.force)
        throw UsageError("merge: output " + o.output.string() + " exists (use --force to replace it)");
}

}  // namespace

MergeSummary merge_databases(const MergeOptions & o) {
    check_paths(o);
    TempOutput tmp(o.output);
    MergeSummary summary;
    {
        results::ConnectionOptions co;
        auto out = results::open_results_db(tmp.path(), co);
        Merger merger(o, *out);
        Progress progress("merge", static_cast<int64_t>(o.inputs.size()));
        progress.set_quiet(o.quiet);
        for (const auto & in : o.inputs) {
            merger.add(in);  // errors name the input already; their types (exit codes) are kept
            progress.add(1);
        }
        merger.finish();
        progress.finish();
        std::string integrity = results::check_integrity(*out);
        if (integrity != "ok") throw IoError("merge: the merged database failed its integrity check:\n" + integrity);
        // One self-contained file: no -wal beside it when it is renamed into place.
        out->query_text("PRAGMA journal_mode = DELETE");
        summary = merger.summary();
    }
    fsync_path(tmp.path(), false);
    if (fs::exists(o.output) && !o.force)
        throw UsageError("merge: output " + o.output.string() + " appeared while merging (use --force to replace it)");
    // A stale -wal/-shm of a replaced database would be replayed onto the new file.
    std::error_code ec;
    fs::remove(o.output.string() + "-wal", ec);
    fs::remove(o.output.string() + "-shm", ec);
    if (std::rename(tmp.path().c_str(), o.output.c_str()) != 0)
        throw IoError("merge: cannot rename " + tmp.path().string() + " to " + o.output.string() + ": " +
                      std::strerror(errno));
    tmp.keep();
    fsync_path(o.output.has_parent_path() ? o.output.parent_path() : fs::path("."), true);
    return summary;
}

}  // namespace trmbench
