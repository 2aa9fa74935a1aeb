// relay upgrades a database an earlier relay made, in place, at start (issue 19 item 2,
// docs/decisions/0033): earlier relays recorded a contract without the (created_at, id)
// indexes and made those indexes at every start outside it (the earliest ones not at
// all). Starting this relay on such a database migrates it to today's contract in one
// transaction, keeps every row, and leaves a database whose live schema matches its
// marker.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <strata/migrate.hpp>

#include "schema/schema.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

class schema_upgrade : public relay_test {
protected:
    // relay's contract as earlier relays declared it: without the *_time indexes.
    static strata::contract earlier_contract() {
        auto j = nlohmann::json::parse(schema::relay_contract().canonical_json());
        for (auto& t : j["tables"]) {
            auto& indexes = t["indexes"];
            for (auto it = indexes.begin(); it != indexes.end();) {
                const std::string name = (*it)["name"];
                it = name.ends_with("_time") ? indexes.erase(it) : it + 1;
            }
        }
        return strata::contract::from_json(j.dump());
    }

    // Turns the running relay's database into what an earlier relay left: its marker,
    // and the time indexes made by hand (`by_hand`) or not made at all.
    void make_it_earlier(bool by_hand) {
        const strata::contract earlier = earlier_contract();
        db().execute(strata::sql("UPDATE strata_contract SET hash = ?, contract = ? WHERE id = 1", earlier.hash(),
                                 earlier.canonical_json()))
            .drain();
        for (const char* index : {"messages_channel_time", "messages_thread_time", "message_logs_workspace_time"})
            db().execute(strata::sql(std::string("DROP INDEX ") + index)).drain();
        if (!by_hand) return;
        for (const char* create : {"CREATE INDEX messages_channel_time ON messages(channel_id, created_at, id)",
                                   "CREATE INDEX messages_thread_time ON messages(thread_id, created_at, id)",
                                   "CREATE INDEX message_logs_workspace_time ON message_logs(workspace_id, created_at, id)"})
            db().execute(strata::sql(create)).drain();
    }

    void expect_current(std::int64_t migrations) {
        EXPECT_EQ(strata::verify(db(), schema::relay_contract()).status, strata::verify_status::match);
        const strata::migration_status s = strata::check_migrations(db(), schema::relay_contract());
        EXPECT_EQ(s.state, strata::migration_state::up_to_date) << (s.drift.empty() ? "" : s.drift.front());
        EXPECT_EQ(scalar("SELECT COUNT(*) FROM strata_migrations"), migrations);
    }
};

TEST_P(schema_upgrade, a_database_an_earlier_relay_made_is_upgraded_in_place) {
    ASSERT_NE(earlier_contract().hash(), schema::relay_contract().hash());
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const std::string before = send(alice, "general", "before the upgrade")["id"];
    expect_current(1);

    // The earliest relays: no time indexes at all. The upgrade creates them.
    make_it_earlier(false);
    stop_relay();
    start_relay();
    expect_current(2);
    const auto live = strata::introspect(db()).described;
    const auto messages = std::find_if(live.tables().begin(), live.tables().end(),
                                       [](const auto& t) { return t.name == "messages"; });
    ASSERT_NE(messages, live.tables().end());
    EXPECT_TRUE(std::any_of(messages->indexes.begin(), messages->indexes.end(),
                            [](const auto& i) { return i.name == "messages_channel_time"; }));

    // Later ones made them at every start, outside the contract: the upgrade adopts them.
    make_it_earlier(true);
    stop_relay();
    start_relay();
    expect_current(3);

    // Every row is still there, and relay serves them.
    const response history = http().get("/v1/channels/general/messages", alice.token);
    ASSERT_EQ(history.status, 200u) << history.body;
    EXPECT_EQ(history.data()["messages"][0]["id"], before);
    (void)send(alice, "general", "after the upgrade");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 2);

    // And the next start has nothing to do.
    stop_relay();
    start_relay();
    expect_current(3);
}

INSTANTIATE_TEST_SUITE_P(databases, schema_upgrade, ::testing::Values(backend::sqlite, backend::postgres), backend_name);

}  // namespace
}  // namespace relay::test
