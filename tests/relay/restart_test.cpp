// A restart keeps everything: data, keys and tokens, sequences. The schema is applied
// once (strata::migrate records the contract), and a database whose schema would lose
// data to reach relay's is refused rather than changed.
#include <atomic>
#include <thread>

#include "db/database.hpp"
#include "support/raw_client.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(restart);

TEST_P(restart, everything_survives_a_restart) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    make_channel(alice, "team");
    join(bob, "team");
    const std::string message = send(alice, "team", "before")["id"];
    const std::string file = http().post_raw("/v1/files?filename=f.txt", "bytes", alice.token).data()["id"];
    const std::string conversation =
        http().post("/v1/dm", {{"to", "bob"}, {"text", "dm before"}}, alice.token).data()["conversation_id"];

    stop_relay();
    start_relay();

    EXPECT_EQ(scalar("SELECT COUNT(*) FROM strata_contract"), 1);
    EXPECT_EQ(http().get("/v1/agents", ws.key).data()["agents"].size(), 2u);
    const response history = http().get("/v1/channels/team/messages", bob.token);
    ASSERT_EQ(history.status, 200u);
    EXPECT_EQ(history.data()["messages"][0]["id"], message);
    EXPECT_EQ(http().get("/v1/files/" + file, bob.token).body, "bytes");
    EXPECT_EQ(http().get("/v1/dm/" + conversation + "/messages", bob.token).data()["messages"].size(), 1u);
    // Sequences continue where they were.
    (void)send(alice, "team", "after");
    EXPECT_EQ(scalar("SELECT MAX(seq) FROM deliveries WHERE agent_id = " + bob.id), 3);
    EXPECT_EQ(http().post("/v1/dm", {{"to", "bob"}, {"text", "again"}}, alice.token).data()["conversation_id"],
              conversation);
}

// Stopping while clients are sending: requests already read finish and get their
// response (no 5xx); later connections are refused; every acknowledged send is stored
// whole.
TEST_P(restart, stopping_finishes_in_flight_requests) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    const http_client client = http();
    std::atomic<bool> done{false};
    std::atomic<int> acknowledged{0};
    std::atomic<int> server_errors{0};
    std::vector<std::thread> senders;
    for (int i = 0; i < 8; ++i) {
        senders.emplace_back([&] {
            while (!done) {
                try {
                    const response r = client.post("/v1/channels/general/messages", {{"text", "x"}}, alice.token);
                    if (r.status == 201u) ++acknowledged;
                    if (r.status >= 500u) ++server_errors;
                } catch (const std::exception&) {  // refused or reset once stopping
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop_relay();
    done = true;
    for (auto& t : senders) t.join();
    EXPECT_EQ(server_errors, 0);
    EXPECT_GT(acknowledged, 0);
    start_relay();
    const std::int64_t stored = scalar("SELECT COUNT(*) FROM messages");
    EXPECT_GE(stored, acknowledged.load());
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries"), stored);  // bob's, one per message
}

// stop() is bounded even when a handler waits on the database: the request's deadline
// (--request-timeout) ends the wait with 503, and stop() returns while another client
// still holds the lock. Unbounded, this test would hang in stop_relay().
TEST_P(restart, stopping_is_bounded_while_a_request_waits_on_a_lock) {
    stop_relay();
    settings_.request_timeout_seconds = 0.5;
    start_relay();
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    // Another client of the same database (not relay's pool, which stop() closes).
    const auto other = database::open(settings_.db_url);
    response blocked;
    std::atomic<bool> answered{false};
    other->rt().transaction([&](strata::tx& t) {
        lock_channels(t);
        std::thread client([&] {
            blocked = http().post("/v1/channels", {{"name", "ops"}}, alice.token);
            answered = true;
        });
        // Until relay is handling it (the gauge counts the /metrics request too).
        while (metric_value(port(), "relay_handlers_running") < 2 && !answered)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        stop_relay();  // returns with the lock still held
        client.join();
    });
    EXPECT_EQ(blocked.status, 503u) << blocked.body;
    EXPECT_EQ(blocked.error_code(), "unavailable");
    other->close();
    start_relay();
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM channels WHERE name = 'ops'"), 0);
}

TEST_P(restart, a_database_with_another_schema_is_refused) {
    const workspace_info ws = make_workspace();
    // As if an older relay had written the database: its recorded contract differs.
    db().execute(strata::sql(
                     "UPDATE strata_contract SET contract = REPLACE(contract, 'idempotency_keys', 'idempotency_log')"))
        .drain();
    stop_relay();
    try {
        start_relay();
        ADD_FAILURE() << "relay started on a database with another schema";
    } catch (const strata::error& e) {
        // Migrating would drop the recorded table: not without a declaration.
        EXPECT_EQ(e.code(), "CONTRACT.DESTRUCTIVE_CHANGE");
        EXPECT_NE(e.message().find("drop table idempotency_log"), std::string::npos) << e.message();
    }
}

}  // namespace
}  // namespace relay::test
