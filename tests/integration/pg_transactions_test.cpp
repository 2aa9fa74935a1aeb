// Transactions on PostgreSQL: BEGIN honours isolation, access mode and DEFERRABLE;
// serialization failures and lock conflicts are transient with the same codes as on
// SQLite, and the runtime's retry runs the callback again.
#include "pg_fixture.hpp"

namespace strata::test {
namespace {

class pg_transactions : public pg_test {
protected:
    void SetUp() override {
        pg_test::SetUp();
        if (url().empty()) return;
        other_ = pg_connect(schema().url());  // another session, behind strata's back
        pg_exec(other_, "CREATE TABLE accounts(id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)");
        pg_exec(other_, "INSERT INTO accounts VALUES (1, 100)");
    }
    void TearDown() override {
        pg_test::TearDown();
        if (other_ != nullptr) PQfinish(other_);
    }
    PGconn* other_ = nullptr;
};

TEST_F(pg_transactions, begin_honours_isolation_access_mode_and_deferrable) {
    auto& db = connect();
    const auto settings = db.transaction(
        [&](tx& t) {
            return t
                .execute(sql("SELECT current_setting('transaction_isolation'), "
                             "current_setting('transaction_read_only'), "
                             "current_setting('transaction_deferrable')"))
                .one_as<std::tuple<std::string, std::string, std::string>>();
        },
        {.isolation = isolation_level::serializable, .access = access_mode::read_only, .deferrable = true});
    EXPECT_EQ(settings, std::make_tuple(std::string("serializable"), std::string("on"), std::string("on")));
    const auto level = db.transaction(
        [&](tx& t) { return t.execute(sql("SELECT current_setting('transaction_isolation')")).one_as<std::string>(); },
        {.isolation = isolation_level::repeatable_read});
    EXPECT_EQ(level, "repeatable read");
    auto e = catch_error([&] {
        db.transaction([&](tx& t) { t.execute(sql("UPDATE accounts SET balance = 0")).drain(); },
                       {.access = access_mode::read_only});
    });
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->sql());
    EXPECT_EQ(e->sql()->sqlstate, "25006");
}

TEST_F(pg_transactions, a_serialization_failure_is_transient_and_retried) {
    auto& db = connect();
    auto bump_with_interference = [&](tx& t, bool interfere) {
        (void)t.execute(sql("SELECT balance FROM accounts WHERE id = 1")).one();  // the snapshot is taken
        if (interfere) pg_exec(other_, "UPDATE accounts SET balance = balance + 1 WHERE id = 1");
        t.execute(sql("UPDATE accounts SET balance = balance + 10 WHERE id = 1")).drain();
    };
    auto e = catch_error([&] {
        db.transaction([&](tx& t) { bump_with_interference(t, true); },
                       {.isolation = isolation_level::repeatable_read});
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "QUERY.FAILED");
    ASSERT_TRUE(e->sql());
    EXPECT_EQ(e->sql()->sqlstate, "40001");
    EXPECT_TRUE(e->transient());
    int attempts = 0;
    db.transaction([&](tx& t) { bump_with_interference(t, ++attempts == 1); },
                   {.isolation = isolation_level::repeatable_read, .retry = {.max_attempts = 3}});
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(pg_exec(other_, "SELECT balance FROM accounts WHERE id = 1"), "112");
}

TEST_F(pg_transactions, a_lock_that_cannot_be_taken_is_a_transient_busy) {
    auto& db = connect();
    pg_exec(other_, "BEGIN");
    pg_exec(other_, "SELECT * FROM accounts WHERE id = 1 FOR UPDATE");
    auto e = catch_error([&] { db.execute(sql("SELECT * FROM accounts WHERE id = ? FOR UPDATE NOWAIT", 1)).drain(); });
    pg_exec(other_, "ROLLBACK");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.BUSY");
    EXPECT_EQ(e->sql()->sqlstate, "55P03");
    EXPECT_TRUE(e->transient());
}

TEST_F(pg_transactions, commit_of_a_failed_transaction_is_a_failure_not_a_silent_rollback) {
    auto conn = postgres::driver().create();
    conn->connect(postgres::url{url()});
    auto scope = conn->acquire(connection_intent::read_write, {});
    scope->begin({});
    const plan bad = sql("SELECT * FROM no_such_table");
    auto e = catch_error([&] {
        row r;
        (void)scope->execute(statement{"SELECT * FROM no_such_table", &bad}, {})->next(r);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(scope->status(), transaction_status::failed);
    auto c = catch_error([&] { scope->commit(); });
    ASSERT_TRUE(c);
    EXPECT_EQ(c->sql()->sqlstate, "25P02");
    EXPECT_EQ(scope->status(), transaction_status::idle);
    scope->release();
    conn->close();
}

TEST_F(pg_transactions, a_connection_is_never_given_back_inside_a_transaction) {
    postgres::pool_options o;
    o.max_size = 1;
    auto pool = postgres::make_pool(postgres::url{url(), o});
    auto conn = postgres::driver().create();
    conn->connect(postgres::pool_binding{pool});
    {
        auto scope = conn->acquire(connection_intent::read_write, {});
        scope->begin({});
        const plan insert = sql("INSERT INTO accounts VALUES (2, 5)");
        row r;
        (void)scope->execute(statement{"INSERT INTO accounts VALUES (2, 5)", &insert}, {})->next(r);
        scope->release();  // still inside the transaction: rolled back first
    }
    auto again = conn->acquire(connection_intent::read_write, {});
    EXPECT_EQ(again->status(), transaction_status::idle);
    again->release();
    EXPECT_EQ(pg_exec(other_, "SELECT COUNT(*) FROM accounts"), "1");
    EXPECT_EQ(pool->statistics().opened, 1u);  // the same connection, reused clean
    conn->close();
}

}  // namespace
}  // namespace strata::test
