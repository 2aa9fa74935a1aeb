// The public designs' own cases for relay's write paths (issue 15 item 7): a member
// removed while a send waits gets no delivery; mark_read retried after a failure
// leaves exactly one receipt; in batch mode every statement of every write path is a
// write or a lock (a batch cannot use a read's rows).
#include <atomic>
#include <cctype>
#include <functional>
#include <thread>

#include "db/database.hpp"
#include "support/raw_client.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(seed_cases);

// On one database the send reads its recipients inside its unit, under the channel's
// lock. Split, they come from the control database before the unit runs on the messages
// database, and no lock spans the two: a removal that commits after that read is not
// seen by the send (docs/reliability.md, "Split mode"), so there is nothing to wait on.
TEST_P(seed_cases, a_member_removed_while_a_send_waits_gets_no_delivery) {
    if (split_mode()) GTEST_SKIP() << "no lock spans the control and messages databases";
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    (void)send(alice, "general", "warm the caches");
    // Another client of the control database holds the lock a channel send needs, removes
    // bob from the channel while relay's send waits for it, and commits.
    const auto other = database::open(settings_.db_url);
    response sent;
    std::atomic<bool> answered{false};
    other->rt().transaction([&](strata::tx& t) {
        lock_channels(t);
        std::thread client([&] {
            sent = http().post("/v1/channels/general/messages", {{"text", "in flight"}}, alice.token);
            answered = true;
        });
        while (metric_value(port(), "relay_handlers_running") < 2 && !answered)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // into its wait
        EXPECT_FALSE(answered) << "the send did not wait for the channel's lock";
        t.execute(strata::sql("DELETE FROM channel_members WHERE agent_id = ?", std::stoll(bob.id))).drain();
        client.detach();  // joined through `answered` below, after the lock is gone
    });
    while (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    other->close();
    ASSERT_EQ(sent.status, 201u) << sent.body;
    const std::string id = sent.data()["id"];
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + id + " AND agent_id = " + bob.id), 0)
        << "bob left before the send took the channel's lock";
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + id + " AND agent_id = " + carol.id), 1);
}

TEST_P(seed_cases, mark_read_retried_after_a_failure_leaves_one_receipt_and_one_ack) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const std::string id = send(alice, "general", "read me")["id"];
    for (int at = 0; at < 2; ++at) {
        SCOPED_TRACE("failing statement " + std::to_string(at));
        faults_->arm(at);
        const response failed = http().post("/v1/messages/" + id + "/read", nullptr, bob.token);
        faults_->disarm();
        EXPECT_EQ(failed.status, 500u) << failed.body;
        EXPECT_EQ(scalar("SELECT COUNT(*) FROM read_receipts WHERE message_id = " + id), 0);
    }
    const response retried = http().post("/v1/messages/" + id + "/read", nullptr, bob.token);
    ASSERT_EQ(retried.status, 200u) << retried.body;
    const response again = http().post("/v1/messages/" + id + "/read", nullptr, bob.token);
    ASSERT_EQ(again.status, 200u) << again.body;
    EXPECT_EQ(again.data()["read_at"], retried.data()["read_at"]);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM read_receipts WHERE message_id = " + id), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE message_id = " + id + " AND status = 'acked'"), 1);
    EXPECT_EQ(scalar("SELECT last_read_id FROM channel_members WHERE agent_id = " + bob.id), std::stoll(id));
}

// What a statement does, from its SQL: a batch may hold writes and locks, not reads.
std::string kind_of(const std::string& sql) {
    std::string head = sql.substr(0, sql.find_first_of(" \n("));
    for (char& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (head == "INSERT" || head == "UPDATE" || head == "DELETE") return "write";
    // PostgreSQL: the unit's announcement (decision 0032), sent at its commit.
    if (sql.rfind("SELECT pg_notify(", 0) == 0) return "announce";
    if (head == "WITH" && (sql.find("INSERT") != std::string::npos || sql.find("UPDATE") != std::string::npos))
        return "write";
    if (sql.find("FOR UPDATE") != std::string::npos || sql.find("FOR NO KEY UPDATE") != std::string::npos ||
        sql.find("FOR SHARE") != std::string::npos)
        return "lock";
    return "read";
}

TEST_P(seed_cases, in_batch_mode_every_statement_of_every_write_path_is_a_write_or_a_lock) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const agent_info carol = make_agent(ws, "carol");
    ASSERT_EQ(http().post("/v1/dm", {{"to", "bob"}, {"text", "open"}}, alice.token).status, 201u);
    const std::string group =
        http().post("/v1/dm/group", {{"participants", {"bob", "carol"}}}, alice.token).data()["conversation_id"];
    const std::string root = send(alice, "general", "root")["id"];
    const std::string unread = send(alice, "general", "read me")["id"];
    faults_->shape = unit_shape::batch;
    const std::vector<std::pair<std::string, std::function<response()>>> paths{
        {"channel send", [&] { return http().post("/v1/channels/general/messages", {{"text", "hi"}}, alice.token); }},
        {"DM send", [&] { return http().post("/v1/dm", {{"to", "bob"}, {"text", "dm"}}, alice.token); }},
        {"group DM send",
         [&] { return http().post("/v1/dm/" + group + "/messages", {{"text", "g"}}, alice.token); }},
        {"thread reply", [&] { return http().post("/v1/messages/" + root + "/replies", {{"text", "r"}}, bob.token); }},
        {"mark read", [&] { return http().post("/v1/messages/" + unread + "/read", nullptr, bob.token); }},
    };
    for (const auto& [name, run] : paths) {
        SCOPED_TRACE(name);
        faults_->arm(-1);
        const response r = run();
        const auto batches = faults_->batch_statements();
        faults_->disarm();
        ASSERT_LT(r.status, 300u) << r.body;
        ASSERT_FALSE(batches.empty()) << "the write path ran no batch";
        int writes = 0;
        for (const auto& batch : batches) {  // one unit (mark read when split: two steps)
            for (const auto& s : batch) {
                const std::string kind = kind_of(s);
                EXPECT_NE(kind, "read") << s;
                writes += kind == "write" ? 1 : 0;
            }
        }
        EXPECT_GE(writes, 2) << "a write path writes";
    }
    faults_->shape = unit_shape::native;
}

}  // namespace
}  // namespace relay::test
