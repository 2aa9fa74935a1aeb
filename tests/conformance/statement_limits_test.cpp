// Every driver reports how much one statement may hold (capabilities::limits), the same
// on the runtime, in a transaction and on an unbound runtime, and the numbers are true: a
// statement with max_parameters parameters runs, one with more fails with a coded error
// and leaves the runtime usable. Callers chunk IN lists and multi-row inserts by them.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class statement_limits_report : public conformance {
protected:
    // "SELECT CASE WHEN ? IN (?, ..., ?) ...": n parameters in all; only the last one of
    // the list equals the first, so a 1 says the server saw every one of them. (An IN list
    // is planned in linear time on both databases; a VALUES list of 32,766 rows took
    // SQLite minutes.)
    static plan many_parameters(std::size_t n) {
        std::string text = "SELECT CASE WHEN ? IN (";
        std::vector<value> params;
        params.reserve(n);
        params.emplace_back(std::int64_t{-1});
        for (std::size_t i = 1; i < n; ++i) {
            text += i == 1 ? "?" : ", ?";
            params.emplace_back(i + 1 == n ? std::int64_t{-1} : static_cast<std::int64_t>(i));
        }
        text += ") THEN 1 ELSE 0 END";
        return sql_plan(std::move(text), std::move(params));
    }
};

TEST_P(statement_limits_report, limits_are_known_everywhere) {
    const statement_limits l = db().caps().limits;
    EXPECT_GT(l.max_parameters, 0u);
    EXPECT_GT(l.max_sql_length, 0u);
    EXPECT_GT(l.max_value_length, 0u);
    db().transaction([&](tx& t) {
        const statement_limits in_tx = t.caps().limits;
        EXPECT_EQ(in_tx.max_parameters, l.max_parameters);
        EXPECT_EQ(in_tx.max_sql_length, l.max_sql_length);
        EXPECT_EQ(in_tx.max_value_length, l.max_value_length);
    });
    // Before connect: what a fresh connection of this driver would report.
    runtime unbound = instantiate(GetParam().make_stack({}));
    EXPECT_EQ(unbound.caps().limits.max_parameters, l.max_parameters);
}

TEST_P(statement_limits_report, max_parameters_is_the_true_limit) {
    const std::size_t n = db().caps().limits.max_parameters;
    ASSERT_GT(n, 0u);
    ASSERT_LE(n, 1'000'000u);
    EXPECT_EQ(db().execute(many_parameters(n)).one_as<std::int64_t>(), 1);
    // Twice: the second run of a statement may take another path (a prepared statement).
    EXPECT_EQ(db().execute(many_parameters(n)).one_as<std::int64_t>(), 1);
    const auto e = catch_error([&] { db().execute(many_parameters(n + 1)).drain(); });
    ASSERT_TRUE(e.has_value()) << "a statement with " << n + 1 << " parameters ran";
    EXPECT_FALSE(e->code().empty());
    EXPECT_EQ(db().execute(sql("SELECT 1")).one_as<std::int64_t>(), 1);
}

STRATA_CONFORMANCE_SUITE(statement_limits_report);

}  // namespace
}  // namespace strata::test
