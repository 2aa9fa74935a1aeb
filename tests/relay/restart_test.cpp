// A restart keeps everything: data, keys and tokens, sequences. The schema is applied
// once (strata::migrate records the contract), and a database holding another schema is
// refused rather than changed.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(restart);

TEST_P(restart, everything_survives_a_restart) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "team");
    join(bob, "team");
    const std::string message = send(alice, "team", "before")["id"];
    const std::string file = http().post_raw("/v1/files?filename=f.txt", "bytes", alice.token).data()["id"];
    const std::string conversation =
        http().post("/v1/dm", {{"to", "bob"}, {"text", "dm before"}}, alice.token).data()["conversation_id"];

    stop_relay();
    start_relay();

    EXPECT_EQ(scalar("SELECT COUNT(*) FROM strata_contract"), 1);
    EXPECT_EQ(http().get("/v1/agents", ws.key).data()["agents"].size(), 2u);
    const response history = http().get("/v1/channels/team/messages", bob.token);
    ASSERT_EQ(history.status, 200u);
    EXPECT_EQ(history.data()["messages"][0]["id"], message);
    EXPECT_EQ(http().get("/v1/files/" + file, bob.token).body, "bytes");
    EXPECT_EQ(http().get("/v1/dm/" + conversation + "/messages", bob.token).data()["messages"].size(), 1u);
    // Sequences continue where they were.
    (void)send(alice, "team", "after");
    EXPECT_EQ(scalar("SELECT MAX(seq) FROM deliveries WHERE agent_id = " + bob.id), 3);
    EXPECT_EQ(http().post("/v1/dm", {{"to", "bob"}, {"text", "again"}}, alice.token).data()["conversation_id"],
              conversation);
}

TEST_P(restart, a_database_with_another_schema_is_refused) {
    const workspace_info ws = make_workspace();
    // As if an older relay had written the database: its recorded contract differs.
    db().execute(strata::sql("UPDATE strata_contract SET contract = REPLACE(contract, 'idempotency_keys', 'idempotency_log')"))
        .drain();
    stop_relay();
    try {
        start_relay();
        ADD_FAILURE() << "relay started on a database with another schema";
    } catch (const strata::error& e) {
        EXPECT_EQ(e.code(), "CONTRACT.MISMATCH");
        EXPECT_NE(e.message().find("idempotency"), std::string::npos) << e.message();
    }
}

}  // namespace
}  // namespace relay::test
