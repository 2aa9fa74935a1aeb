// POST /v1/workspaces and authentication.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(workspaces);

TEST_P(workspaces, creating_one_returns_it_with_a_key_and_a_general_channel) {
    const response r = http().post("/v1/workspaces", {{"name", "acme"}});
    ASSERT_EQ(r.status, 201u) << r.body;
    const json body = r.body_json();
    EXPECT_EQ(body["ok"], true);
    const json ws = body["data"]["workspace"];
    EXPECT_EQ(ws["name"], "acme");
    EXPECT_FALSE(ws["id"].get<std::string>().empty());
    EXPECT_TRUE(ws["created_at"].get<std::string>().ends_with("Z"));
    const std::string key = body["data"]["api_key"];
    EXPECT_TRUE(key.starts_with("rk_live_"));
    EXPECT_EQ(key.size(), 8u + 32u);

    const response channels = http().get("/v1/channels", key);
    ASSERT_EQ(channels.status, 200u) << channels.body;
    ASSERT_EQ(channels.data()["channels"].size(), 1u);
    EXPECT_EQ(channels.data()["channels"][0]["name"], "general");
}

TEST_P(workspaces, only_the_hash_of_the_key_is_stored) {
    const workspace_info ws = make_workspace();
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM workspaces WHERE api_key_hash = '" + ws.key + "'"), 0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM workspaces WHERE LENGTH(api_key_hash) = 64"), 1);
}

TEST_P(workspaces, a_name_is_required_and_must_be_text) {
    EXPECT_EQ(http().post("/v1/workspaces", json::object()).error_code(), "invalid_request");
    EXPECT_EQ(http().post("/v1/workspaces", {{"name", 42}}).error_code(), "invalid_request");
    EXPECT_EQ(http().post("/v1/workspaces", {{"name", ""}}).status, 400u);
    EXPECT_EQ(http().post("/v1/workspaces", {{"name", std::string(129, 'x')}}).status, 400u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM workspaces"), 0);
}

TEST_P(workspaces, routes_need_a_valid_bearer_credential) {
    const workspace_info ws = make_workspace();
    const response none = http().get("/v1/agents");
    EXPECT_EQ(none.status, 401u);
    EXPECT_EQ(none.error_code(), "unauthorized");
    const response basic = http().request("GET", "/v1/agents", "", {{"Authorization", "Basic abc"}});
    EXPECT_EQ(basic.status, 401u);
    const response unknown = http().get("/v1/agents", "rk_live_" + std::string(32, '0'));
    EXPECT_EQ(unknown.status, 401u);
    EXPECT_EQ(unknown.error_code(), "invalid_token");
    EXPECT_EQ(http().get("/v1/agents", "garbage").error_code(), "invalid_token");
    EXPECT_EQ(http().get("/v1/agents", ws.key).status, 200u);
}

TEST_P(workspaces, agent_routes_refuse_the_workspace_key_and_admin_routes_refuse_agents) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const response post = http().post("/v1/channels/general/messages", {{"text", "hi"}}, ws.key);
    EXPECT_EQ(post.status, 403u);
    EXPECT_EQ(post.error_code(), "agent_token_required");
    const response logs = http().get("/v1/console/logs", alice.token);
    EXPECT_EQ(logs.status, 403u);
    EXPECT_EQ(logs.error_code(), "workspace_key_required");
    const response create = http().post("/v1/agents", {{"name", "bob"}}, alice.token);
    EXPECT_EQ(create.status, 403u);
}

}  // namespace
}  // namespace relay::test
