#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "strata/sql.hpp"
#include "strata/telemetry.hpp"

namespace strata {
namespace {

TEST(sql_lane, classifies_statements_and_finds_tables) {
    const plan p = sql("SELECT u.name FROM main.users u JOIN \"Teams\" t ON t.id = u.team WHERE u.id = ?", 1);
    EXPECT_EQ(p.meta().kind, statement_kind::read);
    EXPECT_EQ(p.meta().tables, (std::vector<std::string>{"Teams", "users"}));
    EXPECT_FALSE(p.meta().has_limit);
    EXPECT_EQ(sql("INSERT INTO t(a) VALUES (?) RETURNING a", 1).meta().kind, statement_kind::write);
    EXPECT_TRUE(sql("INSERT INTO t(a) VALUES (?) RETURNING a", 1).meta().returning);
    EXPECT_EQ(sql("UPDATE t SET a = 1").meta().tables, std::vector<std::string>{"t"});
    EXPECT_EQ(sql("WITH x AS (SELECT 1) SELECT * FROM x").meta().kind, statement_kind::unknown);
    EXPECT_TRUE(sql("select * from t limit 3").meta().has_limit);
    EXPECT_TRUE(sql("SELECT (SELECT 1 FROM a) FROM b").meta().tables.size() == 2);
}

TEST(sql_lane, placeholders_inside_quotes_and_comments_do_not_count) {
    EXPECT_EQ(sql_template("SELECT '?', \"?\", ? -- ?\n /* ? */").placeholders(), 1u);
    EXPECT_EQ(sql_template("SELECT $$ ? ; $$, ?").placeholders(), 1u);
    EXPECT_EQ(sql_template("SELECT 'it''s ?', ?").placeholders(), 1u);
}

TEST(sql_lane, one_statement_per_plan) {
    EXPECT_STRATA_ERROR(sql_template("SELECT 1; SELECT 2"), "PLAN.MULTIPLE_STATEMENTS");
    EXPECT_STRATA_ERROR(sql_template("SELECT 1;/* c */ DELETE FROM t"), "PLAN.MULTIPLE_STATEMENTS");
    EXPECT_NO_THROW(sql_template("SELECT 1;  -- trailing comment\n ;"));
    EXPECT_NO_THROW(sql_template("SELECT 'a;b', $tag$ ; $tag$"));
    EXPECT_STRATA_ERROR(sql_template(""), "PLAN.EMPTY");
    EXPECT_STRATA_ERROR(sql_template("SELECT ?1, ?1"), "PLAN.UNSUPPORTED_PLACEHOLDER");
    EXPECT_STRATA_ERROR(sql_template(" ; ; "), "PLAN.EMPTY");
}

TEST(sql_lane, templates_bind_many_times_and_check_counts) {
    const sql_template t("INSERT INTO t(a, b) VALUES (?, ?)");
    const plan p1 = t.bind(1, "x");
    const plan p2 = t.bind(2, std::optional<int>{});
    EXPECT_EQ(p1.text(), p2.text());  // shared, not copied
    EXPECT_EQ(p2.params()[1], value{});
    EXPECT_STRATA_ERROR(t.bind(1), "PLAN.PARAM_COUNT_MISMATCH");
    EXPECT_STRATA_ERROR(t.bind(std::uint64_t{~0ULL}, 1), "RUNTIME.INVALID_ARGUMENT");
}

TEST(sql_lane, plans_are_immutable_values) {
    const plan p = sql("SELECT * FROM a");
    const plan q = p.with_tables({"b"}).with_kind(statement_kind::write);
    EXPECT_EQ(p.meta().tables, std::vector<std::string>{"a"});
    EXPECT_EQ(p.meta().kind, statement_kind::read);
    EXPECT_EQ(q.meta().tables, std::vector<std::string>{"b"});
    EXPECT_EQ(q.sql(), p.sql());
}

TEST(sql_lane, placeholders_are_numbered_for_dialects_that_need_it) {
    EXPECT_EQ(number_placeholders("SELECT ?, '?', \"?\" -- ?\n, ? /* ? */", "$"),
              "SELECT $1, '?', \"?\" -- ?\n, $2 /* ? */");
    EXPECT_EQ(number_placeholders("SELECT 1", "$"), "SELECT 1");
    // A number never merges with a word or a '.' it touches (fuzz finding F1: `LIMIT?`
    // became the identifier `LIMIT$1`, `?e` the number `$1e`).
    EXPECT_EQ(number_placeholders("SELECT x FROM t LIMIT?", "$"), "SELECT x FROM t LIMIT $1");
    EXPECT_EQ(number_placeholders("SELECT ?e, ?.5, (?)", "$"), "SELECT $1 e, $2 .5, ($3)");
}

TEST(telemetry_fingerprint, literals_and_whitespace_fold) {
    EXPECT_EQ(normalize_sql("SELECT  *\nFROM Users WHERE id = 42 AND name = 'bob'"),
              "select * from users where id = ? and name = ?");
    EXPECT_EQ(normalize_sql("select * from users where id = ? and name = ?"),
              normalize_sql("SELECT * FROM users WHERE id=7 AND name='x'"));
    EXPECT_EQ(fingerprint_hash("a"), fingerprint_hash("a"));
    EXPECT_NE(fingerprint_hash("a"), fingerprint_hash("b"));
}

}  // namespace
}  // namespace strata
