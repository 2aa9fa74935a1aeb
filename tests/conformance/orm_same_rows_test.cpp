// The same ORM queries on SQLite and on PostgreSQL, side by side in one test: the same
// rows written through the same collections come back identical — typed rows, included
// relations, keyset pages and projections. Needs STRATA_PG_URL (scripts/pg run).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "../support/pg_database.hpp"
#include "orm_fixture.hpp"
#include "strata/postgres.hpp"
#include "strata/sqlite.hpp"

namespace strata::test {
namespace {

using namespace orm_schema;

// Every read form of the ORM suites, on one database.
auto read_everything(const runtime& db) {
    const orm::collection<authors> people(db);
    const orm::collection<posts> all_posts(db);
    const auto by_time = all_posts.keyset(orm::descending, posts::created_at, posts::id).take(2);
    const auto first_page = by_time.page();
    return std::make_tuple(
        people.all(),
        people.include<posts>([](auto c) { return c.order_by(desc(posts::likes)).template include<comments>(); })
            .include<reviews, reviews::reviewer_id>()
            .all(),
        all_posts.include<authors>().where(posts::likes >= 20).order_by(asc(posts::created_at), desc(posts::id)).all(),
        all_posts.select(posts::title, posts::created_at).skip(1).take(3).all(), first_page.rows, first_page.next,
        by_time.after(*first_page.next).page().rows, people.where(is_null(authors::bio)).count());
}

class orm_same_rows : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string url = pg_url_or_skip();
        if (url.empty()) return;
        schema_ = std::make_unique<pg_schema>(url);
        sqlite_.emplace(instantiate(sqlite::make_stack()));
        sqlite_->connect(sqlite::memory{});
        postgres_.emplace(instantiate(postgres::make_stack()));
        postgres_->connect(postgres::url{schema_->url()});
        for (const runtime* db : {&*sqlite_, &*postgres_}) {
            migrate_orm_schema(*db);
            seed_orm_rows(*db);
        }
    }
    void TearDown() override {
        if (postgres_) postgres_->close();
        if (sqlite_) sqlite_->close();
    }

    std::unique_ptr<pg_schema> schema_;
    std::optional<runtime> sqlite_;
    std::optional<runtime> postgres_;
};

TEST_F(orm_same_rows, every_read_form_returns_the_same_rows_on_sqlite_and_postgres) {
    const auto on_sqlite = read_everything(*sqlite_);
    const auto on_postgres = read_everything(*postgres_);
    EXPECT_TRUE(std::get<0>(on_sqlite) == std::get<0>(on_postgres)) << "all()";
    EXPECT_TRUE(std::get<1>(on_sqlite) == std::get<1>(on_postgres)) << "nested includes";
    EXPECT_TRUE(std::get<2>(on_sqlite) == std::get<2>(on_postgres)) << "many-to-one include, where, order_by";
    EXPECT_TRUE(std::get<3>(on_sqlite) == std::get<3>(on_postgres)) << "select, skip, take";
    EXPECT_TRUE(std::get<4>(on_sqlite) == std::get<4>(on_postgres)) << "keyset page";
    EXPECT_TRUE(std::get<5>(on_sqlite) == std::get<5>(on_postgres)) << "keyset cursor";
    EXPECT_TRUE(std::get<6>(on_sqlite) == std::get<6>(on_postgres)) << "page after the cursor";
    EXPECT_EQ(std::get<7>(on_sqlite), std::get<7>(on_postgres));
    EXPECT_EQ(std::get<0>(on_sqlite).size(), 3U);  // not two empty results
    EXPECT_EQ(std::get<3>(on_sqlite).size(), 3U);
}

TEST_F(orm_same_rows, the_same_writes_return_the_same_rows_on_sqlite_and_postgres) {
    const auto write_everything = [](const runtime& db) {
        const orm::collection<posts> all_posts(db);
        auto bumped = all_posts.where(posts::author_id == 1).update({set(posts::likes, posts::likes * 2)});
        std::sort(bumped.begin(), bumped.end());
        const author upserted = orm::collection<authors>(db).upsert(
            std::tie(authors::name), {set(authors::id, 9), set(authors::name, "bob"), set(authors::bio, "new")},
            {set(authors::bio, excluded(authors::bio))});
        const auto nested = orm::collection<authors>(db).create_nested(
            {set(authors::id, 4), set(authors::name, "dee")},
            orm::children<posts>({{set(posts::id, 6), set(posts::title, "p6"), set(posts::created_at, orm_time(9))}}));
        auto removed = orm::collection<comments>(db).where(comments::post_id == 1).remove();
        std::sort(removed.begin(), removed.end());
        return std::make_tuple(bumped, upserted, nested, removed);
    };
    const auto on_sqlite = write_everything(*sqlite_);
    const auto on_postgres = write_everything(*postgres_);
    EXPECT_TRUE(on_sqlite == on_postgres);
    EXPECT_EQ(std::get<0>(on_sqlite).size(), 3U);
    EXPECT_EQ(std::get<1>(on_sqlite), (author{2, "bob", "new"}));
}

}  // namespace
}  // namespace strata::test
