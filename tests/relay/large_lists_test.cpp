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

}  // namespace
}  // namespace relay::test
