// The caller's deliveries: listing hands them out, ack settles them, sequences per agent.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(deliveries);

TEST_P(deliveries, listing_hands_out_queued_deliveries_in_sequence) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const std::string one = send(alice, "general", "one")["id"];
    const std::string two = send(alice, "general", "two")["id"];
    const response queued = http().get("/v1/deliveries?status=queued", bob.token);
    ASSERT_EQ(queued.status, 200u) << queued.body;
    const json list = queued.data()["deliveries"];
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]["message_id"], one);
    EXPECT_EQ(list[0]["seq"], 1);
    EXPECT_EQ(list[1]["seq"], 2);
    EXPECT_EQ(list[0]["status"], "delivered");  // handed out now
    EXPECT_EQ(list[0]["message"]["text"], "one");
    EXPECT_EQ(list[0]["channel"], "general");
    EXPECT_EQ(list[0]["reason"], "message");
    EXPECT_EQ(http().get("/v1/deliveries?status=queued", bob.token).data()["deliveries"].size(), 0u);
    EXPECT_EQ(http().get("/v1/deliveries", bob.token).data()["deliveries"].size(), 2u);  // active = queued + delivered
    EXPECT_EQ(http().get("/v1/deliveries?status=delivered&limit=1", bob.token).data()["deliveries"].size(), 1u);
    EXPECT_EQ(http().get("/v1/deliveries?status=all", alice.token).data()["deliveries"].size(), 0u);
    (void)two;
}

TEST_P(deliveries, ack_settles_one_delivery_of_the_caller) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    (void)send(alice, "general", "one");
    const std::string id = http().get("/v1/deliveries", bob.token).data()["deliveries"][0]["id"];
    const response foreign = http().post("/v1/deliveries/" + id + "/ack", nullptr, alice.token);
    EXPECT_EQ(foreign.status, 404u);
    EXPECT_EQ(foreign.error_code(), "delivery_not_found");
    const response ack = http().post("/v1/deliveries/" + id + "/ack", nullptr, bob.token);
    ASSERT_EQ(ack.status, 200u) << ack.body;
    EXPECT_EQ(ack.data()["delivery"]["status"], "acked");
    EXPECT_FALSE(ack.data()["delivery"]["acked_at"].is_null());
    EXPECT_EQ(http().post("/v1/deliveries/" + id + "/ack", nullptr, bob.token).data()["delivery"]["status"], "acked");
    EXPECT_EQ(http().get("/v1/deliveries?status=acked", bob.token).data()["deliveries"].size(), 1u);
    EXPECT_EQ(http().get("/v1/deliveries", bob.token).data()["deliveries"].size(), 0u);
    EXPECT_EQ(http().post("/v1/deliveries/del_nope/ack", nullptr, bob.token).status, 404u);
}

TEST_P(deliveries, parameters_are_checked) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    EXPECT_EQ(http().get("/v1/deliveries?status=lost", alice.token).error_code(), "invalid_request");
    EXPECT_EQ(http().get("/v1/deliveries?limit=201", alice.token).status, 400u);
    EXPECT_EQ(http().get("/v1/deliveries", ws.key).status, 403u);
}

TEST_P(deliveries, each_agent_has_its_own_gapless_sequence) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    make_channel(alice, "pair");
    join(bob, "pair");
    (void)send(alice, "general", "to bob and carol");
    (void)send(alice, "pair", "to bob");
    (void)http().post("/v1/dm", {{"to", "carol"}, {"text", "to carol"}}, bob.token);
    (void)send(carol, "general", "to alice and bob");
    EXPECT_EQ(scalar("SELECT MAX(seq) FROM deliveries WHERE agent_id = " + bob.id), 3);
    EXPECT_EQ(scalar("SELECT COUNT(DISTINCT seq) FROM deliveries WHERE agent_id = " + bob.id), 3);
    EXPECT_EQ(scalar("SELECT MAX(seq) FROM deliveries WHERE agent_id = " + carol.id), 2);
    EXPECT_EQ(scalar("SELECT MAX(seq) FROM deliveries WHERE agent_id = " + alice.id), 1);
    EXPECT_EQ(scalar("SELECT a.delivery_seq FROM " + delivery_seq_table() + " WHERE a.id = " + bob.id), 3);
}

}  // namespace
}  // namespace relay::test
