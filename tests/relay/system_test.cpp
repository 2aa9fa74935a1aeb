// /healthz, /metrics, and the console log.
#include "relay_version.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(system);

TEST_P(system, healthz_reports_the_database) {
    const response r = http().get("/healthz");
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.data()["status"], "ok");
    EXPECT_EQ(r.data()["database"], on_postgres() ? "postgres" : "sqlite");
    EXPECT_EQ(r.data()["version"], RELAY_VERSION);
}

// RFC 6750 and RFC 9110: a 401 names its scheme, a 405 lists the path's methods.
TEST_P(system, a_401_says_how_to_authenticate_and_a_405_what_is_allowed) {
    const response missing = http().get("/v1/channels");
    EXPECT_EQ(missing.status, 401u);
    EXPECT_EQ(missing.header("www-authenticate"), "Bearer realm=\"relay\"");
    const response refused = http().get("/v1/channels", "at_live_not_a_token");
    EXPECT_EQ(refused.status, 401u);
    EXPECT_EQ(refused.header("www-authenticate"), "Bearer realm=\"relay\", error=\"invalid_token\"");
    const response wrong = http().request("DELETE", "/v1/channels", "");
    EXPECT_EQ(wrong.status, 405u) << wrong.body;
    EXPECT_EQ(wrong.header("allow"), "POST, GET");
}

TEST_P(system, metrics_count_requests_and_atomic_write_modes) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)send(alice, "general", "x");
    (void)http().get("/v1/nothing");
    const response r = http().get("/metrics");
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.header("content-type").rfind("text/plain", 0), 0u);
    const std::string& m = r.body;
    EXPECT_NE(
        m.find("relay_http_requests_total{method=\"POST\",route=\"/v1/channels/:name/messages\",status=\"201\"} 1"),
        std::string::npos)
        << m;
    EXPECT_NE(m.find("route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
    EXPECT_NE(
        m.find("relay_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/workspaces\",le=\"+Inf\"} 1"),
        std::string::npos);
    // workspace + agent + send: three units, as transactions; on PostgreSQL the send
    // prefers a batch (one pipeline, decision 0028).
    const std::string transactions = on_postgres() ? "2" : "3";
    const std::string batches = on_postgres() ? "1" : "0";
    EXPECT_NE(m.find("relay_atomic_units_total{mode=\"transaction\"} " + transactions), std::string::npos) << m;
    EXPECT_NE(m.find("relay_atomic_units_total{mode=\"batch\"} " + batches), std::string::npos) << m;
    EXPECT_NE(m.find("relay_atomic_units_total{mode=\"sequential\"} 0"), std::string::npos);
    EXPECT_NE(m.find("relay_db_statements_total "), std::string::npos);
    EXPECT_NE(m.find("relay_ws_connections 0"), std::string::npos);
    EXPECT_EQ(m.find("relay_db_pool_connections") != std::string::npos, on_postgres());
}

TEST_P(system, the_console_log_lists_channel_messages_and_dms_newest_first) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    (void)send(alice, "general", "first @bob");
    (void)http().post("/v1/dm", {{"to", "bob"}, {"text", "second"}}, alice.token);
    const response r = http().get("/v1/console/logs?limit=10", ws.key);
    ASSERT_EQ(r.status, 200u) << r.body;
    const json logs = r.data()["logs"];
    ASSERT_EQ(logs.size(), 2u);
    EXPECT_EQ(logs[0]["delivery_kind"], "dm");
    EXPECT_EQ(logs[0]["text"], "second");
    EXPECT_FALSE(logs[0]["conversation_id"].is_null());
    EXPECT_EQ(logs[1]["channel"], "general");
    EXPECT_EQ(logs[1]["mention_count"], 1);
    EXPECT_EQ(logs[1]["agent_name"], "alice");
    EXPECT_EQ(http().get("/v1/console/logs?limit=1", ws.key).data()["logs"].size(), 1u);
    EXPECT_EQ(http().get("/v1/console/logs?limit=201", ws.key).status, 400u);
}

}  // namespace
}  // namespace relay::test
