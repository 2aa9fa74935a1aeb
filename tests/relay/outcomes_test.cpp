// Honest outcomes (issue 13 item 5): a write whose COMMIT reply is lost is looked up
// before relay answers — found: the normal success; not found: 503 outcome_unknown with
// Retry-After, and a retry with the same Idempotency-Key applies it exactly once. Every
// creating POST honours Idempotency-Key. The fault driver commits (or rolls back) the
// real work and then breaks the connection with its state unknown.
#include <chrono>
#include <functional>

#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(outcomes);

header_list key(const std::string& k) {
    return {{"Idempotency-Key", k}};
}

const unit_shape atomic_shapes[] = {unit_shape::transaction, unit_shape::batch};
const char* shape_name(unit_shape s) {
    return s == unit_shape::transaction ? "transaction" : "batch";
}

TEST_P(outcomes, a_send_whose_commit_reply_was_lost_but_landed_answers_201_with_its_deliveries) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    std::int64_t sent = 0;
    for (unit_shape shape : atomic_shapes) {
        faults_->shape = shape;
        faults_->lost_commit_lands = true;
        faults_->lost_commits = 1;
        const response r = http().post("/v1/channels/general/messages", {{"text", "landed"}}, alice.token);
        ++sent;
        ASSERT_EQ(r.status, 201u) << shape_name(shape) << " " << r.body;
        EXPECT_EQ(faults_->lost_commits.load(), 0) << shape_name(shape);  // the loss really happened
        EXPECT_EQ(r.data().at("text"), "landed");
        EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), sent);
        EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries"), 2 * sent);  // bob and carol, nothing partial
        const response inbox = http().get("/v1/deliveries", bob.token);
        ASSERT_EQ(inbox.status, 200u);
        EXPECT_EQ(inbox.data().at("deliveries").size(), static_cast<std::size_t>(sent));
    }
    (void)carol;
}

TEST_P(outcomes, a_lost_commit_that_did_not_land_is_503_outcome_unknown_and_a_keyed_retry_applies_once) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    faults_->shape = unit_shape::transaction;  // a COMMIT to lose (on PostgreSQL a send prefers a batch)
    faults_->lost_commit_lands = false;
    faults_->lost_commits = 1;
    const response lost = http().post("/v1/channels/general/messages", {{"text", "maybe"}}, alice.token, key("m-1"));
    EXPECT_EQ(lost.status, 503u) << lost.body;
    EXPECT_EQ(lost.error_code(), "outcome_unknown");
    EXPECT_EQ(lost.header("retry-after"), "1");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries"), 0);
    const response retry = http().post("/v1/channels/general/messages", {{"text", "maybe"}}, alice.token, key("m-1"));
    ASSERT_EQ(retry.status, 201u) << retry.body;
    EXPECT_EQ(retry.header("idempotency-replayed"), "");
    const response again = http().post("/v1/channels/general/messages", {{"text", "maybe"}}, alice.token, key("m-1"));
    EXPECT_EQ(again.header("idempotency-replayed"), "true");
    EXPECT_EQ(again.body, retry.body);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries"), 1);
}

TEST_P(outcomes, every_creating_route_answers_success_when_its_lost_commit_landed) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    auto lose_next_commit = [&] {
        faults_->lost_commit_lands = true;
        faults_->lost_commits = 1;
    };
    // In split mode only the messages database is faulted (relay_fixture): control-plane
    // writes then commit normally, and only message-side losses are checked.
    auto lost = [&](bool control_plane) { return !(control_plane && split_mode()); };
    lose_next_commit();
    const response agent = http().post("/v1/agents", {{"name", "dave"}}, ws.key);
    ASSERT_EQ(agent.status, 201u) << agent.body;
    EXPECT_EQ(faults_->lost_commits.load() == 0, lost(true));
    // the token minted for the landed agent works: it was not lost with the reply
    const std::string token = agent.data().at("token");
    EXPECT_EQ(http().get("/v1/channels", token).status, 200u);

    lose_next_commit();
    const response channel = http().post("/v1/channels", {{"name", "ops"}}, alice.token);
    EXPECT_EQ(channel.status, 201u) << channel.body;
    EXPECT_EQ(faults_->lost_commits.load() == 0, lost(true));
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM channels WHERE name = 'ops'"), 1);

    lose_next_commit();
    const response group = http().post("/v1/dm/group", {{"participants", {"bob", "dave"}}}, alice.token);
    EXPECT_EQ(group.status, 201u) << group.body;
    EXPECT_EQ(faults_->lost_commits.load() == 0, lost(true));
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM dm_participants"), 3);

    lose_next_commit();
    const response file = http().post_raw("/v1/files?filename=a.txt", "bytes", alice.token);
    ASSERT_EQ(file.status, 201u) << file.body;
    EXPECT_EQ(faults_->lost_commits.load() == 0, lost(true));
    const std::string file_id = file.data().at("id");
    EXPECT_EQ(http().get("/v1/files/" + file_id, alice.token).body, "bytes");

    faults_->lost_commits = 0;
    const response dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "hi"}}, alice.token);  // opens the pair
    ASSERT_EQ(dm.status, 201u) << dm.body;
    lose_next_commit();
    const response second = http().post("/v1/dm", {{"to", "bob"}, {"text", "again"}}, alice.token);
    EXPECT_EQ(second.status, 201u) << second.body;
    EXPECT_EQ(faults_->lost_commits.load(), 0);  // the message unit's COMMIT

    const std::string message_id = second.data().at("message").at("id");
    lose_next_commit();
    const response read = http().post("/v1/messages/" + message_id + "/read", json::object(), alice.token);
    EXPECT_EQ(read.status, 200u) << read.body;
    EXPECT_EQ(faults_->lost_commits.load(), 0);
}

TEST_P(outcomes, a_token_rotation_whose_commit_reply_was_lost_answers_the_new_token_or_503) {
    if (split_mode()) GTEST_SKIP() << "agents live on the control plane, which split-mode fixtures do not fault";
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    // Landed: the new token comes back (it is the only copy) and works.
    faults_->lost_commit_lands = true;
    faults_->lost_commits = 1;
    const response landed = http().post("/v1/agents/alice/rotate-token", json::object(), alice.token);
    ASSERT_EQ(landed.status, 200u) << landed.body;
    EXPECT_EQ(faults_->lost_commits.load(), 0);  // the rotation's COMMIT reply really was lost
    const std::string token = landed.data().at("token");
    EXPECT_EQ(landed.data().at("agent").at("name"), "alice");
    EXPECT_EQ(http().get("/v1/channels", token).status, 200u);
    // Not landed: 503 outcome_unknown, and the token in use still works.
    faults_->lost_commit_lands = false;
    faults_->lost_commits = 1;
    const response lost = http().post("/v1/agents/alice/rotate-token", json::object(), token);
    EXPECT_EQ(lost.status, 503u) << lost.body;
    EXPECT_EQ(lost.error_code(), "outcome_unknown");
    EXPECT_EQ(faults_->lost_commits.load(), 0);
    EXPECT_EQ(http().get("/v1/channels", token).status, 200u);
}

TEST_P(outcomes, a_file_whose_outcome_stays_unknown_keeps_its_bytes_and_a_keyed_retry_stores_one_row) {
    if (split_mode()) GTEST_SKIP() << "files live on the control plane, which split-mode fixtures do not fault";
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    faults_->lost_commit_lands = false;
    faults_->lost_commits = 1;
    const response lost = http().post_raw("/v1/files?filename=a.txt", "bytes", alice.token, key("f-1"));
    EXPECT_EQ(lost.status, 503u) << lost.body;
    EXPECT_EQ(lost.error_code(), "outcome_unknown");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM files"), 0);
    const response retry = http().post_raw("/v1/files?filename=a.txt", "bytes", alice.token, key("f-1"));
    ASSERT_EQ(retry.status, 201u) << retry.body;
    EXPECT_EQ(http().post_raw("/v1/files?filename=a.txt", "bytes", alice.token, key("f-1")).body, retry.body);
    // the same key with another name is another request
    EXPECT_EQ(http().post_raw("/v1/files?filename=b.txt", "bytes", alice.token, key("f-1")).error_code(),
              "idempotency_key_reused");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM files"), 1);
}

TEST_P(outcomes, idempotency_keys_cover_channels_group_dms_files_and_agents) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    (void)make_agent(ws, "bob");
    struct keyed {
        std::string name;
        std::function<response()> post;
        std::string count_sql;
    };
    const std::vector<keyed> cases{
        {"channel",
         [&] {
             return http().post("/v1/channels", {{"name", "ops"}}, alice.token, key("c"));
         },
         "SELECT COUNT(*) FROM channels WHERE name = 'ops'"},
        {"group dm",
         [&] {
             return http().post("/v1/dm/group", {{"participants", {"bob"}}}, alice.token, key("g"));
         },
         "SELECT COUNT(*) FROM dm_conversations WHERE dm_type = 'group'"},
        {"file", [&] { return http().post_raw("/v1/files?filename=x", "x", alice.token, key("f")); },
         "SELECT COUNT(*) FROM files"},
        {"agent",
         [&] {
             return http().post("/v1/agents", {{"name", "erin"}}, ws.key, key("a"));
         },
         "SELECT COUNT(*) FROM agents WHERE name = 'erin'"},
    };
    for (const auto& c : cases) {
        const response first = c.post();
        ASSERT_EQ(first.status, 201u) << c.name << " " << first.body;
        const response again = c.post();
        EXPECT_EQ(again.status, 201u) << c.name << " " << again.body;
        EXPECT_EQ(again.header("idempotency-replayed"), "true") << c.name;
        EXPECT_EQ(scalar(c.count_sql), 1) << c.name;
        if (c.name == "agent") {
            // only the token's hash is stored: a replay says where the token went
            EXPECT_TRUE(first.data().at("token").is_string());
            EXPECT_TRUE(again.data().at("token").is_null());
            EXPECT_EQ(again.data().at("agent"), first.data().at("agent"));
            EXPECT_EQ(again.body.find(first.data().at("token").get<std::string>()), std::string::npos);
        } else {
            EXPECT_EQ(again.body, first.body) << c.name;
        }
    }
    const response other = http().post("/v1/channels", {{"name", "other"}}, alice.token, key("c"));
    EXPECT_EQ(other.status, 409u);
    EXPECT_EQ(other.error_code(), "idempotency_key_reused");
}

TEST_P(outcomes, a_request_that_cannot_get_the_database_in_time_is_503_within_its_deadline) {
    stop_relay();
    settings_.request_timeout_seconds = 0.3;
    start_relay();
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    response blocked;
    std::chrono::steady_clock::duration took{};
    // The test holds the write lock (SQLite: the one writer; PostgreSQL: the table) while
    // relay tries to create a channel.
    db().transaction([&](strata::tx& t) {
        lock_channels(t);
        const auto started = std::chrono::steady_clock::now();
        blocked = http().post("/v1/channels", {{"name", "ops"}}, alice.token);
        took = std::chrono::steady_clock::now() - started;
    });
    EXPECT_EQ(blocked.status, 503u) << blocked.body;
    EXPECT_EQ(blocked.error_code(), "unavailable");
    EXPECT_EQ(blocked.header("retry-after"), "1");
    EXPECT_LT(took, std::chrono::seconds(3));  // not the 5 s busy wait, not the pool's 10 s
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM channels WHERE name = 'ops'"), 0);
    // with the lock gone the same request succeeds
    EXPECT_EQ(http().post("/v1/channels", {{"name", "ops"}}, alice.token).status, 201u);
}

}  // namespace
}  // namespace relay::test
