// Driver lifecycle: unbound -> connected -> closed -> connected, and the coded error of
// every method called in every state.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class lifecycle : public conformance {};

TEST_P(lifecycle, instantiate_opens_nothing_and_starts_unbound) {
    auto rt = strata::instantiate(GetParam().make_stack({}));
    EXPECT_EQ(rt.state(), driver_state::unbound);
    EXPECT_EQ(rt.stack().driver.id, rt.stack().target.id);
}

TEST_P(lifecycle, unbound_state_methods) {
    auto rt = strata::instantiate(GetParam().make_stack({}));
    EXPECT_STRATA_ERROR(rt.execute(sql("SELECT 1")), "DRIVER.NOT_CONNECTED");
    EXPECT_TRUE(rt.caps().streaming);  // capabilities describe the driver, in every state
    rt.close();  // idempotent: nothing to close
    EXPECT_EQ(rt.state(), driver_state::unbound);
    rt.connect(database().binding());
    EXPECT_EQ(rt.state(), driver_state::connected);
    rt.close();
}

TEST_P(lifecycle, connected_state_methods) {
    auto rt = strata::instantiate(GetParam().make_stack({}));
    rt.connect(database().binding());
    EXPECT_EQ(rt.execute(sql("SELECT 1")).one_as<int>(), 1);
    EXPECT_STRATA_ERROR(rt.connect(database().binding()), "DRIVER.ALREADY_CONNECTED");
    EXPECT_EQ(rt.state(), driver_state::connected);  // the failed connect changed nothing
    EXPECT_EQ(rt.execute(sql("SELECT 2")).one_as<int>(), 2);
    rt.close();
    EXPECT_EQ(rt.state(), driver_state::closed);
}

TEST_P(lifecycle, closed_state_methods) {
    auto rt = strata::instantiate(GetParam().make_stack({}));
    rt.connect(database().binding());
    rt.close();
    EXPECT_STRATA_ERROR(rt.execute(sql("SELECT 1")), "DRIVER.CLOSED");
    EXPECT_TRUE(rt.caps().streaming);
    rt.close();  // idempotent
    EXPECT_EQ(rt.state(), driver_state::closed);
    rt.connect(database().binding());  // reconnect after close
    EXPECT_EQ(rt.state(), driver_state::connected);
    EXPECT_EQ(rt.execute(sql("SELECT 3")).one_as<int>(), 3);
    rt.close();
}

TEST_P(lifecycle, data_survives_reconnect_when_the_database_is_shared) {
    if (!database().shared_between_connections()) GTEST_SKIP() << "private database per connection";
    auto rt = strata::instantiate(GetParam().make_stack({}));
    rt.connect(database().binding());
    rt.execute(sql("CREATE TABLE kept(id " + types().integer + ")")).drain();
    rt.execute(sql("INSERT INTO kept VALUES (?)", 7)).drain();
    rt.close();
    rt.connect(database().binding());
    EXPECT_EQ(rt.execute(sql("SELECT id FROM kept")).one_as<int>(), 7);
    rt.close();
}

TEST_P(lifecycle, foreign_binding_is_invalid_and_leaves_driver_unbound) {
    auto rt = strata::instantiate(GetParam().make_stack({}));
    auto e = catch_error([&] { rt.connect(database().foreign_binding()); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.BINDING_INVALID");
    EXPECT_EQ(e->details().at("field"), "binding");
    EXPECT_FALSE(e->details().at("reason").empty());
    EXPECT_EQ(rt.state(), driver_state::unbound);
    rt.connect(database().binding());  // a good binding still works afterwards
    EXPECT_EQ(rt.state(), driver_state::connected);
    rt.close();
}

TEST_P(lifecycle, stream_open_across_close_fails_with_closed) {
    auto rt = strata::instantiate(GetParam().make_stack({}));
    rt.connect(database().binding());
    auto stream = rt.execute(sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) "
                                 "SELECT x FROM c"));
    auto it = stream.begin();
    EXPECT_EQ(it->get<int>(0), 1);
    rt.close();
    EXPECT_STRATA_ERROR(++it, "DRIVER.CLOSED");
}

TEST_P(lifecycle, racing_connects_bind_exactly_once) {
    auto rt = strata::instantiate(GetParam().make_stack({}));
    std::atomic<int> ok{0}, already{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
        threads.emplace_back([&] {
            try {
                rt.connect(database().binding());
                ++ok;
            } catch (const strata::error& e) {
                (e.code() == "DRIVER.ALREADY_CONNECTED" ? already : other)++;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(already.load(), 15);
    EXPECT_EQ(other.load(), 0);
    rt.close();
}

TEST_P(lifecycle, capabilities_are_declared) {
    auto& rt = db();
    const capabilities c = rt.caps();
    EXPECT_TRUE(c.interactive_transactions || c.atomic_batch);
    EXPECT_TRUE(c.streaming);
}

STRATA_CONFORMANCE_SUITE(lifecycle);

}  // namespace
}  // namespace strata::test
