// The caller-owned PGconn* binding: one lease at a time, concurrent callers wait in turn,
// strata never closes it and leaves nothing of its own behind on it.
#include <atomic>

#include "pg_fixture.hpp"

namespace strata::test {
namespace {

class pg_client : public pg_test {
protected:
    void SetUp() override {
        pg_test::SetUp();
        if (url().empty()) return;
        conn_ = pg_connect(url());
    }
    void TearDown() override {
        pg_test::TearDown();
        if (conn_ != nullptr) PQfinish(conn_);
    }
    PGconn* conn_ = nullptr;
};

TEST_F(pg_client, eight_threads_share_one_connection_in_turn) {
    auto& db = connect(postgres::client{conn_});
    db.execute(sql("CREATE TABLE counter(id BIGINT PRIMARY KEY, n BIGINT NOT NULL)")).drain();
    db.execute(sql("CREATE TABLE log(thread BIGINT, i BIGINT)")).drain();
    db.execute(sql("INSERT INTO counter VALUES (1, 0)")).drain();
    constexpr int threads = 8, rounds = 40;
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            try {
                for (int i = 0; i < rounds; ++i) {
                    // read-modify-write without locks: only correct if whole transactions
                    // run one after another on the single connection
                    db.transaction([&](tx& x) {
                        const auto n = x.execute(sql("SELECT n FROM counter WHERE id = 1")).one_as<std::int64_t>();
                        x.execute(sql("UPDATE counter SET n = ? WHERE id = 1", n + 1)).drain();
                    });
                    db.execute(sql("INSERT INTO log VALUES (?, ?)", t, i)).drain();
                    for (const row& r : db.execute(sql("SELECT i FROM log WHERE thread = ? ORDER BY i", t))) (void)r;
                }
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << e.what();
            }
        });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(db.execute(sql("SELECT n FROM counter")).one_as<int>(), threads * rounds);
    EXPECT_EQ(db.execute(sql("SELECT COUNT(*) FROM log")).one_as<int>(), threads * rounds);
    EXPECT_EQ(backends(), 1);  // the caller's connection, nothing else
}

TEST_F(pg_client, strata_never_closes_it_and_deallocates_its_statements) {
    {
        auto rt = instantiate(postgres::make_stack());
        rt.connect(postgres::client{conn_});
        EXPECT_EQ(rt.execute(sql("SELECT ? + 1", 41)).one_as<int>(), 42);
        EXPECT_GE(std::stoi(pg_exec(conn_, "SELECT COUNT(*) FROM pg_prepared_statements")), 1);
        rt.close();
    }
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK);
    EXPECT_EQ(pg_exec(conn_, "SELECT 5"), "5");
    EXPECT_EQ(pg_exec(conn_, "SELECT COUNT(*) FROM pg_prepared_statements"), "0");
    // and it can be bound again
    auto& db = connect(postgres::client{conn_});
    EXPECT_EQ(db.execute(sql("SELECT 6")).one_as<int>(), 6);
}

TEST_F(pg_client, a_second_lease_on_the_same_thread_fails_fast_instead_of_waiting_forever) {
    auto& db = connect(postgres::client{conn_});
    std::optional<result_stream> open = db.execute(sql(counter_sql(10)));
    (void)open->begin();  // the open stream holds the connection
    const auto started = std::chrono::steady_clock::now();
    EXPECT_STRATA_ERROR(db.execute(sql("SELECT 1")).drain(), "DRIVER.POOL_TIMEOUT");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    open.reset();
    EXPECT_EQ(db.execute(sql("SELECT 1")).one_as<int>(), 1);
}

TEST_F(pg_client, another_thread_waits_up_to_acquire_timeout) {
    auto& db = connect(postgres::client{conn_, {}, std::chrono::milliseconds(150)});
    auto open = db.execute(sql(counter_sql(10)));
    (void)open.begin();
    std::optional<error> seen;
    std::thread other([&] { seen = catch_error([&] { db.execute(sql("SELECT 1")).drain(); }); });
    other.join();
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->code(), "DRIVER.POOL_TIMEOUT");
    EXPECT_TRUE(seen->transient());
}

TEST_F(pg_client, a_transaction_left_open_by_the_caller_is_not_strata_s_to_end) {
    auto& db = connect(postgres::client{conn_});
    db.execute(sql("CREATE TABLE t(id BIGINT)")).drain();
    // a failed transaction is rolled back and the connection stays usable
    EXPECT_ANY_THROW(db.transaction([&](tx& x) {
        x.execute(sql("INSERT INTO t VALUES (1)")).drain();
        x.execute(sql("SELEC 1")).drain();
    }));
    EXPECT_EQ(PQtransactionStatus(conn_), PQTRANS_IDLE);
    EXPECT_EQ(db.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 0);
}

TEST_F(pg_client, a_broken_connection_is_reported_not_replaced) {
    auto& db = connect(postgres::client{conn_});
    EXPECT_EQ(db.execute(sql("SELECT 1")).one_as<int>(), 1);
    kill_backends();
    ASSERT_TRUE(eventually([&] { return backends() == 0; }));
    EXPECT_STRATA_ERROR(db.execute(sql("SELECT 1")).drain(), "DRIVER.CONNECTION_LOST");
    EXPECT_STRATA_ERROR(db.execute(sql("SELECT 1")).drain(), "DRIVER.CONNECTION_LOST");
    EXPECT_EQ(PQstatus(conn_), CONNECTION_BAD);  // still the caller's, still open (not PQfinish'ed)
}

}  // namespace
}  // namespace strata::test
