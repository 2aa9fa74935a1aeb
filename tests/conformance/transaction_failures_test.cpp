// The transaction failure matrix: commit failures, rollback failures, retries, deadline.
#include <gtest/gtest.h>

#include <thread>

#include "../support/expect_error.hpp"
#include "../support/wrapped_driver.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class transaction_failures : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;  // no PostgreSQL cluster: the test is already marked
        create_schema(db());
    }
    void create_schema(runtime& rt) {
        for (const std::string& ddl :
             {"CREATE TABLE parents(id " + types().integer + " PRIMARY KEY)",
              "CREATE TABLE children(id " + types().integer + " PRIMARY KEY, parent_id " + types().integer +
                  " REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)",
              "CREATE TABLE counter(id " + types().integer + " PRIMARY KEY, n " + types().integer + " NOT NULL)",
              std::string("INSERT INTO counter(id, n) VALUES (1, 0)")})
            rt.execute(sql(ddl)).drain();
    }
    // A runtime through the wrapper, on the same data as db() (a private in-memory
    // database gets its own copy of the schema).
    runtime& wrapped(std::shared_ptr<wrapper_controls> w) {
        runtime& rt = connect_stack([w](strata::stack s) { return wrap_stack(std::move(s), w); });
        if (!database().shared_between_connections()) create_schema(rt);
        return rt;
    }
    static std::int64_t rows_in(runtime& rt, const std::string& table) {
        return rt.execute(sql("SELECT COUNT(*) FROM " + table)).one_as<std::int64_t>();
    }
    static error transient_failure() {
        return error("DRIVER.BUSY", "simulated busy database").with_transient(true);
    }
};

TEST_P(transaction_failures, a_failing_commit_rolls_back_and_keeps_the_connection) {
    // The deferred foreign key is checked only at COMMIT, which fails for real.
    auto e = catch_error([&] {
        db().transaction([&](tx& t) { t.execute(sql("INSERT INTO children(id, parent_id) VALUES (1, 99)")).drain(); });
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_COMMIT_FAILED");
    EXPECT_EQ(e->details().at("outcome"), "rolled_back");
    ASSERT_NE(e->strata_cause(), nullptr);
    ASSERT_TRUE(e->strata_cause()->sql());
    EXPECT_EQ(e->strata_cause()->sql()->sqlstate, "23503");
    EXPECT_EQ(count("children"), 0);
    db().transaction([&](tx& t) {  // the connection is healthy afterwards
        t.execute(sql("INSERT INTO parents(id) VALUES (99)")).drain();
        t.execute(sql("INSERT INTO children(id, parent_id) VALUES (1, 99)")).drain();
    });
    EXPECT_EQ(count("children"), 1);
}

TEST_P(transaction_failures, resolving_lost_commits_changes_nothing_when_the_commit_reply_arrives) {
    // commit_check::resolve (0024) only acts on a lost COMMIT reply: a commit that the
    // server answers is reported as before, on every driver (SQLite never loses one).
    const transaction_options resolving{.check_commit = commit_check::resolve};
    auto e = catch_error([&] {
        db().transaction([&](tx& t) { t.execute(sql("INSERT INTO children(id, parent_id) VALUES (1, 99)")).drain(); },
                         resolving);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("outcome"), "rolled_back");
    EXPECT_FALSE(e->details().contains("resolution"));
    EXPECT_EQ(count("children"), 0);
    const int read_only = db().transaction(
        [&](tx& t) { return t.execute(sql("SELECT COUNT(*) FROM parents")).one_as<int>(); }, resolving);
    EXPECT_EQ(read_only, 0);
    db().transaction([&](tx& t) { t.execute(sql("INSERT INTO parents(id) VALUES (5)")).drain(); }, resolving);
    EXPECT_EQ(count("parents"), 1);
}

TEST_P(transaction_failures, a_failing_rollback_destroys_the_connection_and_keeps_the_original_as_cause) {
    auto w = std::make_shared<wrapper_controls>();
    w->fail_rollbacks = 1;
    runtime& rt = wrapped(w);
    auto e = catch_error([&] {
        rt.transaction([&](tx& t) {
            t.execute(sql("INSERT INTO parents(id) VALUES (1)")).drain();
            throw std::runtime_error("the original failure");
        });
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_ROLLBACK_FAILED");
    try {
        std::rethrow_exception(e->cause());
    } catch (const std::runtime_error& original) {
        EXPECT_STREQ(original.what(), "the original failure");
    }
    EXPECT_EQ(w->destroyed.load(), 1);
    EXPECT_EQ(w->released.load(), 0);
    EXPECT_EQ(rows_in(rt, "parents"), 0);  // never committed
    rt.transaction([&](tx& t) { t.execute(sql("INSERT INTO parents(id) VALUES (2)")).drain(); });
    EXPECT_EQ(rows_in(rt, "parents"), 1);
}

TEST_P(transaction_failures, a_commit_with_unknown_outcome_is_never_retried) {
    auto w = std::make_shared<wrapper_controls>();
    w->fail_commits = 1;
    w->status_after_failed_commit = transaction_status::unknown;
    w->commit_failure_transient = true;  // even a transient cause must not be retried
    runtime& rt = wrapped(w);
    transaction_options o;
    o.retry.max_attempts = 5;
    int runs = 0;
    auto e = catch_error([&] { rt.transaction([&](tx&) { ++runs; }, o); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_COMMIT_FAILED");
    EXPECT_EQ(e->details().at("outcome"), "unknown");
    EXPECT_FALSE(e->transient());
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(w->destroyed.load(), 1);
}

TEST_P(transaction_failures, a_commit_with_unknown_outcome_past_the_deadline_is_not_reported_as_a_timeout) {
    auto w = std::make_shared<wrapper_controls>();
    w->fail_commits = 1;
    w->status_after_failed_commit = transaction_status::unknown;
    w->commit_delay = std::chrono::milliseconds(80);
    runtime& rt = wrapped(w);
    transaction_options o;
    o.retry.max_attempts = 5;
    o.timeout = std::chrono::milliseconds(40);  // passes while COMMIT runs
    auto e = catch_error([&] { rt.transaction([&](tx&) {}, o); });
    ASSERT_TRUE(e);
    // A timeout would say "rolled back", which nobody knows.
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_COMMIT_FAILED");
    EXPECT_TRUE(e->outcome_unknown());
    EXPECT_FALSE(e->transient());
}

TEST_P(transaction_failures, a_known_transient_commit_failure_is_retried) {
    auto w = std::make_shared<wrapper_controls>();
    w->fail_commits = 1;
    w->status_after_failed_commit = transaction_status::idle;  // the server rolled it back
    w->commit_failure_transient = true;
    runtime& rt = wrapped(w);
    transaction_options o;
    o.retry.max_attempts = 3;
    int runs = 0;
    rt.transaction(
        [&](tx& t) {
            ++runs;
            t.execute(sql("UPDATE counter SET n = n + 1 WHERE id = 1")).drain();
        },
        o);
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(rt.execute(sql("SELECT n FROM counter WHERE id = 1")).one_as<int>(), 1);  // applied once
}

TEST_P(transaction_failures, transient_failures_in_fn_are_retried_up_to_the_limit) {
    transaction_options o;
    o.retry.max_attempts = 3;
    o.retry.initial_backoff = std::chrono::milliseconds(1);
    int runs = 0;
    db().transaction(
        [&](tx& t) {
            t.execute(sql("UPDATE counter SET n = n + 1 WHERE id = 1")).drain();
            if (++runs < 3) throw transient_failure();
        },
        o);
    EXPECT_EQ(runs, 3);
    EXPECT_EQ(db().execute(sql("SELECT n FROM counter WHERE id = 1")).one_as<int>(), 1);

    runs = 0;
    o.retry.max_attempts = 2;
    EXPECT_STRATA_ERROR(db().transaction([&](tx&) { ++runs, throw transient_failure(); }, o), "DRIVER.BUSY");
    EXPECT_EQ(runs, 2);

    runs = 0;  // not transient: no retry whatever the policy
    o.retry.max_attempts = 5;
    EXPECT_THROW(db().transaction([&](tx&) { ++runs, throw std::runtime_error("bug"); }, o), std::runtime_error);
    EXPECT_EQ(runs, 1);
}

TEST_P(transaction_failures, concurrent_increments_with_retry_lose_nothing) {
    transaction_options o;
    o.isolation = isolation_level::serializable;
    o.retry.max_attempts = 50;
    o.retry.initial_backoff = std::chrono::milliseconds(1);
    o.retry.max_backoff = std::chrono::milliseconds(20);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                try {
                    db().transaction(
                        [&](tx& handle) {
                            const int n =
                                handle.execute(sql("SELECT n FROM counter WHERE id = 1")).one_as<int>();
                            handle.execute(sql("UPDATE counter SET n = ? WHERE id = 1", n + 1)).drain();
                        },
                        o);
                } catch (const std::exception& e) {
                    ++failures;
                    ADD_FAILURE() << e.what();
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(db().execute(sql("SELECT n FROM counter WHERE id = 1")).one_as<int>(), 200);
}

TEST_P(transaction_failures, the_deadline_rolls_back_with_transaction_timeout) {
    transaction_options o;
    o.timeout = std::chrono::milliseconds(100);
    // fn outlives the deadline without touching the database
    auto e = catch_error([&] {
        db().transaction(
            [&](tx& t) {
                t.execute(sql("INSERT INTO parents(id) VALUES (1)")).drain();
                std::this_thread::sleep_for(std::chrono::milliseconds(150));
            },
            o);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_TIMEOUT");
    EXPECT_EQ(count("parents"), 0);
    // a statement still running at the deadline is stopped
    e = catch_error([&] {
        db().transaction(
            [&](tx& t) {
                t.execute(sql("INSERT INTO parents(id) VALUES (2)")).drain();
                t.execute(sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT MAX(x) FROM c"))
                    .drain();
            },
            o);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_TIMEOUT");
    ASSERT_NE(e->strata_cause(), nullptr);
    EXPECT_EQ(e->strata_cause()->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(count("parents"), 0);
}

STRATA_CONFORMANCE_SUITE(transaction_failures);

}  // namespace
}  // namespace strata::test
