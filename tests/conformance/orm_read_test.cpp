// ORM collections, reading: where / order_by / take / skip / select / keyset cursors,
// typed rows (a struct by column name, or a tuple). Every driver must return exactly the
// rows written here, so SQLite and PostgreSQL return the same rows for the same query.
#include <gtest/gtest.h>

#include "orm_fixture.hpp"

namespace strata::test {
namespace {

using namespace orm_schema;
using post_row = orm::record_t<posts>;
static_assert(std::is_same_v<post_row, std::tuple<std::int64_t, std::int64_t, std::string, std::int64_t, stamp>>);
static_assert(std::is_same_v<orm::record_t<authors>, author>);

class orm_read : public orm_suite {
protected:
    post_row post(int id) const {
        const int author_of[] = {1, 1, 2, 1, 2};
        const int minute_of[] = {1, 2, 2, 4, 5};
        return {id, author_of[id - 1], "p" + std::to_string(id), id * 10, at(minute_of[id - 1])};
    }
    std::vector<std::int64_t> ids(const std::vector<post_row>& rows) const {
        std::vector<std::int64_t> out;
        for (const post_row& r : rows) out.push_back(std::get<0>(r));
        return out;
    }
};

TEST_P(orm_read, every_row_in_primary_key_order_decoded_into_the_tables_struct) {
    seed();
    const std::vector<author> people = orm::collection<authors>(db()).all();
    EXPECT_EQ(people, (std::vector<author>{{1, "ann", "writes"}, {2, "bob", std::nullopt}, {3, "cy", "quiet"}}));
    EXPECT_EQ(statements(), 1U);
}

TEST_P(orm_read, where_order_by_take_and_skip) {
    seed();
    const orm::collection<posts> all_posts(db());
    const auto rows = all_posts.where(posts::likes >= 20).order_by(desc(posts::likes)).skip(1).take(2).all();
    EXPECT_EQ(rows, (std::vector<post_row>{post(4), post(3)}));
    // where() calls are AND-ed; ordering terms are appended
    const auto ann = all_posts.where(posts::author_id == 1)
                         .where(posts::likes < 40)
                         .order_by(desc(posts::created_at), asc(posts::id))
                         .all();
    EXPECT_EQ(ann, (std::vector<post_row>{post(2), post(1)}));
    // without order_by, take/skip page in primary-key order
    EXPECT_EQ(ids(all_posts.skip(3).all()), (std::vector<std::int64_t>{4, 5}));
    EXPECT_EQ(ids(all_posts.take(0).all()), (std::vector<std::int64_t>{}));
}

TEST_P(orm_read, select_projects_rows_to_a_tuple_of_the_columns) {
    seed();
    const auto titles = orm::collection<posts>(db())
                            .select(posts::title, posts::likes)
                            .where(posts::author_id == 1)
                            .order_by(asc(posts::id))
                            .all();
    static_assert(std::is_same_v<decltype(titles), const std::vector<std::tuple<std::string, std::int64_t>>>);
    EXPECT_EQ(titles, (std::vector<std::tuple<std::string, std::int64_t>>{{"p1", 10}, {"p2", 20}, {"p4", 40}}));
    const auto bios = orm::collection<authors>(db()).select(authors::bio).all();
    EXPECT_EQ(bios, (std::vector<std::tuple<std::optional<std::string>>>{{"writes"}, {std::nullopt}, {"quiet"}}));
}

TEST_P(orm_read, first_and_count) {
    seed();
    const orm::collection<authors> people(db());
    EXPECT_EQ(people.where(authors::name == "bob").first(), (author{2, "bob", std::nullopt}));
    EXPECT_EQ(people.where(authors::name == "nobody").first(), std::nullopt);
    EXPECT_EQ(people.order_by(desc(authors::id)).first()->name, "cy");
    EXPECT_EQ(people.count(), 3);
    EXPECT_EQ(people.where(is_not_null(authors::bio)).count(), 2);
    EXPECT_EQ(people.take(1).count(), 3);  // count() ignores take/skip
}

TEST_P(orm_read, keyset_pages_ascending_visit_every_row_once_and_break_ties_on_the_key) {
    seed();
    const auto by_time = orm::collection<posts>(db()).keyset(posts::created_at, posts::id).take(2);
    static_assert(std::is_same_v<decltype(by_time)::key_type, std::tuple<stamp, std::int64_t>>);
    auto page = by_time.page();
    EXPECT_EQ(ids(page.rows), (std::vector<std::int64_t>{1, 2}));
    ASSERT_TRUE(page.next.has_value());
    EXPECT_EQ(*page.next, std::make_tuple(at(2), std::int64_t{2}));
    page = by_time.after(*page.next).page();
    EXPECT_EQ(ids(page.rows), (std::vector<std::int64_t>{3, 4}));  // post 3 shares post 2's created_at
    ASSERT_TRUE(page.next.has_value());
    page = by_time.after(*page.next).page();
    EXPECT_EQ(ids(page.rows), (std::vector<std::int64_t>{5}));
    EXPECT_FALSE(page.next.has_value());  // a short page is the last
    // a cursor written by hand
    EXPECT_EQ(ids(by_time.after({at(2), 2}).all()), (std::vector<std::int64_t>{3, 4}));
}

TEST_P(orm_read, keyset_pages_descending) {
    seed();
    const auto newest = orm::collection<posts>(db()).keyset(orm::descending, posts::created_at, posts::id).take(2);
    std::vector<std::int64_t> seen;
    std::optional<decltype(newest)::key_type> cursor;
    for (int pages = 0; pages < 10; ++pages) {
        const auto page = cursor ? newest.after(*cursor).page() : newest.page();
        for (const post_row& r : page.rows) seen.push_back(std::get<0>(r));
        if (!page.next) break;
        cursor = page.next;
    }
    EXPECT_EQ(seen, (std::vector<std::int64_t>{5, 4, 3, 2, 1}));
}

TEST_P(orm_read, keyset_cursor_comes_back_even_when_the_projection_omits_the_key) {
    seed();
    const auto titles = orm::collection<posts>(db())
                            .where(posts::author_id == 1)
                            .select(posts::title)
                            .keyset(posts::created_at, posts::id)
                            .take(2);
    const auto first = titles.page();
    EXPECT_EQ(first.rows, (std::vector<std::tuple<std::string>>{{"p1"}, {"p2"}}));
    ASSERT_TRUE(first.next.has_value());
    const auto second = titles.after(*first.next).page();
    EXPECT_EQ(second.rows, (std::vector<std::tuple<std::string>>{{"p4"}}));
    EXPECT_FALSE(second.next.has_value());
    EXPECT_EQ(titles.after(*first.next).count(), 1);
}

TEST_P(orm_read, bad_arguments_fail_with_a_code_before_anything_runs) {
    seed();
    const orm::collection<posts> all_posts(db());
    EXPECT_STRATA_ERROR(all_posts.take(-1), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_STRATA_ERROR(all_posts.skip(-5), "RUNTIME.INVALID_ARGUMENT");
    const auto e = catch_error([&] { (void)all_posts.take(-1); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->details().at("operation"), "take");
    EXPECT_EQ(statements(), 0U);
}

TEST_P(orm_read, values_are_bound_and_plans_carry_the_orm_lane) {
    seed();
    const std::string hostile = "p1' OR '1'='1";
    EXPECT_TRUE(orm::collection<posts>(db()).where(posts::title == hostile).all().empty());
    const auto entries = log_->entries();
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].source, lane::orm);
    EXPECT_EQ(entries[0].scope, execution_scope::runtime);
    EXPECT_EQ(entries[0].sql.find("OR '1'"), std::string::npos) << entries[0].sql;
}

STRATA_CONFORMANCE_SUITE(orm_read);

}  // namespace
}  // namespace strata::test
