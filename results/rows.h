// Row <-> struct mapping shared by the store, the reader and merge (internal to results/).
// Column lists are built from constant names only (AttemptRecord::fields() and the lists below).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/solver.h"
#include "results/records.h"
#include "results/sqlite.h"

namespace trmbench::results {

int64_t now_ms();

// runs
extern const char * const kRunColumns;  // in the order read_run() expects
RunInfo read_run(sql::Statement & st, int first_col = 0);
std::optional<RunInfo> load_run(sql::Database & db, RunId id);
// Inserts every column of `r` (status and times as given); returns the new id.
RunId insert_run(sql::Database & db, const RunInfo & r);
std::vector<RunInfo> load_runs(sql::Database & db);

// solvers
extern const char * const kSolverColumns;
SolverInfo read_solver(sql::Statement & st, int first_col = 0);
std::vector<SolverInfo> load_solvers(sql::Database & db, RunId run);

// items
extern const char * const kItemColumns;
ItemRecord read_item(sql::Statement & st, int first_col = 0);
void bind_item(sql::Statement & st, int first_param, const ItemRecord & it);

// attempts: the stored (non-key) fields of AttemptRecord::fields(). The bulky ones (texts, usage
// JSON, steps) live in attempt_details, the rest in attempts.
inline constexpr size_t kAttemptKeyFields = 6;
std::vector<std::string> attempt_data_columns();    // all, in fields() order
std::vector<std::string> attempt_main_columns();    // those in attempts
std::vector<std::string> attempt_detail_columns();  // those in attempt_details
bool is_detail_column(std::string_view name);
// "c1, c2, ..." with an optional table prefix ("a.c1, a.c2").
std::string column_list(const std::vector<std::string> & columns, const std::string & prefix = "");
// The join that brings attempt_details `d` next to attempts `a`.
inline constexpr const char * kDetailsJoin = " LEFT JOIN attempt_details d ON d.attempt_id = a.id";
// SELECT list that yields every AttemptRecord field in fields() order from attempts `a` (+ details
// `d`, see kDetailsJoin), solvers `s` and items `i`. With `with_text` false, raw/reasoning text and
// usage JSON come back empty and with `with_steps` false so do the steps (no join needed when both
// are false). `single_table`: every column from `a` (superseded_attempts).
std::string attempt_select_list(bool with_text = true, bool with_steps = true, bool single_table = false);
// Reads the fields of attempt_select_list() starting at `first_col`.
AttemptRecord read_attempt(sql::Statement & st, int first_col = 0);

// Outcomes that count as done for a resume policy.
bool outcome_done(Outcome o, bool retry_failures);

}  // namespace trmbench::results
