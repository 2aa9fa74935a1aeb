// What a list accepts: `limit` from 1 to the list's maximum (default when absent), and
// only a cursor the same list handed out. Anything else is a 400 with a code — never a
// 500, on either database (a cursor of another list, with keys of other kinds, would
// otherwise reach the database as the wrong type).
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(paging_limits);

// A list route, who may read it, its maximum limit and the field holding its items.
struct list_route {
    std::string path;
    std::string token;
    int max;
    std::string items;
};

std::string with(const std::string& path, const std::string& query) {
    return path + (path.find('?') == std::string::npos ? "?" : "&") + query;
}

class paging_routes : public paging_limits {
protected:
    std::vector<list_route> routes() {
        const workspace_info ws = make_workspace();
        const agent_info alice = make_agent(ws, "alice");
        (void)make_agent(ws, "bob");
        const std::string root = send(alice, "general", "hello")["id"];
        const response dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "hello"}}, alice.token);
        const std::string conversation = dm.data()["conversation_id"];
        return {{"/v1/channels", alice.token, 1000, "channels"},
                {"/v1/channels/general/members", alice.token, 1000, "members"},
                {"/v1/agents", ws.key, 1000, "agents"},
                {"/v1/dm/conversations", alice.token, 200, "conversations"},
                {"/v1/messages/" + root + "/replies", alice.token, 100, "replies"},
                {"/v1/messages/" + root + "/readers", alice.token, 1000, "readers"},
                {"/v1/search?q=hello", alice.token, 100, "results"},
                {"/v1/console/logs", ws.key, 200, "logs"},
                {"/v1/deliveries?status=all", alice.token, 200, "deliveries"},
                {"/v1/channels/general/messages", alice.token, 100, "messages"},
                {"/v1/dm/" + conversation + "/messages", alice.token, 100, "messages"}};
    }
};
INSTANTIATE_TEST_SUITE_P(db, paging_routes, RELAY_BACKENDS, backend_name);

TEST_P(paging_routes, every_list_takes_a_limit_up_to_its_maximum) {
    for (const list_route& l : routes()) {
        SCOPED_TRACE(l.path);
        const response at_max = http().get(with(l.path, "limit=" + std::to_string(l.max)), l.token);
        EXPECT_EQ(at_max.status, 200u) << at_max.body;
        EXPECT_EQ(at_max.data()["has_more"], false) << at_max.body;
        EXPECT_TRUE(at_max.data()["next_cursor"].is_null()) << at_max.body;
        for (const std::string& bad : {std::to_string(l.max + 1), std::string("0"), std::string("-1"), std::string("x"),
                                       std::string(""), std::string("1.5"), std::string("99999999999999999999")}) {
            const response r = http().get(with(l.path, "limit=" + bad), l.token);
            EXPECT_EQ(r.status, 400u) << "limit=" << bad << " -> " << r.body;
            EXPECT_EQ(r.error_code(), "invalid_request") << "limit=" << bad;
        }
    }
}

TEST_P(paging_routes, a_cursor_the_list_did_not_hand_out_is_400_invalid_cursor) {
    for (const list_route& l : routes()) {
        SCOPED_TRACE(l.path);
        for (const char* bad : {"", "x", "k1.", "k1.i1", "k1.i1.", "k2.i1.i1", "k1.z1.i1", "k1.i1.m1", "k1.tzz.i1",
                                "k1.i1.i1.i1", "k1.i99999999999999999999.i1", "-1", "0"}) {
            const response r = http().get(with(l.path, std::string("cursor=") + bad), l.token);
            EXPECT_EQ(r.status, 400u) << "cursor=" << bad << " -> " << r.body;
            EXPECT_EQ(r.error_code(), "invalid_cursor") << "cursor=" << bad << " -> " << r.body;
        }
    }
}

// A well-formed cursor of another list (its key has other kinds: a name and an id, or a
// time and a conversation id) is refused before it reaches a statement as the wrong type.
TEST_P(paging_routes, a_cursor_of_another_list_is_refused_not_a_500) {
    const std::vector<list_route> all = routes();
    // Cursors of three key shapes: (text, integer), (integer, integer), (integer, text).
    const std::vector<std::string> cursors{"k1.t616c696365.i5", "k1.i5.i5", "k1.i5.t646d5f"};
    for (const list_route& l : all) {
        SCOPED_TRACE(l.path);
        int accepted = 0;
        for (const std::string& c : cursors) {
            const response r = http().get(with(l.path, "cursor=" + c), l.token);
            if (r.status == 200u) {
                ++accepted;
                EXPECT_TRUE(r.data().contains(l.items)) << r.body;
            } else {
                EXPECT_EQ(r.status, 400u) << c << " -> " << r.body;
                EXPECT_EQ(r.error_code(), "invalid_cursor") << c;
            }
        }
        // The message histories take message ids, not these; every other list one shape.
        const bool history = l.items == "messages";
        EXPECT_EQ(accepted, history ? 0 : 1) << "exactly one shape is this list's";
    }
}

TEST_P(paging_routes, cursor_and_before_together_are_refused) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const std::string id = send(alice, "general", "x")["id"];
    const response r = http().get("/v1/channels/general/messages?cursor=" + id + "&before=" + id, alice.token);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.error_code(), "invalid_cursor");
}

// Without ?limit a list is one page of its default size, with a cursor to the rest.
TEST_P(paging_limits, a_list_without_a_limit_is_one_page_of_the_default_size) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    db().execute(strata::sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) "
                             "INSERT INTO channels(id, workspace_id, name, channel_type, created_at) "
                             "SELECT 8000000000 + i, ?, 'bulk-' || (1000 + i), 0, 0 FROM n",
                             std::stoll(ws.id)))
        .drain();
    const response first = http().get("/v1/channels", alice.token);
    ASSERT_EQ(first.status, 200u) << first.body;
    EXPECT_EQ(first.data()["channels"].size(), 200u);
    EXPECT_EQ(first.data()["channels"][0]["name"], "bulk-1001");
    EXPECT_EQ(first.data()["has_more"], true);
    const response rest =
        http().get("/v1/channels?cursor=" + first.data()["next_cursor"].get<std::string>(), alice.token);
    ASSERT_EQ(rest.status, 200u) << rest.body;
    EXPECT_EQ(rest.data()["channels"].size(), 51u);  // the other 50 and general
    EXPECT_EQ(rest.data()["channels"][50]["name"], "general");
    EXPECT_EQ(rest.data()["has_more"], false);
    EXPECT_EQ(http().get("/v1/channels?limit=1000", alice.token).data()["channels"].size(), 251u);
}

}  // namespace
}  // namespace relay::test
