// atomic_options::prefer_batch: a unit runs as one atomic batch even on a connection
// that also has interactive transactions (PostgreSQL's pipeline; on SQLite the test
// driver wrapper lends a batch that runs inside a real transaction). Same contract as the
// batch mode: all or nothing, transient failures retried by the policy, an unknown
// outcome never retried.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "../support/wrapped_driver.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class batch_preference : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        controls_ = std::make_shared<wrapper_controls>();
        auto probe = instantiate(GetParam().make_stack({}));
        controls_->batch_through_transaction = !probe.caps().atomic_batch;
        auto w = controls_;
        rt_ = &connect_stack([w](strata::stack s) { return wrap_stack(std::move(s), w); });
        rt_->execute(sql("CREATE TABLE notes(id " + types().integer + " PRIMARY KEY, rank " + types().integer +
                         " NOT NULL CHECK (rank >= 0))"))
            .drain();
    }
    static std::vector<plan> unit(std::optional<std::size_t> failing = std::nullopt) {
        std::vector<plan> plans;
        const sql_template insert("INSERT INTO notes(id, rank) VALUES (?, ?) RETURNING id");
        for (std::size_t i = 0; i < 5; ++i) plans.push_back(insert.bind(static_cast<int>(i + 1), failing == i ? -1 : 0));
        return plans;
    }
    static atomic_options batch(std::uint32_t attempts = 1) {
        atomic_options o;
        o.require_atomic = true;
        o.prefer_batch = true;
        o.transaction.retry.max_attempts = attempts;
        o.transaction.retry.initial_backoff = std::chrono::milliseconds(1);
        return o;
    }
    std::int64_t notes() { return rt_->execute(sql("SELECT COUNT(*) FROM notes")).one_as<std::int64_t>(); }
    std::size_t batches() {
        std::lock_guard lock(controls_->mutex);
        return controls_->batches.size();
    }

    std::shared_ptr<wrapper_controls> controls_;
    runtime* rt_ = nullptr;
};

TEST_P(batch_preference, a_unit_that_prefers_a_batch_is_sent_as_one) {
    ASSERT_TRUE(rt_->caps().interactive_transactions);
    ASSERT_TRUE(rt_->caps().atomic_batch);
    EXPECT_EQ(run_atomic_writes(*rt_, unit()).mode, atomic_mode::transaction);  // without: a transaction
    EXPECT_EQ(batches(), 0u);
    rt_->execute(sql("DELETE FROM notes")).drain();
    const atomic_result r = run_atomic_writes(*rt_, unit(), batch());
    EXPECT_EQ(r.mode, atomic_mode::batch);
    ASSERT_EQ(r.results.size(), 5u);
    EXPECT_EQ(r.results[4].rows.at(0).get<int>("id"), 5);
    EXPECT_EQ(batches(), 1u);
    EXPECT_EQ(notes(), 5);
}

TEST_P(batch_preference, a_failure_at_any_statement_leaves_nothing) {
    for (std::size_t failing = 0; failing < 5; ++failing) {
        auto e = catch_error([&] { (void)run_atomic_writes(*rt_, unit(failing), batch(3)); });
        ASSERT_TRUE(e) << failing;
        EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
        EXPECT_EQ(e->details().at("mode"), "batch");
        EXPECT_EQ(e->details().at("applied"), "none");
        EXPECT_EQ(e->details().at("failed_index"), std::to_string(failing));
        EXPECT_EQ(notes(), 0) << failing;
    }
    EXPECT_EQ(batches(), 5u);  // a constraint violation is not retried
}

TEST_P(batch_preference, a_transient_failure_is_retried_as_the_policy_allows) {
    controls_->refuse_batches = 2;
    const atomic_result r = run_atomic_writes(*rt_, unit(), batch(3));
    EXPECT_EQ(r.mode, atomic_mode::batch);
    EXPECT_EQ(batches(), 3u);
    EXPECT_EQ(notes(), 5);

    rt_->execute(sql("DELETE FROM notes")).drain();
    controls_->refuse_batches = 1;
    auto e = catch_error([&] { (void)run_atomic_writes(*rt_, unit(), batch(1)); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("applied"), "none");
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(notes(), 0);
}

TEST_P(batch_preference, an_unknown_outcome_is_never_retried) {
    controls_->lose_batch_replies = 1;
    auto e = catch_error([&] { (void)run_atomic_writes(*rt_, unit(), batch(5)); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("applied"), "unknown");
    EXPECT_FALSE(e->transient());
    EXPECT_EQ(batches(), 1u);
    EXPECT_EQ(notes(), 5);  // it had landed
}

TEST_P(batch_preference, zero_attempts_is_refused) {
    auto e = catch_error([&] { (void)run_atomic_writes(*rt_, unit(), batch(0)); });
    ASSERT_TRUE(e);
    ASSERT_NE(e->strata_cause(), nullptr);  // as in transaction mode: the unit failed, the cause says why
    EXPECT_EQ(e->strata_cause()->code(), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_EQ(batches(), 0u);
    EXPECT_EQ(notes(), 0);
}

}  // namespace

STRATA_CONFORMANCE_SUITE(batch_preference);

}  // namespace strata::test
