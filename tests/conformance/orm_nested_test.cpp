// ORM collections, atomicity and transactions: a nested create (a parent with its
// children) lands whole or not at all — a failing child leaves nothing behind — and
// inside db.transaction the same collections run on the transaction's connection.
#include <gtest/gtest.h>

#include "orm_fixture.hpp"

namespace strata::test {
namespace {

using namespace orm_schema;
using post_row = orm::record_t<posts>;

class orm_nested : public orm_suite {
protected:
    static orm::data<posts> post(int id, std::string title) {
        return {set(posts::id, id), set(posts::title, std::move(title)), set(posts::created_at, at(id))};
    }
};

TEST_P(orm_nested, a_parent_and_its_children_are_created_together) {
    const orm::collection<authors> people(db());
    const auto [ann, her_posts, her_reviews] = people.create_nested(
        {set(authors::id, 1), set(authors::name, "ann")}, orm::children<posts>({post(10, "first"), post(11, "second")}),
        orm::children<reviews, reviews::author_id>({{set(reviews::id, 1), set(reviews::stars, 5)}}));
    EXPECT_EQ(ann, (author{1, "ann", std::nullopt}));
    ASSERT_EQ(her_posts.size(), 2U);
    EXPECT_EQ(std::get<1>(her_posts[0]), 1);  // the foreign key came from the parent
    EXPECT_EQ(std::get<1>(her_posts[1]), 1);
    ASSERT_EQ(her_reviews.size(), 1U);
    EXPECT_EQ(std::get<1>(her_reviews[0]), 1);
    const auto read = people.include<posts>().all();
    ASSERT_EQ(read.size(), 1U);
    EXPECT_EQ(read[0].get<posts>().size(), 2U);
    // no children is fine: only the parent is written
    const auto [bob, none] =
        people.create_nested({set(authors::id, 2), set(authors::name, "bob")}, orm::children<posts>({}));
    EXPECT_EQ(bob.name, "bob");
    EXPECT_TRUE(none.empty());
}

TEST_P(orm_nested, a_failing_child_leaves_nothing_behind) {
    const orm::collection<authors> people(db());
    // the second child repeats the first one's primary key: the database refuses it
    const auto e = catch_error([&] {
        (void)people.create_nested({set(authors::id, 1), set(authors::name, "ann")},
                                   orm::children<posts>({post(10, "first"), post(10, "again")}));
    });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code(), "QUERY.CONSTRAINT_VIOLATION");
    EXPECT_EQ(count("authors"), 0);
    EXPECT_EQ(count("posts"), 0);
    // a failure in the second relation undoes the parent and the first relation too
    const auto later = catch_error([&] {
        (void)people.create_nested({set(authors::id, 1), set(authors::name, "ann")},
                                   orm::children<posts>({post(10, "first")}),
                                   orm::children<reviews, reviews::author_id>(
                                       {{set(reviews::id, 1), set(reviews::stars, 5), set(reviews::reviewer_id, 42)}}));
    });
    ASSERT_TRUE(later.has_value());
    EXPECT_EQ(later->code(), "QUERY.CONSTRAINT_VIOLATION");  // reviewer 42 does not exist (23503)
    EXPECT_EQ(count("authors"), 0);
    EXPECT_EQ(count("posts"), 0);
    EXPECT_EQ(count("reviews"), 0);
}

TEST_P(orm_nested, a_child_setting_the_foreign_key_is_refused_before_anything_runs) {
    const orm::collection<authors> people(db());
    EXPECT_STRATA_ERROR(
        people.create_nested({set(authors::id, 1), set(authors::name, "ann")},
                             orm::children<posts>({{set(posts::id, 1), set(posts::author_id, 1), set(posts::title, "x"),
                                                    set(posts::created_at, at(1))}})),
        "RUNTIME.INVALID_ARGUMENT");
    EXPECT_EQ(statements(), 0U);
}

TEST_P(orm_nested, inside_a_transaction_collections_run_on_its_connection) {
    seed();
    const auto with_posts = orm::collection<authors>(db()).where(authors::id >= 3).include<posts>();
    log_->clear();
    const auto seen = db().transaction([&](tx& t) {
        const orm::collection<authors> people(t);
        (void)people.create({set(authors::id, 4), set(authors::name, "dee")});
        (void)orm::collection<posts>(t).create(post(6, "dee's").set(posts::author_id, 4));
        return with_posts.on(t).all();  // the uncommitted rows are visible: the same connection
    });
    ASSERT_EQ(seen.size(), 2U);  // cy and dee
    EXPECT_EQ(seen[1].row.name, "dee");
    ASSERT_EQ(seen[1].get<posts>().size(), 1U);
    EXPECT_EQ(std::get<2>(seen[1].get<posts>()[0]), "dee's");
    const auto entries = log_->entries();
    EXPECT_EQ(entries.size(), 4U);
    for (const auto& entry : entries) EXPECT_EQ(entry.scope, execution_scope::transaction) << entry.sql;
    EXPECT_EQ(with_posts.all().size(), 2U);  // committed
}

TEST_P(orm_nested, a_throw_inside_the_transaction_undoes_what_the_collections_wrote) {
    const orm::collection<authors> people(db());
    EXPECT_THROW(db().transaction([&](tx& t) {
        (void)people.on(t).create({set(authors::id, 1), set(authors::name, "ann")});
        EXPECT_EQ(people.on(t).count(), 1);
        throw std::runtime_error("changed my mind");
    }),
                 std::runtime_error);
    EXPECT_EQ(people.count(), 0);
}

TEST_P(orm_nested, a_nested_create_inside_a_transaction_is_a_savepoint) {
    const orm::collection<authors> people(db());
    db().transaction([&](tx& t) {
        const auto in_tx = people.on(t);
        (void)in_tx.create({set(authors::id, 1), set(authors::name, "ann")});
        const auto e = catch_error([&] {
            (void)in_tx.create_nested({set(authors::id, 2), set(authors::name, "bob")},
                                      orm::children<posts>({post(10, "a"), post(10, "b")}));
        });
        ASSERT_TRUE(e.has_value());
        EXPECT_EQ(e->code(), "QUERY.CONSTRAINT_VIOLATION");
        // the transaction goes on: only the nested create was undone
        (void)in_tx.create({set(authors::id, 3), set(authors::name, "cy")});
    });
    EXPECT_EQ(people.select(authors::name).all(), (std::vector<std::tuple<std::string>>{{"ann"}, {"cy"}}));
    EXPECT_EQ(count("posts"), 0);
}

STRATA_CONFORMANCE_SUITE(orm_nested);

}  // namespace
}  // namespace strata::test
