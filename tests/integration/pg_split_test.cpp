// Split stores on real PostgreSQL clusters (scripts/pg run --clusters 3 --replica): the
// legacy primary (STRATA_PG_URL), its streaming hot-standby replica
// (STRATA_PG_REPLICA_URL) and a new database (STRATA_PG_URL_2).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <strata/postgres.hpp>
#include <strata/split.hpp>
#include <strata/strata.hpp>
#include <thread>

#include "../support/expect_error.hpp"
#include "../support/pg_database.hpp"
#include "../support/probed_store.hpp"

namespace split = strata::split;
using split::residency;
using strata::test::pg_url_with;

namespace {

using strata::test::probed;

probed open(const std::string& url, const std::string& label) {
    return strata::test::open_probed(strata::postgres::make_stack, strata::postgres::url{url}, label);
}

// Text ids, ordered bytewise: the keyset compares ids with COLLATE "C".
std::string create_messages(const std::string& schema) {
    return "CREATE TABLE " + schema +
           ".messages (id TEXT COLLATE \"C\" PRIMARY KEY, created_at BIGINT NOT NULL, body TEXT NOT NULL)";
}

strata::plan insert_message(const std::string& id, std::int64_t created_at, const std::string& body) {
    return strata::sql("INSERT INTO messages (id, created_at, body) VALUES (?, ?, ?)", id, created_at, body);
}
strata::plan message_by_id(const std::string& id) {
    return strata::sql("SELECT id, created_at, body FROM messages WHERE id = ?", id);
}

strata::plan keyset(const std::optional<split::key>& after, std::int64_t limit, bool newest_first) {
    const std::string dir = newest_first ? "DESC" : "ASC";
    const std::string order = " ORDER BY created_at " + dir + ", id COLLATE \"C\" " + dir + " LIMIT ?";
    if (!after) return strata::sql("SELECT id, created_at, body FROM messages" + order, limit);
    const std::string cmp = newest_first ? "<" : ">";
    const std::int64_t t = *after->created_at.get_if<std::int64_t>();
    const std::string& id = *after->id.get_if<std::string>();
    return strata::sql("SELECT id, created_at, body FROM messages WHERE created_at " + cmp +
                           " ? OR (created_at = ? AND id COLLATE \"C\" " + cmp + " ?)" + order,
                       t, t, id, limit);
}

class PgSplit : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string legacy_url = strata::test::pg_url_or_skip();
        if (legacy_url.empty()) return;
        const std::string replica_url = strata::test::pg_env_url_or_skip("STRATA_PG_REPLICA_URL");
        const std::string fresh_url = strata::test::pg_env_url_or_skip("STRATA_PG_URL_2");
        if (replica_url.empty() || fresh_url.empty()) return;
        legacy_schema.emplace(legacy_url);
        fresh_schema.emplace(fresh_url);
        legacy_schema->exec(create_messages(legacy_schema->name()));
        fresh_schema->exec(create_messages(fresh_schema->name()));
        legacy.emplace(open(legacy_schema->url(), "legacy"));
        fresh.emplace(open(fresh_schema->url(), "new"));
        replica.emplace(open(pg_url_with(replica_url, "options", "-csearch_path=" + legacy_schema->name()), "replica"));
        wait_for_replica([&] {
            return replica->db.execute(strata::sql("SELECT to_regclass('messages') IS NOT NULL")).one().get<bool>(0);
        });
        for (auto* p : {&*legacy, &*replica, &*fresh}) p->probe->reset();
    }
    void TearDown() override {
        for (auto* p : {&legacy, &replica, &fresh})
            if (*p) (*p)->probe->forbidden = false;
        if (replica) (void)replica->db.execute(strata::sql("SELECT pg_wal_replay_resume()")).drain();
        for (auto* p : {&legacy, &replica, &fresh})
            if (*p) (*p)->db.close();
    }
    template <class Pred>
    void wait_for_replica(Pred pred) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!pred()) {
            ASSERT_LT(std::chrono::steady_clock::now(), until) << "the replica did not catch up";
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    split::config config(bool enabled = true) {
        return split::config{.enabled = enabled,
                             .ids = split::id_shape::text,
                             .legacy = {legacy->db, split::role::primary, "legacy"},
                             .legacy_replica = split::store{replica->db, split::role::read_replica, "legacy-replica"},
                             .fresh = split::store{fresh->db, split::role::primary, "messages"}};
    }

    std::optional<strata::test::pg_schema> legacy_schema, fresh_schema;
    std::optional<probed> legacy, replica, fresh;
    split::text_ids ids;
};

}  // namespace

TEST_F(PgSplit, TheDistinctDatabaseCheckUsesSystemIdentifierAndName) {
    auto t = split::topology::boot(config());
    ASSERT_TRUE(t.split()) << t.decision().reason;
    EXPECT_EQ(t.decision().legacy_identity, t.decision().replica_identity);  // a replica is the same database
    EXPECT_NE(t.decision().legacy_identity, t.decision().fresh_identity);
    EXPECT_EQ(t.decision().legacy_identity.rfind("postgres:", 0), 0u);

    // Another schema in the legacy database is not another database.
    strata::test::pg_schema other(legacy_schema->base_url());
    other.exec(create_messages(other.name()));
    auto same_db = open(other.url(), "same");
    auto c = config();
    c.fresh = split::store{same_db.db};
    auto refused = split::topology::boot(c);
    EXPECT_FALSE(refused.split());
    EXPECT_NE(refused.decision().reason.find("same database"), std::string::npos) << refused.decision().reason;
    // Nothing in the decision leaks a password.
    EXPECT_EQ(refused.decision().reason.find("strata:"), std::string::npos);

    // A replica URL that reaches the new database is refused too.
    auto wrong_replica = config();
    wrong_replica.legacy_replica = split::store{fresh->db, split::role::read_replica};
    EXPECT_FALSE(split::topology::boot(wrong_replica).split());
    same_db.db.close();
}

TEST_F(PgSplit, ReplicaLagReadsAsNotFoundNeverAsAnotherRow) {
    auto t = split::topology::boot(config());
    ASSERT_TRUE(t.split());
    const std::string visible = "c" + std::string(24, 'a');  // cuid-shaped: legacy
    (void)t.write_unit(std::vector<std::string>{visible}, {insert_message(visible, 1, "visible")});
    wait_for_replica(
        [&] { return t.read_by_id(visible, message_by_id(visible), split::read_consistency::replica_ok).has_value(); });

    (void)replica->db.execute(strata::sql("SELECT pg_wal_replay_pause()")).drain();
    wait_for_replica([&] {
        return replica->db.execute(strata::sql("SELECT pg_get_wal_replay_pause_state() = 'paused'")).one().get<bool>(0);
    });
    const std::string lagging = "c" + std::string(24, 'b');
    (void)t.write_unit(std::vector<std::string>{lagging}, {insert_message(lagging, 2, "lagging")});

    // Not yet on the replica: not found — not the other row, not an error.
    EXPECT_FALSE(t.read_by_id(lagging, message_by_id(lagging), split::read_consistency::replica_ok));
    // The primary has it.
    auto primary = t.read_by_id(lagging, message_by_id(lagging), split::read_consistency::primary_required);
    ASSERT_TRUE(primary);
    EXPECT_EQ(primary->value.get<std::string>("body"), "lagging");
    EXPECT_EQ(primary->from, residency::legacy);

    (void)replica->db.execute(strata::sql("SELECT pg_wal_replay_resume()")).drain();
    wait_for_replica(
        [&] { return t.read_by_id(lagging, message_by_id(lagging), split::read_consistency::replica_ok).has_value(); });
}

TEST_F(PgSplit, FreshIdsNeverTouchTheLegacyStoresAndReplicasRefuseWrites) {
    auto t = split::topology::boot(config());
    ASSERT_TRUE(t.split());
    for (auto* p : {&*legacy, &*replica, &*fresh}) p->probe->reset();  // the boot's identity probes
    legacy->probe->forbidden = true;
    replica->probe->forbidden = true;
    const std::string id = ids.mint("msg");
    (void)t.write_unit(std::vector<std::string>{id}, {insert_message(id, 5, "new")});
    auto r = t.read_by_id(id, message_by_id(id), split::read_consistency::replica_ok);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from, residency::fresh);
    EXPECT_FALSE(t.read_by_id(ids.mint(), message_by_id("missing"), split::read_consistency::replica_ok));
    EXPECT_EQ(legacy->probe->count(), 0);
    EXPECT_EQ(replica->probe->count(), 0);

    // The brand refuses before the standby could; the standby itself refuses too.
    replica->probe->forbidden = false;
    split::store rep{replica->db, split::role::read_replica, "legacy-replica"};
    EXPECT_STRATA_ERROR(rep.write({insert_message("c1", 1, "x")}), split::codes::replica_write);
    EXPECT_EQ(replica->probe->count(), 0);
    EXPECT_STRATA_ERROR(replica->db.execute(insert_message("c1", 1, "x")).drain(), "QUERY.FAILED");
}

TEST_F(PgSplit, ListsInterleaveBothStoresAcrossPages) {
    auto t = split::topology::boot(config());
    ASSERT_TRUE(t.split());
    // Legacy ids are cuid-like ("c…"), new ids base32hex ("0…"/"1…"): every new id sorts
    // before every legacy id, whatever their times. Time order must win.
    std::vector<std::string> expected;
    std::vector<strata::plan> legacy_rows, fresh_rows;
    std::vector<std::string> legacy_ids, fresh_ids;
    for (int i = 0; i < 23; ++i) {
        const std::int64_t at = 1000 + (i / 2) * 10;  // pairs share a time: the id breaks the tie
        const std::string body = "m" + std::to_string(i);
        if (i % 3 == 0) {
            // A generator per id, minted at falling clock readings: lexical order against time.
            const std::string id = split::text_ids{}.mint({}, 1'790'000'000'000 - i);
            fresh_rows.push_back(insert_message(id, at, body));
            fresh_ids.push_back(id);
        } else {
            const std::string id = "c" + std::string(1, static_cast<char>('z' - i)) + std::string(23, 'x');
            legacy_rows.push_back(insert_message(id, at, body));
            legacy_ids.push_back(id);
        }
    }
    (void)t.write_unit(fresh_ids, fresh_rows);
    (void)t.write_unit(legacy_ids, legacy_rows);
    // A row copied to the new store (same id in both): the new copy wins, once.
    (void)t.write_unit(std::vector<std::string>{ids.mint()}, {insert_message(legacy_ids[0], 1000, "copied")});
    wait_for_replica([&] {
        return replica->db.execute(strata::sql("SELECT count(*) FROM messages")).one().get<std::int64_t>(0) ==
               static_cast<std::int64_t>(legacy_ids.size());
    });
    // Expected order: by (created_at, id bytewise), computed from what the stores hold.
    auto all = fresh->db.execute(strata::sql("SELECT id, created_at, body FROM messages")).all();
    for (auto& r : legacy->db.execute(strata::sql("SELECT id, created_at, body FROM messages")).all())
        if (r.get<std::string>("id") != legacy_ids[0]) all.push_back(std::move(r));
    std::sort(all.begin(), all.end(), [](const strata::row& a, const strata::row& b) {
        return split::compare({a.at("created_at"), a.at("id")}, {b.at("created_at"), b.at("id")}) < 0;
    });
    for (const auto& r : all) expected.push_back(r.get<std::string>("body"));
    ASSERT_EQ(expected.size(), 23u);
    EXPECT_NE(std::find(expected.begin(), expected.end(), "copied"), expected.end());

    for (bool newest_first : {false, true}) {
        for (std::int64_t size : {1, 4, 7, 30}) {
            split::list_request req{
                .order = newest_first ? split::direction::newest_first : split::direction::oldest_first, .limit = size};
            req.concurrent = size % 2 == 1;  // both stores asked at once, or one after the other
            std::vector<std::string> got;
            for (int guard = 0; guard < 100; ++guard) {
                auto p = split::list(t, req, [&](const std::optional<split::key>& after, std::int64_t limit) {
                    return keyset(after, limit, newest_first);
                });
                for (const auto& r : p.rows) got.push_back(r.get<std::string>("body"));
                if (!p.has_more) break;
                req.after = split::decode_cursor(*p.next_cursor);
            }
            auto want = expected;
            if (newest_first) std::reverse(want.begin(), want.end());
            EXPECT_EQ(got, want) << "page size " << size << (newest_first ? " newest first" : " oldest first");
        }
    }
}

TEST_F(PgSplit, PassthroughReadsOnlyTheLegacyDatabase) {
    auto t = split::topology::boot(config(false));
    ASSERT_FALSE(t.split());
    fresh->probe->forbidden = true;
    const std::string id = ids.mint();
    (void)t.write_unit(std::vector<std::string>{id}, {insert_message(id, 1, "one store")});
    auto r = t.read_by_id(id, message_by_id(id), split::read_consistency::primary_required);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from, residency::legacy);
    EXPECT_EQ(legacy->probe->count(), 2);  // the write and one read: no probe elsewhere
    EXPECT_TRUE(t.any(strata::sql("SELECT 1 FROM messages LIMIT 1"), split::read_consistency::primary_required));
    EXPECT_EQ(fresh->probe->count(), 0);
}
