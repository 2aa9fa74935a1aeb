// The atomic batch: N statements in one pipeline with one sync, all or nothing, results
// in order with RETURNING rows, and the connection drained and usable after any failure.
#include "pg_fixture.hpp"

namespace strata::test {
namespace {

class pg_batch : public pg_test {
protected:
    void SetUp() override {
        pg_test::SetUp();
        if (url().empty()) return;
        driver_ = postgres::driver().create();
        driver_->connect(postgres::url{url()});
        run(sql("CREATE TABLE items(id BIGINT PRIMARY KEY, label TEXT NOT NULL CHECK (label <> 'bad'))"));
    }
    void TearDown() override {
        if (driver_) driver_->close();
        pg_test::TearDown();
    }

    // Runs one plan outside any batch.
    std::vector<row> run(const plan& p) {
        const std::string lowered = number_placeholders(p.sql(), "$");
        auto source = driver_->execute(statement{lowered, &p}, {});
        std::vector<row> out;
        row r;
        while (source->next(r)) out.push_back(r);
        return out;
    }
    std::vector<batch_result> batch(strata::connection& c, const std::vector<plan>& plans,
                                    const execution_control& control = {}) {
        std::vector<std::string> lowered;
        lowered.reserve(plans.size());
        std::vector<statement> statements;
        for (const plan& p : plans) {
            lowered.push_back(number_placeholders(p.sql(), "$"));
            statements.push_back(statement{lowered.back(), &p});
        }
        return c.execute_batch(statements, control);
    }
    int items() { return run(sql("SELECT COUNT(*) FROM items"))[0].get<int>(0); }
    static std::vector<plan> five_inserts(int failing_at) {
        std::vector<plan> plans;
        for (int i = 0; i < 5; ++i) {
            plans.push_back(sql("INSERT INTO items(id, label) VALUES (?, ?) RETURNING id, label", i + 1,
                                i == failing_at ? "bad" : "item " + std::to_string(i + 1)));
        }
        return plans;
    }

    std::unique_ptr<strata::driver> driver_;
};

TEST_F(pg_batch, results_come_back_in_order_with_returning_rows) {
    auto conn = driver_->acquire(connection_intent::read_write, {});
    ASSERT_TRUE(conn->caps().atomic_batch);
    auto plans = five_inserts(-1);
    plans.push_back(sql("UPDATE items SET label = label || '!' WHERE id <= ?", 2));
    plans.push_back(sql("SELECT COUNT(*) AS n FROM items"));  // sees the earlier statements
    const auto results = batch(*conn, plans);
    ASSERT_EQ(results.size(), 7u);
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(results[i].rows.size(), 1u);
        EXPECT_EQ(results[i].rows[0].get<int>("id"), i + 1);
        EXPECT_EQ(results[i].rows[0].get<std::string>("label"), "item " + std::to_string(i + 1));
        EXPECT_EQ(results[i].affected_rows, 1u);
    }
    EXPECT_EQ(results[5].affected_rows, 2u);
    EXPECT_TRUE(results[5].rows.empty());
    EXPECT_EQ(results[6].rows.at(0).get<int>("n"), 5);
    EXPECT_EQ(conn->status(), transaction_status::idle);  // committed: one implicit transaction
    conn->release();
    EXPECT_EQ(items(), 5);
}

TEST_F(pg_batch, a_failure_at_any_index_applies_nothing_and_leaves_the_connection_usable) {
    auto conn = driver_->acquire(connection_intent::read_write, {});
    for (int failing = 0; failing < 5; ++failing) {
        auto e = catch_error([&] { (void)batch(*conn, five_inserts(failing)); });
        ASSERT_TRUE(e) << "index " << failing;
        EXPECT_EQ(e->code(), "QUERY.CONSTRAINT_VIOLATION");
        EXPECT_EQ(e->sql()->sqlstate, "23514");
        EXPECT_EQ(e->details().at("batch_index"), std::to_string(failing));
        EXPECT_EQ(conn->status(), transaction_status::idle);
        EXPECT_EQ(items(), 0) << "index " << failing;
        // the same connection runs the next statement and the next batch
        const plan one = sql("SELECT 1");
        auto check = conn->execute(statement{"SELECT 1", &one}, {});
        row r;
        ASSERT_TRUE(check->next(r));
        EXPECT_EQ(r.get<int>(0), 1);
    }
    EXPECT_EQ(batch(*conn, five_inserts(-1)).size(), 5u);
    conn->release();
    EXPECT_EQ(items(), 5);
}

TEST_F(pg_batch, a_batch_inside_a_transaction_runs_in_it) {
    auto conn = driver_->acquire(connection_intent::read_write, {});
    conn->begin({});
    (void)batch(*conn, five_inserts(-1));
    EXPECT_EQ(conn->status(), transaction_status::in_transaction);
    conn->rollback();
    EXPECT_EQ(items(), 0);

    conn->begin({});
    (void)batch(*conn, {sql("INSERT INTO items VALUES (?, ?)", 10, "kept")});
    EXPECT_ANY_THROW((void)batch(*conn, five_inserts(2)));
    EXPECT_EQ(conn->status(), transaction_status::failed);  // the caller rolls back
    conn->rollback();
    EXPECT_EQ(conn->status(), transaction_status::idle);
    conn->release();
    EXPECT_EQ(items(), 0);
}

TEST_F(pg_batch, prepared_statements_are_reused_and_re_prepared_when_they_vanish) {
    auto conn = driver_->acquire(connection_intent::read_write, {});
    (void)batch(*conn, five_inserts(-1));
    const auto plans =
        std::vector<plan>{sql("SELECT COUNT(*) FROM pg_prepared_statements"), sql("DEALLOCATE ALL"), sql("SELECT 1")};
    const auto results = batch(*conn, plans);
    EXPECT_GE(results[0].rows.at(0).get<int>(0), 2);
    // every cached statement is gone now: the batch notices and runs again, once
    (void)batch(*conn, {sql("DELETE FROM items WHERE id = ?", 1), sql("SELECT 1")});
    const auto again = batch(*conn, {sql("INSERT INTO items(id, label) VALUES (?, ?) RETURNING id", 99, "x")});
    EXPECT_EQ(again[0].rows.at(0).get<int>(0), 99);
    conn->release();
}

TEST_F(pg_batch, prepared_statements_off_still_batches) {
    driver_->close();
    postgres::pool_options o;
    o.statements.prepared = false;
    driver_->connect(postgres::url{url(), o});
    auto conn = driver_->acquire(connection_intent::read_write, {});
    EXPECT_EQ(batch(*conn, five_inserts(-1)).size(), 5u);
    EXPECT_ANY_THROW((void)batch(*conn, {sql("INSERT INTO items VALUES (?, ?)", 6, "x"), sql("SELEC 1")}));
    conn->release();
    EXPECT_EQ(items(), 5);
}

TEST_F(pg_batch, a_deadline_cancels_the_batch_on_the_server) {
    auto conn = driver_->acquire(connection_intent::read_write, {});
    const std::vector<plan> plans{sql("INSERT INTO items VALUES (?, ?)", 1, "x"), sql("SELECT pg_sleep(30)")};
    const auto started = std::chrono::steady_clock::now();
    auto e =
        catch_error([&] { (void)batch(*conn, plans, {.deadline = clock::now() + std::chrono::milliseconds(150)}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_EQ(conn->status(), transaction_status::idle);
    conn->release();
    EXPECT_EQ(items(), 0);
}

TEST_F(pg_batch, a_connection_lost_after_the_batch_was_sent_has_an_unknown_outcome) {
    auto conn = driver_->acquire(connection_intent::read_write, {});
    const std::vector<plan> plans{sql("INSERT INTO items VALUES (?, ?)", 1, "x"),
                                  sql("SELECT pg_terminate_backend(pg_backend_pid())"),
                                  sql("INSERT INTO items VALUES (?, ?)", 2, "y")};
    auto e = catch_error([&] { (void)batch(*conn, plans); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("outcome"), "unknown");
    EXPECT_TRUE(e->outcome_unknown());
    EXPECT_FALSE(e->transient());  // a blind retry could apply the batch twice
    conn->destroy();
    // a statement error the server reports is a known outcome, even on a dying connection
    auto conn2 = driver_->acquire(connection_intent::read_write, {});
    auto known = catch_error([&] { (void)batch(*conn2, five_inserts(1)); });
    ASSERT_TRUE(known);
    EXPECT_FALSE(known->outcome_unknown());
    conn2->release();
    EXPECT_EQ(items(), 0);
}

TEST_F(pg_batch, run_atomic_writes_on_postgres_is_all_or_nothing) {
    auto& db = connect();
    std::vector<plan> plans = five_inserts(3);
    auto e = catch_error([&] { (void)run_atomic_writes(db, plans); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
    EXPECT_EQ(e->details().at("failed_index"), "3");
    EXPECT_EQ(items(), 0);
    const auto ok = run_atomic_writes(db, five_inserts(-1));
    ASSERT_EQ(ok.results.size(), 5u);
    EXPECT_EQ(ok.results[4].rows.at(0).get<int>("id"), 5);
}

}  // namespace
}  // namespace strata::test
