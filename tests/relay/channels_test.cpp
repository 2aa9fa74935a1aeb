// Channels: create (the creator joins), list, join, leave, members.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(channels);

TEST_P(channels, creating_one_makes_the_creator_its_owner) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const response r = http().post("/v1/channels", {{"name", "team-chat"}, {"topic", "work"}}, alice.token);
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(r.data()["channel"]["name"], "team-chat");
    EXPECT_EQ(r.data()["channel"]["topic"], "work");
    EXPECT_EQ(r.data()["channel"]["created_by"], alice.id);
    const response members = http().get("/v1/channels/team-chat/members", alice.token);
    ASSERT_EQ(members.data()["members"].size(), 1u);
    EXPECT_EQ(members.data()["members"][0]["role"], "owner");
}

TEST_P(channels, names_are_checked_and_unique) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    for (const char* bad : {"", "Upper", "has space", "dm:x", "\xc3\xa9"}) {
        const response r = http().post("/v1/channels", {{"name", bad}}, alice.token);
        EXPECT_EQ(r.status, 400u) << bad;
        EXPECT_EQ(r.error_code(), "invalid_channel_name") << bad;
    }
    EXPECT_EQ(http().post("/v1/channels", {{"name", std::string(65, 'a')}}, alice.token).status, 400u);
    EXPECT_EQ(http().post("/v1/channels", {{"name", std::string(64, 'a')}}, alice.token).status, 201u);
    const response dup = http().post("/v1/channels", {{"name", "general"}}, alice.token);
    EXPECT_EQ(dup.status, 409u);
    EXPECT_EQ(dup.error_code(), "channel_exists");
    EXPECT_EQ(http().post("/v1/channels", {{"name", 5}}, alice.token).error_code(), "invalid_request");
    EXPECT_EQ(http().post("/v1/channels", {{"name", "ok"}, {"topic", 5}}, alice.token).error_code(), "invalid_request");
}

TEST_P(channels, listing_shows_counts_and_membership_but_no_conversations) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "zeta");
    ASSERT_EQ(http().post("/v1/dm", {{"to", "bob"}, {"text", "hi"}}, alice.token).status, 201u);
    const response r = http().get("/v1/channels", bob.token);
    ASSERT_EQ(r.status, 200u);
    const json list = r.data()["channels"];
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]["name"], "general");
    EXPECT_EQ(list[0]["member_count"], 2);
    EXPECT_EQ(list[0]["is_member"], true);
    EXPECT_EQ(list[1]["name"], "zeta");
    EXPECT_EQ(list[1]["member_count"], 1);
    EXPECT_EQ(list[1]["is_member"], false);
}

TEST_P(channels, join_and_leave_are_idempotent) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "team");
    const response first = http().post("/v1/channels/team/join", nullptr, bob.token);
    ASSERT_EQ(first.status, 200u);
    EXPECT_EQ(first.data()["joined"], true);
    EXPECT_EQ(http().post("/v1/channels/team/join", nullptr, bob.token).data()["joined"], false);
    EXPECT_EQ(http().get("/v1/channels/team/members", bob.token).data()["members"].size(), 2u);
    EXPECT_EQ(http().post("/v1/channels/team/leave", nullptr, bob.token).data()["left"], true);
    EXPECT_EQ(http().post("/v1/channels/team/leave", nullptr, bob.token).data()["left"], false);
    EXPECT_EQ(http().get("/v1/channels/team/members", bob.token).data()["members"].size(), 1u);
}

TEST_P(channels, unknown_channels_are_404) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    for (const auto& [method, path] :
         std::vector<std::pair<std::string, std::string>>{{"POST", "/v1/channels/nope/join"},
                                                          {"POST", "/v1/channels/nope/leave"},
                                                          {"GET", "/v1/channels/nope/members"},
                                                          {"GET", "/v1/channels/nope/messages"}}) {
        const response r = http().request(method, path, method == "POST" ? "{}" : "", bearer(alice.token));
        EXPECT_EQ(r.status, 404u) << path;
        EXPECT_EQ(r.error_code(), "channel_not_found") << path;
    }
    const response post = http().post("/v1/channels/nope/messages", {{"text", "x"}}, alice.token);
    EXPECT_EQ(post.error_code(), "channel_not_found");
}

TEST_P(channels, only_members_post_and_read) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "private");
    const response post = http().post("/v1/channels/private/messages", {{"text", "hi"}}, bob.token);
    EXPECT_EQ(post.status, 403u);
    EXPECT_EQ(post.error_code(), "not_a_member");
    const response read = http().get("/v1/channels/private/messages", bob.token);
    EXPECT_EQ(read.status, 403u);
    EXPECT_EQ(read.error_code(), "not_a_member");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 0);
}

}  // namespace
}  // namespace relay::test
