// One workspace never sees another's data.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(isolation);

TEST_P(isolation, nothing_of_one_workspace_is_visible_from_another) {
    const workspace_info acme = make_workspace("acme");
    const agent_info alice = make_agent(acme, "alice");
    (void)make_agent(acme, "bob");
    make_channel(alice, "plans");
    const std::string message = send(alice, "general", "acme secret")["id"];
    const std::string conversation =
        http().post("/v1/dm", {{"to", "bob"}, {"text", "acme dm"}}, alice.token).data()["conversation_id"];
    const std::string file = http().post_raw("/v1/files?filename=f", "acme file", alice.token).data()["id"];

    const workspace_info globex = make_workspace("globex");
    const agent_info eve = make_agent(globex, "eve");

    EXPECT_EQ(http().get("/v1/agents", eve.token).data()["agents"].size(), 1u);
    EXPECT_EQ(http().get("/v1/channels", eve.token).data()["channels"].size(), 1u);  // its own general
    EXPECT_EQ(http().get("/v1/channels/plans/members", eve.token).status, 404u);
    EXPECT_EQ(http().get("/v1/channels/general/messages", eve.token).data()["messages"].size(), 0u);
    EXPECT_EQ(http().get("/v1/messages/" + message, eve.token).status, 404u);
    EXPECT_EQ(http().get("/v1/messages/" + message + "/replies", eve.token).status, 404u);
    EXPECT_EQ(http().get("/v1/messages/" + message + "/readers", eve.token).status, 404u);
    EXPECT_EQ(http().post("/v1/messages/" + message + "/read", nullptr, eve.token).status, 404u);
    EXPECT_EQ(http().post("/v1/messages/" + message + "/replies", {{"text", "x"}}, eve.token).status, 404u);
    EXPECT_EQ(http().get("/v1/dm/" + conversation + "/messages", eve.token).status, 404u);
    EXPECT_EQ(http().post("/v1/dm/" + conversation + "/messages", {{"text", "x"}}, eve.token).status, 404u);
    EXPECT_EQ(http().post("/v1/dm", {{"to", "alice"}, {"text", "x"}}, eve.token).error_code(), "agent_not_found");
    EXPECT_EQ(http().post("/v1/dm/group", {{"participants", {"alice"}}}, eve.token).status, 404u);
    EXPECT_EQ(http().get("/v1/files/" + file, eve.token).status, 404u);
    EXPECT_EQ(http().get("/v1/search?q=acme", eve.token).data()["results"].size(), 0u);
    EXPECT_EQ(http().get("/v1/console/logs", globex.key).data()["logs"].size(), 0u);
    EXPECT_EQ(http().get("/v1/dm/conversations", eve.token).data()["conversations"].size(), 0u);
    EXPECT_EQ(http().get("/v1/inbox", eve.token).data()["unread_channels"].size(), 0u);
    EXPECT_EQ(http().post("/v1/agents/alice/rotate-token", nullptr, globex.key).status, 404u);
    EXPECT_EQ(http().post("/v1/channels/plans/join", nullptr, eve.token).status, 404u);
    const std::string delivery = "del_" + message + "_" + eve.id;
    EXPECT_EQ(http().post("/v1/deliveries/" + delivery + "/ack", nullptr, eve.token).status, 404u);
    // Acme still sees its own.
    EXPECT_EQ(http().get("/v1/console/logs", acme.key).data()["logs"].size(), 2u);
}

}  // namespace
}  // namespace relay::test
