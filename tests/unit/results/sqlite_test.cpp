// The RAII SQLite layer: transactions commit once and roll back in their destructor, values go
// through bound parameters only (hostile text is stored literally), and errors name the file, the
// SQL and SQLite's code.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "results/sqlite.h"
#include "tests/support/test_support.h"

using namespace trmbench;

TEST_CASE("Transaction commits once and rolls back when destroyed uncommitted", "[results]") {
    test::TempDir dir;
    sql::Database db(dir / "t.db", {});
    db.exec("CREATE TABLE t (x TEXT)");
    {
        sql::Transaction tx(db);
        sql::Statement st(db, "INSERT INTO t VALUES (?)");
        st.bind(1, "kept").run();
        tx.commit();
        CHECK_THROWS_AS(tx.commit(), Error);
    }
    {
        sql::Transaction tx(db);
        sql::Statement(db, "INSERT INTO t VALUES ('dropped')").run();
    }  // no commit: rolled back
    try {
        sql::Transaction tx(db);
        sql::Statement(db, "INSERT INTO t VALUES ('dropped too')").run();
        throw std::runtime_error("boom");
    } catch (const std::runtime_error &) {
    }
    CHECK(db.query_int("SELECT count(*) FROM t").value() == 1);
    CHECK(db.query_text("SELECT x FROM t").value() == "kept");
}

TEST_CASE("bound parameters store hostile text literally", "[results]") {
    test::TempDir dir;
    sql::Database db(dir / "b.db", {});
    db.exec("CREATE TABLE t (x TEXT, y INTEGER, z REAL, w BLOB)");
    std::string evil = "'); DROP TABLE t; --\n\"\\ %s ? ?1 :x @y $z";
    sql::Statement ins(db, "INSERT INTO t VALUES (?, ?, ?, ?)");
    ins.bind_all(evil, int64_t(-5), 2.5).bind_blob(4, std::string("\0\x01", 2));
    ins.run();
    ins.bind(1, std::optional<std::string>()).bind(2, std::optional<int64_t>(7)).bind_null(3).bind_null(4);
    ins.run();
    sql::Statement sel(db, "SELECT x, y, z, w FROM t ORDER BY rowid");
    REQUIRE(sel.step());
    CHECK(sel.get_text(0) == evil);
    CHECK(sel.get_int(1) == -5);
    CHECK(sel.get_double(2) == 2.5);
    CHECK(sel.get_text(3) == std::string("\0\x01", 2));
    REQUIRE(sel.step());
    CHECK(sel.is_null(0));
    CHECK_FALSE(sel.get_opt_text(0).has_value());
    CHECK(sel.get_opt_int(1) == 7);
    CHECK_FALSE(sel.step());
    CHECK(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 't'").value() == 1);
}

TEST_CASE("errors name the database, the SQL and SQLite's code", "[results]") {
    test::TempDir dir;
    auto path = dir / "e.db";
    sql::Database db(path, {});
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)");
    sql::Statement(db, "INSERT INTO t VALUES (1)").run();
    try {
        sql::Statement(db, "INSERT INTO t VALUES (1)").run();
        FAIL("no constraint error");
    } catch (const sql::DbError & e) {
        CHECK(e.primary_code() == SQLITE_CONSTRAINT);
        CHECK(e.exit_code() == kExitIo);
        CHECK_THAT(e.what(), Catch::Contains(path.string()) && Catch::Contains("INSERT INTO t VALUES (1)") &&
                                 Catch::Contains("UNIQUE"));
    }
    CHECK_THROWS_WITH(sql::Statement(db, "SELEKT 1"), Catch::Contains("preparing SELEKT 1") && Catch::Contains("syntax"));
    CHECK_THROWS_WITH(sql::Statement(db, "SELECT ?").bind(3, int64_t(1)), Catch::Contains("parameter 3"));
    CHECK_THROWS_WITH(sql::Database(dir / "no/such/dir/x.db", {}), Catch::Contains("no/such/dir/x.db") &&
                                                                     Catch::Contains("cannot open"));
    CHECK(sql::sql_context("\n  SELECT a,\n b FROM t") == "SELECT a, ...");
}

TEST_CASE("file_uri escapes every special character of a path", "[results]") {
    CHECK(sql::file_uri("/tmp/a b?c#d%e.db", "mode=ro") == "file:/tmp/a%20b%3Fc%23d%25e.db?mode=ro");
    test::TempDir dir;
    auto odd = dir / "we?ird #name%.db";
    { sql::Database db(odd, {}); db.exec("CREATE TABLE t (x)"); }
    sql::Database ro(odd, {sql::OpenMode::read_only_immutable, 100, ""});
    CHECK(ro.query_int("SELECT count(*) FROM t").value() == 0);
    CHECK(ro.read_only());
}
