// Real responses held to the API document: a scenario that calls every operation —
// workspace, agents, channels, messages, a thread, DMs, a group DM, deliveries, receipts,
// files, search, and errors (400, 401, 403, 404, 409) — checks each answer against the
// operation's documented statuses and schemas (support/api_document.hpp), then that no
// operation of the document went unexercised.
#include "support/api_document.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(openapi_responses);

// Calls relay and holds each answer to the document.
class checked_client {
public:
    checked_client(const http_client& http, api_document& doc) : http_(http), doc_(doc) {}

    response call(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& token, header_list headers = {}) {
        auto all = bearer(token);
        all.insert(all.end(), headers.begin(), headers.end());
        const response r = http_.request(method, target, body, all);
        for (const auto& e : doc_.check(method, target, r)) ADD_FAILURE() << e << "\n" << r.body.substr(0, 2000);
        return r;
    }
    json get(const std::string& target, const std::string& token, unsigned expect = 200) {
        const response r = call("GET", target, "", token);
        EXPECT_EQ(r.status, expect) << "GET " << target << ": " << r.body;
        return r.data();
    }
    json post(const std::string& target, const json& body, const std::string& token, unsigned expect,
              header_list headers = {}) {
        headers.emplace_back("Content-Type", "application/json");
        const response r = call("POST", target, body.is_null() ? "" : body.dump(), token, headers);
        EXPECT_EQ(r.status, expect) << "POST " << target << ": " << r.body;
        return r.data();
    }

private:
    const http_client& http_;
    api_document& doc_;
};

TEST_P(openapi_responses, every_operation_answers_as_documented) {
    api_document doc(http().get("/v1/openapi.json").body_json());
    checked_client c(http(), doc);
    (void)c.get("/v1/openapi.json", "");
    (void)c.get("/", "");
    (void)c.get("/console/console.js", "");
    (void)c.get("/console/nope.js", "", 404);
    (void)c.get("/healthz", "");
    (void)c.get("/metrics", "");

    // A workspace and its agents.
    const json ws = c.post("/v1/workspaces", {{"name", "acme"}}, "", 201);
    (void)c.post("/v1/workspaces", json::object(), "", 400);
    const std::string key = ws["api_key"];
    const header_list once{{"Idempotency-Key", "make-alice"}};
    const std::string alice = c.post("/v1/agents", {{"name", "alice"}}, key, 201, once)["token"];
    EXPECT_TRUE(c.post("/v1/agents", {{"name", "alice"}}, key, 201, once)["token"].is_null());  // a replay
    (void)c.post("/v1/agents", {{"name", "alice"}}, key, 409);
    (void)c.post("/v1/agents", {{"name", "bob"}}, "at_live_nope", 401);
    const std::string bob_first = c.post("/v1/agents", {{"name", "bob"}, {"type", "human"}}, key, 201)["token"];
    const std::string carol = c.post("/v1/agents", {{"name", "carol"}}, key, 201)["token"];
    const std::string bob = c.post("/v1/agents/bob/rotate-token", nullptr, key, 200)["token"];
    (void)c.post("/v1/agents/nobody/rotate-token", nullptr, key, 404);
    (void)c.get("/v1/agents", key);
    (void)c.get("/v1/agents?limit=1", alice);
    (void)bob_first;

    // A channel, its members and messages, a thread, receipts and deliveries.
    (void)c.post("/v1/channels", {{"name", "ops"}, {"topic", "Operations"}}, alice, 201);
    (void)c.post("/v1/channels", {{"name", "ops"}}, alice, 409);
    (void)c.post("/v1/channels", {{"name", "x"}}, key, 403);
    (void)c.get("/v1/channels", alice);
    (void)c.post("/v1/channels/ops/join", nullptr, bob, 200);
    (void)c.post("/v1/channels/nope/join", nullptr, bob, 404);
    (void)c.post("/v1/channels/general/leave", nullptr, carol, 200);
    (void)c.get("/v1/channels/ops/members", alice);
    const json sent = c.post("/v1/channels/ops/messages",
                             {{"text", "deploy at noon @bob"}, {"metadata", {{"build", 42}}}}, alice, 201,
                             {{"Idempotency-Key", "deploy-1"}});
    const std::string id = sent["id"];
    (void)c.post("/v1/channels/ops/messages", {{"text", "deploy at noon @bob"}, {"metadata", {{"build", 42}}}},
                 alice, 201, {{"Idempotency-Key", "deploy-1"}});
    (void)c.post("/v1/channels/ops/messages", {{"text", "other"}}, alice, 409, {{"Idempotency-Key", "deploy-1"}});
    (void)c.call("POST", "/v1/channels/ops/messages", "{not json", alice, {{"Content-Type", "application/json"}});
    (void)c.post("/v1/channels/ops/messages", {{"text", "hi"}}, carol, 403);
    (void)c.get("/v1/channels/ops/messages", alice);
    (void)c.get("/v1/channels/ops/messages?limit=1&before=" + id, alice);
    (void)c.get("/v1/channels/ops/messages?before=nope", alice, 400);
    (void)c.get("/v1/messages/" + id, bob);
    (void)c.get("/v1/messages/999999999", bob, 404);
    (void)c.post("/v1/messages/" + id + "/replies", {{"text", "ack"}}, bob, 201);
    (void)c.get("/v1/messages/" + id + "/replies", alice);
    (void)c.get("/v1/messages/" + id + "/deliveries", alice);  // queued
    (void)c.get("/v1/deliveries", bob);                         // handed out
    (void)c.post("/v1/messages/" + id + "/read", nullptr, bob, 200);
    (void)c.get("/v1/messages/" + id + "/readers", alice);
    const json deliveries = c.get("/v1/messages/" + id + "/deliveries", alice);  // acked
    ASSERT_FALSE(deliveries["deliveries"].empty());
    EXPECT_EQ(deliveries["deliveries"][0]["status"], "acked");
    (void)c.get("/v1/messages/" + id + "/deliveries", carol, 404);

    // DMs and a group DM.
    const std::string dm = c.post("/v1/dm", {{"to", "bob"}, {"text", "psst"}}, alice, 201)["conversation_id"];
    (void)c.post("/v1/dm", {{"to", "nobody"}, {"text", "psst"}}, alice, 404);
    (void)c.post("/v1/dm/" + dm + "/messages", {{"text", "again"}}, bob, 201);
    (void)c.get("/v1/dm/" + dm + "/messages", alice);
    (void)c.get("/v1/dm/" + dm + "/messages", carol, 403);
    const std::string group =
        c.post("/v1/dm/group", {{"participants", {"bob", "carol"}}, {"name", "trio"}}, alice, 201)["conversation_id"];
    (void)c.post("/v1/dm/" + group + "/messages", {{"text", "all three"}}, carol, 201);
    (void)c.get("/v1/dm/conversations", alice);

    // The mailbox, search and files.
    (void)c.get("/v1/inbox", bob);
    (void)c.get("/v1/inbox", key, 403);
    const json mine = c.get("/v1/deliveries?status=all", bob);
    ASSERT_FALSE(mine["deliveries"].empty());
    (void)c.post("/v1/deliveries/" + mine["deliveries"].back()["id"].get<std::string>() + "/ack", nullptr, bob, 200);
    (void)c.post("/v1/deliveries/del_1_2/ack", nullptr, bob, 404);
    (void)c.get("/v1/search?q=deploy", bob);
    (void)c.get("/v1/search", bob, 400);
    const response file = c.call("POST", "/v1/files?filename=a.txt&content_type=text/plain", "hello", alice);
    ASSERT_EQ(file.status, 201u) << file.body;
    (void)c.get("/v1/files/" + file.data()["id"].get<std::string>(), alice);
    (void)c.get("/v1/files/999", alice, 404);
    (void)c.get("/v1/console/logs", key);
    (void)c.get("/v1/console/logs", alice, 403);
    (void)c.get("/v1/channels", "", 401);

    for (const auto& op : doc.operations()) EXPECT_TRUE(doc.exercised().count(op)) << op << " was never called";
}

}  // namespace
}  // namespace relay::test
