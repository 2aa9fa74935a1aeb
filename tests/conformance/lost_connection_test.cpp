// A connection lost under a statement outside any transaction: an autocommit read whose
// results had not started to arrive runs once more on another connection; a write, a
// statement of unknown kind and anything inside a transaction never run again.
#include <gtest/gtest.h>

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

STRATA_CONFORMANCE_SUITE(lost_connections);

}  // namespace
}  // namespace strata::test
