// Split stores on two SQLite files: the boot decision, owner-routed writes, branded
// replicas, read-through reads, passthrough, lists and the empty-state probe.
#include <gtest/gtest.h>

#include <strata/split.hpp>
#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

#include "../support/expect_error.hpp"
#include "../support/probed_store.hpp"
#include "../support/temp_dir.hpp"

namespace split = strata::split;
using split::residency;

namespace {

using strata::test::probed;

probed open_file(const std::string& path, const std::string& label) {
    return strata::test::open_probed(strata::sqlite::make_stack, strata::sqlite::file{path}, label);
}

const std::string create_messages =
    "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT NOT NULL)";

strata::plan insert_message(std::int64_t id, std::int64_t created_at, const std::string& body) {
    return strata::sql("INSERT INTO messages (id, created_at, body) VALUES (?, ?, ?)", id, created_at, body);
}
strata::plan message_by_id(std::int64_t id) {
    return strata::sql("SELECT id, created_at, body FROM messages WHERE id = ?", id);
}
std::int64_t count(const strata::runtime& db) {
    return db.execute(strata::sql("SELECT count(*) FROM messages")).one().get<std::int64_t>(0);
}

class SqliteSplit : public ::testing::Test {
protected:
    void SetUp() override {
        legacy.db.execute(strata::sql(create_messages)).drain();
        fresh.db.execute(strata::sql(create_messages)).drain();
        reset();
    }
    void reset() {
        for (auto* p : {&legacy, &replica, &fresh}) {
            p->probe->reset();
            p->probe->forbidden = false;
        }
    }
    split::config config(bool enabled = true) {
        return split::config{.enabled = enabled,
                             .legacy = {legacy.db, split::role::primary, "legacy"},
                             .legacy_replica = split::store{replica.db, split::role::read_replica, "legacy-replica"},
                             .fresh = split::store{fresh.db, split::role::primary, "messages"}};
    }

    strata::test::temp_dir dir;
    probed legacy = open_file(dir.file("legacy.db"), "legacy");
    probed replica = open_file(dir.file("legacy.db"), "legacy-replica");  // the same file, read-only use
    probed fresh = open_file(dir.file("messages.db"), "new");
    split::int64_ids ids{3};
    const std::int64_t old_id = (std::int64_t{50'000'000'000} << 22) | 1;  // a legacy snowflake
};

}  // namespace

TEST_F(SqliteSplit, BootDecidesOnceAndFailsClosed) {
    auto on = split::topology::boot(config());
    EXPECT_TRUE(on.split()) << on.decision().reason;
    EXPECT_NE(on.decision().legacy_identity, on.decision().fresh_identity);
    EXPECT_EQ(on.decision().legacy_identity, on.decision().replica_identity);

    auto off = split::topology::boot(config(false));
    EXPECT_FALSE(off.split());
    EXPECT_NE(off.decision().reason.find("flag"), std::string::npos);

    auto no_new = config();
    no_new.fresh.reset();
    EXPECT_FALSE(split::topology::boot(no_new).split());

    auto same = config();
    same.fresh = split::store{replica.db};  // the legacy file under another handle
    auto refused = split::topology::boot(same);
    EXPECT_FALSE(refused.split());
    EXPECT_NE(refused.decision().reason.find("same database"), std::string::npos) << refused.decision().reason;

    auto replica_is_new = config();
    replica_is_new.legacy_replica = split::store{fresh.db, split::role::read_replica};
    EXPECT_FALSE(split::topology::boot(replica_is_new).split());

    auto memory = strata::instantiate(strata::sqlite::make_stack());
    memory.connect(strata::sqlite::memory{});
    auto in_memory = config();
    in_memory.fresh = split::store{memory};
    EXPECT_FALSE(split::topology::boot(in_memory).split());

    auto fresh_as_replica = config();
    fresh_as_replica.fresh->brand = split::role::read_replica;
    EXPECT_FALSE(split::topology::boot(fresh_as_replica).split());
}

TEST_F(SqliteSplit, WritesGoToTheOwnerOnly) {
    auto t = split::topology::boot(config());
    ASSERT_TRUE(t.split());
    const std::int64_t new_id = ids.mint();
    replica.probe->forbidden = true;
    auto r = t.write_unit(std::vector<std::int64_t>{new_id}, {insert_message(new_id, 1, "new")});
    EXPECT_EQ(r.mode, strata::atomic_mode::transaction);
    (void)t.write_unit(std::vector<std::int64_t>{old_id}, {insert_message(old_id, 0, "old")});
    (void)t.write_unit(std::vector<std::string>{"msg_" + std::to_string(new_id + 1)},
                       {insert_message(new_id + 1, 2, "new, by prefixed text id")});
    replica.probe->forbidden = false;
    EXPECT_EQ(count(fresh.db), 2);
    EXPECT_EQ(count(legacy.db), 1);

    // One unit over both stores is refused before anything runs.
    fresh.probe->reset();
    legacy.probe->reset();
    EXPECT_STRATA_ERROR(t.write_unit(std::vector<std::int64_t>{new_id + 5, old_id + 5},
                                     {insert_message(new_id + 5, 3, "x"), insert_message(old_id + 5, 3, "y")}),
                        split::codes::cross_store_write);
    EXPECT_EQ(fresh.probe->count(), 0);
    EXPECT_EQ(legacy.probe->count(), 0);
    EXPECT_STRATA_ERROR(t.write_unit(std::vector<std::int64_t>{}, {insert_message(1, 1, "z")}),
                        split::codes::invalid_argument);

    // A failing unit on the owner leaves nothing behind there.
    EXPECT_STRATA_ERROR(t.write_unit(std::vector<std::int64_t>{new_id + 7},
                                     {insert_message(new_id + 7, 4, "ok"), insert_message(new_id, 4, "duplicate")}),
                        "ATOMIC.UNIT_FAILED");
    EXPECT_EQ(count(fresh.db), 2);
}

TEST_F(SqliteSplit, ReplicasAreBrandedNotInferred) {
    // The replica handle is a full read-write SQLite connection; the brand alone refuses.
    split::store rep{replica.db, split::role::read_replica, "legacy-replica"};
    EXPECT_STRATA_ERROR(rep.write({insert_message(1, 1, "x")}), split::codes::replica_write);
    EXPECT_STRATA_ERROR(rep.read(insert_message(1, 1, "x")), split::codes::replica_write);
    EXPECT_STRATA_ERROR(rep.read(strata::sql("WITH x AS (SELECT 1) SELECT * FROM x")), split::codes::replica_write);
    EXPECT_EQ(rep.read(strata::sql("WITH x AS (SELECT 1) SELECT * FROM x").with_kind(strata::statement_kind::read))
                  .one()
                  .get<std::int64_t>(0),
              1);
    EXPECT_EQ(count(legacy.db), 0);
    // A legacy store configured as a replica (say, only a replica URL was given) refuses writes.
    auto c = config();
    c.legacy.brand = split::role::read_replica;
    auto t = split::topology::boot(c);
    EXPECT_STRATA_ERROR(t.write_unit(std::vector<std::int64_t>{old_id}, {insert_message(old_id, 0, "old")}),
                        split::codes::replica_write);
    EXPECT_EQ(count(legacy.db), 0);
}

TEST_F(SqliteSplit, ReadsByIdRouteByShape) {
    auto t = split::topology::boot(config());
    const std::int64_t new_id = ids.mint();
    (void)t.write_unit(std::vector<std::int64_t>{new_id}, {insert_message(new_id, 2, "new")});
    (void)t.write_unit(std::vector<std::int64_t>{old_id}, {insert_message(old_id, 1, "old")});
    reset();

    // New-shaped: the new store only; the legacy stores are never read.
    legacy.probe->forbidden = true;
    replica.probe->forbidden = true;
    auto n = t.read_by_id(new_id, message_by_id(new_id), split::read_consistency::replica_ok);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->from, residency::fresh);
    EXPECT_EQ(n->value.get<std::string>("body"), "new");
    EXPECT_FALSE(t.read_by_id(new_id + 1, message_by_id(new_id + 1), split::read_consistency::replica_ok));
    EXPECT_EQ(fresh.probe->count(), 2);

    // Legacy-shaped: the new store, then the replica (replica_ok) or the primary.
    replica.probe->forbidden = false;
    auto o = t.read_by_id(old_id, message_by_id(old_id), split::read_consistency::replica_ok);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->from, residency::legacy);
    EXPECT_EQ(replica.probe->count(), 1);
    EXPECT_EQ(fresh.probe->count(), 3);
    legacy.probe->forbidden = false;
    replica.probe->forbidden = true;
    EXPECT_TRUE(t.read_by_id(std::to_string(old_id), message_by_id(old_id), split::read_consistency::primary_required));
    EXPECT_EQ(legacy.probe->count(), 1);
}

TEST_F(SqliteSplit, PassthroughReadsOneStoreOnly) {
    auto t = split::topology::boot(config(false));
    fresh.probe->forbidden = true;
    const std::int64_t new_id = ids.mint();  // even a new-shaped id goes to the legacy store
    EXPECT_EQ(t.owner(new_id), residency::legacy);
    (void)t.write_unit(std::vector<std::int64_t>{new_id}, {insert_message(new_id, 1, "a")});
    auto r = t.read_by_id(new_id, message_by_id(new_id), split::read_consistency::replica_ok);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from, residency::legacy);
    EXPECT_EQ(replica.probe->count(), 1);  // one read, no probe of another store
    auto p = split::list(t, {.order = split::direction::newest_first, .limit = 10},
                         [](const std::optional<split::key>&, std::int64_t limit) {
                             return strata::sql(
                                 "SELECT id, created_at, body FROM messages ORDER BY created_at DESC, id DESC LIMIT ?",
                                 limit);
                         });
    EXPECT_EQ(p.rows.size(), 1u);
    EXPECT_TRUE(t.any(strata::sql("SELECT 1 FROM messages LIMIT 1"), split::read_consistency::replica_ok));
    EXPECT_EQ(fresh.probe->count(), 0);
}

TEST_F(SqliteSplit, ListsAndTheEmptyStateProbeAskBothStores) {
    auto t = split::topology::boot(config());
    const auto exists = strata::sql("SELECT 1 FROM messages LIMIT 1");
    EXPECT_FALSE(t.any(exists, split::read_consistency::replica_ok));
    (void)t.write_unit(std::vector<std::int64_t>{old_id}, {insert_message(old_id, 100, "old")});
    EXPECT_TRUE(t.any(exists, split::read_consistency::replica_ok));  // only the legacy store has a row

    const std::int64_t a = ids.mint(), b = ids.mint();
    (void)t.write_unit(std::vector<std::int64_t>{a, b},
                       {insert_message(a, 50, "new-early"), insert_message(b, 200, "new-late")});
    auto build = [](const std::optional<split::key>& after, std::int64_t limit) {
        if (!after)
            return strata::sql("SELECT id, created_at, body FROM messages ORDER BY created_at, id LIMIT ?", limit);
        return strata::sql(
            "SELECT id, created_at, body FROM messages WHERE created_at > ? OR (created_at = ? AND id > ?) "
            "ORDER BY created_at, id LIMIT ?",
            *after->created_at.get_if<std::int64_t>(), *after->created_at.get_if<std::int64_t>(),
            *after->id.get_if<std::int64_t>(), limit);
    };
    split::list_request req{.order = split::direction::oldest_first, .limit = 2};
    auto p1 = split::list(t, req, build);
    ASSERT_EQ(p1.rows.size(), 2u);
    EXPECT_EQ(p1.rows[0].get<std::string>("body"), "new-early");
    EXPECT_EQ(p1.rows[1].get<std::string>("body"), "old");
    EXPECT_EQ(p1.from[1], residency::legacy);
    ASSERT_TRUE(p1.has_more);
    req.after = split::decode_cursor(*p1.next_cursor);
    auto p2 = split::list(t, req, build);
    ASSERT_EQ(p2.rows.size(), 1u);
    EXPECT_EQ(p2.rows[0].get<std::string>("body"), "new-late");
    EXPECT_FALSE(p2.has_more);
}

TEST_F(SqliteSplit, AConcurrentListWaitsForEveryStoreAndReportsAFailure) {
    auto t = split::topology::boot(config());
    const std::int64_t a = ids.mint();
    (void)t.write_unit(std::vector<std::int64_t>{a}, {insert_message(a, 10, "new")});
    (void)t.write_unit(std::vector<std::int64_t>{old_id}, {insert_message(old_id, 5, "old")});
    auto build = [](const std::optional<split::key>&, std::int64_t limit) {
        return strata::sql("SELECT id, created_at, body FROM messages ORDER BY created_at DESC, id DESC LIMIT ?",
                           limit);
    };
    split::list_request req{.order = split::direction::newest_first, .limit = 10};
    req.concurrent = true;
    auto p = split::list(t, req, build);
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].get<std::string>("body"), "new");
    EXPECT_EQ(p.rows[1].get<std::string>("body"), "old");
    // A failing store (here: the replica, asked on another thread) fails the list.
    replica.probe->forbidden = true;
    EXPECT_THROW((void)split::list(t, req, build), std::logic_error);
    replica.probe->forbidden = false;
    fresh.probe->forbidden = true;  // the store asked on the calling thread
    EXPECT_THROW((void)split::list(t, req, build), std::logic_error);
}

// With a retention bound on the legacy store, a miss is told apart from "older than the
// legacy store keeps" (issue 15 item 6).
TEST_F(SqliteSplit, AMissOlderThanTheLegacyRetentionIsToldApartFromNotFound) {
    constexpr std::int64_t day = 24LL * 3600 * 1000;
    const std::int64_t now = split::int64_ids::epoch_ms + 400 * day;
    const auto legacy_at = [](std::int64_t unix_ms) { return (unix_ms - split::int64_ids::epoch_ms) << 22; };
    const std::int64_t purged = legacy_at(now - 40 * day);  // older than 30 days: purged from legacy
    const std::int64_t recent = legacy_at(now - 1 * day);
    const std::int64_t fresh_id = ids.mint(now - 40 * day);

    auto bounded = config();
    bounded.legacy_retention = std::chrono::milliseconds(30 * day);
    auto t = split::topology::boot(bounded);
    for (std::int64_t id : {purged, recent, fresh_id})
        EXPECT_FALSE(t.read_by_id(id, message_by_id(id), split::read_consistency::primary_required)) << id;
    EXPECT_EQ(t.why_absent(purged, now), split::absence::beyond_retention);
    EXPECT_EQ(t.why_absent(recent, now), split::absence::not_found);
    EXPECT_EQ(t.why_absent(fresh_id, now), split::absence::not_found);  // the new store keeps its own
    EXPECT_EQ(t.why_absent(std::to_string(purged)), split::absence::beyond_retention);  // as text, at today's clock
    EXPECT_EQ(t.why_absent("not an id"), split::absence::not_found);
    EXPECT_EQ(t.why_absent(std::int64_t{-5}, now), split::absence::not_found);
    EXPECT_EQ(split::to_string(split::absence::beyond_retention), "beyond_retention");

    // Without a bound nothing is "beyond retention".
    auto unbounded = split::topology::boot(config());
    EXPECT_EQ(unbounded.why_absent(purged, now), split::absence::not_found);
}
