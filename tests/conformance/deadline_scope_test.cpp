// strata::deadline_scope: one ambient deadline bounds every statement, transaction and
// atomic unit started on the thread, and nests by taking the earlier deadline.
#include <gtest/gtest.h>

#include <thread>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class deadline_scopes : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;
        exec("CREATE TABLE t(id " + types().integer + " PRIMARY KEY)");
    }
    static plan endless() {
        return sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT MAX(x) FROM c");
    }
};

TEST_P(deadline_scopes, a_statement_started_in_the_scope_ends_by_its_deadline) {
    const auto started = clock::now();
    {
        deadline_scope scope(std::chrono::milliseconds(100));
        auto e = catch_error([&] { db().execute(endless()).drain(); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
        EXPECT_EQ(e->details().at("reason"), "deadline");
    }
    EXPECT_LT(clock::now() - started, std::chrono::seconds(5));
    EXPECT_FALSE(deadline_scope::current());  // the scope is gone with its guard
    EXPECT_EQ(db().execute(sql("SELECT 5")).one_as<int>(), 5);
}

TEST_P(deadline_scopes, a_transaction_and_a_unit_are_bounded_and_leave_nothing) {
    {
        deadline_scope scope(std::chrono::milliseconds(100));
        auto e = catch_error([&] {
            db().transaction([&](tx& t) {
                t.execute(sql("INSERT INTO t(id) VALUES (1)")).drain();
                t.execute(endless()).drain();
            });
        });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_TIMEOUT");
    }
    EXPECT_EQ(count("t"), 0);
    {
        deadline_scope scope(std::chrono::milliseconds(100));
        auto e = catch_error([&] { (void)run_atomic_writes(db(), {sql("INSERT INTO t(id) VALUES (2)"), endless()}); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
        EXPECT_EQ(e->details().at("applied"), "none");
    }
    EXPECT_EQ(count("t"), 0);
}

TEST_P(deadline_scopes, scopes_nest_and_only_shorten) {
    EXPECT_FALSE(deadline_scope::current());
    const auto outer_end = clock::now() + std::chrono::seconds(60);
    deadline_scope outer(outer_end);
    EXPECT_EQ(deadline_scope::current(), outer_end);
    {
        deadline_scope longer(std::chrono::hours(1));  // cannot extend the outer one
        EXPECT_EQ(deadline_scope::current(), outer_end);
        deadline_scope shorter(std::chrono::milliseconds(50));
        EXPECT_LT(*deadline_scope::current(), outer_end);
        EXPECT_STRATA_ERROR(db().execute(endless()).drain(), "RUNTIME.ABORTED");
    }
    EXPECT_EQ(deadline_scope::current(), outer_end);
    // an explicit, sooner timeout still wins inside a scope
    EXPECT_STRATA_ERROR(db().execute(endless(), {.timeout = std::chrono::milliseconds(50)}).drain(), "RUNTIME.ABORTED");
    // another thread has no scope
    std::optional<clock::time_point> seen = clock::now();
    std::thread([&] { seen = deadline_scope::current(); }).join();
    EXPECT_FALSE(seen);
}

TEST_P(deadline_scopes, an_expired_scope_never_reaches_the_database) {
    deadline_scope scope(clock::now());
    EXPECT_STRATA_ERROR(db().execute(sql("INSERT INTO t(id) VALUES (3)")).drain(), "RUNTIME.ABORTED");
    EXPECT_ANY_THROW(db().transaction([&](tx& t) { t.execute(sql("INSERT INTO t(id) VALUES (4)")).drain(); }));
}

STRATA_CONFORMANCE_SUITE(deadline_scopes);

}  // namespace
}  // namespace strata::test
