// Channel messages: send, history paging, single reads.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(messages);

TEST_P(messages, sending_returns_the_message_and_queues_one_delivery_per_other_member) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    const response r = http().post("/v1/channels/general/messages",
                                   {{"text", "hello @bob and @nobody"}, {"metadata", {{"k", "v"}}}}, alice.token);
    ASSERT_EQ(r.status, 201u) << r.body;
    const json m = r.data();
    EXPECT_EQ(m["channel"], "general");
    EXPECT_EQ(m["agent_id"], alice.id);
    EXPECT_EQ(m["agent_name"], "alice");
    EXPECT_EQ(m["text"], "hello @bob and @nobody");
    EXPECT_TRUE(m["thread_id"].is_null());
    EXPECT_EQ(m["mentions"], json::array({"bob", "nobody"}));
    EXPECT_EQ(m["attachments"], json::array());
    EXPECT_EQ(m["metadata"]["k"], "v");
    const std::string id = m["id"];

    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + id), 2);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + id + " AND agent_id = " + alice.id), 0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE agent_id = " + bob.id + " AND reason = 'mention'"), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE agent_id = " + carol.id + " AND reason = 'message'"), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM message_logs WHERE message_id = " + id + " AND delivery_kind = 'channel'"),
              1);
}

TEST_P(messages, text_must_be_a_non_empty_string) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    for (const json& body : {json::object(), json{{"text", ""}}, json{{"text", 3}}, json{{"text", nullptr}},
                             json{{"text", "x"}, {"metadata", "nope"}}, json{{"text", "x"}, {"attachments", "nope"}},
                             json{{"text", std::string(40000, 'x')}}}) {
        const response r = http().post("/v1/channels/general/messages", body, alice.token);
        EXPECT_EQ(r.status, 400u) << body.dump();
    }
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 0);
}

TEST_P(messages, history_is_newest_first_top_level_only_with_counts) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const json first = send(alice, "general", "one");
    const json second = send(alice, "general", "two");
    ASSERT_EQ(
        http().post("/v1/messages/" + first["id"].get<std::string>() + "/replies", {{"text", "re"}}, bob.token).status,
        201u);
    ASSERT_EQ(http().post("/v1/messages/" + first["id"].get<std::string>() + "/read", nullptr, bob.token).status, 200u);
    const response r = http().get("/v1/channels/general/messages", bob.token);
    ASSERT_EQ(r.status, 200u) << r.body;
    const json list = r.data()["messages"];
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]["id"], second["id"]);
    EXPECT_EQ(list[1]["id"], first["id"]);
    EXPECT_EQ(list[1]["reply_count"], 1);
    EXPECT_EQ(list[1]["read_by_count"], 1);
    EXPECT_EQ(list[0]["reply_count"], 0);
    EXPECT_EQ(r.data()["has_more"], false);
    EXPECT_TRUE(r.data()["next_cursor"].is_null());
}

TEST_P(messages, history_pages_with_before_and_after) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(send(alice, "general", "m" + std::to_string(i))["id"]);
    const response page1 = http().get("/v1/channels/general/messages?limit=2", alice.token);
    ASSERT_EQ(page1.data()["messages"].size(), 2u);
    EXPECT_EQ(page1.data()["messages"][0]["id"], ids[4]);
    EXPECT_EQ(page1.data()["has_more"], true);
    const std::string cursor = page1.data()["next_cursor"];
    EXPECT_EQ(cursor, ids[3]);
    const response page2 = http().get("/v1/channels/general/messages?limit=2&before=" + cursor, alice.token);
    EXPECT_EQ(page2.data()["messages"][0]["id"], ids[2]);
    EXPECT_EQ(page2.data()["messages"][1]["id"], ids[1]);
    const response page3 = http().get("/v1/channels/general/messages?limit=2&before=" + ids[1], alice.token);
    ASSERT_EQ(page3.data()["messages"].size(), 1u);
    EXPECT_EQ(page3.data()["has_more"], false);
    const response newer = http().get("/v1/channels/general/messages?limit=2&after=" + ids[1], alice.token);
    ASSERT_EQ(newer.data()["messages"].size(), 2u);
    EXPECT_EQ(newer.data()["messages"][0]["id"], ids[3]);  // still newest first
    EXPECT_EQ(newer.data()["messages"][1]["id"], ids[2]);
    EXPECT_EQ(newer.data()["has_more"], true);
    EXPECT_EQ(newer.data()["next_cursor"], ids[3]);
}

TEST_P(messages, paging_parameters_are_checked) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    for (const char* q : {"limit=0", "limit=101", "limit=abc", "limit=", "before=x", "after=-1"}) {
        const response r = http().get(std::string("/v1/channels/general/messages?") + q, alice.token);
        EXPECT_EQ(r.status, 400u) << q;
    }
    EXPECT_EQ(http().get("/v1/channels/general/messages?limit=100", alice.token).status, 200u);
}

TEST_P(messages, a_message_reads_back_by_id_for_those_who_can_see_it) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "secret");
    const json m = send(alice, "secret", "hidden");
    const std::string id = m["id"];
    const response mine = http().get("/v1/messages/" + id, alice.token);
    ASSERT_EQ(mine.status, 200u);
    EXPECT_EQ(mine.data()["text"], "hidden") << mine.body;
    EXPECT_EQ(mine.data()["reply_count"], 0);
    for (const std::string& path :
         {"/v1/messages/" + id, std::string("/v1/messages/123"), std::string("/v1/messages/abc")}) {
        const response r = http().get(path, bob.token);
        EXPECT_EQ(r.status, 404u) << path;
        EXPECT_EQ(r.error_code(), "message_not_found") << path;
    }
}

}  // namespace
}  // namespace relay::test
