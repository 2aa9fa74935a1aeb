// db.transaction(fn): commit on return, rollback on throw, values returned, streams
// invalidated after the end, savepoints, access modes.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class transactions : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;  // no PostgreSQL cluster: the test is already marked
        exec("CREATE TABLE accounts(id " + types().integer + " PRIMARY KEY, balance " + types().integer +
             " NOT NULL)");
    }
    void deposit(const tx& t, int id, int amount) {
        t.execute(sql("INSERT INTO accounts(id, balance) VALUES (?, ?)", id, amount)).drain();
    }
};

TEST_P(transactions, return_commits_and_yields_the_value) {
    const int total = db().transaction([&](tx& t) {
        deposit(t, 1, 100);
        deposit(t, 2, 50);
        return t.execute(sql("SELECT SUM(balance) FROM accounts")).one_as<int>();
    });
    EXPECT_EQ(total, 150);
    EXPECT_EQ(count("accounts"), 2);
}

TEST_P(transactions, throw_rolls_back_and_rethrows_the_original) {
    struct boom : std::runtime_error {
        boom() : std::runtime_error("boom") {}
    };
    EXPECT_THROW(db().transaction([&](tx& t) {
        deposit(t, 1, 100);
        throw boom();
    }),
                 boom);
    EXPECT_EQ(count("accounts"), 0);
    // a database error inside fn comes back unchanged too
    auto e = catch_error([&] {
        db().transaction([&](tx& t) {
            deposit(t, 1, 100);
            deposit(t, 1, 100);  // duplicate key
        });
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "QUERY.CONSTRAINT_VIOLATION");
    EXPECT_EQ(count("accounts"), 0);
}

TEST_P(transactions, a_returned_stream_is_drained_before_commit) {
    db().transaction([&](tx& t) { deposit(t, 1, 10), deposit(t, 2, 20); });
    const std::vector<row> rows =
        db().transaction([&](tx& t) { return t.execute(sql("SELECT id FROM accounts ORDER BY id")); });
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].get<int>(0), 2);
}

TEST_P(transactions, a_stream_read_after_the_end_fails_on_every_pull) {
    db().transaction([&](tx& t) {
        for (int i = 1; i <= 5; ++i) deposit(t, i, i);
    });
    std::optional<result_stream> escaped;
    std::optional<result_stream::iterator> paused;
    db().transaction([&](tx& t) {
        escaped.emplace(t.execute(sql("SELECT id FROM accounts ORDER BY id")));
        paused = escaped->begin();
        EXPECT_EQ((*paused)->get<int>(0), 1);  // read one row inside, then leave
    });
    auto e = catch_error([&] { ++*paused; });  // resumed after commit
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_CLOSED");
    EXPECT_NE(e->message().find("inside the transaction callback"), std::string::npos);
    EXPECT_STRATA_ERROR(++*paused, "RUNTIME.TRANSACTION_CLOSED");  // and again
    // a stream never started inside fn fails the same way
    std::optional<result_stream> unread;
    db().transaction([&](tx& t) { unread.emplace(t.execute(sql("SELECT id FROM accounts"))); });
    EXPECT_STRATA_ERROR(unread->all(), "RUNTIME.TRANSACTION_CLOSED");
    // the connection was not left busy by the escaped streams
    db().transaction([&](tx& t) { deposit(t, 6, 6); });
    EXPECT_EQ(count("accounts"), 6);
}

TEST_P(transactions, tx_itself_is_unusable_after_the_end) {
    std::optional<tx> kept;
    db().transaction([&](tx& t) { kept.emplace(t); });
    EXPECT_FALSE(kept->active());
    EXPECT_STRATA_ERROR(kept->execute(sql("SELECT 1")), "RUNTIME.TRANSACTION_CLOSED");
    EXPECT_STRATA_ERROR(kept->transaction([](tx&) {}), "RUNTIME.TRANSACTION_CLOSED");
}

TEST_P(transactions, statements_inside_see_scope_transaction) {
    struct scope_recorder final : middleware {
        std::string_view name() const noexcept override { return "scopes"; }
        void before_execute(const execution_context& ctx) override { scopes.push_back(ctx.scope); }
        std::vector<execution_scope> scopes;
    };
    auto rec = std::make_shared<scope_recorder>();
    auto& rt = connect({rec});
    (void)rt.execute(sql("SELECT 1")).all();
    rt.transaction([&](tx& t) { (void)t.execute(sql("SELECT 2")).all(); });
    EXPECT_EQ(rec->scopes, (std::vector<execution_scope>{execution_scope::runtime, execution_scope::transaction}));
}

TEST_P(transactions, a_nested_failure_rolls_back_only_the_inner_work) {
    db().transaction([&](tx& t) {
        deposit(t, 1, 100);
        EXPECT_THROW(t.transaction([&](tx& inner) {
            EXPECT_EQ(inner.depth(), 1);
            deposit(inner, 2, 200);
            throw std::runtime_error("inner failure");
        }),
                     std::runtime_error);
        const int inner_total = t.transaction([&](tx& inner) {
            deposit(inner, 3, 300);
            return inner.execute(sql("SELECT COUNT(*) FROM accounts")).one_as<int>();
        });
        EXPECT_EQ(inner_total, 2);
        deposit(t, 4, 400);
    });
    const auto ids = db().execute(sql("SELECT id FROM accounts ORDER BY id")).all_as<int>();
    EXPECT_EQ(ids, (std::vector<int>{1, 3, 4}));
}

TEST_P(transactions, an_outer_failure_undoes_released_savepoints_too) {
    EXPECT_ANY_THROW(db().transaction([&](tx& t) {
        t.transaction([&](tx& inner) { deposit(inner, 1, 1); });
        throw std::runtime_error("outer failure");
    }));
    EXPECT_EQ(count("accounts"), 0);
}

TEST_P(transactions, a_read_only_transaction_refuses_writes) {
    db().transaction([&](tx& t) { deposit(t, 1, 1); });
    transaction_options ro;
    ro.access = access_mode::read_only;
    EXPECT_EQ(db().transaction([&](tx& t) { return t.execute(sql("SELECT COUNT(*) FROM accounts")).one_as<int>(); },
                               ro),
              1);
    auto e = catch_error([&] { db().transaction([&](tx& t) { deposit(t, 2, 2); }, ro); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "25006") << e->describe();
    EXPECT_EQ(count("accounts"), 1);
}

TEST_P(transactions, every_isolation_level_runs) {
    for (auto level : {isolation_level::database_default, isolation_level::read_committed,
                       isolation_level::repeatable_read, isolation_level::serializable}) {
        transaction_options o;
        o.isolation = level;
        EXPECT_EQ(db().transaction([&](tx& t) { return t.execute(sql("SELECT 7")).one_as<int>(); }, o), 7)
            << to_string(level);
    }
}

TEST_P(transactions, wrong_state_and_bad_options) {
    auto rt = instantiate(GetParam().make_stack({}));
    EXPECT_STRATA_ERROR(rt.transaction([](tx&) {}), "DRIVER.NOT_CONNECTED");
    transaction_options zero;
    zero.retry.max_attempts = 0;
    EXPECT_STRATA_ERROR(db().transaction([](tx&) {}, zero), "RUNTIME.INVALID_ARGUMENT");
    transaction_options negative;
    negative.timeout = std::chrono::milliseconds(-5);
    EXPECT_STRATA_ERROR(db().transaction([](tx&) {}, negative), "RUNTIME.INVALID_ARGUMENT");
}

STRATA_CONFORMANCE_SUITE(transactions);

}  // namespace
}  // namespace strata::test
