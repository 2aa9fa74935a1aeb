// Idempotency-Key on message-creating POSTs.
#include <thread>

#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(idempotency);

header_list key(const std::string& k) {
    return {{"Idempotency-Key", k}};
}

TEST_P(idempotency, a_replay_returns_the_stored_response_and_writes_nothing) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    const response first = http().post("/v1/channels/general/messages", {{"text", "once"}}, alice.token, key("k-1"));
    ASSERT_EQ(first.status, 201u) << first.body;
    EXPECT_EQ(first.header("idempotency-replayed"), "");
    const response again = http().post("/v1/channels/general/messages", {{"text", "once"}}, alice.token, key("k-1"));
    EXPECT_EQ(again.status, 201u);
    EXPECT_EQ(again.header("idempotency-replayed"), "true");
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries"), 1);
    // Another key is another message.
    EXPECT_EQ(http().post("/v1/channels/general/messages", {{"text", "once"}}, alice.token, key("k-2")).status, 201u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 2);
}

TEST_P(idempotency, the_same_key_with_another_body_is_409) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    ASSERT_EQ(http().post("/v1/channels/general/messages", {{"text", "a"}}, alice.token, key("k")).status, 201u);
    const response other = http().post("/v1/channels/general/messages", {{"text", "b"}}, alice.token, key("k"));
    EXPECT_EQ(other.status, 409u);
    EXPECT_EQ(other.error_code(), "idempotency_key_reused");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 1);
}

TEST_P(idempotency, keys_are_per_agent_and_per_route) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    ASSERT_EQ(http().post("/v1/channels/general/messages", {{"text", "a"}}, alice.token, key("k")).status, 201u);
    const response bobs = http().post("/v1/channels/general/messages", {{"text", "a"}}, bob.token, key("k"));
    EXPECT_EQ(bobs.header("idempotency-replayed"), "");
    const response dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "a"}}, alice.token, key("k"));
    EXPECT_EQ(dm.status, 201u);
    EXPECT_EQ(dm.header("idempotency-replayed"), "");
    EXPECT_EQ(
        http().post("/v1/dm", {{"to", "bob"}, {"text", "a"}}, alice.token, key("k")).header("idempotency-replayed"),
        "true");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 3);
}

TEST_P(idempotency, replies_and_conversation_posts_are_covered) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    const std::string root = send(alice, "general", "root")["id"];
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(http().post("/v1/messages/" + root + "/replies", {{"text", "r"}}, alice.token, key("r")).status,
                  201u);
    const std::string group =
        http().post("/v1/dm/group", {{"participants", {"bob"}}}, alice.token).data()["conversation_id"];
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(http().post("/v1/dm/" + group + "/messages", {{"text", "g"}}, alice.token, key("g")).status, 201u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 3);
}

TEST_P(idempotency, concurrent_requests_with_one_key_write_once) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    std::vector<std::thread> threads;
    std::vector<unsigned> statuses(8);
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            statuses[i] =
                http().post("/v1/channels/general/messages", {{"text", "race"}}, alice.token, key("same")).status;
        });
    for (auto& t : threads) t.join();
    for (unsigned s : statuses) EXPECT_EQ(s, 201u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries"), 1);
}

TEST_P(idempotency, malformed_keys_are_400) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const response r =
        http().post("/v1/channels/general/messages", {{"text", "a"}}, alice.token, key(std::string(256, 'k')));
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.error_code(), "invalid_idempotency_key");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 0);
}

}  // namespace
}  // namespace relay::test
