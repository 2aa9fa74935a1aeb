// WebSocket clients that send what no client should: each malformed message gets an
// `error` event or the close code the protocol prescribes, the one connection at most
// is closed, and relay goes on serving everyone else. (Before the handler boundary, a
// single frame {"type":1} terminated the process.)
#include "support/raw_client.hpp"
#include "support/relay_fixture.hpp"
#include "support/ws_client.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(hostile_ws);

json parsed(const std::string& text) {
    return json::parse(text, nullptr, false);
}

TEST_P(hostile_ws, malformed_messages_get_error_events_and_the_session_survives) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    raw_ws client(port(), alice.token);
    // Deep, but within one message's 64 KiB.
    const std::string deep = std::string(30000, '[') + std::string(30000, ']');
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"type":1})", "invalid_message"},     {R"({"type":null})", "invalid_message"},
        {R"({"type":[]})", "invalid_message"},    {R"({"type":{"a":1}})", "invalid_message"},
        {"null", "invalid_message"},              {"[]", "invalid_message"},
        {"\"ping\"", "invalid_message"},          {"42", "invalid_message"},
        {"{}", "invalid_message"},                {"{not json", "invalid_json"},
        {"", "invalid_json"},                     {R"({"type":"subscribe"})", "unknown_type"},
        {deep, "json_too_deep"},
    };
    for (const auto& [text, code] : cases) {
        client.send_text(text);
        const json answer = parsed(client.read());
        EXPECT_EQ(answer["type"], "error") << text.substr(0, 40);
        EXPECT_EQ(answer["data"]["code"], code) << text.substr(0, 40);
    }
    client.send_text(R"({"type":"ping"})");
    EXPECT_EQ(parsed(client.read())["type"], "pong");
    EXPECT_GE(metric_value(port(), "relay_ws_bad_messages_total"), static_cast<double>(cases.size()));
    EXPECT_EQ(metric_value(port(), "relay_handler_failures_total"), 0);
}

TEST_P(hostile_ws, protocol_violations_close_that_connection_with_their_code) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    ws_client bystander(port(), bob.token);
    {
        raw_ws c(port(), alice.token);
        c.send_binary(std::string("\x00\x01\x02", 3));
        EXPECT_EQ(c.read(), "");
        EXPECT_EQ(c.close_code(), 1003);  // unsupported data
    }
    {
        raw_ws c(port(), alice.token);
        c.send_text(std::string(settings_.ws_max_message_bytes + 1, 'x'));
        EXPECT_EQ(c.read(), "");
        EXPECT_EQ(c.close_code(), 1009);  // too big
    }
    {
        raw_ws c(port(), alice.token);
        c.send_text("{\"type\":\"\xed\xa0\x80\"}");  // a UTF-16 surrogate: not UTF-8
        EXPECT_EQ(c.read(), "");
        EXPECT_EQ(c.close_code(), 1007);  // invalid payload
    }
    // The others are untouched, and relay still serves.
    (void)send(alice, "general", "still here");
    EXPECT_TRUE(bystander.next_of("message.created").has_value());
    EXPECT_EQ(http().get("/healthz").status, 200u);
    EXPECT_GE(metric_value(port(), "relay_ws_bad_messages_total"), 3);
}

TEST_P(hostile_ws, an_agent_holds_at_most_its_share_of_connections) {
    settings_.ws_max_per_agent = 2;
    stop_relay();
    start_relay();
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    ws_client a1(port(), alice.token);
    ws_client a2(port(), alice.token);
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=" + alice.token), 429u);
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=" + bob.token), 101u);  // another agent's share
    EXPECT_GE(metric_value(port(), "relay_ws_sessions_refused_total"), 1);
}

TEST_P(hostile_ws, a_client_that_does_not_read_is_closed_and_its_memory_freed) {
    settings_.ws_max_queue_bytes = 64 * 1024;
    stop_relay();
    start_relay();
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    // Bob's connection is upgraded by hand on a socket with a small receive buffer, and
    // never read again.
    raw_connection idle(port(), 4096);
    idle.write("GET /v1/ws?token=" + bob.token +
               " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    ASSERT_NE(idle.read_until("\r\n\r\n").find("101"), std::string::npos);
    // Control characters escape to six bytes each: every event is ~120 KiB on the wire.
    const std::string text(20000, '\x01');
    for (int i = 0; i < 200 && metric_value(port(), "relay_ws_slow_consumers_closed_total") < 1; ++i)
        (void)send(alice, "general", text);
    EXPECT_GE(metric_value(port(), "relay_ws_slow_consumers_closed_total"), 1);
    // Gone from the hub (its queue dropped) within the close timer's few seconds.
    for (int i = 0; i < 100 && metric_value(port(), "relay_ws_connections") > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(metric_value(port(), "relay_ws_connections"), 0);
    // Every message is stored, with Bob's deliveries to resync from.
    EXPECT_GE(http().get("/v1/deliveries?limit=100", bob.token).data()["deliveries"].size(), 1u);
}

}  // namespace
}  // namespace relay::test
