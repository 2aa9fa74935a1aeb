// Realtime events as a client sees them across reconnections and relay instances
// (issue 17, decision 0032): every delivery exactly once, in its stored seq order —
// resumed with ?after_seq, caught up when a write's events arrive out of order, heard on
// every instance of one PostgreSQL database, resynced after the listener lost its
// connection; and on SQLite, one relay process per file.
#include <algorithm>
#include <memory>
#include <thread>

#include "support/relay_fixture.hpp"
#include "support/ws_client.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(realtime);

// The delivery seqs among `frames`: live delivery.accepted and delivery.replay, in order.
std::vector<std::int64_t> delivery_seqs(const std::vector<json>& frames) {
    std::vector<std::int64_t> out;
    for (const auto& f : frames) {
        if (f["type"] == "delivery.accepted") out.push_back(f["data"]["seq"].get<std::int64_t>());
        if (f["type"] == "delivery.replay") out.push_back(f["seq"].get<std::int64_t>());
    }
    return out;
}

std::vector<std::int64_t> one_to(std::int64_t n) {
    std::vector<std::int64_t> out;
    for (std::int64_t i = 1; i <= n; ++i) out.push_back(i);
    return out;
}

// Frames until `n` delivery seqs arrived, or none came for `quiet`.
std::vector<json> frames_until(ws_client& c, std::size_t n,
                               std::chrono::milliseconds quiet = std::chrono::seconds(10)) {
    std::vector<json> out;
    while (delivery_seqs(out).size() < n) {
        auto f = c.next(quiet);
        if (!f) break;
        out.push_back(std::move(*f));
    }
    return out;
}

std::unique_ptr<app> another(const config& settings) {
    auto a = std::make_unique<app>(settings);
    a->start();
    return a;
}

TEST_P(realtime, a_client_resuming_after_a_seq_gets_what_it_missed_then_live_events) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    for (int i = 0; i < 3; ++i) (void)send(alice, "general", "m" + std::to_string(i));

    ws_client b(port(), bob.token, 1);
    EXPECT_EQ(b.greeting()["seq"], 1);
    const auto missed = b.drain();
    ASSERT_EQ(missed.size(), 2u);
    for (std::size_t i = 0; i < missed.size(); ++i) {
        EXPECT_EQ(missed[i]["type"], "delivery.replay");
        EXPECT_EQ(missed[i]["seq"], i + 2);
        EXPECT_EQ(missed[i]["data"]["message"]["text"], "m" + std::to_string(i + 1));
        EXPECT_EQ(missed[i]["data"]["status"], "queued");  // a replay does not hand deliveries out
    }
    (void)send(alice, "general", "live");
    const auto live = b.drain();
    ASSERT_EQ(live.size(), 2u);
    EXPECT_EQ(live[0]["type"], "message.created");
    EXPECT_EQ(live[0]["seq"], 4);
    EXPECT_EQ(live[1]["data"]["seq"], 4);
}

TEST_P(realtime, after_seq_must_be_a_delivery_seq) {
    const workspace_info ws = make_workspace();
    const agent_info bob = make_agent(ws, "bob");
    for (const std::string bad : {"x", "-1", "1.5", "", "99999999999999999999"}) {
        EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=" + bob.token + "&after_seq=" + bad), 400u) << bad;
        EXPECT_EQ(http().get("/v1/deliveries?after_seq=" + bad, bob.token).status, 400u) << bad;
    }
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=" + bob.token + "&after_seq=0"), 101u);
}

TEST_P(realtime, get_deliveries_lists_those_after_a_seq) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    for (int i = 0; i < 3; ++i) (void)send(alice, "general", "m" + std::to_string(i));
    const response after = http().get("/v1/deliveries?after_seq=1&status=all", bob.token);
    ASSERT_EQ(after.status, 200u) << after.body;
    std::vector<std::int64_t> seqs;
    const json listed = after.data();
    for (const auto& d : listed["deliveries"]) seqs.push_back(d["seq"]);
    EXPECT_EQ(seqs, (std::vector<std::int64_t>{2, 3}));
    const std::string cursor = http().get("/v1/deliveries?limit=1&status=all", bob.token).data()["next_cursor"];
    EXPECT_EQ(http().get("/v1/deliveries?after_seq=1&cursor=" + cursor, bob.token).status, 400u);
}

// A write's events can reach the hub after a later write's (two handler threads, or two
// instances): the connection sends the deliveries in between first, and each only once.
TEST_P(realtime, events_arriving_out_of_order_go_out_in_seq_order_once) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    ws_client b(port(), bob.token);
    const auto sender = app_->eng().authenticate(alice.token);
    ASSERT_TRUE(sender);
    std::vector<write_result> writes;  // written through the engine: nothing published yet
    for (int i = 0; i < 3; ++i)
        writes.push_back(app_->eng().send_channel_message(*sender, "general", {"m" + std::to_string(i)}, {}));
    for (int i : {2, 0, 1, 2}) app_->events().publish(writes[i].events);
    const auto frames = frames_until(b, 3);
    EXPECT_EQ(delivery_seqs(frames), one_to(3));
    EXPECT_TRUE(b.drain().empty());
    if (!writes[0].announced) {  // published only by this test: the third came first
        EXPECT_EQ(frames[0]["type"], "delivery.replay");
        EXPECT_EQ(frames[1]["type"], "delivery.replay");
    }
}

TEST_P(realtime, every_instance_on_one_database_hears_every_event_with_the_same_seqs) {
    if (!on_postgres()) GTEST_SKIP() << "relay on SQLite is one process (a_second_process_on_a_sqlite_file_is_refused)";
    auto second = another(settings_);
    http_client other(second->port());
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    ws_client b(second->port(), bob.token);  // bob on the second instance
    ws_client c(port(), carol.token);         // carol on the first
    for (int i = 0; i < 6; ++i) {
        http_client& through = i % 2 == 0 ? http() : other;
        ASSERT_EQ(through.post("/v1/channels/general/messages", {{"text", "m" + std::to_string(i)}}, alice.token)
                      .status,
                  201u);
    }
    for (ws_client* client : {&b, &c}) {
        const auto frames = frames_until(*client, 6);
        EXPECT_EQ(delivery_seqs(frames), one_to(6));
        std::size_t created = 0;
        for (const auto& f : frames) created += f["type"] == "message.created" ? 1 : 0;
        EXPECT_EQ(created, 6u);
    }
    // An event that is not a send's, written on one instance, heard on the other.
    ASSERT_EQ(other.post("/v1/channels", {{"name", "team"}}, bob.token).status, 201u);
    ASSERT_EQ(http().post("/v1/channels/team/join", nullptr, carol.token).status, 200u);
    const auto joined = b.next_of("member.joined", std::chrono::seconds(10));
    ASSERT_TRUE(joined.has_value());
    EXPECT_EQ((*joined)["data"]["agent_name"], "carol");
    EXPECT_EQ((*joined)["seq"], 6);  // no delivery: bob's position
}

TEST_P(realtime, a_listener_that_lost_its_connection_resyncs_every_client) {
    if (!on_postgres()) GTEST_SKIP() << "no listener on SQLite";
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    ws_client b(port(), bob.token);
    (void)send(alice, "general", "before");
    // This relay's listener only: the channel names this test's schema.
    EXPECT_GE(scalar("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE "
                     "'LISTEN \"relay.' || current_schema() || '\"%'"),
              1);
    (void)send(alice, "general", "while it reconnects");  // heard live or replayed
    std::vector<json> frames;
    bool resynced = false;
    while (!resynced) {
        auto f = b.next(std::chrono::seconds(30));
        ASSERT_TRUE(f.has_value()) << "no resync frame";
        resynced = (*f)["type"] == "resync";
        if (resynced) {
            EXPECT_EQ((*f)["data"]["reason"], "notifications_lost");
        }
        frames.push_back(std::move(*f));
    }
    (void)send(alice, "general", "after");
    for (auto& f : frames_until(b, 3 - delivery_seqs(frames).size())) frames.push_back(std::move(f));
    EXPECT_EQ(delivery_seqs(frames), one_to(3));
    const json health = http().get("/healthz").data();
    EXPECT_EQ(health["listener"]["state"], "connected");
    EXPECT_GE(health["listener"]["gaps"].get<int>(), 1);
}

TEST_P(realtime, large_messages_and_large_audiences_travel_by_id) {
    if (!on_postgres()) GTEST_SKIP() << "notifications are PostgreSQL's";
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    std::vector<agent_info> many;
    for (int i = 0; i < 110; ++i) many.push_back(make_agent(ws, "agent" + std::to_string(i)));
    ws_client last(port(), many.back().token);
    const std::string big(20000, 'x');  // the message is over a notification's 8000 bytes
    (void)send(alice, "general", big);
    (void)send(alice, "general", "short, to 110 recipients");  // their deliveries are over it
    const auto frames = frames_until(last, 2);
    EXPECT_EQ(delivery_seqs(frames), one_to(2));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames[0]["type"], "message.created");
    EXPECT_EQ(frames[0]["data"]["text"], big);
}

TEST_P(realtime, a_second_process_on_a_sqlite_file_is_refused) {
    if (on_postgres()) GTEST_SKIP() << "PostgreSQL takes many instances";
    try {
        (void)another(settings_);
        ADD_FAILURE() << "a second relay started on the same SQLite file";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("another relay process is running on the SQLite file"),
                  std::string::npos)
            << e.what();
    }
    stop_relay();
    auto after = another(settings_);  // the first one gone, the file is free
    EXPECT_GT(after->port(), 0);
    after.reset();
    start_relay();
}

}  // namespace
}  // namespace relay::test
