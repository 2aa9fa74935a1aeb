// Group commit for batch units (commit_group with atomic_options::prefer_batch): queued
// batch units are sent as one batch — one round trip, one COMMIT — and each caller gets
// its own results; when that batch fails, its units run again alone (each gets its own
// outcome), unless the batch's outcome is unknown. On PostgreSQL the batch is the real
// pipeline; on SQLite the test driver wrapper lends a batch that runs inside a real
// transaction. Groups are made to form by holding a "gate" batch until every other caller
// has queued behind it.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "../support/wrapped_driver.hpp"
#include "commit_gate.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class grouped_batches : public commit_group_suite {
protected:
    void SetUp() override {
        conformance::SetUp();
        controls_ = std::make_shared<wrapper_controls>();
        auto probe = instantiate(GetParam().make_stack({}));
        controls_->batch_through_transaction = !probe.caps().atomic_batch;
        controls_->before_batch = [g = gate_](const std::vector<std::string>& sql) { g->hold_batch(sql); };
        auto w = controls_;
        rt_ = &connect_stack([w](strata::stack s) { return wrap_stack(std::move(s), w); }, {gate_});
        create_notes();
    }
    static atomic_options grouped(std::size_t max_units = 32) {
        atomic_options o;
        o.require_atomic = true;
        o.prefer_batch = true;
        o.group = commit_group{"k", max_units, std::chrono::milliseconds(2000)};
        return o;
    }
    std::size_t batches() {
        std::lock_guard lock(controls_->mutex);
        return controls_->batches.size();
    }
    // The gate batch leads; `callers` units queue behind it, all grouped under one key.
    template <class Call>
    void with_callers_behind_the_gate(int callers, const Call& call) {
        gate_->with_callers_behind(
            callers,
            [&] {
                (void)catch_error([&] {
                    (void)run_atomic_writes(*rt_, {sql("INSERT INTO notes(id, body, rank) VALUES (-1, 'gate', 0)")},
                                            grouped());
                });
            },
            call);
    }

    std::shared_ptr<wrapper_controls> controls_;
};

TEST_P(grouped_batches, queued_batch_units_are_sent_as_one_batch_and_each_gets_its_own_results) {
    constexpr int callers = 8;
    std::vector<atomic_result> results(callers);
    with_callers_behind_the_gate(callers, [&](int i) { results[i] = run_atomic_writes(*rt_, unit(i), grouped(callers)); });
    for (int i = 0; i < callers; ++i) {
        EXPECT_EQ(results[i].mode, atomic_mode::batch) << i;
        ASSERT_EQ(results[i].results.size(), 2u) << i;
        EXPECT_EQ(results[i].results[0].rows.at(0).get<int>("id"), 2 * i) << i;  // its own rows, not a neighbour's
        EXPECT_EQ(results[i].results[1].rows.at(0).get<int>("id"), 2 * i + 1) << i;
    }
    EXPECT_EQ(rows_with_ids_below(callers), 2 * callers);
    // The gate's batch, then one batch for the eight callers.
    EXPECT_EQ(batches(), 2u);
    const auto groups = gate_->groups();
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_TRUE(groups[0].succeeded);
    EXPECT_EQ(groups[0].units, static_cast<std::size_t>(callers));
    EXPECT_EQ(groups[0].committed, groups[0].units);
}

TEST_P(grouped_batches, a_failing_unit_fails_alone_and_the_others_commit) {
    constexpr int callers = 5;
    constexpr int failing = 2;
    std::vector<std::optional<error>> errors(callers);
    with_callers_behind_the_gate(callers, [&](int i) {
        errors[i] = catch_error([&] { (void)run_atomic_writes(*rt_, unit(i, i == failing), grouped(callers)); });
    });
    for (int i = 0; i < callers; ++i) {
        if (i != failing) {
            EXPECT_FALSE(errors[i]) << i << ": " << errors[i]->describe();
        }
    }
    ASSERT_TRUE(errors[failing]);
    EXPECT_EQ(errors[failing]->code(), "ATOMIC.UNIT_FAILED");
    EXPECT_EQ(errors[failing]->details().at("mode"), "batch");
    EXPECT_EQ(errors[failing]->details().at("applied"), "none");
    EXPECT_EQ(errors[failing]->details().at("failed_index"), "1");  // its own index, from its own batch
    ASSERT_TRUE(errors[failing]->sql());
    EXPECT_EQ(errors[failing]->sql()->sqlstate, "23514");
    EXPECT_EQ(rt_->execute(sql("SELECT COUNT(*) FROM notes WHERE id = ?", 2 * failing)).one_as<std::int64_t>(), 0);
    EXPECT_EQ(rows_with_ids_below(callers), 2 * (callers - 1));
    // The gate, the group's batch that failed, then each unit alone.
    EXPECT_EQ(batches(), 2u + callers);
    const auto groups = gate_->groups();
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_FALSE(groups[0].succeeded);
}

TEST_P(grouped_batches, a_grouped_batch_whose_reply_is_lost_is_unknown_for_every_unit_and_never_resent) {
    constexpr int callers = 4;
    controls_->lose_batch_replies = 2;  // the gate's batch, then the group's
    std::vector<std::optional<error>> errors(callers);
    with_callers_behind_the_gate(callers, [&](int i) {
        atomic_options o = grouped(callers);
        o.transaction.retry.max_attempts = 5;  // a lost reply must not be retried all the same
        errors[i] = catch_error([&] { (void)run_atomic_writes(*rt_, unit(i), o); });
    });
    for (int i = 0; i < callers; ++i) {
        ASSERT_TRUE(errors[i]) << i;
        EXPECT_EQ(errors[i]->code(), "ATOMIC.UNIT_FAILED") << i;
        EXPECT_EQ(errors[i]->details().at("applied"), "unknown") << i;
        EXPECT_FALSE(errors[i]->transient()) << i;
    }
    EXPECT_EQ(batches(), 2u);
    EXPECT_EQ(rows_with_ids_below(callers), 2 * callers);  // it did commit: "unknown" was honest
}

TEST_P(grouped_batches, batch_units_do_not_group_with_transaction_units) {
    gate_->release();
    atomic_options transaction_unit = grouped();
    transaction_unit.prefer_batch = false;
    EXPECT_EQ(run_atomic_writes(*rt_, unit(0), transaction_unit).mode, atomic_mode::transaction);
    EXPECT_EQ(run_atomic_writes(*rt_, unit(1), grouped()).mode, atomic_mode::batch);
    EXPECT_EQ(rows_with_ids_below(2), 4);
}

}  // namespace

STRATA_CONFORMANCE_SUITE(grouped_batches);

}  // namespace strata::test
