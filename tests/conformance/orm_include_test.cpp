// ORM collections, include: related rows by declared foreign keys, one-to-many and
// many-to-one, nested and refined — one statement for the parents and one per relation
// (per 1000 parents), never one per parent. Telemetry counts the statements.
#include <gtest/gtest.h>

#include "orm_fixture.hpp"

namespace strata::test {
namespace {

using namespace orm_schema;
using post_row = orm::record_t<posts>;

class orm_include : public orm_suite {
protected:
    std::uint64_t executions() const { return telemetry_->totals().executions; }
    static std::vector<std::int64_t> ids(const std::vector<post_row>& rows) {
        std::vector<std::int64_t> out;
        for (const post_row& r : rows) out.push_back(std::get<0>(r));
        return out;
    }
};

TEST_P(orm_include, one_to_many_in_two_statements) {
    seed();
    const std::uint64_t before = executions();
    const auto people = orm::collection<authors>(db()).include<posts>().all();
    EXPECT_EQ(executions() - before, 2U);  // authors, then posts WHERE author_id IN (1, 2, 3)
    ASSERT_EQ(people.size(), 3U);
    EXPECT_EQ(people[0].row.name, "ann");
    EXPECT_EQ(ids(people[0].get<posts>()), (std::vector<std::int64_t>{1, 2, 4}));
    EXPECT_EQ(ids(people[1].get<posts>()), (std::vector<std::int64_t>{3, 5}));
    EXPECT_TRUE(people[2].get<posts>().empty());
    const auto entries = log_->entries();
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_NE(entries[1].sql.find(" IN ("), std::string::npos) << entries[1].sql;
}

TEST_P(orm_include, many_to_one_in_two_statements_whatever_the_number_of_parents) {
    seed();
    const std::uint64_t before = executions();
    const auto all_posts = orm::collection<posts>(db()).include<authors>().all();
    EXPECT_EQ(executions() - before, 2U);
    ASSERT_EQ(all_posts.size(), 5U);
    std::vector<std::string> names;
    for (const auto& p : all_posts) {
        const std::optional<author>& a = p.get<authors>();
        ASSERT_TRUE(a.has_value());
        EXPECT_EQ(a->id, std::get<1>(p.row));
        names.push_back(a->name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"ann", "ann", "bob", "ann", "bob"}));
}

TEST_P(orm_include, nested_and_refined_includes_cost_one_statement_per_relation) {
    seed();
    const std::uint64_t before = executions();
    const auto people =
        orm::collection<authors>(db())
            .where(authors::id <= 2)
            .include<posts>([](auto c) {
                return c.where(posts::likes >= 20).order_by(desc(posts::likes)).template include<comments>();
            })
            .include<reviews, reviews::author_id>()
            .all();
    EXPECT_EQ(executions() - before, 4U);  // authors, posts, comments, reviews
    ASSERT_EQ(people.size(), 2U);
    const auto& ann_posts = people[0].get<posts>();
    ASSERT_EQ(ann_posts.size(), 2U);  // posts 4 and 2 (post 1 has 10 likes)
    EXPECT_EQ(std::get<0>(ann_posts[0].row), 4);
    EXPECT_EQ(std::get<0>(ann_posts[1].row), 2);
    EXPECT_TRUE(ann_posts[0].get<comments>().empty());
    const auto& bob_posts = people[1].get<posts>();
    ASSERT_EQ(bob_posts.size(), 2U);  // posts 5 and 3
    EXPECT_EQ(std::get<0>(bob_posts[1].row), 3);
    ASSERT_EQ(bob_posts[1].get<comments>().size(), 1U);
    EXPECT_EQ(std::get<2>(bob_posts[1].get<comments>()[0]), "c3");
    EXPECT_EQ(people[0].get<reviews>().size(), 2U);
    EXPECT_EQ(people[1].get<reviews>().size(), 1U);
}

TEST_P(orm_include, a_named_foreign_key_picks_one_of_several_and_a_null_key_relates_nothing) {
    seed();
    // reviews has two foreign keys to authors: the reviews each author wrote as reviewer
    const auto people = orm::collection<authors>(db()).include<reviews, reviews::reviewer_id>().all();
    ASSERT_EQ(people.size(), 3U);
    EXPECT_EQ(people[0].get<reviews>().size(), 1U);  // ann reviewed bob
    EXPECT_EQ(people[1].get<reviews>().size(), 1U);  // bob reviewed ann
    EXPECT_TRUE(people[2].get<reviews>().empty());
    // many-to-one through the nullable key: review 2 has no reviewer
    const auto by = orm::collection<reviews>(db()).include<authors, reviews::reviewer_id>().all();
    ASSERT_EQ(by.size(), 3U);
    EXPECT_EQ(by[0].get<authors>()->name, "bob");
    EXPECT_FALSE(by[1].get<authors>().has_value());
    EXPECT_EQ(by[2].get<authors>()->name, "ann");
}

TEST_P(orm_include, a_projection_need_not_contain_the_key_the_include_follows) {
    seed();
    const auto titles = orm::collection<posts>(db())
                            .select(posts::title)
                            .where(posts::id >= 4)
                            .include<authors>([](auto c) { return c.select(authors::name); })
                            .all();
    ASSERT_EQ(titles.size(), 2U);
    EXPECT_EQ(titles[0].row, std::make_tuple(std::string("p4")));
    EXPECT_EQ(titles[0].get<authors>(), std::make_tuple(std::string("ann")));
    EXPECT_EQ(titles[1].get<authors>(), std::make_tuple(std::string("bob")));
}

TEST_P(orm_include, no_parents_means_no_query_for_the_relation) {
    seed();
    const std::uint64_t before = executions();
    EXPECT_TRUE(orm::collection<authors>(db()).where(authors::id > 100).include<posts>().all().empty());
    EXPECT_EQ(executions() - before, 1U);
}

TEST_P(orm_include, keyset_pages_with_includes) {
    seed();
    const auto newest =
        orm::collection<posts>(db()).keyset(orm::descending, posts::created_at, posts::id).take(2).include<authors>();
    const auto first = newest.page();
    ASSERT_EQ(first.rows.size(), 2U);
    EXPECT_EQ(std::get<0>(first.rows[0].row), 5);
    EXPECT_EQ(first.rows[0].get<authors>()->name, "bob");
    ASSERT_TRUE(first.next.has_value());
    const auto second = newest.after(*first.next).page();
    EXPECT_EQ(std::get<0>(second.rows[0].row), 3);
    EXPECT_EQ(second.rows[1].get<authors>()->name, "ann");
}

TEST_P(orm_include, a_thousand_and_more_parents_are_read_in_chunks_of_keys) {
    std::vector<orm::data<authors>> many;
    for (int i = 1; i <= 1005; ++i) many.push_back({set(authors::id, i), set(authors::name, "a" + std::to_string(i))});
    const orm::collection<authors> people(db());
    EXPECT_EQ(people.create_many(many).size(), 1005U);
    (void)orm::collection<posts>(db()).create_many(
        {{set(posts::id, 1), set(posts::author_id, 7), set(posts::title, "x"), set(posts::created_at, at(1))},
         {set(posts::id, 2), set(posts::author_id, 1003), set(posts::title, "y"), set(posts::created_at, at(2))}});
    const std::uint64_t before = executions();
    const auto all = people.include<posts>().all();
    EXPECT_EQ(executions() - before, 3U);  // authors, then posts for keys 1-1000 and 1001-1005
    ASSERT_EQ(all.size(), 1005U);
    EXPECT_EQ(ids(all[6].get<posts>()), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(ids(all[1002].get<posts>()), (std::vector<std::int64_t>{2}));
    EXPECT_TRUE(all[1004].get<posts>().empty());
}

TEST_P(orm_include, take_or_skip_on_related_rows_is_refused) {
    seed();
    const orm::collection<authors> people(db());
    EXPECT_STRATA_ERROR(people.include<posts>([](auto c) { return c.take(1); }), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_STRATA_ERROR(people.include<posts>([](auto c) { return c.skip(1); }), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_EQ(statements(), 0U);
}

STRATA_CONFORMANCE_SUITE(orm_include);

}  // namespace
}  // namespace strata::test
