// Agents: create, list, rotate-token (the old token works for a 60 s grace).
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(agents);

TEST_P(agents, creating_one_returns_it_with_a_token_and_it_joins_general) {
    const workspace_info ws = make_workspace();
    const response r = http().post("/v1/agents", {{"name", "alice"}, {"type", "human"}}, ws.key);
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(r.data()["agent"]["name"], "alice");
    EXPECT_EQ(r.data()["agent"]["type"], "human");
    const std::string token = r.data()["token"];
    EXPECT_TRUE(token.starts_with("at_live_"));
    EXPECT_EQ(token.size(), 8u + 32u);
    const response members = http().get("/v1/channels/general/members", token);
    ASSERT_EQ(members.status, 200u);
    ASSERT_EQ(members.data()["members"].size(), 1u);
    EXPECT_EQ(members.data()["members"][0]["name"], "alice");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM agents WHERE token_hash = '" + token + "'"), 0);
}

TEST_P(agents, the_type_defaults_to_agent_and_must_be_known) {
    const workspace_info ws = make_workspace();
    EXPECT_EQ(http().post("/v1/agents", {{"name", "a"}}, ws.key).data()["agent"]["type"], "agent");
    EXPECT_EQ(http().post("/v1/agents", {{"name", "b"}, {"type", "robot"}}, ws.key).error_code(), "invalid_request");
    EXPECT_EQ(http().post("/v1/agents", {{"name", "c"}, {"type", 1}}, ws.key).error_code(), "invalid_request");
}

TEST_P(agents, names_are_unique_per_workspace_and_well_formed) {
    const workspace_info ws = make_workspace();
    (void)make_agent(ws, "alice");
    const response dup = http().post("/v1/agents", {{"name", "alice"}}, ws.key);
    EXPECT_EQ(dup.status, 409u);
    EXPECT_EQ(dup.error_code(), "agent_exists");
    for (const char* bad : {"", "has space", "a/b", "@x"}) {
        const response r = http().post("/v1/agents", {{"name", bad}}, ws.key);
        EXPECT_EQ(r.status, 400u) << bad;
        EXPECT_EQ(r.error_code(), "invalid_agent_name") << bad;
    }
    EXPECT_EQ(http().post("/v1/agents", {{"name", std::string(65, 'a')}}, ws.key).status, 400u);
    // Another workspace may reuse the name.
    const workspace_info other = make_workspace("other");
    EXPECT_EQ(http().post("/v1/agents", {{"name", "alice"}}, other.key).status, 201u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM agents"), 2);
}

TEST_P(agents, listing_shows_the_workspace_agents_by_name) {
    const workspace_info ws = make_workspace();
    (void)make_agent(ws, "zed");
    const agent_info alice = make_agent(ws, "alice");
    for (const std::string& token : {ws.key, alice.token}) {
        const response r = http().get("/v1/agents", token);
        ASSERT_EQ(r.status, 200u);
        ASSERT_EQ(r.data()["agents"].size(), 2u);
        EXPECT_EQ(r.data()["agents"][0]["name"], "alice");
        EXPECT_EQ(r.data()["agents"][1]["name"], "zed");
        EXPECT_EQ(r.body.find("token"), std::string::npos);
    }
}

TEST_P(agents, rotating_gives_a_new_token_and_the_old_one_works_during_the_grace) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const response r = http().post("/v1/agents/alice/rotate-token", nullptr, ws.key);
    ASSERT_EQ(r.status, 200u) << r.body;
    const std::string fresh = r.data()["token"];
    EXPECT_NE(fresh, alice.token);
    EXPECT_TRUE(r.data().contains("previous_token_expires_at"));
    EXPECT_EQ(http().get("/v1/inbox", fresh).status, 200u);
    EXPECT_EQ(http().get("/v1/inbox", alice.token).status, 200u);  // grace
    // Once the grace has passed the old token is refused.
    db().execute(strata::sql("UPDATE agents SET previous_token_expires_at = 0")).drain();
    EXPECT_EQ(http().get("/v1/inbox", alice.token).status, 401u);
    EXPECT_EQ(http().get("/v1/inbox", fresh).status, 200u);
}

TEST_P(agents, an_agent_may_rotate_only_its_own_token) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    EXPECT_EQ(http().post("/v1/agents/bob/rotate-token", nullptr, alice.token).status, 403u);
    EXPECT_EQ(http().post("/v1/agents/alice/rotate-token", nullptr, alice.token).status, 200u);
    const response missing = http().post("/v1/agents/nobody/rotate-token", nullptr, ws.key);
    EXPECT_EQ(missing.status, 404u);
    EXPECT_EQ(missing.error_code(), "agent_not_found");
}

}  // namespace
}  // namespace relay::test
