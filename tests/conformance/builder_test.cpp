// The typed builder: every form lowers and runs, and returns the same rows on every driver.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "builder_schema.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

using namespace schema;
using namespace std::chrono;

class builder_suite : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;  // no PostgreSQL cluster: the test is already marked
        const sql_types& t = types();
        exec("CREATE TABLE authors(id " + t.integer + " PRIMARY KEY, name " + t.text + " NOT NULL UNIQUE, bio " +
             t.text + ")");
        exec("CREATE TABLE posts(id " + t.integer + " PRIMARY KEY, author_id " + t.integer +
             " NOT NULL REFERENCES authors(id), title " + t.text + " NOT NULL, likes " + t.integer +
             " NOT NULL, created_at " + t.timestamp + " NOT NULL)");
    }
    static sys_time<microseconds> at(int minute) { return sys_days{2026y / January / 1} + minutes{minute}; }
    void seed() {
        db().execute(insert_into<authors>(authors::id, authors::name, authors::bio)
                         .values(1, "ann", "writes")
                         .values(2, "bob", std::optional<std::string>{})
                         .values(3, "cy", "quiet")
                         .plan())
            .drain();
        const auto add_post =
            insert_into<posts>(posts::id, posts::author_id, posts::title, posts::likes, posts::created_at)
                .values(arg<std::int64_t>(0), arg<std::int64_t>(1), arg<std::string>(2), arg<std::int64_t>(3),
                        arg<sys_time<microseconds>>(4))
                .prepare();
        int id = 0;
        for (int author : {1, 1, 1, 2}) {
            ++id;
            db().execute(add_post.bind(id, author, "post " + std::to_string(id), id * 10, at(id))).drain();
        }
    }
};

TEST_P(builder_suite, select_where_order_limit) {
    seed();
    const auto q = from<posts>()
                       .select(posts::id, posts::title)
                       .where(posts::author_id == arg<std::int64_t>(0) && posts::likes >= 20)
                       .order_by(desc(posts::id))
                       .limit(2)
                       .prepare();
    const auto rows = db().execute(q.bind(1)).all_as<decltype(q)::row_type>();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], std::make_tuple(std::int64_t{3}, std::string("post 3")));
    EXPECT_EQ(rows[1], std::make_tuple(std::int64_t{2}, std::string("post 2")));
}

TEST_P(builder_suite, joins_group_by_having_and_aggregates) {
    seed();
    const auto q = from<authors>()
                       .join<posts>(posts::author_id == authors::id)
                       .select(authors::name, named(strata::count(posts::id), "n"), named(sum(posts::likes), "total"))
                       .group_by(authors::name)
                       .having(strata::count(posts::id) > 1)
                       .order_by(asc(authors::name));
    const auto rows = db().execute(q.plan()).all_as<decltype(q)::row_type>();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(std::get<0>(rows[0]), "ann");
    EXPECT_EQ(std::get<1>(rows[0]), 3);
    EXPECT_EQ(std::get<2>(rows[0]), 60);
}

TEST_P(builder_suite, left_joins_decode_missing_rows_as_empty_optionals) {
    seed();
    const auto q = from<authors>()
                       .left_join<posts>(posts::author_id == authors::id)
                       .select(authors::name, posts::title)
                       .where(authors::id == 3);
    using row_t = decltype(q)::row_type;
    static_assert(std::is_same_v<row_t, std::tuple<std::string, std::optional<std::string>>>);
    const auto rows = db().execute(q.plan()).all_as<row_t>();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(std::get<1>(rows[0]), std::nullopt);
}

TEST_P(builder_suite, keyset_pagination_pages_through_everything_once) {
    seed();
    const auto page = from<posts>()
                          .select(posts::created_at, posts::id)
                          .where(keyset_after(posts::created_at, posts::id, arg<sys_time<microseconds>>(0),
                                              arg<std::int64_t>(1)))
                          .order_by(asc(posts::created_at), asc(posts::id))
                          .limit(3)
                          .prepare();
    std::vector<std::int64_t> seen;
    auto cursor = std::make_tuple(sys_time<microseconds>{}, std::int64_t{0});
    for (;;) {
        const auto rows = db().execute(page.bind(std::get<0>(cursor), std::get<1>(cursor))).all_as<decltype(page)::row_type>();
        if (rows.empty()) break;
        for (const auto& r : rows) seen.push_back(std::get<1>(r));
        cursor = rows.back();
    }
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST_P(builder_suite, subqueries_exists_in_and_scalar) {
    seed();
    const auto with_posts = from<authors>()
                                .select(authors::name)
                                .where(exists(from<posts>().correlate<authors>().select(posts::id).where(
                                    posts::author_id == authors::id)))
                                .order_by(asc(authors::name));
    EXPECT_EQ(db().execute(with_posts.plan()).all_as<std::string>(), (std::vector<std::string>{"ann", "bob"}));
    const auto by_ids = from<posts>().select(posts::id).where(in(posts::id, std::vector<int>{2, 4, 9})).order_by(asc(posts::id));
    EXPECT_EQ(db().execute(by_ids.plan()).all_as<std::int64_t>(), (std::vector<std::int64_t>{2, 4}));
    const auto best = from<authors>().select(
        authors::name, named(scalar(from<posts>().correlate<authors>().select(max(posts::likes)).where(
                           posts::author_id == authors::id)),
                       "best")).where(authors::id == 1);
    EXPECT_EQ(std::get<1>(db().execute(best.plan()).one_as<decltype(best)::row_type>()), 30);
}

TEST_P(builder_suite, insert_returning_and_insert_select) {
    seed();
    const auto add = insert_into<authors>(authors::id, authors::name).values(10, "dee").returning(authors::id, authors::name);
    const auto r = db().execute(add.plan()).one_as<decltype(add)::row_type>();
    EXPECT_EQ(r, std::make_tuple(std::int64_t{10}, std::string("dee")));
    // copy every post of bob into posts by dee, chosen when the statement runs
    const auto copy = insert_into<posts>(posts::id, posts::author_id, posts::title, posts::likes, posts::created_at)
                          .from_select(from<posts>()
                                           .select(named(posts::id + 100, "id"), named(10, "author_id"), posts::title,
                                                   posts::likes, posts::created_at)
                                           .where(posts::author_id == 2));
    auto s = db().execute(copy.plan());
    s.drain();
    EXPECT_EQ(s.affected_rows(), 1u);
    EXPECT_EQ(db().execute(from<posts>().select(count_all()).where(posts::author_id == 10).plan()).one_as<int>(), 1);
}

TEST_P(builder_suite, upserts) {
    seed();
    const auto ignore = insert_into<authors>(authors::id, authors::name).values(1, "ann again").on_conflict_do_nothing(authors::id);
    auto s = db().execute(ignore.plan());
    s.drain();
    EXPECT_EQ(s.affected_rows(), 0u);
    const auto rename = insert_into<authors>(authors::id, authors::name)
                            .values(1, "ann b")
                            .on_conflict_do_update(std::tie(authors::id), set(authors::name, excluded(authors::name)))
                            .returning(authors::name);
    EXPECT_EQ(db().execute(rename.plan()).one_as<std::string>(), "ann b");
}

TEST_P(builder_suite, update_and_delete_with_returning) {
    seed();
    const auto bump = update<posts>().set(posts::likes, posts::likes + 1).where(posts::author_id == 1).returning(posts::id);
    EXPECT_EQ(db().execute(bump.plan()).all_as<std::int64_t>().size(), 3u);
    EXPECT_EQ(db().execute(from<posts>().select(sum(posts::likes)).plan()).one_as<std::optional<std::int64_t>>(), 103);
    const auto drop = delete_from<posts>().where(posts::likes > 25).returning(posts::id);
    EXPECT_EQ(db().execute(drop.plan()).all_as<std::int64_t>().size(), 2u);
    EXPECT_EQ(db().execute(from<posts>().select(count_all()).plan()).one_as<int>(), 2);
}

TEST_P(builder_suite, values_are_bound_never_spliced_and_args_are_counted) {
    seed();
    const std::string hostile = "x'); DROP TABLE posts; --";
    db().execute(update<authors>().set(authors::bio, hostile).where(authors::id == 1).plan()).drain();
    EXPECT_EQ(db().execute(from<authors>().select(authors::bio).where(authors::id == 1).plan()).one_as<std::optional<std::string>>(),
              hostile);
    const auto q = from<posts>().select(posts::id).where(posts::id == arg<std::int64_t>(0)).prepare();
    EXPECT_STRATA_ERROR(q.bind(), "PLAN.PARAM_COUNT_MISMATCH");
    EXPECT_STRATA_ERROR(q.bind(1, 2), "PLAN.PARAM_COUNT_MISMATCH");
}

STRATA_CONFORMANCE_SUITE(builder_suite);

}  // namespace
}  // namespace strata::test
