// HTTP clients that send what no client should: bodies nested to overflow a stack,
// bytes PostgreSQL refuses, huge bodies without a token, giant headers, more
// connections than relay can hold. Each gets a coded 4xx/503 and relay goes on.
#include "support/raw_client.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(hostile_http);

std::string status_line(const std::string& reply) {
    return reply.substr(0, reply.find("\r\n"));
}

TEST_P(hostile_http, deeply_nested_json_is_refused_before_it_is_parsed) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    // A few hundred thousand levels used to overflow the stack (copying the metadata).
    const std::string deep = R"({"text":"hi","metadata":)" + std::string(300000, '[') + std::string(300000, ']') + "}";
    const response r = http().post_raw("/v1/channels/general/messages", deep, alice.token);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.error_code(), "json_too_deep");
    // 32 levels are accepted (the body's own object is the first), 33 are not.
    auto nested = [](int levels) {
        std::string v = "1";
        for (int i = 0; i < levels; ++i) v = R"({"a":)" + v + "}";
        return v;
    };
    EXPECT_EQ(http().post_raw("/v1/channels/general/messages", R"({"text":"ok","metadata":)" + nested(31) + "}",
                              alice.token)
                  .status,
              201u);
    EXPECT_EQ(http().post_raw("/v1/channels/general/messages", R"({"text":"no","metadata":)" + nested(32) + "}",
                              alice.token)
                  .error_code(),
              "json_too_deep");
    // Brackets inside strings are text, not nesting.
    EXPECT_EQ(http().post("/v1/channels/general/messages", {{"text", std::string(1000, '[')}}, alice.token).status,
              201u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 2);
}

TEST_P(hostile_http, bytes_that_are_not_utf8_text_are_400_on_every_database) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    // A surrogate, 3- and 4-byte overlongs, a code point above U+10FFFF, a lone
    // continuation byte, NUL: PostgreSQL refuses each (it used to be a 500 there).
    for (const char* bad : {"%ED%A0%80", "%E0%80%AF", "%F0%80%80%AF", "%F4%90%80%80", "%80", "%C0%AF", "%00"}) {
        const response in_path = http().get(std::string("/v1/channels/a") + bad + "/messages", alice.token);
        EXPECT_EQ(in_path.status, 400u) << bad;
        EXPECT_EQ(in_path.error_code(), "invalid_utf8") << bad;
        const response in_query = http().get(std::string("/v1/search?q=x") + bad, alice.token);
        EXPECT_EQ(in_query.status, 400u) << bad;
        EXPECT_EQ(in_query.error_code(), "invalid_utf8") << bad;
    }
    EXPECT_EQ(http().get("/v1/search?q=caf%C3%A9%F0%9F%98%80", alice.token).status, 200u);
    EXPECT_EQ(http().get("/v1/files/%zz", alice.token).error_code(), "bad_request");
}

TEST_P(hostile_http, a_body_is_read_only_after_its_token_is_checked) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    // Announces 5 MB and waits for 100-continue: no token, so a 401 comes at once and no
    // 100 Continue ever does.
    const std::string head = "POST /v1/channels/general/messages HTTP/1.1\r\nHost: x\r\n"
                             "Content-Type: application/json\r\nContent-Length: 5000000\r\n"
                             "Expect: 100-continue\r\n";
    for (const std::string& auth : {std::string(), std::string("Authorization: Bearer at_live_nope\r\n")}) {
        raw_connection c(port());
        c.write(head + auth + "\r\n");
        const std::string reply = c.read_until("\r\n\r\n");
        EXPECT_EQ(status_line(reply), "HTTP/1.1 401 Unauthorized") << reply;
    }
    // An unknown route is answered from the header too.
    raw_connection unknown(port());
    unknown.write("POST /v1/nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
    EXPECT_EQ(status_line(unknown.read_until("\r\n\r\n")), "HTTP/1.1 404 Not Found");
    // With a valid token the same request is granted 100 Continue, then read.
    raw_connection ok(port());
    const std::string body = R"({"text":"hello"})";
    ok.write("POST /v1/channels/general/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice.token +
             "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(status_line(ok.read_until("\r\n\r\n")), "HTTP/1.1 100 Continue");
    ok.write(body);
    EXPECT_NE(ok.read_until("\"ok\":true").find("201 Created"), std::string::npos);
    // Anyone may still create a workspace (the one route without a token).
    EXPECT_EQ(http().post("/v1/workspaces", {{"name", "other"}}).status, 201u);
    EXPECT_GE(metric_value(port(), "relay_refused_before_body_total"), 3);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 1);
}

TEST_P(hostile_http, an_oversized_header_is_431) {
    const std::string reply = raw_exchange(
        port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    EXPECT_EQ(status_line(reply), "HTTP/1.1 431 Request Header Fields Too Large") << status_line(reply);
    std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 3000; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
    EXPECT_EQ(status_line(raw_exchange(port(), many + "\r\n")), "HTTP/1.1 431 Request Header Fields Too Large");
    EXPECT_EQ(http().get("/healthz").status, 200u);
}

TEST_P(hostile_http, connections_beyond_the_cap_get_503_with_retry_after) {
    stop_relay();
    settings_.max_connections = 4;
    start_relay();
    std::vector<std::unique_ptr<raw_connection>> held;
    for (int i = 0; i < 4; ++i) held.push_back(std::make_unique<raw_connection>(port()));
    // Each held connection is open once the server has accepted it; wait for that.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::string refused = raw_exchange(port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_line(refused), "HTTP/1.1 503 Service Unavailable") << refused;
    EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos);
    EXPECT_NE(refused.find("too_many_connections"), std::string::npos);
    held.clear();
    // Freed slots are taken again.
    response r;
    for (int i = 0; i < 50 && r.status != 200u; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r = http().get("/healthz");
    }
    EXPECT_EQ(r.status, 200u);
    EXPECT_GE(metric_value(port(), "relay_connections_refused_total"), 1);
}

}  // namespace
}  // namespace relay::test
