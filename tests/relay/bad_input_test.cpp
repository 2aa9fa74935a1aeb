// Bad input gets the right 4xx with a code — never a 500, never a partial write.
// clang-format off
// strata's headers first: <boost/asio.hpp> brings <termios.h>, whose macros (B0, ...)
// would rewrite identifiers in strata/builder/type_list.hpp.
#include "support/relay_fixture.hpp"
#include "http/beast.hpp"
// clang-format on

namespace relay::test {
namespace {

RELAY_TEST_SUITE(bad_input);

TEST_P(bad_input, malformed_json_and_wrong_shapes_are_400) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const response broken = http().post_raw("/v1/channels/general/messages", "{\"text\":", alice.token);
    EXPECT_EQ(broken.status, 400u);
    EXPECT_EQ(broken.error_code(), "invalid_json");
    const json body = broken.body_json();
    EXPECT_EQ(body["ok"], false);
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(http().post_raw("/v1/channels/general/messages", "[1,2]", alice.token).error_code(), "invalid_request");
    EXPECT_EQ(http().post_raw("/v1/channels/general/messages", "", alice.token).error_code(), "invalid_json");
    EXPECT_EQ(http().post_raw("/v1/workspaces", "\"name\"").error_code(), "invalid_request");
}

TEST_P(bad_input, unknown_routes_and_methods) {
    const response missing = http().get("/v1/nothing");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_EQ(missing.error_code(), "not_found");
    const response method = http().request("DELETE", "/v1/channels", "");
    EXPECT_EQ(method.status, 405u);
    EXPECT_EQ(method.error_code(), "method_not_allowed");
    EXPECT_EQ(http().get("/v1/files/%zz").status, 400u);
}

TEST_P(bad_input, garbage_on_the_wire_gets_a_400) {
    namespace net = boost::asio;
    net::io_context ioc;
    net::ip::tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), port()});
    const std::string garbage = "HELLO THERE\r\n\r\n";
    net::write(socket, net::buffer(garbage));
    std::string reply;
    boost::system::error_code ec;
    net::read(socket, net::dynamic_buffer(reply), ec);  // until the server closes
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

// Every route, with bodies and ids of the wrong kind, answers below 500 (some nonsense is
// harmless: a join ignores its body).
TEST_P(bad_input, no_route_answers_500_to_nonsense) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const std::vector<std::pair<std::string, std::string>> routes{{"POST", "/v1/workspaces"},
                                                                  {"POST", "/v1/agents"},
                                                                  {"POST", "/v1/agents/x/rotate-token"},
                                                                  {"POST", "/v1/channels"},
                                                                  {"POST", "/v1/channels/general/join"},
                                                                  {"POST", "/v1/channels/x/leave"},
                                                                  {"POST", "/v1/channels/general/messages"},
                                                                  {"GET", "/v1/channels/general/messages?before=0"},
                                                                  {"GET", "/v1/messages/-5"},
                                                                  {"POST", "/v1/messages/9223372036854775808/replies"},
                                                                  {"POST", "/v1/messages/1/read"},
                                                                  {"GET", "/v1/messages/0/readers"},
                                                                  {"POST", "/v1/dm"},
                                                                  {"POST", "/v1/dm/group"},
                                                                  {"GET", "/v1/dm/x/messages?limit=-1"},
                                                                  {"POST", "/v1/dm/x/messages"},
                                                                  {"GET", "/v1/inbox"},
                                                                  {"GET", "/v1/deliveries?limit=x"},
                                                                  {"POST", "/v1/deliveries/x/ack"},
                                                                  {"POST", "/v1/files?filename="},
                                                                  {"GET", "/v1/files/x"},
                                                                  {"GET", "/v1/search?q=%00"},
                                                                  {"GET", "/v1/console/logs?limit=0"},
                                                                  {"GET", "/v1/channels/%ff/messages"},
                                                                  {"POST", "/v1/channels/a%00b/join"}};
    const std::vector<std::string> bodies{"",
                                          "null",
                                          "[]",
                                          "{\"text\":{},\"to\":[],\"name\":1,\"participants\":[1]}",
                                          "{\"text\":\"x\",\"attachments\":[null]}",
                                          "\xff\xfe",
                                          "{\"text\":\"a\\u0000b\",\"name\":\"\\u0000\",\"to\":\"x\"}"};
    for (const auto& token : {alice.token, ws.key}) {
        for (const auto& [method, path] : routes) {
            for (const auto& body : bodies) {
                const response r = http().request(method, path, body, bearer(token));
                EXPECT_LT(r.status, 500u) << method << ' ' << path << ' ' << body << " -> " << r.body;
            }
        }
    }
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 0);
}

}  // namespace
}  // namespace relay::test
