// Constraint and SQL failures map to the same codes and SQLSTATEs on every driver, and a
// failed statement writes nothing.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class errors : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;  // no PostgreSQL cluster: the test is already marked
        const sql_types& t = GetParam().types;
        exec("CREATE TABLE teams(id " + t.integer + " PRIMARY KEY, name " + t.text + " NOT NULL UNIQUE)");
        exec("CREATE TABLE members(id " + t.integer + " PRIMARY KEY, team_id " + t.integer +
             " NOT NULL REFERENCES teams(id), age " + t.integer + " CONSTRAINT age_positive CHECK (age > 0))");
        db().execute(sql("INSERT INTO teams(id, name) VALUES (?, ?)", 1, "red")).drain();
    }
    strata::error failure(const strata::plan& p) {
        auto e = catch_error([&] { db().execute(p).drain(); });
        if (!e) throw std::runtime_error("expected a failure");
        return *e;
    }
};

TEST_P(errors, unique_violation_is_23505_with_table_and_column) {
    const auto e = failure(sql("INSERT INTO teams(id, name) VALUES (?, ?)", 2, "red"));
    EXPECT_EQ(e.code(), "QUERY.CONSTRAINT_VIOLATION");
    EXPECT_EQ(e.category(), error_category::query);
    ASSERT_TRUE(e.sql());
    EXPECT_EQ(e.sql()->sqlstate, "23505");
    EXPECT_EQ(e.sql()->table, "teams");
    EXPECT_EQ(e.sql()->column, "name");
    EXPECT_FALSE(e.transient());
    EXPECT_EQ(count("teams"), 1);
}

TEST_P(errors, primary_key_violation_is_23505) {
    const auto e = failure(sql("INSERT INTO teams(id, name) VALUES (?, ?)", 1, "blue"));
    ASSERT_TRUE(e.sql());
    EXPECT_EQ(e.sql()->sqlstate, "23505");
    EXPECT_EQ(count("teams"), 1);
}

TEST_P(errors, foreign_key_violation_is_23503) {
    const auto e = failure(sql("INSERT INTO members(id, team_id, age) VALUES (?, ?, ?)", 1, 99, 30));
    EXPECT_EQ(e.code(), "QUERY.CONSTRAINT_VIOLATION");
    ASSERT_TRUE(e.sql());
    EXPECT_EQ(e.sql()->sqlstate, "23503");
    EXPECT_EQ(count("members"), 0);
}

TEST_P(errors, not_null_violation_is_23502_with_column) {
    const auto e = failure(sql("INSERT INTO teams(id, name) VALUES (?, ?)", 3, strata::null));
    ASSERT_TRUE(e.sql());
    EXPECT_EQ(e.sql()->sqlstate, "23502");
    EXPECT_EQ(e.sql()->column, "name");
    EXPECT_EQ(count("teams"), 1);
}

TEST_P(errors, check_violation_is_23514_with_constraint) {
    const auto e = failure(sql("INSERT INTO members(id, team_id, age) VALUES (?, ?, ?)", 1, 1, -5));
    ASSERT_TRUE(e.sql());
    EXPECT_EQ(e.sql()->sqlstate, "23514");
    EXPECT_NE(e.sql()->constraint.find("age"), std::string::npos) << e.sql()->constraint;
    EXPECT_EQ(count("members"), 0);
}

TEST_P(errors, a_failing_multi_row_statement_writes_nothing) {
    const auto e = failure(sql("INSERT INTO teams(id, name) VALUES (?, ?), (?, ?), (?, ?)", 10, "a", 11, "b", 12, "red"));
    EXPECT_EQ(e.sql()->sqlstate, "23505");
    EXPECT_EQ(count("teams"), 1);
}

TEST_P(errors, syntax_errors_and_missing_objects) {
    auto e = failure(sql("SELEC 1"));
    EXPECT_EQ(e.code(), "QUERY.SYNTAX_ERROR");
    EXPECT_EQ(e.sql()->sqlstate, "42601");
    e = failure(sql("SELECT * FROM no_such_table"));
    EXPECT_EQ(e.sql()->sqlstate, "42P01");
    EXPECT_EQ(e.sql()->table, "no_such_table");
    e = failure(sql("SELECT no_such_column FROM teams"));
    EXPECT_EQ(e.sql()->sqlstate, "42703");
}

TEST_P(errors, errors_name_a_fix_and_carry_a_source_location) {
    const auto e = failure(sql("INSERT INTO teams(id, name) VALUES (?, ?)", 2, "red"));
    EXPECT_NE(std::string(e.what()).find("QUERY.CONSTRAINT_VIOLATION"), std::string::npos);
    EXPECT_GT(e.message().size(), 20u);
    EXPECT_NE(std::string(e.where().file_name()), "");
}

TEST_P(errors, multiple_statements_are_rejected_before_reaching_the_database) {
    EXPECT_STRATA_ERROR(sql("INSERT INTO teams(id, name) VALUES (5, 'x'); DROP TABLE teams"),
                        "PLAN.MULTIPLE_STATEMENTS");
    EXPECT_EQ(count("teams"), 1);
    // a `;` inside a string or comment is not a separator
    db().execute(sql("INSERT INTO teams(id, name) VALUES (?, 'a;b') -- trailing; comment", 6)).drain();
    EXPECT_EQ(db().execute(sql("SELECT name FROM teams WHERE id = 6")).one_as<std::string>(), "a;b");
}

TEST_P(errors, parameter_count_mismatch) {
    EXPECT_STRATA_ERROR(sql("SELECT ? + ?", 1), "PLAN.PARAM_COUNT_MISMATCH");
    EXPECT_STRATA_ERROR(sql("SELECT 1", 1), "PLAN.PARAM_COUNT_MISMATCH");
    EXPECT_STRATA_ERROR(sql("   -- nothing\n"), "PLAN.EMPTY");
}

TEST_P(errors, values_are_bound_never_spliced) {
    const std::string hostile = "x'); DROP TABLE teams; --";
    db().execute(sql("INSERT INTO teams(id, name) VALUES (?, ?)", 7, hostile)).drain();
    EXPECT_EQ(db().execute(sql("SELECT name FROM teams WHERE id = ?", 7)).one_as<std::string>(), hostile);
    EXPECT_EQ(count("teams"), 2);
}

STRATA_CONFORMANCE_SUITE(errors);

}  // namespace
}  // namespace strata::test
