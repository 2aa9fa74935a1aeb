// topology::read_many_by_id on real PostgreSQL clusters (text ids): the legacy primary
// (STRATA_PG_URL), its replica (STRATA_PG_REPLICA_URL) and a new database
// (STRATA_PG_URL_2). Grouped IN queries read through new → legacy, keep the caller's
// order, drop misses, and stay within PostgreSQL's 65,535 parameters.
#include <gtest/gtest.h>

#include <optional>
#include <strata/postgres.hpp>
#include <strata/split.hpp>
#include <strata/strata.hpp>

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

std::string legacy_id(long i) {  // cuid-shaped: legacy
    std::string n = std::to_string(i);
    return "c" + std::string(24 - n.size(), '0') + n;
}

strata::plan messages_in(std::vector<strata::value> ids) {
    const std::size_t n = ids.size();
    return strata::sql_plan("SELECT id, body FROM messages WHERE id IN (" + split::placeholders(n) + ")", std::move(ids));
}

class PgSplitReadMany : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string legacy_url = strata::test::pg_url_or_skip();
        if (legacy_url.empty()) return;
        const std::string replica_url = strata::test::pg_env_url_or_skip("STRATA_PG_REPLICA_URL");
        const std::string fresh_url = strata::test::pg_env_url_or_skip("STRATA_PG_URL_2");
        if (replica_url.empty() || fresh_url.empty()) return;
        legacy_schema.emplace(legacy_url);
        fresh_schema.emplace(fresh_url);
        for (auto* s : {&*legacy_schema, &*fresh_schema})
            s->exec("CREATE TABLE " + s->name() + ".messages (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
        legacy.emplace(open(legacy_schema->url(), "legacy"));
        fresh.emplace(open(fresh_schema->url(), "new"));
        replica.emplace(open(pg_url_with(replica_url, "options", "-csearch_path=" + legacy_schema->name()), "replica"));
    }
    void TearDown() override {
        for (auto* p : {&legacy, &replica, &fresh})
            if (*p) (*p)->db.close();
    }
    split::topology boot() {
        auto t = split::topology::boot(
            split::config{.enabled = true,
                          .ids = split::id_shape::text,
                          .legacy = {legacy->db, split::role::primary, "legacy"},
                          .legacy_replica = split::store{replica->db, split::role::read_replica, "legacy-replica"},
                          .fresh = split::store{fresh->db, split::role::primary, "messages"}});
        for (auto* p : {&*legacy, &*replica, &*fresh}) p->probe->reset();
        return t;
    }

    std::optional<strata::test::pg_schema> legacy_schema, fresh_schema;
    std::optional<probed> legacy, replica, fresh;
    split::text_ids ids;
};

}  // namespace

TEST_F(PgSplitReadMany, ReadsThroughInGroupsKeepingTheCallersOrder) {
    const std::string a = ids.mint("msg"), b = ids.mint("msg"), missing_new = ids.mint("msg"), stray = ids.mint("msg");
    fresh_schema->exec("INSERT INTO " + fresh_schema->name() + ".messages VALUES ('" + a + "', 'new a'), ('" + b +
                       "', 'new b'), ('" + legacy_id(2) + "', 'moved 2')");
    legacy_schema->exec("INSERT INTO " + legacy_schema->name() + ".messages SELECT 'c' || lpad(i::text, 24, '0'), "
                        "'legacy ' || i FROM generate_series(0, 4) AS i");
    legacy_schema->exec("INSERT INTO " + legacy_schema->name() + ".messages VALUES ('" + stray + "', 'stray')");
    auto t = boot();
    const std::vector<std::string> wanted{legacy_id(4), b, legacy_id(99), legacy_id(2), stray, a,
                                          legacy_id(0), missing_new, legacy_id(4), legacy_id(1)};
    const auto rows = t.read_many_by_id(
        wanted, messages_in, {.consistency = split::read_consistency::primary_required, .max_group = 3});
    std::vector<std::string> got;
    for (const auto& r : rows)
        got.push_back(std::string(split::to_string(r.from)) + ":" + r.value.get<std::string>("body"));
    EXPECT_EQ(got, (std::vector<std::string>{"legacy:legacy 4", "new:new b", "new:moved 2", "new:new a",
                                             "legacy:legacy 0", "legacy:legacy 4", "legacy:legacy 1"}));
    EXPECT_EQ(fresh->probe->count(), 3);   // 8 distinct ids in groups of 3
    EXPECT_EQ(legacy->probe->count(), 2);  // the 4 legacy-shaped ids the new store did not have
    EXPECT_EQ(replica->probe->count(), 0);
}

TEST_F(PgSplitReadMany, GroupsStayWithinTheParameterLimit) {
    const std::size_t limit = fresh->db.caps().limits.max_parameters;
    ASSERT_EQ(limit, 65535u);
    const long n = static_cast<long>(limit) + 5;
    legacy_schema->exec("INSERT INTO " + legacy_schema->name() + ".messages SELECT 'c' || lpad(i::text, 24, '0'), "
                        "'legacy ' || i FROM generate_series(0, " + std::to_string(n - 1) + ") AS i");
    auto t = boot();
    std::vector<std::string> wanted;
    for (long i = n - 1; i >= 0; --i) wanted.push_back(legacy_id(i));  // reversed: order is the caller's
    const auto rows =
        t.read_many_by_id(wanted, messages_in, {.consistency = split::read_consistency::primary_required});
    ASSERT_EQ(rows.size(), wanted.size());
    for (std::size_t i = 0; i < rows.size(); i += 997)
        EXPECT_EQ(rows[i].value.get<std::string>("id"), wanted[i]) << i;
    EXPECT_EQ(rows.back().value.get<std::string>("id"), wanted.back());
    EXPECT_EQ(fresh->probe->count(), 2);  // 65,535 ids, then 5
    EXPECT_EQ(legacy->probe->count(), 2);
}
