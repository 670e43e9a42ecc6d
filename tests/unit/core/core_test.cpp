// Core types and utilities: SHA-256 vectors, the deterministic RNG, grids, outcomes, atomic writes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/grid.h"
#include "harness/core/paths.h"
#include "harness/core/prediction.h"
#include "harness/core/rng.h"
#include "harness/core/sha256.h"
#include "harness/core/strings.h"
#include "harness/core/task.h"
#include "tests/support/scoped_env.h"
#include "tests/support/test_support.h"

using namespace trmbench;

TEST_CASE("sha256 matches FIPS 180-4 test vectors", "[core]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    std::string million(1000000, 'a');
    CHECK(sha256_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    // Streaming in odd pieces gives the same digest as one shot.
    Sha256 h;
    for (size_t i = 0; i < million.size(); i += 997) h.update(std::string_view(million).substr(i, 997));
    CHECK(h.hex_digest() == sha256_hex(million));
}

TEST_CASE("sha256 gives the same digests with and without the CPU's SHA extensions", "[core]") {
    // Both paths pass the FIPS vectors above (the accelerated one wherever the CPU has it); here
    // every length around the block and padding boundaries, and streamed pieces that leave
    // partial blocks buffered between calls, must agree between the two.
    Rng rng(7);
    std::string data(70000, '\0');
    for (char & c : data) c = static_cast<char>(rng.uniform(0, 255));
    auto digests = [&](bool portable) {
        const test::ScopedEnv path("TRMBENCH_SHA256_PORTABLE",
                                   portable ? std::optional<std::string>("1") : std::nullopt);
        std::vector<std::string> out;
        for (size_t n = 0; n <= 300; ++n) out.push_back(sha256_hex(std::string_view(data).substr(0, n)));
        for (size_t piece : {1u, 63u, 64u, 65u, 1000u, 4096u}) {
            Sha256 h;
            for (size_t i = 0; i < data.size(); i += piece) h.update(std::string_view(data).substr(i, piece));
            out.push_back(h.hex_digest());
        }
        return out;
    };
    const std::vector<std::string> portable = digests(true);
    const std::vector<std::string> fast = digests(false);
    REQUIRE(portable.size() == fast.size());
    for (size_t i = 0; i < portable.size(); ++i) {
        INFO("case " << i);
        CHECK(fast[i] == portable[i]);
    }
    CHECK(portable[0] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    std::set<std::string> distinct(portable.begin(), portable.begin() + 301);
    CHECK(distinct.size() == 301);
}

TEST_CASE("sha256_tree hashes files and directories deterministically", "[core]") {
    test::TempDir d;
    test::write_text(d / "a/x.json", "1");
    test::write_text(d / "b.json", "2");
    std::string h1 = sha256_tree(d.path());
    CHECK(h1.size() == 64);
    CHECK(sha256_tree(d / "b.json") == sha256_hex("2"));
    test::write_text(d / "a/x.json", "3");
    CHECK(sha256_tree(d.path()) != h1);
    CHECK_THROWS_AS(sha256_file(d / "missing"), IoError);
}

TEST_CASE("Rng is deterministic and uniform enough", "[core]") {
    Rng a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        uint64_t x = a.next();
        CHECK(x == b.next());
        (void)c;
    }
    Rng r(7);
    int counts[6] = {};
    for (int i = 0; i < 60000; ++i) {
        int64_t v = r.uniform(1, 6);
        REQUIRE(v >= 1);
        REQUIRE(v <= 6);
        counts[v - 1]++;
    }
    for (int k : counts) CHECK(std::abs(k - 10000) < 500);
    std::vector<int> v{1, 2, 3, 4, 5, 6, 7, 8};
    Rng s1(1), s2(1);
    auto v1 = v, v2 = v;
    s1.shuffle(v1);
    s2.shuffle(v2);
    CHECK(v1 == v2);
    CHECK(std::multiset<int>(v1.begin(), v1.end()) == std::multiset<int>(v.begin(), v.end()));
    CHECK(derive_seed(1, 2) != derive_seed(1, 3));
    CHECK(derive_seed(1, 2) == derive_seed(1, 2));
    double u = Rng(3).unit();
    CHECK(u >= 0.0);
    CHECK(u < 1.0);
}

TEST_CASE("Grid equality and renderings", "[core]") {
    Grid g(2, 3);
    g.at(0, 1) = 5;
    g.at(1, 2) = 9;
    CHECK(to_digit_rows(g) == "050\n009");
    CHECK(to_json_rows(g) == "[[0,5,0],[0,0,9]]");
    Grid h = g;
    CHECK(h == g);
    h.at(0, 0) = 1;
    CHECK_FALSE(h == g);
    CHECK_FALSE(Grid(2, 3) == Grid(3, 2));
}

TEST_CASE("outcome names round-trip", "[core]") {
    for (Outcome o : {Outcome::ok, Outcome::parse_error, Outcome::truncated, Outcome::refused, Outcome::rate_limited,
                      Outcome::quota_exhausted, Outcome::http_error, Outcome::timeout, Outcome::error, Outcome::skipped,
                      Outcome::overloaded}) {
        Outcome back = Outcome::ok;
        REQUIRE(parse_outcome(outcome_name(o), back));
        CHECK(back == o);
    }
    Outcome x;
    CHECK_FALSE(parse_outcome("nonsense", x));
}

TEST_CASE("write_file_atomic replaces whole files and leaves no temporaries", "[core]") {
    test::TempDir d;
    auto p = d / "sub/out.txt";
    write_file_atomic(p, "first");
    CHECK(read_file(p) == "first");
    write_file_atomic(p, "second");
    CHECK(read_file(p) == "second");
    int n = 0;
    for (auto & e : std::filesystem::directory_iterator(d / "sub")) (void)e, ++n;
    CHECK(n == 1);
    CHECK_THROWS_AS(read_file(d / "nope"), IoError);
    CHECK_THROWS_AS(write_file_atomic("/proc/definitely/not/writable", "x"), IoError);
}

TEST_CASE("rethrow_with_context keeps the exit code and prepends context", "[core]") {
    try {
        try {
            throw InputError("line 3: bad cell");
        } catch (...) {
            rethrow_with_context("loading a.csv");
        }
    } catch (const Error & e) {
        CHECK(std::string(e.what()) == "loading a.csv: line 3: bad cell");
        CHECK(e.exit_code() == kExitInput);
    }
}

TEST_CASE("string helpers", "[core]") {
    CHECK(trim("  a b \n") == "a b");
    CHECK(split("a,b,,c", ',').size() == 4);
    CHECK(format_thousands(5028866) == "5,028,866");
    CHECK(format_thousands(-1234) == "-1,234");
    CHECK(format_duration(5.25) == "5.2s");
    CHECK(format_duration(125) == "2m05s");
    CHECK(format_duration(3725) == "1h02m");
    PromptTemplate t{"x", "1", "hello {a}"};
    CHECK(t.hash() == sha256_hex("x\n1\nhello {a}"));
}
