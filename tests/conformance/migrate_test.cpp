// The contract applied by migrate() and checked by verify(), on every driver.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "builder_schema.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

using namespace schema;

// The same tables as builder_schema.hpp, one day later: authors gained a column.
struct authors_v2 {
    static constexpr std::string_view table_name = "authors";
    static constexpr column<authors_v2, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<authors_v2, std::string> name{"name", {.unique = true}};
    static constexpr column<authors_v2, std::optional<std::string>> bio{"bio"};
    static constexpr column<authors_v2, std::optional<std::string>> website{"website"};
    static constexpr auto columns = std::tuple{id, name, bio, website};
};

struct likes {
    static constexpr std::string_view table_name = "likes";
    static constexpr column<likes, std::int64_t> post_id{"post_id", {.references = {"posts", "id", "CASCADE"}}};
    static constexpr column<likes, std::int64_t> author_id{"author_id", {.references = {"authors", "id"}}};
    static constexpr column<likes, bool> super{"super", {.default_sql = "FALSE"}};
    static constexpr auto columns = std::tuple{post_id, author_id, super};
    static constexpr std::array constraints = {unique_declaration{{"post_id", "author_id"}, true}};
    static constexpr std::array indexes = {index_declaration{"likes_by_author", {"author_id"}},
                                           index_declaration{"likes_super", {"post_id"}, false, "super"}};
};

class migrations : public conformance {};

TEST_P(migrations, migrate_applies_the_schema_once_and_verify_matches) {
    const contract c = make_contract<authors, posts, likes>();
    EXPECT_EQ(verify(db(), c).status, verify_status::missing);
    const migrate_result first = migrate(db(), c);
    EXPECT_EQ(first.outcome, migrate_outcome::applied);
    EXPECT_GE(first.statements.size(), 5u);  // 3 tables, 2 indexes, the marker
    EXPECT_EQ(migrate(db(), c).outcome, migrate_outcome::up_to_date);
    const verify_result v = verify(db(), c);
    EXPECT_EQ(v.status, verify_status::match);
    EXPECT_EQ(v.database_hash, c.hash());
}

TEST_P(migrations, the_migrated_schema_serves_the_builder_and_enforces_its_constraints) {
    migrate(db(), make_contract<authors, posts, likes>());
    db().execute(insert_into<authors>(authors::id, authors::name).values(1, "ann").plan()).drain();
    db().execute(insert_into<posts>(posts::id, posts::author_id, posts::title, posts::likes, posts::created_at)
                     .values(1, 1, "hello", 0, std::chrono::sys_time<std::chrono::microseconds>{})
                     .plan())
        .drain();
    db().execute(insert_into<likes>(likes::post_id, likes::author_id).values(1, 1).plan()).drain();
    EXPECT_EQ(db().execute(from<likes>().select(likes::super).plan()).one_as<bool>(), false);  // the default
    auto e = catch_error([&] { db().execute(insert_into<likes>(likes::post_id, likes::author_id).values(1, 1).plan()).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "23505");  // the composite primary key
    e = catch_error([&] { db().execute(insert_into<likes>(likes::post_id, likes::author_id).values(1, 9).plan()).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "23503");  // the foreign key
    e = catch_error([&] { db().execute(insert_into<authors>(authors::id, authors::name).values(2, "ann").plan()).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "23505");  // the unique column
}

TEST_P(migrations, a_changed_declaration_is_migrated_in_place) {
    migrate(db(), make_contract<authors, posts>());
    const contract changed = make_contract<authors_v2, posts>();
    const verify_result v = verify(db(), changed);
    EXPECT_EQ(v.status, verify_status::mismatch);
    ASSERT_EQ(v.differences.size(), 1u);
    EXPECT_EQ(v.differences[0], "column authors.website: declared, missing from the database");
    const migrate_result r = migrate(db(), changed);
    EXPECT_EQ(r.outcome, migrate_outcome::applied);
    ASSERT_EQ(r.statements.size(), 1u);
    EXPECT_NE(r.statements[0].find("ADD COLUMN \"website\""), std::string::npos) << r.statements[0];
    db().execute(sql("SELECT website FROM authors")).drain();
    EXPECT_EQ(verify(db(), changed).status, verify_status::match);
}

TEST_P(migrations, tables_without_a_marker_are_not_taken_over) {
    exec("CREATE TABLE authors(id " + types().integer + " PRIMARY KEY)");
    EXPECT_STRATA_ERROR(migrate(db(), make_contract<authors, posts>()), "CONTRACT.UNMANAGED");
    EXPECT_STRATA_ERROR(db().execute(sql("SELECT 1 FROM posts")).drain(), "QUERY.FAILED");  // nothing created
}

TEST_P(migrations, the_runtime_checks_the_marker_once_before_its_first_statement) {
    struct statements final : middleware {
        std::string_view name() const noexcept override { return "statements"; }
        void before_execute(const execution_context& ctx) override {
            seen.emplace_back(std::string(to_string(ctx.scope)) + ": " + std::string(ctx.sql));
        }
        std::vector<std::string> seen;
    };
    auto rec = std::make_shared<statements>();
    runtime& rt = connect({rec});
    migrate(rt, make_contract<authors, posts>());

    rt.verify_contract_on_first_use(make_contract<authors_v2, posts>(), contract_check::strict);
    int runs = 0;
    auto e = catch_error([&] { rt.transaction([&](tx&) { ++runs; }); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "CONTRACT.MISMATCH");
    EXPECT_EQ(runs, 0);  // refused before BEGIN: fn never ran
    EXPECT_STRATA_ERROR(rt.execute(sql("SELECT 1")), "CONTRACT.MISMATCH");  // and it stays refused

    std::vector<std::string> warnings;
    rt.verify_contract_on_first_use(make_contract<authors_v2, posts>(), contract_check::warn,
                                    [&](const error& w) { warnings.push_back(w.code()); });
    EXPECT_EQ(rt.execute(sql("SELECT 1")).one_as<int>(), 1);
    EXPECT_EQ(rt.execute(sql("SELECT 2")).one_as<int>(), 2);
    EXPECT_EQ(warnings, std::vector<std::string>{"CONTRACT.MISMATCH"});  // once

    rt.verify_contract_on_first_use(make_contract<authors, posts>(), contract_check::strict);
    rec->seen.clear();
    rt.transaction([&](tx& t) { t.execute(sql("SELECT COUNT(*) FROM authors")).drain(); });
    ASSERT_EQ(rec->seen.size(), 2u);
    EXPECT_NE(rec->seen[0].find("runtime: SELECT contract FROM strata_contract"), std::string::npos) << rec->seen[0];
    EXPECT_EQ(rec->seen[1].rfind("transaction: ", 0), 0u) << rec->seen[1];  // the marker read is not inside
}

STRATA_CONFORMANCE_SUITE(migrations);

}  // namespace
}  // namespace strata::test
