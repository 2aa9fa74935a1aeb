// A connection lost under a statement outside any transaction: an autocommit read whose
// results had not started to arrive runs once more on another connection; a write, a
// statement of unknown kind and anything inside a transaction never run again. A
// restarted server (every session ended at once) then costs at most one failure per
// caller, and none for reads.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "../support/expect_error.hpp"
#include "../support/wrapped_driver.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class lost_connections : public conformance {
protected:
    // A runtime whose driver can lose connections on request (wrapped_driver).
    runtime& wrapped() {
        controls_ = std::make_shared<wrapper_controls>();
        auto w = controls_;
        runtime& rt = connect_stack([w](strata::stack s) { return wrap_stack(std::move(s), w); });
        rt.execute(sql("CREATE TABLE IF NOT EXISTS items(id " + types().integer + " PRIMARY KEY)")).drain();
        rt.execute(sql("DELETE FROM items")).drain();
        rt.execute(sql("INSERT INTO items(id) VALUES (1), (2), (3)")).drain();
        controls_->executions = 0;
        return rt;
    }
    static std::int64_t items(runtime& rt) {
        return rt.execute(sql("SELECT COUNT(*) FROM items")).one_as<std::int64_t>();
    }
    static void expect_lost(const std::optional<error>& e) {
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), "DRIVER.CONNECTION_LOST") << e->describe();
        EXPECT_TRUE(e->transient());
    }
    std::shared_ptr<wrapper_controls> controls_;
};

TEST_P(lost_connections, an_autocommit_read_lost_before_its_results_runs_once_more) {
    runtime& rt = wrapped();
    controls_->lose_at_execute = 1;
    EXPECT_EQ(items(rt), 3);
    EXPECT_EQ(controls_->executions.load(), 2);
    controls_->executions = 0;
    controls_->lose_at_first_pull = 1;  // the loss shows when the first row is read
    std::int64_t sum = 0;
    for (const row& r : rt.execute(sql("SELECT id FROM items ORDER BY id"))) sum += r.get<std::int64_t>(0);
    EXPECT_EQ(sum, 6);
    EXPECT_EQ(controls_->executions.load(), 2);
}

TEST_P(lost_connections, a_read_runs_again_once_only) {
    runtime& rt = wrapped();
    controls_->lose_at_execute = 1;
    controls_->lose_at_first_pull = 1;
    expect_lost(catch_error([&] { (void)items(rt); }));
    EXPECT_EQ(controls_->executions.load(), 2);
    EXPECT_EQ(items(rt), 3);  // the next statement is a new one: it runs
}

TEST_P(lost_connections, a_write_or_a_statement_of_unknown_kind_never_runs_again) {
    runtime& rt = wrapped();
    controls_->lose_at_execute = 1;
    expect_lost(catch_error([&] { rt.execute(sql("INSERT INTO items(id) VALUES (4)")).drain(); }));
    EXPECT_EQ(controls_->executions.load(), 1);
    controls_->lose_at_first_pull = 1;
    expect_lost(catch_error([&] { rt.execute(sql("DELETE FROM items WHERE id = 1")).drain(); }));
    EXPECT_EQ(controls_->executions.load(), 2);
    // WITH may write (a data-modifying CTE): strata does not classify it as a read
    controls_->lose_at_execute = 1;
    expect_lost(catch_error([&] { rt.execute(sql("WITH x AS (SELECT id FROM items) SELECT COUNT(*) FROM x")).drain(); }));
    EXPECT_EQ(controls_->executions.load(), 3);
    EXPECT_EQ(items(rt), 3);
}

TEST_P(lost_connections, inside_a_transaction_a_read_never_runs_again) {
    runtime& rt = wrapped();
    auto e = catch_error([&] {
        rt.transaction([&](tx& t) {
            t.execute(sql("INSERT INTO items(id) VALUES (4)")).drain();
            controls_->executions = 0;
            controls_->lose_at_execute = 1;
            (void)t.execute(sql("SELECT COUNT(*) FROM items")).one_as<std::int64_t>();
        });
    });
    expect_lost(e);
    EXPECT_EQ(controls_->executions.load(), 1);
    EXPECT_EQ(items(rt), 3);  // the transaction rolled back
}

// Every session of the runtime's pool ends at once (a server restart, a purge), then four
// threads run five statements each. The pool hands out idle connections unchecked for a
// moment after their last use; before this was fixed, each thread in turn got another
// dead one.
TEST_P(lost_connections, ended_server_sessions_cost_at_most_one_failure_per_thread_and_none_for_reads) {
    constexpr int threads = 4;
    constexpr int statements = 5;
    runtime& rt = db();
    exec("CREATE TABLE events(id " + types().integer + " PRIMARY KEY, thread " + types().integer + " NOT NULL)");
    {
        // four connections, all idle and just used
        std::vector<result_stream> held;
        for (int i = 0; i < threads; ++i) {
            held.push_back(rt.execute(sql("SELECT id FROM events UNION ALL SELECT 1 UNION ALL SELECT 2")));
            (void)held.back().begin();
        }
    }
    if (!database().end_server_sessions()) GTEST_SKIP() << "an embedded database has no server sessions to lose";

    const sql_template insert("INSERT INTO events(id, thread) VALUES (?, ?)");
    const sql_template read("SELECT COUNT(*) FROM events WHERE thread = ?");
    std::mutex mutex;
    std::vector<std::string> failures;  // "thread t: read|write: description"
    std::vector<int> failures_per_thread(threads, 0);
    std::atomic<int> writes{0};
    std::atomic<int> failed_writes{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < statements; ++i) {
                const bool is_read = (i + t) % 2 == 1;  // threads 0 and 2 begin with a write
                if (!is_read) ++writes;
                try {
                    if (is_read) {
                        (void)rt.execute(read.bind(t)).one_as<std::int64_t>();
                    } else {
                        rt.execute(insert.bind(t * statements + i, t)).drain();
                    }
                } catch (const error& e) {
                    if (!is_read) ++failed_writes;
                    std::lock_guard lock(mutex);
                    ++failures_per_thread[static_cast<std::size_t>(t)];
                    failures.push_back("thread " + std::to_string(t) + ": " + (is_read ? "read" : "write") + ": " +
                                       e.describe());
                }
            }
        });
    }
    for (auto& th : pool) th.join();

    std::string all;
    for (const auto& f : failures) all += f + "\n";
    for (int t = 0; t < threads; ++t) EXPECT_LE(failures_per_thread[static_cast<std::size_t>(t)], 1) << all;
    for (const auto& f : failures) {
        EXPECT_EQ(f.find(": read: "), std::string::npos) << all;
        EXPECT_NE(f.find("DRIVER.CONNECTION_LOST"), std::string::npos) << all;
    }
    // the writes that failed never reached a live server; every other one is stored
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM events")).one_as<std::int64_t>(), writes - failed_writes);
}

STRATA_CONFORMANCE_SUITE(lost_connections);

}  // namespace
}  // namespace strata::test
