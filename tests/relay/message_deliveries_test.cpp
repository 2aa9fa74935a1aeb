// GET /v1/messages/:id/deliveries: a message's deliveries, one per recipient, with their
// status as it moves (queued -> delivered -> acked), for whoever may read the message;
// reading them changes nothing.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(message_deliveries);

json statuses(const json& page) {
    json out = json::object();
    for (const auto& d : page["deliveries"]) out[d["agent_name"].get<std::string>()] = d["status"];
    return out;
}

TEST_P(message_deliveries, each_recipient_s_delivery_shows_its_status) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    const std::string id = send(alice, "general", "hello")["id"];
    const std::string path = "/v1/messages/" + id + "/deliveries";

    const response first = http().get(path, alice.token);
    ASSERT_EQ(first.status, 200u) << first.body;
    EXPECT_EQ(first.data()["message_id"], id);
    EXPECT_EQ(statuses(first.data()), (json{{"bob", "queued"}, {"carol", "queued"}}));  // not to the sender
    EXPECT_TRUE(first.data()["deliveries"][0]["delivered_at"].is_null());
    // Reading them hands nothing out: a second look, by a recipient too, sees the same.
    EXPECT_EQ(statuses(http().get(path, bob.token).data()), statuses(first.data()));

    ASSERT_EQ(http().get("/v1/deliveries", bob.token).status, 200u);  // bob's are handed out
    const json after_listing = http().get(path, alice.token).data();
    EXPECT_EQ(statuses(after_listing), (json{{"bob", "delivered"}, {"carol", "queued"}}));
    ASSERT_EQ(http().post("/v1/messages/" + id + "/read", nullptr, carol.token).status, 200u);  // acks carol's
    const json after_read = http().get(path, alice.token).data();
    EXPECT_EQ(statuses(after_read), (json{{"bob", "delivered"}, {"carol", "acked"}}));
    for (const auto& d : after_read["deliveries"]) {
        if (d["agent_name"] == "carol") {
            EXPECT_FALSE(d["acked_at"].is_null());
        }
    }
}

TEST_P(message_deliveries, pages_and_refuses_who_cannot_read_the_message) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    make_channel(alice, "ops");
    join(bob, "ops");
    const std::string id = send(alice, "ops", "secret")["id"];
    EXPECT_EQ(http().get("/v1/messages/" + id + "/deliveries", carol.token).error_code(), "message_not_found");
    EXPECT_EQ(http().get("/v1/messages/" + id + "/deliveries", ws.key).status, 403u);
    EXPECT_EQ(http().get("/v1/messages/999/deliveries", alice.token).status, 404u);

    const std::string general = send(alice, "general", "to all")["id"];
    const json one = http().get("/v1/messages/" + general + "/deliveries?limit=1", alice.token).data();
    ASSERT_EQ(one["deliveries"].size(), 1u);
    EXPECT_TRUE(one["has_more"]);
    const json two = http()
                         .get("/v1/messages/" + general + "/deliveries?limit=1&cursor=" +
                                  one["next_cursor"].get<std::string>(),
                              alice.token)
                         .data();
    ASSERT_EQ(two["deliveries"].size(), 1u);
    EXPECT_FALSE(two["has_more"]);
    EXPECT_NE(one["deliveries"][0]["agent_name"], two["deliveries"][0]["agent_name"]);
}

}  // namespace
}  // namespace relay::test
