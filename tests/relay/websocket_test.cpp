// WebSocket events: {type, seq, data}, sent after the commit, only to the agents allowed
// to see them.
#include "support/relay_fixture.hpp"
#include "support/ws_client.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(websocket);

std::vector<std::string> types(const std::vector<json>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e["type"]);
    return out;
}

TEST_P(websocket, a_channel_message_reaches_members_after_the_commit) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    make_channel(alice, "team");
    join(bob, "team");
    ws_client a(port(), alice.token);
    ws_client b(port(), bob.token);
    ws_client c(port(), carol.token);
    EXPECT_EQ(b.greeting()["data"]["agent_id"], bob.id);

    const std::string id = send(alice, "team", "hello @bob")["id"];
    const auto created = b.next_of("message.created");
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ((*created)["data"]["id"], id);
    EXPECT_EQ((*created)["data"]["channel"], "team");
    // Committed before it was published: another connection reads it at once.
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages WHERE id = " + id), 1);
    const auto accepted = b.next_of("delivery.accepted");
    ASSERT_TRUE(accepted.has_value());
    EXPECT_EQ((*accepted)["data"]["message_id"], id);
    EXPECT_EQ((*accepted)["data"]["reason"], "mention");
    EXPECT_EQ((*accepted)["data"]["seq"], 1);

    EXPECT_EQ(types(a.drain()), std::vector<std::string>{"message.created"});  // no delivery of its own
    EXPECT_TRUE(c.drain().empty());                                            // not a member of #team
}

// seq is the recipient's stored delivery seq: a message event and its delivery.accepted
// share it; the sender's own frames carry its position, unchanged.
TEST_P(websocket, seq_is_each_recipients_stored_delivery_seq) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    ws_client a(port(), alice.token);
    ws_client b(port(), bob.token);
    EXPECT_EQ(b.greeting()["seq"], 0);
    for (int i = 0; i < 3; ++i) (void)send(alice, "general", "m" + std::to_string(i));
    const auto events = b.drain();
    ASSERT_EQ(events.size(), 6u);  // message.created + delivery.accepted each
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i]["type"], i % 2 == 0 ? "message.created" : "delivery.accepted");
        EXPECT_EQ(events[i]["seq"], i / 2 + 1);
    }
    EXPECT_EQ(events[5]["data"]["seq"], 3);
    for (const auto& e : a.drain()) EXPECT_EQ(e["seq"], 0);  // alice got no delivery
    // A connection made now starts at bob's newest delivery.
    ws_client later(port(), bob.token);
    EXPECT_EQ(later.greeting()["seq"], 3);
}

TEST_P(websocket, dms_threads_reads_and_membership_go_to_the_right_agents) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    ws_client a(port(), alice.token);
    ws_client b(port(), bob.token);
    ws_client c(port(), carol.token);

    const response dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "psst"}}, alice.token);
    EXPECT_EQ(types(a.drain()), std::vector<std::string>{"dm.received"});
    EXPECT_EQ(types(b.drain()), (std::vector<std::string>{"dm.received", "delivery.accepted"}));
    EXPECT_TRUE(c.drain().empty());

    const std::string group =
        http().post("/v1/dm/group", {{"participants", {"carol"}}}, alice.token).data()["conversation_id"];
    (void)http().post("/v1/dm/" + group + "/messages", {{"text", "hi"}}, alice.token);
    EXPECT_EQ(types(c.drain()), (std::vector<std::string>{"group_dm.received", "delivery.accepted"}));
    EXPECT_EQ(types(a.drain()), std::vector<std::string>{"group_dm.received"});
    EXPECT_TRUE(b.drain().empty());

    const std::string root = dm.data()["message"]["id"];
    (void)http().post("/v1/messages/" + root + "/replies", {{"text", "re"}}, bob.token);
    EXPECT_EQ(types(a.drain()), (std::vector<std::string>{"thread.reply", "delivery.accepted"}));
    EXPECT_EQ(types(b.drain()), std::vector<std::string>{"thread.reply"});
    EXPECT_TRUE(c.drain().empty());

    (void)http().post("/v1/messages/" + root + "/read", nullptr, bob.token);
    const auto read = a.next_of("message.read");
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ((*read)["data"]["agent_name"], "bob");
    EXPECT_EQ(types(b.drain()), std::vector<std::string>{"message.read"});
    EXPECT_TRUE(c.drain().empty());
    (void)http().post("/v1/messages/" + root + "/read", nullptr, bob.token);  // already read: no event
    EXPECT_TRUE(a.drain().empty());

    make_channel(alice, "team");
    (void)a.drain();
    join(carol, "team");
    EXPECT_EQ(types(a.drain()), std::vector<std::string>{"member.joined"});
    EXPECT_EQ(types(c.drain()), std::vector<std::string>{"member.joined"});
    EXPECT_TRUE(b.drain().empty());
    ASSERT_EQ(http().post("/v1/channels/team/leave", nullptr, carol.token).status, 200u);
    EXPECT_EQ(types(a.drain()), std::vector<std::string>{"member.left"});
    EXPECT_EQ(types(c.drain()), std::vector<std::string>{"member.left"});
}

TEST_P(websocket, other_workspaces_hear_nothing) {
    const workspace_info acme = make_workspace("acme");
    const agent_info alice = make_agent(acme, "alice");
    const workspace_info globex = make_workspace("globex");
    const agent_info eve = make_agent(globex, "eve");
    ws_client e(port(), eve.token);
    (void)make_agent(acme, "bob");
    (void)send(alice, "general", "acme only");
    EXPECT_TRUE(e.drain().empty());
}

TEST_P(websocket, connecting_needs_an_agent_token) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws"), 401u);
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=at_live_" + std::string(32, '0')), 401u);
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=" + ws.key), 401u);
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/other?token=" + alice.token), 404u);
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=" + alice.token), 101u);
}

TEST_P(websocket, stopping_relay_closes_connections) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    ws_client a(port(), alice.token);
    stop_relay();
    (void)a.next(std::chrono::seconds(3));
    EXPECT_TRUE(a.closed());
}

}  // namespace
}  // namespace relay::test
