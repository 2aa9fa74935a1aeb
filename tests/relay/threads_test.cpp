// Thread replies: one level deep, deliveries to the channel, reads.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(threads);

TEST_P(threads, a_reply_attaches_to_the_root_and_reaches_the_other_members) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    (void)make_agent(ws, "carol");
    const std::string root = send(alice, "general", "question")["id"];
    const response reply = http().post("/v1/messages/" + root + "/replies", {{"text", "answer"}}, bob.token);
    ASSERT_EQ(reply.status, 201u) << reply.body;
    EXPECT_EQ(reply.data()["thread_id"], root);
    EXPECT_EQ(reply.data()["channel"], "general");
    const std::string reply_id = reply.data()["id"];
    // A reply to the reply still belongs to the root.
    const response nested = http().post("/v1/messages/" + reply_id + "/replies", {{"text", "more"}}, alice.token);
    ASSERT_EQ(nested.status, 201u);
    EXPECT_EQ(nested.data()["thread_id"], root);

    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + reply_id + " AND reason = 'thread-reply'"),
              2);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + reply_id + " AND agent_id = " + bob.id),
              0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM message_logs"), 1);  // replies are not logged

    const response thread = http().get("/v1/messages/" + reply_id + "/replies", alice.token);
    ASSERT_EQ(thread.status, 200u);
    EXPECT_EQ(thread.data()["parent"]["id"], root);
    EXPECT_EQ(thread.data()["parent"]["reply_count"], 2);
    ASSERT_EQ(thread.data()["replies"].size(), 2u);
    EXPECT_EQ(thread.data()["replies"][0]["text"], "answer");  // oldest first
    EXPECT_EQ(thread.data()["replies"][1]["text"], "more");
}

TEST_P(threads, replies_need_a_visible_parent_and_text) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "closed");
    const std::string hidden = send(alice, "closed", "x")["id"];
    EXPECT_EQ(http().post("/v1/messages/" + hidden + "/replies", {{"text", "y"}}, bob.token).error_code(),
              "message_not_found");
    EXPECT_EQ(http().get("/v1/messages/" + hidden + "/replies", bob.token).status, 404u);
    EXPECT_EQ(http().post("/v1/messages/999/replies", {{"text", "y"}}, alice.token).status, 404u);
    EXPECT_EQ(http().post("/v1/messages/" + hidden + "/replies", {{"text", ""}}, alice.token).status, 400u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 1);
}

TEST_P(threads, replies_in_a_dm_reach_the_other_participant) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const response dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "psst"}}, alice.token);
    const std::string root = dm.data()["message"]["id"];
    const response reply = http().post("/v1/messages/" + root + "/replies", {{"text", "yes?"}}, bob.token);
    ASSERT_EQ(reply.status, 201u) << reply.body;
    EXPECT_TRUE(reply.data()["channel"].is_null());
    EXPECT_EQ(reply.data()["conversation_id"], dm.data()["conversation_id"]);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE reason = 'thread-reply' AND agent_id = " + alice.id), 1);
}

}  // namespace
}  // namespace relay::test
