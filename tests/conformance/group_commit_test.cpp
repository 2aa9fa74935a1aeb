// Group commit (commit_group in strata/atomic_writes.hpp): concurrent units share one
// transaction and one COMMIT, each under its own savepoint. Groups are made to form by
// holding a "gate" unit inside its transaction until every other caller has started;
// whoever leads next finds them queued.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "../support/expect_error.hpp"
#include "commit_gate.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class group_commit : public commit_group_suite {
protected:
    void SetUp() override {
        conformance::SetUp();
        rt_ = &connect({gate_});
        create_notes();
    }
    static std::vector<plan> gate_unit() {
        return {sql("INSERT INTO notes(id, body, rank) VALUES (?, 'gate', 0)", -1)};
    }
    static atomic_options grouped(std::string key = "k", std::size_t max_units = 32) {
        atomic_options o;
        o.require_atomic = true;
        o.group = commit_group{std::move(key), max_units, std::chrono::milliseconds(2000)};
        return o;
    }
    // The gate unit leads; `callers` units queue behind it, all grouped under "k".
    template <class Call>
    void with_callers_behind_the_gate(int callers, const Call& call) {
        gate_->with_callers_behind(callers, [&] { (void)run_atomic_writes(*rt_, gate_unit(), grouped()); }, call);
    }
};

TEST_P(group_commit, a_lone_unit_runs_alone_and_commits) {
    gate_->release();
    const atomic_result r = run_atomic_writes(*rt_, unit(1), grouped());
    EXPECT_EQ(r.mode, atomic_mode::transaction);
    ASSERT_EQ(r.results.size(), 2u);
    EXPECT_EQ(r.results[1].rows.at(0).get<int>("id"), 3);
    EXPECT_EQ(rows_with_ids_below(2), 2);
    ASSERT_EQ(gate_->units().size(), 1u);
    EXPECT_EQ(gate_->units()[0].group_size, 1u);
    EXPECT_TRUE(gate_->groups().empty());  // no group, no savepoint: what it costs without one
}

TEST_P(group_commit, queued_units_commit_together_and_each_gets_its_own_results) {
    constexpr int callers = 8;
    std::vector<atomic_result> results(callers);
    with_callers_behind_the_gate(callers, [&](int i) { results[i] = run_atomic_writes(*rt_, unit(i), grouped("k", callers)); });
    for (int i = 0; i < callers; ++i) {
        ASSERT_EQ(results[i].results.size(), 2u) << i;
        EXPECT_EQ(results[i].results[0].rows.at(0).get<int>("id"), 2 * i) << i;  // its own rows, not a neighbour's
        EXPECT_EQ(results[i].results[1].rows.at(0).get<int>("id"), 2 * i + 1) << i;
    }
    EXPECT_EQ(rows_with_ids_below(callers), 2 * callers);
    const auto groups = gate_->groups();
    ASSERT_FALSE(groups.empty()) << "the callers queued behind the gate never formed a group";
    std::size_t grouped_units = 0;
    for (const auto& g : groups) {
        EXPECT_TRUE(g.succeeded);
        EXPECT_GE(g.units, 2u);
        EXPECT_EQ(g.committed, g.units);
        grouped_units += g.units;
    }
    EXPECT_EQ(grouped_units, static_cast<std::size_t>(callers));  // every queued caller was grouped
}

TEST_P(group_commit, a_failing_unit_rolls_back_alone_and_only_its_caller_sees_the_error) {
    constexpr int callers = 6;
    constexpr int failing = 3;
    std::vector<std::optional<error>> errors(callers);
    with_callers_behind_the_gate(callers, [&](int i) {
        errors[i] = catch_error([&] { (void)run_atomic_writes(*rt_, unit(i, i == failing), grouped("k", callers)); });
    });
    for (int i = 0; i < callers; ++i) {
        if (i == failing) continue;
        EXPECT_FALSE(errors[i]) << i << ": " << errors[i]->describe();
    }
    ASSERT_TRUE(errors[failing]);
    EXPECT_EQ(errors[failing]->code(), "ATOMIC.UNIT_FAILED");
    EXPECT_EQ(errors[failing]->details().at("applied"), "none");
    EXPECT_EQ(errors[failing]->details().at("failed_index"), "1");
    ASSERT_TRUE(errors[failing]->sql());
    EXPECT_EQ(errors[failing]->sql()->sqlstate, "23514");
    // Its first insert was undone with it; everyone else's rows landed.
    EXPECT_EQ(rt_->execute(sql("SELECT COUNT(*) FROM notes WHERE id = ?", 2 * failing)).one_as<std::int64_t>(), 0);
    EXPECT_EQ(rows_with_ids_below(callers), 2 * (callers - 1));
    bool failed_in_a_group = false;
    for (const auto& u : gate_->units()) failed_in_a_group |= !u.succeeded && u.group_size >= 2;
    EXPECT_TRUE(failed_in_a_group) << "the failing unit was not in a group";
    const auto groups = gate_->groups();
    ASSERT_FALSE(groups.empty());
    EXPECT_TRUE(groups[0].succeeded);
    EXPECT_EQ(groups[0].committed + 1, groups[0].units);
}

TEST_P(group_commit, a_unit_whose_deadline_passes_in_the_queue_never_runs) {
    std::thread gate_thread([&] { (void)run_atomic_writes(*rt_, gate_unit(), grouped()); });
    gate_->wait_entered();
    atomic_options o = grouped();
    o.transaction.timeout = std::chrono::milliseconds(50);
    auto e = catch_error([&] { (void)run_atomic_writes(*rt_, unit(1), o); });
    gate_->release();
    gate_thread.join();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
    EXPECT_EQ(e->details().at("applied"), "none");
    ASSERT_NE(e->strata_cause(), nullptr);
    EXPECT_EQ(e->strata_cause()->code(), "RUNTIME.TRANSACTION_TIMEOUT");
    EXPECT_EQ(rows_with_ids_below(2), 0);
}

TEST_P(group_commit, units_with_another_key_do_not_wait_unless_the_database_has_one_writer) {
    std::thread gate_thread([&] { (void)run_atomic_writes(*rt_, gate_unit(), grouped("a")); });
    gate_->wait_entered();
    std::atomic<bool> done{false};
    std::thread other([&] {
        (void)run_atomic_writes(*rt_, unit(1), grouped("b"));
        done = true;
    });
    if (rt_->caps().single_writer) {
        // One writer: every unit shares one queue; "b" runs after the gate's group.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_FALSE(done.load());
        gate_->release();
        other.join();
    } else {
        other.join();  // "b" has a queue of its own: it commits while the gate holds "a"
        EXPECT_TRUE(done.load());
        gate_->release();
    }
    gate_thread.join();
    EXPECT_EQ(rows_with_ids_below(2), 2);
}

TEST_P(group_commit, bad_settings_are_refused_before_anything_runs) {
    gate_->release();
    atomic_options o = grouped("k", 0);
    EXPECT_STRATA_ERROR(run_atomic_writes(*rt_, unit(1), o), "RUNTIME.INVALID_ARGUMENT");
    o = grouped();
    o.group->max_wait = std::chrono::microseconds(-1);
    EXPECT_STRATA_ERROR(run_atomic_writes(*rt_, unit(1), o), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_EQ(rows_with_ids_below(2), 0);
}

}  // namespace

STRATA_CONFORMANCE_SUITE(group_commit);

}  // namespace strata::test
