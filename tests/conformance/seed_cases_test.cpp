// The public designs' own test cases (../shared/reference/seed-*) that the rest of the
// suite did not have (issue 15 item 7): streams invalidated when a transaction rolls back
// and when a savepoint ends, a returned struct holding streams, transactions and atomic
// units on an unbound or closed runtime, execute racing close().
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class seed_cases : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;
        exec("CREATE TABLE items(id " + types().integer + " PRIMARY KEY)");
        for (int i = 1; i <= 5; ++i) db().execute(sql("INSERT INTO items(id) VALUES (?)", i)).drain();
    }
    static plan all_items() { return sql("SELECT id FROM items ORDER BY id"); }
};

TEST_P(seed_cases, a_stream_kept_from_a_transaction_that_rolled_back_fails_clearly) {
    std::optional<result_stream> escaped;
    std::optional<result_stream::iterator> paused;
    EXPECT_THROW(db().transaction([&](tx& t) {
        t.execute(sql("INSERT INTO items(id) VALUES (6)")).drain();
        escaped.emplace(t.execute(all_items()));
        paused = escaped->begin();
        throw std::runtime_error("roll back");
    }),
                 std::runtime_error);
    EXPECT_STRATA_ERROR(++*paused, "RUNTIME.TRANSACTION_CLOSED");
    EXPECT_EQ(count("items"), 5);  // rolled back, and the connection is usable
    std::optional<result_stream> unread;
    EXPECT_ANY_THROW(db().transaction([&](tx& t) {
        unread.emplace(t.execute(all_items()));
        throw std::runtime_error("roll back");
    }));
    EXPECT_STRATA_ERROR(unread->all(), "RUNTIME.TRANSACTION_CLOSED");
}

TEST_P(seed_cases, a_stream_kept_from_a_savepoint_fails_once_the_savepoint_ends) {
    db().transaction([&](tx& t) {
        std::optional<result_stream> released;
        t.transaction([&](tx& inner) { released.emplace(inner.execute(all_items())); });
        // The savepoint was released; its scope ended even though the transaction goes on.
        EXPECT_STRATA_ERROR(released->all(), "RUNTIME.TRANSACTION_CLOSED");
        std::optional<result_stream> rolled_back;
        EXPECT_THROW(t.transaction([&](tx& inner) {
            rolled_back.emplace(inner.execute(all_items()));
            throw std::runtime_error("undo the savepoint");
        }),
                     std::runtime_error);
        EXPECT_STRATA_ERROR(rolled_back->all(), "RUNTIME.TRANSACTION_CLOSED");
        // The outer transaction is unharmed: it reads and writes, then commits.
        EXPECT_EQ(t.execute(all_items()).all().size(), 5u);
        t.execute(sql("INSERT INTO items(id) VALUES (6)")).drain();
    });
    EXPECT_EQ(count("items"), 6);
}

TEST_P(seed_cases, a_returned_struct_holding_streams_fails_clearly_after_the_commit) {
    struct two_streams {
        result_stream low;
        result_stream high;
    };
    two_streams kept = db().transaction([&](tx& t) {
        return two_streams{t.execute(sql("SELECT id FROM items WHERE id < 3 ORDER BY id")),
                           t.execute(sql("SELECT id FROM items WHERE id >= 3 ORDER BY id"))};
    });
    // Only a stream returned by itself is drained before the commit; streams inside a
    // value are the caller's to read inside the callback, and fail clearly after it.
    auto e = catch_error([&] { (void)kept.low.all(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_CLOSED");
    EXPECT_NE(e->message().find("inside the transaction callback"), std::string::npos);
    EXPECT_STRATA_ERROR(kept.high.all(), "RUNTIME.TRANSACTION_CLOSED");
    db().transaction([&](tx& t) { t.execute(sql("INSERT INTO items(id) VALUES (6)")).drain(); });
    EXPECT_EQ(count("items"), 6);
}

TEST_P(seed_cases, transactions_and_atomic_units_refuse_an_unbound_or_closed_runtime) {
    auto rt = instantiate(GetParam().make_stack({}));
    const std::vector<plan> unit{sql("INSERT INTO items(id) VALUES (7)")};
    EXPECT_STRATA_ERROR(rt.transaction([](tx&) {}), "DRIVER.NOT_CONNECTED");
    EXPECT_STRATA_ERROR(run_atomic_writes(rt, unit), "DRIVER.NOT_CONNECTED");
    rt.connect(database().binding());
    rt.close();
    EXPECT_STRATA_ERROR(rt.transaction([](tx&) {}), "DRIVER.CLOSED");
    EXPECT_STRATA_ERROR(run_atomic_writes(rt, unit), "DRIVER.CLOSED");
    atomic_options grouped;
    grouped.group = commit_group{"k"};
    EXPECT_STRATA_ERROR(run_atomic_writes(rt, unit, grouped), "DRIVER.CLOSED");
    EXPECT_EQ(count("items"), 5);  // nothing reached the database
}

TEST_P(seed_cases, execute_racing_close_either_runs_or_fails_with_a_code) {
    for (int round = 0; round < 5; ++round) {
        auto rt = instantiate(GetParam().make_stack({}));
        rt.connect(database().binding());
        std::atomic<bool> stop{false};
        std::atomic<int> ran{0}, failed{0};
        // No table: a runtime of its own on an in-memory database starts empty.
        const plan five = sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) "
                              "SELECT x FROM c");
        std::mutex m;
        std::set<std::string> codes;
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&] {
                while (!stop.load()) {
                    try {
                        if (rt.execute(five).all().size() == 5u) ++ran;
                    } catch (const error& e) {
                        ++failed;
                        std::lock_guard lock(m);
                        codes.insert(e.code());
                    }
                    if (rt.state() == driver_state::closed) return;
                }
            });
        }
        while (ran.load() + failed.load() < 8) std::this_thread::yield();
        EXPECT_EQ(failed.load(), 0) << "statements failed before close()";
        rt.close();
        stop = true;
        for (auto& t : threads) t.join();
        EXPECT_EQ(rt.state(), driver_state::closed);
        // A statement that lost the race fails as closed, never any other way.
        for (const auto& c : codes) EXPECT_EQ(c, "DRIVER.CLOSED") << "round " << round;
        EXPECT_STRATA_ERROR(rt.execute(five), "DRIVER.CLOSED");
    }
}

}  // namespace

STRATA_CONFORMANCE_SUITE(seed_cases);

}  // namespace strata::test
