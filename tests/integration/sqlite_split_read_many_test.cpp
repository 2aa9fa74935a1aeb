// topology::read_many_by_id on two SQLite files (int64 ids): grouped IN queries, read
// through from the new store to the legacy replica, the caller's order kept, misses
// dropped, and groups no larger than the store's parameter limit.
#include <gtest/gtest.h>

#include <strata/split.hpp>
#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

#include "../support/probed_store.hpp"
#include "../support/temp_dir.hpp"

namespace split = strata::split;
using split::residency;

namespace {

using strata::test::probed;

probed open_file(const std::string& path, const std::string& label) {
    return strata::test::open_probed(strata::sqlite::make_stack, strata::sqlite::file{path}, label);
}

std::int64_t legacy_id(std::int64_t i) { return ((std::int64_t{50'000'000'000} + i) << 22) | 1; }

strata::plan messages_in(std::vector<strata::value> ids) {
    const std::size_t n = ids.size();
    return strata::sql_plan("SELECT id, body FROM messages WHERE id IN (" + split::placeholders(n) + ")", std::move(ids));
}

class SqliteSplitReadMany : public ::testing::Test {
protected:
    void SetUp() override {
        for (auto* p : {&legacy, &fresh})
            p->db.execute(strata::sql("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")).drain();
    }
    split::topology boot() {
        auto t = split::topology::boot(
            split::config{.enabled = true,
                          .legacy = {legacy.db, split::role::primary, "legacy"},
                          .legacy_replica = split::store{replica.db, split::role::read_replica, "legacy-replica"},
                          .fresh = split::store{fresh.db, split::role::primary, "messages"}});
        for (auto* p : {&legacy, &replica, &fresh}) p->probe->reset();
        return t;
    }
    static void insert(const probed& where, std::int64_t id, const std::string& body) {
        where.db.execute(strata::sql("INSERT INTO messages (id, body) VALUES (?, ?)", id, body)).drain();
    }

    strata::test::temp_dir dir;
    probed legacy = open_file(dir.file("legacy.db"), "legacy");
    probed replica = open_file(dir.file("legacy.db"), "legacy-replica");
    probed fresh = open_file(dir.file("messages.db"), "new");
    split::int64_ids ids{3};
};

}  // namespace

TEST_F(SqliteSplitReadMany, ReadsThroughInGroupsKeepingTheCallersOrder) {
    const std::int64_t a = ids.mint(), b = ids.mint(), missing_new = ids.mint(), stray = ids.mint();
    insert(fresh, a, "new a");
    insert(fresh, b, "new b");
    for (std::int64_t i = 0; i < 5; ++i) insert(legacy, legacy_id(i), "legacy " + std::to_string(i));
    insert(fresh, legacy_id(2), "moved 2");  // moved: the new store wins
    insert(legacy, stray, "stray");          // a new-shaped id lives in the new store only
    auto t = boot();

    const std::vector<std::int64_t> wanted{legacy_id(4), b, legacy_id(99), legacy_id(2), stray, a,
                                           legacy_id(0), missing_new, legacy_id(4), legacy_id(1)};
    const auto rows = t.read_many_by_id(wanted, messages_in, {.max_group = 3});
    std::vector<std::string> got;
    for (const auto& r : rows)
        got.push_back(std::string(split::to_string(r.from)) + ":" + r.value.get<std::string>("body"));
    EXPECT_EQ(got, (std::vector<std::string>{"legacy:legacy 4", "new:new b", "new:moved 2", "new:new a",
                                             "legacy:legacy 0", "legacy:legacy 4", "legacy:legacy 1"}));
    // 8 distinct ids in groups of 3 on the new store; the 4 legacy-shaped ones it did not
    // have (4, 99, 0, 1) in groups of 3 on the replica; the legacy primary never.
    EXPECT_EQ(fresh.probe->count(), 3);
    EXPECT_EQ(replica.probe->count(), 2);
    EXPECT_EQ(legacy.probe->count(), 0);
}

TEST_F(SqliteSplitReadMany, GroupsStayWithinTheStoresParameterLimit) {
    const std::size_t limit = fresh.db.caps().limits.max_parameters;
    ASSERT_GT(limit, 0u);
    const auto n = static_cast<std::int64_t>(limit + 5);
    legacy.db
        .execute(strata::sql("WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ?) "
                             "INSERT INTO messages (id, body) SELECT ((50000000000 + i) << 22) | 1, 'legacy ' || i FROM s",
                             n - 1))
        .drain();
    auto t = boot();
    std::vector<std::int64_t> wanted;
    for (std::int64_t i = n - 1; i >= 0; --i) wanted.push_back(legacy_id(i));  // reversed: order is the caller's
    const auto rows = t.read_many_by_id(wanted, messages_in);
    ASSERT_EQ(rows.size(), wanted.size());
    for (std::size_t i = 0; i < rows.size(); i += 997)
        EXPECT_EQ(rows[i].value.get<std::int64_t>("id"), wanted[i]) << i;
    EXPECT_EQ(rows.back().value.get<std::int64_t>("id"), wanted.back());
    EXPECT_EQ(fresh.probe->count(), 2);  // limit ids, then 5
    EXPECT_EQ(replica.probe->count(), 2);
    // A plan's own parameters count against the limit.
    auto e = [&] {
        try {
            (void)t.read_many_by_id(wanted, messages_in, {.other_parameters = limit});
        } catch (const strata::error& x) {
            return std::string(x.code());
        }
        return std::string("no error");
    }();
    EXPECT_EQ(e, "SPLIT.INVALID_ARGUMENT");
}

TEST_F(SqliteSplitReadMany, PassthroughReadsOneStore) {
    insert(legacy, legacy_id(1), "one");
    auto t = split::topology::boot(
        split::config{.enabled = false, .legacy = {legacy.db}, .legacy_replica = std::nullopt, .fresh = std::nullopt});
    legacy.probe->reset();
    const auto rows = t.read_many_by_id(std::vector<std::int64_t>{legacy_id(7), legacy_id(1)}, messages_in);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].from, residency::legacy);
    EXPECT_EQ(legacy.probe->count(), 1);
}
