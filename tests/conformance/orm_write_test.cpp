// ORM collections, writing: create / create_many / update / upsert / remove return the
// written rows, typed (RETURNING); bad inputs fail with RUNTIME.INVALID_ARGUMENT before
// any statement runs; database refusals keep their codes.
#include <gtest/gtest.h>

#include <algorithm>

#include "orm_fixture.hpp"

namespace strata::test {
namespace {

using namespace orm_schema;
using post_row = orm::record_t<posts>;

class orm_write : public orm_suite {};

TEST_P(orm_write, create_returns_the_row_with_its_defaults) {
    const orm::collection<authors> people(db());
    EXPECT_EQ(people.create({set(authors::id, 1), set(authors::name, "ann")}), (author{1, "ann", std::nullopt}));
    const post_row p = orm::collection<posts>(db()).create(orm::data<posts>{}
                                                               .set(posts::id, 9)
                                                               .set(posts::author_id, 1)
                                                               .set(posts::title, "hi")
                                                               .set(posts::created_at, at(3)));
    EXPECT_EQ(p, post_row(9, 1, "hi", 0, at(3)));  // likes: the column's default
    // a projected collection returns its projection
    const auto made =
        orm::collection<authors>(db()).select(authors::name).create({set(authors::id, 2), set(authors::name, "bob")});
    EXPECT_EQ(made, std::make_tuple(std::string("bob")));
    EXPECT_EQ(count("authors"), 2);
}

TEST_P(orm_write, create_many_is_one_statement_and_returns_every_row) {
    const orm::collection<authors> people(db());
    auto made = people.create_many({{set(authors::id, 2), set(authors::name, "bob")},
                                    {set(authors::name, "ann"), set(authors::id, 1)},  // any column order
                                    {set(authors::id, 3), set(authors::name, "cy")}});
    EXPECT_EQ(statements(), 1U);
    std::sort(made.begin(), made.end(), [](const author& a, const author& b) { return a.id < b.id; });
    EXPECT_EQ(made, (std::vector<author>{{1, "ann", std::nullopt}, {2, "bob", std::nullopt}, {3, "cy", std::nullopt}}));
    EXPECT_EQ(people.all(), made);
}

TEST_P(orm_write, update_returns_the_rows_it_changed) {
    seed();
    const orm::collection<posts> all_posts(db());
    auto bumped = all_posts.where(posts::author_id == 2).update({set(posts::likes, posts::likes + 1)});
    std::sort(bumped.begin(), bumped.end());
    ASSERT_EQ(bumped.size(), 2U);
    EXPECT_EQ(std::get<3>(bumped[0]), 31);
    EXPECT_EQ(std::get<3>(bumped[1]), 51);
    EXPECT_TRUE(all_posts.where(posts::id == 99).update({set(posts::title, "none")}).empty());
    const auto titles = all_posts.select(posts::title).update_all({set(posts::title, "same")});
    EXPECT_EQ(titles.size(), 5U);
    EXPECT_EQ(all_posts.where(posts::title == "same").count(), 5);
}

TEST_P(orm_write, update_and_remove_without_where_are_refused) {
    seed();
    const orm::collection<posts> all_posts(db());
    EXPECT_STRATA_ERROR(all_posts.update({set(posts::likes, 0)}), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_STRATA_ERROR(all_posts.remove(), "RUNTIME.INVALID_ARGUMENT");
    // take/skip/after choose rows to read; a write would ignore them, so it refuses
    EXPECT_STRATA_ERROR(all_posts.where(posts::id > 0).take(1).remove(), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_STRATA_ERROR(all_posts.keyset(posts::created_at, posts::id)
                            .after({at(1), 1})
                            .where(posts::id > 0)
                            .update({set(posts::likes, 0)}),
                        "RUNTIME.INVALID_ARGUMENT");
    EXPECT_EQ(statements(), 0U);
    EXPECT_EQ(all_posts.where(posts::likes == 0).count(), 0);
}

TEST_P(orm_write, upsert_inserts_then_updates_and_returns_the_row) {
    const orm::collection<authors> people(db());
    const auto upsert = [&](std::string bio) {
        return people.upsert(std::tie(authors::id),
                             {set(authors::id, 1), set(authors::name, "ann"), set(authors::bio, bio)},
                             {set(authors::bio, excluded(authors::bio))});
    };
    EXPECT_EQ(upsert("first"), (author{1, "ann", "first"}));
    EXPECT_EQ(upsert("second"), (author{1, "ann", "second"}));
    EXPECT_EQ(people.count(), 1);
    // the conflict target may be any unique column
    const author renamed = people.upsert(std::tie(authors::name), {set(authors::id, 5), set(authors::name, "ann")},
                                         {set(authors::bio, "by name")});
    EXPECT_EQ(renamed, (author{1, "ann", "by name"}));
    EXPECT_STRATA_ERROR(people.upsert(std::tie(authors::id), {set(authors::id, 1), set(authors::name, "x")}, {}),
                        "RUNTIME.INVALID_ARGUMENT");
}

TEST_P(orm_write, remove_returns_the_removed_rows) {
    seed();
    const orm::collection<comments> all_comments(db());
    auto gone = all_comments.where(comments::post_id == 1).select(comments::id).remove();
    std::sort(gone.begin(), gone.end());
    EXPECT_EQ(gone, (std::vector<std::tuple<std::int64_t>>{{1}, {2}}));
    EXPECT_EQ(all_comments.count(), 1);
    EXPECT_EQ(all_comments.remove_all().size(), 1U);
    EXPECT_EQ(all_comments.count(), 0);
}

TEST_P(orm_write, bad_data_fails_with_a_code_before_anything_runs) {
    const orm::collection<authors> people(db());
    const auto invalid = [&](auto fn, std::string_view operation) {
        const auto e = catch_error(fn);
        ASSERT_TRUE(e.has_value()) << operation;
        EXPECT_EQ(e->code(), "RUNTIME.INVALID_ARGUMENT") << operation;
        EXPECT_EQ(e->details().at("operation"), operation);
    };
    invalid([&] { (void)people.create_many({}); }, "create_many");
    invalid([&] { (void)people.create({}); }, "create");
    invalid(
        [&] {
            (void)people.create({set(authors::id, 1), set(authors::id, 2), set(authors::name, "x")});
        },
        "create");
    invalid(
        [&] {
            (void)people.create_many({{set(authors::id, 1), set(authors::name, "a")}, {set(authors::id, 2)}});
        },
        "create_many");
    invalid(
        [&] {
            (void)people.create_many(
                {{set(authors::id, 1), set(authors::name, "a")}, {set(authors::id, 2), set(authors::bio, "b")}});
        },
        "create_many");
    // a new row's values are values, not other columns
    invalid([&] { (void)people.create({set(authors::id, 1), set(authors::name, authors::name)}); }, "create");
    invalid([&] { (void)people.where(authors::id == 1).update({}); }, "update");
    EXPECT_EQ(statements(), 0U);
}

TEST_P(orm_write, database_refusals_keep_their_codes_and_values_stay_bound) {
    const orm::collection<authors> people(db());
    (void)people.create({set(authors::id, 1), set(authors::name, "ann")});
    const auto e = catch_error([&] { (void)people.create({set(authors::id, 2), set(authors::name, "ann")}); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code(), "QUERY.CONSTRAINT_VIOLATION");
    ASSERT_TRUE(e->sql().has_value());
    EXPECT_EQ(e->sql()->sqlstate, "23505");
    const std::string hostile = "x'); DROP TABLE authors; --";
    EXPECT_EQ(people.create({set(authors::id, 3), set(authors::name, hostile)}).name, hostile);
    EXPECT_EQ(people.count(), 2);
}

STRATA_CONFORMANCE_SUITE(orm_write);

}  // namespace
}  // namespace strata::test
