// Full-text search (SQLite FTS5 / PostgreSQL to_tsvector) over visible messages.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(search);

TEST_P(search, finds_words_in_messages_the_caller_can_see) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "closed");
    (void)send(alice, "general", "the deploy failed at noon");
    (void)send(alice, "general", "lunch is ready");
    (void)send(alice, "closed", "deploy secrets here");
    (void)http().post("/v1/dm", {{"to", "bob"}, {"text", "about the deploy"}}, alice.token);

    const response r = http().get("/v1/search?q=deploy", bob.token);
    ASSERT_EQ(r.status, 200u) << r.body;
    const json results = r.data()["results"];
    ASSERT_EQ(results.size(), 2u);
    for (const auto& m : results) EXPECT_NE(m["text"], "deploy secrets here");
    EXPECT_EQ(http().get("/v1/search?q=deploy", alice.token).data()["results"].size(), 3u);
    EXPECT_EQ(http().get("/v1/search?q=deploy&channel=general", bob.token).data()["results"].size(), 1u);
    EXPECT_EQ(http().get("/v1/search?q=deploy&limit=1", alice.token).data()["results"].size(), 1u);
    EXPECT_EQ(http().get("/v1/search?q=nothing", alice.token).data()["results"].size(), 0u);
}

TEST_P(search, operators_and_punctuation_are_plain_text) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)send(alice, "general", "error: disk full (NEAR) OR \"quoted\"");
    for (const char* q : {"%22unbalanced", "NEAR%28", "a%20OR", "*", "disk%20-full", "%27", "error:"}) {
        const response r = http().get(std::string("/v1/search?q=") + q, alice.token);
        EXPECT_TRUE(r.status == 200u || r.status == 400u) << q << ": " << r.body;
    }
    EXPECT_EQ(http().get("/v1/search?q=disk%20full", alice.token).data()["results"].size(), 1u);
}

TEST_P(search, bad_queries_are_400_or_404) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    EXPECT_EQ(http().get("/v1/search", alice.token).status, 400u);
    EXPECT_EQ(http().get("/v1/search?q=", alice.token).status, 400u);
    EXPECT_EQ(http().get("/v1/search?q=%21%21", alice.token).status, 400u);
    EXPECT_EQ(http().get("/v1/search?q=x&limit=500", alice.token).status, 400u);
    EXPECT_EQ(http().get("/v1/search?q=x&channel=nope", alice.token).error_code(), "channel_not_found");
}

}  // namespace
}  // namespace relay::test
