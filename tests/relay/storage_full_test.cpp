// A full database (SQLite at its max_page_count, which is how a full disk looks to it):
// writes answer 507 storage_full, never 500, and leave nothing behind; what was
// acknowledged stays; reads go on; once there is room, a refused send retried with its
// Idempotency-Key is stored once.
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

class storage_full : public relay_test {};
// SQLite on one database: the cap is a binding setting of the file relay writes to.
INSTANTIATE_TEST_SUITE_P(db, storage_full, ::testing::Values(backend::sqlite), backend_name);

TEST_P(storage_full, writes_answer_507_reads_go_on_and_nothing_acknowledged_is_lost) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const std::string uncapped = settings_.db_url;
    const std::int64_t pages = scalar("PRAGMA page_count");
    stop_relay();
    settings_.db_url = uncapped + "?max_page_count=" + std::to_string(pages + 64);
    start_relay();

    const std::string text(2000, 'x');
    auto send_numbered = [&](int i) {
        return http().post("/v1/channels/general/messages", {{"text", text + std::to_string(i)}}, alice.token,
                           {{"Idempotency-Key", "send-" + std::to_string(i)}});
    };
    std::vector<std::string> acknowledged;
    int first_refused = -1;
    for (int i = 0; i < 400 && first_refused < 0; ++i) {
        const response r = send_numbered(i);
        if (r.status == 201u) {
            acknowledged.push_back(r.data()["id"]);
            continue;
        }
        first_refused = i;
        ASSERT_EQ(r.status, 507u) << r.body;
        EXPECT_EQ(r.error_code(), "storage_full");
        EXPECT_TRUE(r.header("retry-after").empty());  // not a matter of seconds
    }
    ASSERT_GE(first_refused, 1) << "the capped database never filled (or refused the first send)";

    // Full: every write is refused with the same answer (or fits in what is left), none is
    // a 500; reads go on.
    for (int i = 0; i < 10; ++i) {
        const response r = http().post("/v1/channels", {{"name", "more-" + std::to_string(i)}}, alice.token);
        EXPECT_TRUE(r.status == 507u || r.status == 201u) << r.status << " " << r.body;
        const response m = send_numbered(1000 + i);
        EXPECT_EQ(m.status, 507u) << m.body;
    }
    EXPECT_EQ(http().get("/healthz").status, 200u);
    const response history = http().get("/v1/channels/general/messages?limit=5", bob.token);
    ASSERT_EQ(history.status, 200u) << history.body;
    EXPECT_EQ(history.data()["messages"].size(), 5u);
    for (const std::string& id : acknowledged) {
        const response m = http().get("/v1/messages/" + id, bob.token);
        ASSERT_EQ(m.status, 200u) << id;
    }
    EXPECT_EQ(http().get("/v1/inbox", bob.token).status, 200u);

    // What the database holds: the acknowledged sends, each with its delivery, nothing else.
    const std::string ours = "SELECT id FROM messages WHERE body LIKE 'xxxxxxxxxx%'";
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM (" + ours + ") m"), static_cast<std::int64_t>(acknowledged.size()));
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id IN (" + ours + ")"),
              static_cast<std::int64_t>(acknowledged.size()));  // bob's
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM message_logs WHERE message_id IN (" + ours + ")"),
              static_cast<std::int64_t>(acknowledged.size()));

    // Room again: the refused send, retried with its key, is stored once; an acknowledged
    // one retried is replayed, not stored again.
    stop_relay();
    settings_.db_url = uncapped;
    start_relay();
    const response retried = send_numbered(first_refused);
    EXPECT_EQ(retried.status, 201u) << retried.body;
    EXPECT_EQ(send_numbered(first_refused).header("idempotency-replayed"), "true");
    EXPECT_EQ(send_numbered(0).data()["id"], acknowledged.front());
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM (" + ours + ") m"), static_cast<std::int64_t>(acknowledged.size() + 1));
}

}  // namespace
}  // namespace relay::test
