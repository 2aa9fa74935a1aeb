// A user's data can grow without bound; no statement's size may grow with it. An agent
// in more channels than a statement can carry parameters for still gets its inbox
// (PostgreSQL takes 65,535; it answered 500 when the cursors went in one statement —
// Debian's SQLite takes 250,000, so there it passed either way).
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(large_lists);

TEST_P(large_lists, an_agent_in_tens_of_thousands_of_channels_gets_its_inbox) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const std::int64_t workspace = std::stoll(ws.id);
    constexpr int channels = 33000;  // two cursor values each: past PostgreSQL's limit
    db().execute(strata::sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                                 std::to_string(channels) +
                                 ") INSERT INTO channels(id, workspace_id, name, channel_type, created_at) "
                                 "SELECT 9000000000 + i, ?, 'bulk-' || i, 0, 0 FROM n",
                             workspace))
        .drain();
    db().execute(strata::sql("INSERT INTO channel_members(channel_id, agent_id, role, joined_at) "
                             "SELECT id, ?, 'member', 0 FROM channels WHERE workspace_id = ? AND name LIKE 'bulk-%'",
                             std::stoll(bob.id), workspace))
        .drain();
    db().execute(strata::sql("INSERT INTO channel_members(channel_id, agent_id, role, joined_at) VALUES (?, ?, 'member', 0)",
                             std::int64_t{9000000000} + channels, std::stoll(alice.id)))
        .drain();
    (void)send(alice, "bulk-" + std::to_string(channels), "the last one");

    const response inbox = http().get("/v1/inbox", bob.token);
    ASSERT_EQ(inbox.status, 200u) << inbox.body;
    const json unread = inbox.data()["unread_channels"];
    bool found = false;
    for (const auto& c : unread)
        if (c["channel"] == "bulk-" + std::to_string(channels)) found = c["unread_count"] == 1;
    EXPECT_TRUE(found) << unread.dump().substr(0, 200);
}

// Search asks for the caller's visible channels by id: in statements of a fixed number
// of ids, not one statement with a parameter per channel (PostgreSQL refused 70,000).
TEST_P(large_lists, an_agent_in_seventy_thousand_channels_can_search) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const std::int64_t workspace = std::stoll(ws.id);
    constexpr int channels = 70000;
    db().execute(strata::sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                                 std::to_string(channels) +
                                 ") INSERT INTO channels(id, workspace_id, name, channel_type, created_at) "
                                 "SELECT 9000000000 + i, ?, 'bulk-' || i, 0, 0 FROM n",
                             workspace))
        .drain();
    db().execute(strata::sql("INSERT INTO channel_members(channel_id, agent_id, role, joined_at) "
                             "SELECT id, ?, 'member', 0 FROM channels WHERE workspace_id = ? AND name LIKE 'bulk-%'",
                             std::stoll(bob.id), workspace))
        .drain();
    db().execute(
            strata::sql("INSERT INTO channel_members(channel_id, agent_id, role, joined_at) VALUES (?, ?, 'member', 0)",
                        std::int64_t{9000000000} + channels, std::stoll(alice.id)))
        .drain();
    const std::string id = send(alice, "bulk-" + std::to_string(channels), "a needle in a haystack")["id"];
    (void)send(alice, "general", "another needle");

    const response found = http().get("/v1/search?q=needle&limit=1", bob.token);
    ASSERT_EQ(found.status, 200u) << found.body;
    ASSERT_EQ(found.data()["results"].size(), 1u);
    EXPECT_EQ(found.data()["results"][0]["text"], "another needle");  // newest first
    const response rest =
        http().get("/v1/search?q=needle&cursor=" + found.data()["next_cursor"].get<std::string>(), bob.token);
    ASSERT_EQ(rest.status, 200u) << rest.body;
    ASSERT_EQ(rest.data()["results"].size(), 1u);
    EXPECT_EQ(rest.data()["results"][0]["id"], id);
    EXPECT_EQ(rest.data()["has_more"], false);
}

// Others cannot grow a victim's data without bound: group DMs an agent is in and a
// workspace's channels are capped, with a clear 409.
TEST_P(large_lists, group_dms_per_agent_and_channels_per_workspace_are_capped) {
    stop_relay();
    settings_.max_group_dms_per_agent = 3;
    settings_.max_channels_per_workspace = 3;  // general is one
    start_relay();
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info victim = make_agent(ws, "victim");
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(http().post("/v1/dm/group", {{"participants", {"victim"}}}, i % 2 == 0 ? alice.token : bob.token)
                      .status,
                  201u);
    const response full = http().post("/v1/dm/group", {{"participants", {"bob", "victim"}}}, alice.token);
    EXPECT_EQ(full.status, 409u);
    EXPECT_EQ(full.error_code(), "group_dm_limit");
    EXPECT_NE(full.body_json()["error"]["message"].get<std::string>().find("victim"), std::string::npos);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM dm_conversations WHERE dm_type = 'group'"), 3);

    make_channel(alice, "one");
    make_channel(alice, "two");
    const response over = http().post("/v1/channels", {{"name", "three"}}, alice.token);
    EXPECT_EQ(over.status, 409u);
    EXPECT_EQ(over.error_code(), "channel_limit");
}

// A workspace's agents are capped too (each is one more possible DM partner and member
// of general), with a clear 409; other workspaces are not affected.
TEST_P(large_lists, agents_per_workspace_are_capped) {
    stop_relay();
    settings_.max_agents_per_workspace = 3;
    start_relay();
    const workspace_info ws = make_workspace();
    for (const char* name : {"a1", "a2", "a3"}) (void)make_agent(ws, name);
    const response over = http().post("/v1/agents", {{"name", "a4"}}, ws.key);
    EXPECT_EQ(over.status, 409u) << over.body;
    EXPECT_EQ(over.error_code(), "agent_limit");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM agents WHERE workspace_id = " + ws.id), 3);
    // The name is checked first: an existing name is still agent_exists.
    EXPECT_EQ(http().post("/v1/agents", {{"name", "a1"}}, ws.key).error_code(), "agent_exists");
    const workspace_info other = make_workspace("other");
    EXPECT_EQ(http().post("/v1/agents", {{"name", "a4"}}, other.key).status, 201u);
}

}  // namespace
}  // namespace relay::test
