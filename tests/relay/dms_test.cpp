// Direct messages and group DMs.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(dms);

TEST_P(dms, a_pair_has_one_stable_conversation) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const response first = http().post("/v1/dm", {{"to", "bob"}, {"text", "hi bob"}}, alice.token);
    ASSERT_EQ(first.status, 201u) << first.body;
    const std::string conversation = first.data()["conversation_id"];
    EXPECT_TRUE(conversation.starts_with("dm_"));
    EXPECT_EQ(first.data()["message"]["text"], "hi bob");
    EXPECT_EQ(first.data()["message"]["conversation_id"], conversation);
    const response back = http().post("/v1/dm", {{"to", "alice"}, {"text", "hi alice"}}, bob.token);
    EXPECT_EQ(back.data()["conversation_id"], conversation);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM dm_conversations"), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE reason = 'dm'"), 2);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM message_logs WHERE delivery_kind = 'dm'"), 2);

    const response list = http().get("/v1/dm/conversations", alice.token);
    ASSERT_EQ(list.status, 200u);
    ASSERT_EQ(list.data()["conversations"].size(), 1u);
    const json c = list.data()["conversations"][0];
    EXPECT_EQ(c["id"], conversation);
    EXPECT_EQ(c["type"], "1:1");
    EXPECT_EQ(c["participants"].size(), 2u);
    EXPECT_EQ(c["last_message"]["text"], "hi alice");
    EXPECT_EQ(c["unread_count"], 1);

    const response history = http().get("/v1/dm/" + conversation + "/messages", bob.token);
    ASSERT_EQ(history.status, 200u);
    ASSERT_EQ(history.data()["messages"].size(), 2u);
    EXPECT_EQ(history.data()["messages"][0]["text"], "hi alice");
}

TEST_P(dms, only_participants_read_a_conversation) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    const agent_info eve = make_agent(ws, "eve");
    const std::string conversation =
        http().post("/v1/dm", {{"to", "bob"}, {"text", "secret"}}, alice.token).data()["conversation_id"];
    const response peek = http().get("/v1/dm/" + conversation + "/messages", eve.token);
    EXPECT_EQ(peek.status, 403u);
    EXPECT_EQ(peek.error_code(), "not_a_participant");
    const response post = http().post("/v1/dm/" + conversation + "/messages", {{"text", "me too"}}, eve.token);
    EXPECT_EQ(post.status, 403u);
    EXPECT_EQ(http().get("/v1/dm/conversations", eve.token).data()["conversations"].size(), 0u);
    EXPECT_EQ(http().get("/v1/dm/dm_nope/messages", alice.token).error_code(), "conversation_not_found");
}

TEST_P(dms, unknown_recipients_and_bad_bodies_are_refused) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    EXPECT_EQ(http().post("/v1/dm", {{"to", "ghost"}, {"text", "x"}}, alice.token).error_code(), "agent_not_found");
    EXPECT_EQ(http().post("/v1/dm", {{"text", "x"}}, alice.token).error_code(), "invalid_request");
    EXPECT_EQ(http().post("/v1/dm", {{"to", "alice"}, {"text", 1}}, alice.token).error_code(), "invalid_request");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 0);
}

TEST_P(dms, a_group_dm_reaches_its_active_participants) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    (void)make_agent(ws, "dave");
    const response group =
        http().post("/v1/dm/group", {{"participants", {"bob", "carol", "bob"}}, {"name", "trio"}}, alice.token);
    ASSERT_EQ(group.status, 201u) << group.body;
    const std::string id = group.data()["conversation_id"];
    EXPECT_EQ(group.data()["participants"].size(), 3u);
    EXPECT_EQ(group.data()["name"], "trio");

    const response sent = http().post("/v1/dm/" + id + "/messages", {{"text", "hey @carol"}}, alice.token);
    ASSERT_EQ(sent.status, 201u) << sent.body;
    const std::string message = sent.data()["message"]["id"];
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + message), 2);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + message + " AND agent_id = " + carol.id +
                     " AND reason = 'mention'"),
              1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM message_logs"), 0);  // group DMs are not logged
    // Someone who left gets nothing more.
    db().execute(strata::sql("UPDATE dm_participants SET left_at = 1 WHERE agent_id = " + bob.id)).drain();
    const response after = http().post("/v1/dm/" + id + "/messages", {{"text", "just us"}}, alice.token);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " +
                     after.data()["message"]["id"].get<std::string>()),
              1);
    EXPECT_EQ(http().post("/v1/dm/" + id + "/messages", {{"text", "back?"}}, bob.token).status, 403u);
}

TEST_P(dms, a_group_needs_known_participants) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    EXPECT_EQ(http().post("/v1/dm/group", {{"participants", {"ghost"}}}, alice.token).error_code(), "agent_not_found");
    EXPECT_EQ(http().post("/v1/dm/group", {{"participants", json::array()}}, alice.token).status, 400u);
    EXPECT_EQ(http().post("/v1/dm/group", {{"participants", "bob"}}, alice.token).status, 400u);
    EXPECT_EQ(http().post("/v1/dm/group", json::object(), alice.token).status, 400u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM dm_conversations"), 0);
}

}  // namespace
}  // namespace relay::test
