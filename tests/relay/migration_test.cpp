// A live migration (decision 0014): relay runs on one database, then restarts split —
// --messages-db (and on PostgreSQL --db-replica, a streaming replica of --db) — and
// every route serves the old and the new messages together.
#include <set>
#include <strata/split.hpp>

#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

constexpr std::int64_t v1_bit = std::int64_t{1} << 62;

class migration : public relay_test {
protected:
    // The fixture started relay split; run it on --db alone first.
    void SetUp() override {
        relay_test::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        split_settings_ = settings_;
        stop_relay();
        settings_.messages_db_url.clear();
        settings_.db_replica_url.clear();
        start_relay();
    }

    void restart_split() {
        stop_relay();
        settings_ = split_settings_;
        start_relay();
        ASSERT_TRUE(app_->databases().split());
    }

    [[nodiscard]] std::int64_t count_on(const strata::runtime& db, const std::string& sql) const {
        return db.execute(strata::sql(sql)).one_as<std::int64_t>();
    }
    [[nodiscard]] const strata::runtime& messages_db() const { return app_->databases().messages()->rt(); }

    // Every page of #general, `limit` at a time, following next_cursor.
    std::vector<std::string> history(const agent_info& a, const std::string& direction, const std::string& from,
                                     int limit) {
        std::vector<std::string> ids;
        std::string cursor = from;
        for (int guard = 0; guard < 50; ++guard) {
            std::string path = "/v1/channels/general/messages?limit=" + std::to_string(limit);
            if (!cursor.empty()) path += "&" + direction + "=" + cursor;
            const response r = http().get(path, a.token);
            EXPECT_EQ(r.status, 200u) << r.body;
            auto page = r.data()["messages"];
            if (direction == "after") std::reverse(page.begin(), page.end());  // oldest first
            for (const auto& m : page) ids.push_back(m["id"]);
            if (!r.data()["has_more"].get<bool>()) break;
            cursor = r.data()["next_cursor"];
        }
        return ids;
    }

    config split_settings_;
};

INSTANTIATE_TEST_SUITE_P(db, migration, ::testing::Values(backend::sqlite_split, backend::postgres_split),
                         backend_name);

TEST_P(migration, every_route_serves_old_and_new_messages_after_the_split) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    // Before: one database.
    const std::string old1 = send(alice, "general", "first old")["id"];
    const std::string old2 = send(alice, "general", "migrated old @bob")["id"];
    const std::string old3 = send(alice, "general", "third old")["id"];
    const response old_reply = http().post("/v1/messages/" + old1 + "/replies", {{"text", "old reply"}}, bob.token);
    ASSERT_EQ(old_reply.status, 201u) << old_reply.body;
    const response old_dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "old dm"}}, alice.token);
    ASSERT_EQ(old_dm.status, 201u);
    const std::string conversation = old_dm.data()["conversation_id"];
    const response keyed = http().post("/v1/channels/general/messages", {{"text", "keyed"}}, alice.token,
                                       {{"Idempotency-Key", "before-the-split"}});
    ASSERT_EQ(keyed.status, 201u);
    const std::string keyed_id = keyed.data()["id"];
    for (const auto& id : {old1, old2, old3, keyed_id}) EXPECT_LT(std::stoll(id), v1_bit) << "a legacy snowflake";

    restart_split();
    const std::int64_t legacy_messages = count_on(db(), "SELECT COUNT(*) FROM messages");
    const std::string new1 = send(alice, "general", "migrated new @bob")["id"];
    const std::string new2 = send(alice, "general", "second new")["id"];
    for (const auto& id : {new1, new2}) {
        EXPECT_GE(std::stoll(id), v1_bit) << "a version-1 id";
        EXPECT_EQ(strata::split::int64_ids::classify(id), strata::split::residency::fresh);
        EXPECT_EQ(count_on(messages_db(), "SELECT COUNT(*) FROM messages WHERE id = " + id), 1);
    }
    EXPECT_EQ(count_on(db(), "SELECT COUNT(*) FROM messages"), legacy_messages) << "nothing new on --db";

    // Messages by id, either store; a new-shaped id never asks the legacy replica.
    const database* replica = app_->databases().replica();
    EXPECT_EQ(replica != nullptr, on_postgres());
    const auto replica_reads = [&] { return replica ? replica->telemetry().totals().executions : 0; };
    const auto before_new = replica_reads();
    EXPECT_EQ(http().get("/v1/messages/" + new1, bob.token).data()["text"], "migrated new @bob");
    EXPECT_EQ(replica_reads(), before_new) << "the replica was read for a new message";
    EXPECT_EQ(http().get("/v1/messages/" + old2, bob.token).data()["text"], "migrated old @bob");
    if (replica) {
        EXPECT_GT(replica_reads(), before_new) << "an old message is read from the replica";
    }

    // History across both stores, in time order, every page size, both directions.
    const std::vector<std::string> newest_first{new2, new1, keyed_id, old3, old2, old1};
    for (int limit : {1, 2, 3, 5, 50}) {
        SCOPED_TRACE("limit " + std::to_string(limit));
        EXPECT_EQ(history(bob, "before", "", limit), newest_first);
        EXPECT_EQ(history(bob, "after", old1, limit),
                  std::vector<std::string>(newest_first.rbegin() + 1, newest_first.rend()));
    }

    // A reply to an old message lives in the messages database; the thread shows both.
    const response new_reply = http().post("/v1/messages/" + old1 + "/replies", {{"text", "new reply"}}, bob.token);
    ASSERT_EQ(new_reply.status, 201u) << new_reply.body;
    const std::string new_reply_id = new_reply.data()["id"];
    EXPECT_EQ(count_on(messages_db(), "SELECT COUNT(*) FROM messages WHERE thread_id = " + old1), 1);
    const response thread = http().get("/v1/messages/" + old1 + "/replies", alice.token);
    ASSERT_EQ(thread.status, 200u) << thread.body;
    EXPECT_EQ(thread.data()["parent"]["reply_count"], 2);
    ASSERT_EQ(thread.data()["replies"].size(), 2u);
    EXPECT_EQ(thread.data()["replies"][0]["id"], old_reply.data()["id"]);
    EXPECT_EQ(thread.data()["replies"][1]["id"], new_reply_id);

    // Inbox: unread counts over both stores, mentions from both, newest first.
    const response inbox = http().get("/v1/inbox", bob.token);
    ASSERT_EQ(inbox.status, 200u) << inbox.body;
    ASSERT_EQ(inbox.data()["unread_channels"].size(), 1u);
    EXPECT_EQ(inbox.data()["unread_channels"][0]["unread_count"], 6);
    ASSERT_EQ(inbox.data()["mentions"].size(), 2u);
    EXPECT_EQ(inbox.data()["mentions"][0]["id"], new1);
    EXPECT_EQ(inbox.data()["mentions"][1]["id"], old2);

    // Mark read of an old message: the receipt stays with it on --db, the cursor moves.
    const response read = http().post("/v1/messages/" + old3 + "/read", nullptr, bob.token);
    ASSERT_EQ(read.status, 200u) << read.body;
    EXPECT_EQ(count_on(db(), "SELECT COUNT(*) FROM read_receipts WHERE message_id = " + old3), 1);
    EXPECT_EQ(count_on(messages_db(), "SELECT COUNT(*) FROM read_receipts"), 0);
    EXPECT_EQ(count_on(db(), "SELECT last_read_id FROM channel_members WHERE agent_id = " + bob.id), std::stoll(old3));
    const response readers = http().get("/v1/messages/" + old3 + "/readers", alice.token);
    ASSERT_EQ(readers.data()["readers"].size(), 1u);
    EXPECT_EQ(readers.data()["readers"][0]["agent_name"], "bob");
    EXPECT_EQ(http().get("/v1/messages/" + old3, alice.token).data()["read_by_count"], 1);
    EXPECT_EQ(http().get("/v1/inbox", bob.token).data()["unread_channels"][0]["unread_count"], 3);  // keyed, new1, new2
    ASSERT_EQ(http().post("/v1/messages/" + new2 + "/read", nullptr, bob.token).status, 200u);
    EXPECT_EQ(http().get("/v1/inbox", bob.token).data()["unread_channels"].size(), 0u);

    // Deliveries: one gapless sequence for bob across both stores.
    const response all = http().get("/v1/deliveries?status=all&limit=200", bob.token);
    ASSERT_EQ(all.status, 200u) << all.body;
    const json deliveries = all.data()["deliveries"];
    std::set<std::string> delivered;
    std::int64_t expected_seq = 1;
    for (const auto& d : deliveries) {
        EXPECT_EQ(d["seq"], expected_seq++);
        delivered.insert(d["message_id"].get<std::string>());
    }
    for (const auto& id : {old1, old2, old3, new1, new2}) EXPECT_TRUE(delivered.count(id)) << id;
    const std::string old_delivery = deliveries[0]["id"];
    const response acked = http().post("/v1/deliveries/" + old_delivery + "/ack", nullptr, bob.token);
    ASSERT_EQ(acked.status, 200u) << acked.body;
    EXPECT_EQ(acked.data()["delivery"]["status"], "acked");
    EXPECT_EQ(http().post("/v1/deliveries/del_x/ack", nullptr, bob.token).status, 404u);

    // Search finds old and new.
    const response found = http().get("/v1/search?q=migrated", bob.token);
    ASSERT_EQ(found.status, 200u) << found.body;
    const json results = found.data()["results"];
    std::set<std::string> hits;
    for (const auto& m : results) hits.insert(m["id"].get<std::string>());
    EXPECT_EQ(hits, (std::set<std::string>{old2, new1}));

    // Conversations: the newest message and the unread count span both stores.
    const response new_dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "new dm"}}, alice.token);
    ASSERT_EQ(new_dm.status, 201u) << new_dm.body;
    EXPECT_EQ(new_dm.data()["conversation_id"], conversation);
    const response conversations = http().get("/v1/dm/conversations", bob.token);
    ASSERT_EQ(conversations.data()["conversations"].size(), 1u);
    EXPECT_EQ(conversations.data()["conversations"][0]["unread_count"], 2);
    EXPECT_EQ(conversations.data()["conversations"][0]["last_message"]["text"], "new dm");
    const response dms = http().get("/v1/dm/" + conversation + "/messages", bob.token);
    ASSERT_EQ(dms.data()["messages"].size(), 2u);
    EXPECT_EQ(dms.data()["messages"][0]["text"], "new dm");
    EXPECT_EQ(dms.data()["messages"][1]["text"], "old dm");

    // The console log of the workspace, newest first, over both stores.
    const response logs = http().get("/v1/console/logs", ws.key);
    ASSERT_EQ(logs.status, 200u);
    EXPECT_EQ(logs.data()["logs"][0]["text"], "new dm");
    EXPECT_EQ(logs.data()["logs"].size(), 8u);  // 4 + 2 channel messages, 2 DMs

    // A key used before the split replays its stored response; nothing is written.
    const std::int64_t messages_now = count_on(messages_db(), "SELECT COUNT(*) FROM messages");
    const response replay = http().post("/v1/channels/general/messages", {{"text", "keyed"}}, alice.token,
                                        {{"Idempotency-Key", "before-the-split"}});
    EXPECT_EQ(replay.status, 201u);
    EXPECT_EQ(replay.data()["id"], keyed_id);
    EXPECT_EQ(count_on(messages_db(), "SELECT COUNT(*) FROM messages"), messages_now);
}

TEST_P(migration, the_same_database_twice_is_refused_and_relay_stays_on_one) {
    stop_relay();
    config same = settings_;
    same.messages_db_url = settings_.db_url;
    app one(same);
    one.start();
    EXPECT_FALSE(one.databases().split());
    EXPECT_NE(one.databases().topology().decision().reason.find("same"), std::string::npos)
        << one.databases().topology().decision().reason;
    one.stop();
}

TEST_P(migration, a_database_of_the_other_kind_is_refused_at_start) {
    stop_relay();
    // The messages database given as --db: it holds the messages contract, not relay's.
    config wrong = split_settings_;
    wrong.db_url = split_settings_.messages_db_url;
    wrong.messages_db_url.clear();
    wrong.db_replica_url.clear();
    try {
        app a(wrong);
        a.start();
        ADD_FAILURE() << "relay started on its messages database as --db";
    } catch (const strata::error& e) {
        // Reaching relay's contract from there would drop delivery_counters: refused.
        EXPECT_EQ(e.code(), "CONTRACT.DESTRUCTIVE_CHANGE");
        EXPECT_NE(e.message().find("drop table delivery_counters"), std::string::npos) << e.message();
    }
    if (on_postgres()) return;
    // A single-database relay's database given as --messages-db: relay's full contract.
    config single = wrong;
    single.db_url = "sqlite:" + files_dir() + "/../other.db";
    {
        app other(single);
        other.start();
        other.stop();
    }
    config split = split_settings_;
    split.messages_db_url = single.db_url;
    try {
        app a(split);
        a.start();
        ADD_FAILURE() << "relay used another relay's database as its messages database";
    } catch (const strata::error& e) {
        // The messages contract would drop the control plane's tables: refused.
        EXPECT_EQ(e.code(), "CONTRACT.DESTRUCTIVE_CHANGE");
        EXPECT_NE(e.message().find("drop table workspaces"), std::string::npos) << e.message();
    }
}

}  // namespace
}  // namespace relay::test
