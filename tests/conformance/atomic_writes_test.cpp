// run_atomic_writes on the three connection shapes: the real connection (transaction),
// one with only an all-or-nothing batch, and one with neither (sequential). Failures
// happen while a statement executes (a CHECK constraint), at every index.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "../support/wrapped_driver.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

enum class connection_shape { real, batch_only, neither };

struct shape_case {
    connection_shape shape;
    atomic_mode expected_mode;
};

class atomic_writes : public conformance {
protected:
    runtime& shaped(connection_shape shape, std::vector<std::shared_ptr<middleware>> mw = {}) {
        controls_ = std::make_shared<wrapper_controls>();
        if (shape != connection_shape::real) {
            controls_->hide_interactive_transactions = true;
            if (shape == connection_shape::batch_only && !db().caps().atomic_batch)
                controls_->batch_through_transaction = true;
            if (shape == connection_shape::neither) controls_->hide_atomic_batch = true;
        }
        auto w = controls_;
        runtime& rt = connect_stack([w](strata::stack s) { return wrap_stack(std::move(s), w); }, std::move(mw));
        rt.execute(sql("CREATE TABLE IF NOT EXISTS notes(id " + types().integer + " PRIMARY KEY, body " +
                       types().text + " NOT NULL, rank " + types().integer + " NOT NULL CHECK (rank >= 0))"))
            .drain();
        return rt;
    }
    // Five inserts; the one at `failing` (if any) violates the CHECK when it executes.
    static std::vector<plan> unit(std::optional<std::size_t> failing = std::nullopt) {
        std::vector<plan> plans;
        const sql_template insert("INSERT INTO notes(id, body, rank) VALUES (?, ?, ?) RETURNING id, body");
        for (std::size_t i = 0; i < 5; ++i) {
            const int rank = failing == i ? -1 : static_cast<int>(i);
            plans.push_back(insert.bind(static_cast<int>(i + 1), "note " + std::to_string(i + 1), rank));
        }
        return plans;
    }
    static std::int64_t notes(runtime& rt) { return rt.execute(sql("SELECT COUNT(*) FROM notes")).one_as<std::int64_t>(); }
    std::shared_ptr<wrapper_controls> controls_;
};

const shape_case shapes[] = {{connection_shape::real, atomic_mode::transaction},
                             {connection_shape::batch_only, atomic_mode::batch},
                             {connection_shape::neither, atomic_mode::sequential}};

TEST_P(atomic_writes, the_strongest_capability_wins_and_results_come_back_in_order) {
    for (const auto& c : shapes) {
        auto t = std::make_shared<telemetry>();
        runtime& rt = shaped(c.shape, {t});
        rt.execute(sql("DELETE FROM notes")).drain();
        const atomic_result r = run_atomic_writes(rt, unit());
        EXPECT_EQ(r.mode, c.expected_mode);
        ASSERT_EQ(r.results.size(), 5u);
        for (std::size_t i = 0; i < 5; ++i) {
            ASSERT_EQ(r.results[i].rows.size(), 1u);  // RETURNING rows, by index
            EXPECT_EQ(r.results[i].rows[0].get<int>("id"), static_cast<int>(i + 1));
            EXPECT_EQ(r.results[i].rows[0].get<std::string>("body"), "note " + std::to_string(i + 1));
            EXPECT_EQ(r.results[i].affected_rows, 1u);
        }
        EXPECT_EQ(notes(rt), 5);
        EXPECT_EQ(t->atomic_units().at(c.expected_mode).units, 1u);  // the mode is counted
    }
}

TEST_P(atomic_writes, a_batch_sends_the_whole_unit_at_once) {
    runtime& rt = shaped(connection_shape::batch_only);
    (void)run_atomic_writes(rt, unit());
    std::lock_guard lock(controls_->mutex);
    ASSERT_EQ(controls_->batches.size(), 1u);
    EXPECT_EQ(controls_->batches[0].size(), 5u);
}

TEST_P(atomic_writes, a_failure_at_any_index_leaves_nothing_in_atomic_modes) {
    for (const auto& c : shapes) {
        if (c.shape == connection_shape::neither) continue;
        for (std::size_t failing = 0; failing < 5; ++failing) {
            runtime& rt = shaped(c.shape);
            rt.execute(sql("DELETE FROM notes")).drain();
            auto e = catch_error([&] { (void)run_atomic_writes(rt, unit(failing)); });
            ASSERT_TRUE(e) << to_string(c.expected_mode) << " " << failing;
            EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
            EXPECT_EQ(e->details().at("mode"), to_string(c.expected_mode));
            EXPECT_EQ(e->details().at("applied"), "none");
            EXPECT_EQ(e->details().at("failed_index"), std::to_string(failing));
            ASSERT_TRUE(e->sql());
            EXPECT_EQ(e->sql()->sqlstate, "23514");
            EXPECT_EQ(notes(rt), 0) << to_string(c.expected_mode) << " failing at " << failing;
            // the connection is usable afterwards
            EXPECT_EQ(run_atomic_writes(rt, unit()).results.size(), 5u);
            EXPECT_EQ(notes(rt), 5);
        }
    }
}

TEST_P(atomic_writes, sequential_mode_leaves_the_documented_partial_state) {
    for (std::size_t failing = 0; failing < 5; ++failing) {
        runtime& rt = shaped(connection_shape::neither);
        rt.execute(sql("DELETE FROM notes")).drain();
        auto e = catch_error([&] { (void)run_atomic_writes(rt, unit(failing)); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->details().at("mode"), "sequential");
        EXPECT_EQ(e->details().at("applied"), std::to_string(failing));
        EXPECT_EQ(notes(rt), static_cast<std::int64_t>(failing));  // the plans before the failure stay
    }
}

TEST_P(atomic_writes, require_atomic_refuses_the_sequential_fallback_before_running_anything) {
    runtime& rt = shaped(connection_shape::neither);
    rt.execute(sql("DELETE FROM notes")).drain();
    atomic_options o;
    o.require_atomic = true;
    EXPECT_STRATA_ERROR(run_atomic_writes(rt, unit(), o), "ATOMIC.CAPABILITY_REQUIRED");
    EXPECT_EQ(notes(rt), 0);
}

TEST_P(atomic_writes, inside_a_transaction_the_unit_joins_it) {
    runtime& rt = shaped(connection_shape::real);
    rt.execute(sql("DELETE FROM notes")).drain();
    EXPECT_ANY_THROW(rt.transaction([&](tx& t) {
        const atomic_result r = run_atomic_writes(t, unit());
        EXPECT_EQ(r.mode, atomic_mode::transaction);
        throw std::runtime_error("the outer transaction fails after the unit");
    }));
    EXPECT_EQ(notes(rt), 0);
}

TEST_P(atomic_writes, a_unit_joined_to_a_transaction_is_all_or_nothing_there_too) {
    runtime& rt = shaped(connection_shape::real);
    for (std::size_t failing = 0; failing < 5; ++failing) {
        rt.execute(sql("DELETE FROM notes")).drain();
        // The caller catches the unit's failure and commits the rest of its transaction:
        // "applied=none" must hold for what commits.
        rt.transaction([&](tx& t) {
            t.execute(sql("INSERT INTO notes(id, body, rank) VALUES (100, 'before', 0)")).drain();
            auto e = catch_error([&] { (void)run_atomic_writes(t, unit(failing)); });
            ASSERT_TRUE(e) << failing;
            EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
            EXPECT_EQ(e->details().at("mode"), "transaction");
            EXPECT_EQ(e->details().at("applied"), "none");
            EXPECT_EQ(e->details().at("failed_index"), std::to_string(failing));
            ASSERT_TRUE(e->sql());
            EXPECT_EQ(e->sql()->sqlstate, "23514");
            EXPECT_TRUE(t.active());  // the transaction goes on
            t.execute(sql("INSERT INTO notes(id, body, rank) VALUES (101, 'after', 0)")).drain();
        });
        EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM notes WHERE id < 100")).one_as<std::int64_t>(), 0)
            << "failing at " << failing;
        EXPECT_EQ(notes(rt), 2) << "failing at " << failing;  // the caller's own statements committed
    }
    // A unit that succeeds stays in the transaction and commits with it.
    rt.execute(sql("DELETE FROM notes")).drain();
    rt.transaction([&](tx& t) {
        const atomic_result r = run_atomic_writes(t, unit());
        ASSERT_EQ(r.results.size(), 5u);
        EXPECT_EQ(r.results[4].rows.at(0).get<int>("id"), 5);
        EXPECT_EQ(t.depth(), 0);  // the caller's scope is untouched
    });
    EXPECT_EQ(notes(rt), 5);
}

TEST_P(atomic_writes, without_savepoints_a_failed_joined_unit_dooms_its_transaction) {
    runtime& rt = shaped(connection_shape::real);
    controls_->hide_savepoints = true;
    rt.execute(sql("DELETE FROM notes")).drain();
    bool callback_returned = false;
    auto e = catch_error([&] {
        rt.transaction([&](tx& t) {
            t.execute(sql("INSERT INTO notes(id, body, rank) VALUES (100, 'before', 0)")).drain();
            auto unit_error = catch_error([&] { (void)run_atomic_writes(t, unit(3)); });
            ASSERT_TRUE(unit_error);
            EXPECT_EQ(unit_error->details().at("applied"), "none");
            callback_returned = true;
        });
    });
    EXPECT_TRUE(callback_returned);
    ASSERT_TRUE(e);  // the unit could not be undone alone, so nothing commits
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_COMMIT_FAILED");
    EXPECT_EQ(e->details().at("outcome"), "rolled_back");
    ASSERT_NE(e->strata_cause(), nullptr);
    EXPECT_EQ(e->strata_cause()->code(), "ATOMIC.UNIT_FAILED");
    EXPECT_EQ(notes(rt), 0);
    // A unit that succeeds needs no savepoint.
    rt.transaction([&](tx& t) { EXPECT_EQ(run_atomic_writes(t, unit()).results.size(), 5u); });
    EXPECT_EQ(notes(rt), 5);
}

TEST_P(atomic_writes, a_joined_unit_whose_savepoint_cannot_be_rolled_back_dooms_its_transaction) {
    runtime& rt = shaped(connection_shape::real);
    rt.execute(sql("DELETE FROM notes")).drain();
    controls_->fail_savepoint_rollbacks = 1;
    auto e = catch_error([&] {
        rt.transaction([&](tx& t) {
            t.execute(sql("INSERT INTO notes(id, body, rank) VALUES (100, 'before', 0)")).drain();
            auto unit_error = catch_error([&] { (void)run_atomic_writes(t, unit(3)); });
            ASSERT_TRUE(unit_error);
            EXPECT_EQ(unit_error->details().at("applied"), "none");
        });
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_COMMIT_FAILED");
    EXPECT_EQ(e->details().at("outcome"), "rolled_back");
    EXPECT_EQ(notes(rt), 0);
}

TEST_P(atomic_writes, a_lost_commit_reply_makes_the_outcome_unknown_and_never_transient) {
    // transaction mode: COMMIT fails with the connection in an unknown state
    {
        runtime& rt = shaped(connection_shape::real);
        rt.execute(sql("DELETE FROM notes")).drain();
        controls_->fail_commits = 1;
        controls_->status_after_failed_commit = transaction_status::unknown;
        controls_->commit_failure_transient = true;
        atomic_options o;
        o.transaction.retry.max_attempts = 3;
        auto e = catch_error([&] { (void)run_atomic_writes(rt, unit(), o); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
        EXPECT_EQ(e->details().at("mode"), "transaction");
        EXPECT_EQ(e->details().at("applied"), "unknown");
        EXPECT_FALSE(e->details().contains("failed_index"));
        EXPECT_FALSE(e->transient());
        EXPECT_TRUE(e->outcome_unknown());
        EXPECT_EQ(controls_->fail_commits.load(), 0);  // one COMMIT, never retried
    }
    // batch mode: the batch committed, then its reply was lost
    {
        runtime& rt = shaped(connection_shape::batch_only);
        rt.execute(sql("DELETE FROM notes")).drain();
        controls_->lose_batch_replies = 1;
        auto e = catch_error([&] { (void)run_atomic_writes(rt, unit()); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->details().at("mode"), "batch");
        EXPECT_EQ(e->details().at("applied"), "unknown");
        EXPECT_FALSE(e->transient());
        EXPECT_TRUE(e->outcome_unknown());
        EXPECT_EQ(notes(rt), 5);  // it had landed: "none" would have been a lie
    }
}

TEST_P(atomic_writes, a_statement_failure_is_not_an_unknown_outcome) {
    runtime& rt = shaped(connection_shape::real);
    rt.execute(sql("DELETE FROM notes")).drain();
    auto e = catch_error([&] { (void)run_atomic_writes(rt, unit(2)); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("applied"), "none");
    EXPECT_FALSE(e->outcome_unknown());
}

STRATA_CONFORMANCE_SUITE(atomic_writes);

}  // namespace
}  // namespace strata::test
