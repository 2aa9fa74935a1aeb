// The five write paths (channel send, DM send, group DM send, thread reply, mark read)
// each run as ONE atomic unit. A failure injected at every statement of the unit — in
// transaction mode and in batch mode — leaves nothing behind and publishes no event.
// Without either capability relay refuses to write at all; only when explicitly allowed
// does it run sequentially, and then a failure leaves the earlier statements applied
// (the documented partial state).
#include "support/relay_fixture.hpp"
#include "support/ws_client.hpp"

namespace relay::test {
namespace {

enum class write_path { channel_send, dm_send, group_send, thread_reply, mark_read };
const write_path all_paths[] = {write_path::channel_send, write_path::dm_send, write_path::group_send,
                                write_path::thread_reply, write_path::mark_read};

std::string name_of(write_path p) {
    switch (p) {
        case write_path::channel_send:
            return "channel send";
        case write_path::dm_send:
            return "DM send";
        case write_path::group_send:
            return "group DM send";
        case write_path::thread_reply:
            return "thread reply";
        case write_path::mark_read:
            return "mark read";
    }
    return "?";
}

class atomic_failures : public relay_test {
protected:
    void prepare() {
        ws_ = make_workspace();
        alice_ = make_agent(ws_, "alice");
        bob_ = make_agent(ws_, "bob");
        (void)make_agent(ws_, "carol");
        file_ = http().post_raw("/v1/files?filename=a.txt", "A", alice_.token).data()["id"];
        ASSERT_EQ(http().post("/v1/dm", {{"to", "bob"}, {"text", "open"}}, alice_.token).status, 201u);
        group_ =
            http().post("/v1/dm/group", {{"participants", {"bob", "carol"}}}, alice_.token).data()["conversation_id"];
        root_ = send(alice_, "general", "root")["id"];
    }

    // What the attempt needs that must exist before it (not part of the unit).
    void before_attempt(write_path p) {
        if (p == write_path::mark_read) unread_ = send(alice_, "general", "read me")["id"];
    }

    response attempt(write_path p) {
        ++attempts_;
        switch (p) {
            case write_path::channel_send:
                return http().post("/v1/channels/general/messages", {{"text", "hi @bob"}, {"attachments", {file_}}},
                                   alice_.token, {{"Idempotency-Key", "attempt-" + std::to_string(attempts_)}});
            case write_path::dm_send:
                return http().post("/v1/dm", {{"to", "bob"}, {"text", "dm"}, {"attachments", {file_}}}, alice_.token);
            case write_path::group_send:
                return http().post("/v1/dm/" + group_ + "/messages", {{"text", "g"}, {"attachments", {file_}}},
                                   alice_.token);
            case write_path::thread_reply:
                return http().post("/v1/messages/" + root_ + "/replies", {{"text", "r"}}, bob_.token);
            case write_path::mark_read:
                return http().post("/v1/messages/" + unread_ + "/read", nullptr, bob_.token);
        }
        return {};
    }

    // Everything a unit could change.
    std::vector<std::int64_t> snapshot() const {
        std::vector<std::int64_t> out;
        for (const char* q :
             {"SELECT COUNT(*) FROM messages", "SELECT COUNT(*) FROM deliveries", "SELECT COUNT(*) FROM message_logs",
              "SELECT COUNT(*) FROM message_attachments", "SELECT COUNT(*) FROM read_receipts",
              "SELECT COUNT(*) FROM idempotency_keys", "SELECT COUNT(*) FROM deliveries WHERE status = 'acked'",
              "SELECT COALESCE(SUM(delivery_seq), 0) FROM agents", "SELECT COUNT(delivery_claim) FROM agents",
              "SELECT COALESCE(MAX(delivery_claim), 0) FROM agents", "SELECT COUNT(last_read_id) FROM channel_members",
              "SELECT COALESCE(MAX(last_read_id), 0) FROM channel_members",
              "SELECT COUNT(last_read_id) FROM dm_participants", "SELECT COUNT(*) FROM files"})
            out.push_back(scalar(q));
        if (split_mode())  // the delivery sequences live in the messages database
            for (const char* q : {"SELECT COALESCE(SUM(delivery_seq), 0) FROM delivery_counters",
                                  "SELECT COUNT(*) FROM delivery_counters",
                                  "SELECT COALESCE(MAX(delivery_claim), 0) FROM delivery_counters"})
                out.push_back(scalar(q));
        return out;
    }

    // Runs the path once (counting its statements), then fails it at every index.
    void fail_at_every_statement(write_path p, unit_shape shape) {
        SCOPED_TRACE(name_of(p));
        faults_->shape = shape;
        ws_client bob_events(port(), bob_.token);
        before_attempt(p);
        faults_->arm(-1);
        const response ok = attempt(p);
        faults_->disarm();
        ASSERT_LT(ok.status, 300u) << ok.body;
        const int statements = faults_->seen();
        EXPECT_GE(statements, 2);  // mark read in split mode: receipt + acks (the cursor is a second step)
        if (shape == unit_shape::batch) {
            EXPECT_EQ(faults_->batches(), 1);
        }
        EXPECT_FALSE(bob_events.drain(std::chrono::milliseconds(200)).empty());

        for (int k = 0; k < statements; ++k) {
            SCOPED_TRACE("failing statement " + std::to_string(k));
            before_attempt(p);
            (void)bob_events.drain(std::chrono::milliseconds(100));
            const auto before = snapshot();
            faults_->arm(k);
            const response failed = attempt(p);
            faults_->disarm();
            EXPECT_EQ(failed.status, 500u) << failed.body;
            EXPECT_EQ(failed.error_code(), "internal_error");
            EXPECT_EQ(snapshot(), before) << "something was left behind";
            EXPECT_TRUE(bob_events.drain(std::chrono::milliseconds(100)).empty()) << "an event of a failed write";
        }
        faults_->shape = unit_shape::transaction;
    }

    workspace_info ws_;
    agent_info alice_, bob_;
    std::string file_, group_, root_, unread_;
    int attempts_ = 0;
};

INSTANTIATE_TEST_SUITE_P(db, atomic_failures, RELAY_BACKENDS, backend_name);

TEST_P(atomic_failures, transaction_mode_leaves_nothing_behind_at_any_statement) {
    faults_->shape = unit_shape::transaction;  // the set-up's sends too (PostgreSQL would batch them)
    prepare();
    for (write_path p : all_paths) fail_at_every_statement(p, unit_shape::transaction);
    EXPECT_NE(http().get("/metrics").body.find("relay_atomic_units_total{mode=\"batch\"} 0"), std::string::npos);
}

TEST_P(atomic_failures, batch_mode_leaves_nothing_behind_at_any_statement) {
    prepare();
    for (write_path p : all_paths) fail_at_every_statement(p, unit_shape::batch);
    EXPECT_EQ(http().get("/metrics").body.find("relay_atomic_units_total{mode=\"batch\"} 0"), std::string::npos);
}

TEST_P(atomic_failures, without_transactions_or_batches_relay_refuses_to_write) {
    prepare();
    faults_->shape = unit_shape::sequential;
    for (write_path p : all_paths) {
        SCOPED_TRACE(name_of(p));
        faults_->shape = unit_shape::transaction;  // the set-up writes normally
        before_attempt(p);
        faults_->shape = unit_shape::sequential;
        const auto before = snapshot();
        faults_->arm(-1);
        const response r = attempt(p);
        faults_->disarm();
        EXPECT_EQ(r.status, 500u) << r.body;  // ATOMIC.CAPABILITY_REQUIRED
        EXPECT_EQ(faults_->seen(), 0) << "no statement of the unit ran";
        EXPECT_EQ(snapshot(), before);
    }
}

// Sequential mode, only when explicitly allowed: not atomic. A failure at statement k
// leaves statements 0..k-1 applied — e.g. a channel message without its deliveries.
TEST_P(atomic_failures, sequential_mode_when_allowed_leaves_the_earlier_statements) {
    stop_relay();
    settings_.allow_non_atomic_writes = true;
    start_relay();
    prepare();
    faults_->shape = unit_shape::sequential;
    const auto messages = [&] { return scalar("SELECT COUNT(*) FROM messages"); };
    const auto deliveries = [&] { return scalar("SELECT COUNT(*) FROM deliveries"); };
    faults_->arm(-1);
    ASSERT_EQ(attempt(write_path::channel_send).status, 201u);
    const int statements = faults_->seen();
    faults_->disarm();
    // The unit: message, attachment, claim, deliveries, message log, on PostgreSQL the
    // announcement to every relay instance (decision 0032), idempotency record.
    ASSERT_EQ(statements, on_postgres() ? 7 : 6);
    const int deliveries_at = 3;
    for (int k = 0; k < statements; ++k) {
        SCOPED_TRACE("failing statement " + std::to_string(k));
        const std::int64_t m0 = messages(), d0 = deliveries();
        faults_->arm(k);
        const response r = attempt(write_path::channel_send);
        faults_->disarm();
        EXPECT_EQ(r.status, 500u);
        EXPECT_EQ(messages() - m0, k >= 1 ? 1 : 0) << "the orphan message stays";
        EXPECT_EQ(deliveries() - d0, k > deliveries_at ? 2 : 0);
    }
    faults_->arm(-1);
    EXPECT_EQ(attempt(write_path::channel_send).status, 201u);
    faults_->disarm();
    EXPECT_NE(http().get("/metrics").body.find("relay_atomic_units_total{mode=\"sequential\"} "), std::string::npos);
}

}  // namespace
}  // namespace relay::test
