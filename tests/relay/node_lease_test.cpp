// Node ids leased from the database (issue 17 item 3, decision 0032): instances sharing a
// database (PostgreSQL: on SQLite relay is one process) mint ids with different worker bits; an expired lease is claimed again, a
// live one never; a released id is reused; none free is a clear refusal to start; a
// database made before the lease table gets it; a lease taken over shows in /healthz.
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include <strata/migrate.hpp>

#include "db/database.hpp"
#include "schema/schema.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(node_lease);

constexpr std::int64_t far_future = 9000000000000000;  // ms: live for ever

std::unique_ptr<app> another(const config& settings) {
    auto a = std::make_unique<app>(settings);
    a->start();
    return a;
}

void execute(const strata::runtime& db, const std::string& sql) {
    db.execute(strata::sql(sql)).drain();
}

TEST_P(node_lease, instances_on_one_database_get_different_node_ids_and_healthz_reports_them) {
    if (!on_postgres()) GTEST_SKIP() << "relay on SQLite is one process (realtime.a_second_process_on_a_sqlite_file_is_refused)";
    const int first = app_->lease().id();
    auto second = another(settings_);
    EXPECT_NE(second->lease().id(), first);
    EXPECT_EQ(http().get("/healthz").data()["node_id"], first);
    EXPECT_EQ(http_client(second->port()).get("/healthz").data()["node_id"], second->lease().id());
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes"), 2);
    // Ids minted by both carry their node id (bits 12..21 of a snowflake).
    const workspace_info ws = make_workspace();
    const std::string key = ws.key;
    const response made = http_client(second->port()).post("/v1/agents", {{"name", "bob"}}, key);
    ASSERT_EQ(made.status, 201u) << made.body;
    const std::int64_t agent = std::stoll(made.data()["agent"]["id"].get<std::string>());
    const std::int64_t workspace = std::stoll(ws.id);
    EXPECT_EQ((agent >> 12) & 1023, second->lease().id());
    EXPECT_EQ((workspace >> 12) & 1023, first);
}

// Instances starting together race for the lowest free id: each gets its own.
TEST_P(node_lease, instances_starting_together_get_different_node_ids) {
    if (!on_postgres()) GTEST_SKIP() << "relay on SQLite is one process (realtime.a_second_process_on_a_sqlite_file_is_refused)";
    std::vector<std::unique_ptr<app>> started(4);
    std::vector<std::thread> starting;
    for (auto& a : started) starting.emplace_back([&] { a = another(settings_); });
    for (auto& t : starting) t.join();
    std::set<int> ids{app_->lease().id()};
    for (const auto& a : started) {
        ASSERT_TRUE(a);
        ids.insert(a->lease().id());
    }
    EXPECT_EQ(ids, (std::set<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes"), 5);
}

TEST_P(node_lease, a_released_id_is_reused) {
    if (!on_postgres()) GTEST_SKIP() << "relay on SQLite is one process (realtime.a_second_process_on_a_sqlite_file_is_refused)";
    auto second = another(settings_);
    const int released = second->lease().id();
    second->stop();
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes WHERE node_id = " + std::to_string(released)), 0);
    auto third = another(settings_);
    EXPECT_EQ(third->lease().id(), released);
}

TEST_P(node_lease, an_expired_lease_is_claimed_again_and_a_live_one_is_not) {
    if (!on_postgres()) GTEST_SKIP() << "relay on SQLite is one process (realtime.a_second_process_on_a_sqlite_file_is_refused)";
    ASSERT_EQ(app_->lease().id(), 0);  // a fresh database: the lowest id
    execute(db(), "INSERT INTO relay_nodes(node_id, holder, heartbeat_at, expires_at) VALUES (1, 'live', 0, " +
                      std::to_string(far_future) + "), (2, 'died', 0, 1), (4, 'died too', 0, 1)");
    auto second = another(settings_);
    EXPECT_EQ(second->lease().id(), 2);  // 1 is live: the lowest free-or-expired is 2
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes WHERE node_id = 2 AND holder = 'died'"), 0);
    auto third = another(settings_);
    EXPECT_EQ(third->lease().id(), 3);
    auto fourth = another(settings_);
    EXPECT_EQ(fourth->lease().id(), 4);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes WHERE node_id = 1 AND holder = 'live'"), 1);
}

TEST_P(node_lease, with_every_id_leased_an_instance_refuses_to_start) {
    if (!on_postgres()) GTEST_SKIP() << "relay on SQLite is one process (realtime.a_second_process_on_a_sqlite_file_is_refused)";
    execute(db(),
            "WITH RECURSIVE ids(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM ids WHERE n < 1023) "
            "INSERT INTO relay_nodes(node_id, holder, heartbeat_at, expires_at) SELECT n, 'other', 0, " +
                std::to_string(far_future) + " FROM ids");
    ASSERT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes"), 1024);
    app refused(settings_);
    try {
        refused.start();
        ADD_FAILURE() << "a 1025th instance started";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("every node id (0-1023) is leased"), std::string::npos) << e.what();
    }
    refused.stop();
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes"), 1024);
}

TEST_P(node_lease, the_lease_is_renewed_and_one_taken_over_turns_healthz_503) {
    stop_relay();
    settings_.node_lease_seconds = 0.3;  // renewed every 100 ms
    start_relay();
    const std::string mine = std::to_string(app_->lease().id());
    const std::int64_t first = scalar("SELECT expires_at FROM relay_nodes WHERE node_id = " + mine);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (scalar("SELECT expires_at FROM relay_nodes WHERE node_id = " + mine) == first &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GT(scalar("SELECT expires_at FROM relay_nodes WHERE node_id = " + mine), first);
    EXPECT_EQ(http().get("/healthz").status, 200u);

    // Another instance claimed the id (this one was paused past its ttl).
    execute(db(), "UPDATE relay_nodes SET holder = 'thief' WHERE node_id = " + mine);
    response health = http().get("/healthz");
    while (health.status == 200u && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        health = http().get("/healthz");
    }
    EXPECT_EQ(health.status, 503u);
    EXPECT_EQ(health.error_code(), "node_id_lost");
    stop_relay();  // its release leaves the thief's row alone
    EXPECT_FALSE(app_);
    auto probe = database::open(settings_.db_url);
    const strata::plan thief = strata::sql("SELECT COUNT(*) FROM relay_nodes WHERE holder = 'thief'");
    EXPECT_EQ(probe->rt().execute(thief).one_as<std::int64_t>(), 1);
    probe->close();
}

// A database created by a relay without leases: its marker is a contract without
// relay_nodes, and it has no such table. This relay migrates it at start.
TEST_P(node_lease, a_database_made_before_leases_gets_the_table_at_start) {
    stop_relay();
    {
        auto j = nlohmann::json::parse(schema::relay_contract().canonical_json());
        auto& tables = j["tables"];
        tables.erase(std::remove_if(tables.begin(), tables.end(),
                                    [](const nlohmann::json& t) { return t["name"] == "relay_nodes"; }),
                     tables.end());
        const strata::contract earlier = strata::contract::from_json(j.dump());
        auto old = database::open(settings_.db_url);
        old->rt().execute(strata::sql("DROP TABLE relay_nodes")).drain();
        old->rt()
            .execute(strata::sql("UPDATE strata_contract SET hash = ?, contract = ? WHERE id = 1", earlier.hash(),
                                 earlier.canonical_json()))
            .drain();
        old->close();
    }
    start_relay();
    EXPECT_EQ(app_->lease().id(), 0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM relay_nodes"), 1);
    EXPECT_EQ(http().get("/healthz").status, 200u);
    EXPECT_EQ(strata::check_migrations(db(), schema::relay_contract()).state, strata::migration_state::up_to_date);
}

}  // namespace
}  // namespace relay::test
