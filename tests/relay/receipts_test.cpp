// Read receipts and the inbox.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(receipts);

TEST_P(receipts, marking_read_acks_the_delivery_and_moves_the_cursor_forward_only) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const std::string first = send(alice, "general", "one")["id"];
    const std::string second = send(alice, "general", "two")["id"];

    const response r = http().post("/v1/messages/" + second + "/read", nullptr, bob.token);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.data()["message_id"], second);
    EXPECT_EQ(r.data()["agent_id"], bob.id);
    const std::string read_at = r.data()["read_at"];
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + second + " AND status = 'acked'"), 1);
    EXPECT_EQ(scalar("SELECT last_read_id FROM channel_members WHERE agent_id = " + bob.id), std::stoll(second));

    // Reading an older message later does not move the cursor back.
    ASSERT_EQ(http().post("/v1/messages/" + first + "/read", nullptr, bob.token).status, 200u);
    EXPECT_EQ(scalar("SELECT last_read_id FROM channel_members WHERE agent_id = " + bob.id), std::stoll(second));

    // Idempotent: the same read_at again, one receipt.
    const response again = http().post("/v1/messages/" + second + "/read", nullptr, bob.token);
    EXPECT_EQ(again.data()["read_at"], read_at);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM read_receipts WHERE message_id = " + second), 1);

    const response readers = http().get("/v1/messages/" + second + "/readers", alice.token);
    ASSERT_EQ(readers.status, 200u);
    ASSERT_EQ(readers.data()["readers"].size(), 1u);
    EXPECT_EQ(readers.data()["readers"][0]["agent_name"], "bob");
}

TEST_P(receipts, only_those_who_can_see_a_message_mark_it) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "closed");
    const std::string hidden = send(alice, "closed", "x")["id"];
    EXPECT_EQ(http().post("/v1/messages/" + hidden + "/read", nullptr, bob.token).error_code(), "message_not_found");
    EXPECT_EQ(http().get("/v1/messages/" + hidden + "/readers", bob.token).status, 404u);
    EXPECT_EQ(http().post("/v1/messages/42/read", nullptr, bob.token).status, 404u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM read_receipts"), 0);
}

TEST_P(receipts, reading_a_dm_moves_the_participant_cursor) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const response dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "psst"}}, alice.token);
    const std::string id = dm.data()["message"]["id"];
    EXPECT_EQ(http().get("/v1/inbox", bob.token).data()["unread_dms"].size(), 1u);
    ASSERT_EQ(http().post("/v1/messages/" + id + "/read", nullptr, bob.token).status, 200u);
    EXPECT_EQ(scalar("SELECT last_read_id FROM dm_participants WHERE agent_id = " + bob.id), std::stoll(id));
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE status = 'acked'"), 1);
    EXPECT_EQ(http().get("/v1/inbox", bob.token).data()["unread_dms"].size(), 0u);
}

TEST_P(receipts, the_inbox_counts_unread_channels_dms_and_mentions) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "team");
    join(bob, "team");
    (void)send(alice, "general", "one");
    const std::string mention = send(alice, "general", "hey @bob")["id"];
    (void)send(alice, "team", "three");
    (void)send(bob, "team", "mine do not count");
    const std::string conversation =
        http().post("/v1/dm", {{"to", "bob"}, {"text", "dm"}}, alice.token).data()["conversation_id"];

    const response r = http().get("/v1/inbox", bob.token);
    ASSERT_EQ(r.status, 200u) << r.body;
    const json inbox = r.data();
    ASSERT_EQ(inbox["unread_channels"].size(), 2u);
    EXPECT_EQ(inbox["unread_channels"][0], json({{"channel", "general"}, {"unread_count", 2}}));
    EXPECT_EQ(inbox["unread_channels"][1], json({{"channel", "team"}, {"unread_count", 1}}));
    ASSERT_EQ(inbox["mentions"].size(), 1u);
    EXPECT_EQ(inbox["mentions"][0]["id"], mention);
    ASSERT_EQ(inbox["unread_dms"].size(), 1u);
    EXPECT_EQ(inbox["unread_dms"][0], json({{"conversation_id", conversation}, {"unread_count", 1}}));

    // Reading the newest message of general clears it, and the mention once read.
    ASSERT_EQ(http().post("/v1/messages/" + mention + "/read", nullptr, bob.token).status, 200u);
    const json after = http().get("/v1/inbox", bob.token).data();
    ASSERT_EQ(after["unread_channels"].size(), 1u);
    EXPECT_EQ(after["unread_channels"][0]["channel"], "team");
    EXPECT_EQ(after["mentions"].size(), 0u);
    EXPECT_EQ(http().get("/v1/inbox", alice.token).data()["unread_channels"].size(), 1u);  // bob's team message
}

}  // namespace
}  // namespace relay::test
