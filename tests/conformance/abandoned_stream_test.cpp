// A result abandoned part-way never changes what happens to its transaction: after
// first(), a break, or a stream dropped or kept past the callback, the transaction's
// next statements run and its COMMIT commits (decision 0023). Outside a transaction an
// abandoned result is stopped and its connection serves the next statements.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

// 200,000 rows, generated as they are read (a recursive CTE streams on both databases):
// far more than a socket buffer holds, so the statement is still running when a reader
// stops early.
constexpr std::int64_t large = 200'000;

plan counter(std::int64_t n) {
    return sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " + std::to_string(n) +
               ") SELECT x, 'row number ' || x AS label FROM c");
}

// Reads `n` rows of `s` through its iterator and leaves it open there.
void read_rows(result_stream& s, std::int64_t n, std::optional<result_stream::iterator>& at) {
    at = s.begin();
    for (std::int64_t i = 1; i < n; ++i) ++*at;
    ASSERT_EQ((*at)->get<std::int64_t>(0), n);
}

class abandoned_streams : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;  // no PostgreSQL cluster: the test is already marked
        exec("CREATE TABLE notes(id " + types().integer + " PRIMARY KEY, body " + types().text + ")");
    }
    static void write(const tx& t, std::int64_t id) {
        t.execute(sql("INSERT INTO notes(id, body) VALUES (?, ?)", id, "after the abandoned stream")).drain();
    }
    // The transaction is intact after an abandoned stream: a write and a read succeed.
    static void write_and_read(const tx& t, std::int64_t id) {
        write(t, id);
        EXPECT_EQ(t.execute(sql("SELECT COUNT(*) FROM notes WHERE id = ?", id)).one_as<std::int64_t>(), 1);
    }
};

TEST_P(abandoned_streams, first_inside_a_transaction_leaves_it_intact) {
    db().transaction([&](tx& t) {
        write(t, 1);  // before the abandoned read: must be committed too
        const std::optional<row> r = t.execute(counter(large)).first();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->get<std::int64_t>(0), 1);
        write_and_read(t, 2);
    });
    EXPECT_EQ(count("notes"), 2);
}

TEST_P(abandoned_streams, a_break_at_row_1_or_50000_leaves_the_transaction_intact) {
    for (const std::int64_t stop_at : {std::int64_t{1}, std::int64_t{50'000}}) {
        db().transaction([&](tx& t) {
            std::int64_t read = 0;
            for (const row& r : t.execute(counter(large))) {
                EXPECT_EQ(r.get<std::int64_t>(0), ++read);
                if (read == stop_at) break;
            }
            EXPECT_EQ(read, stop_at);
            write_and_read(t, stop_at);
        });
    }
    EXPECT_EQ(count("notes"), 2);
}

TEST_P(abandoned_streams, a_stream_dropped_part_read_or_unread_leaves_the_transaction_intact) {
    db().transaction([&](tx& t) {
        for (const std::int64_t stop_at : {std::int64_t{1}, std::int64_t{50'000}}) {
            auto s = t.execute(counter(large));
            std::optional<result_stream::iterator> at;
            read_rows(s, stop_at, at);
        }  // dropped while its statement still runs
        {
            auto unread = t.execute(counter(large));
        }  // never read (execution is lazy: nothing ran)
        write_and_read(t, 1);
    });
    EXPECT_EQ(count("notes"), 1);
}

TEST_P(abandoned_streams, a_stream_still_open_when_the_callback_returns_does_not_fail_the_commit) {
    for (const std::int64_t stop_at : {std::int64_t{1}, std::int64_t{50'000}}) {
        std::optional<result_stream> kept;
        std::optional<result_stream::iterator> at;
        db().transaction([&](tx& t) {
            write(t, stop_at);
            kept.emplace(t.execute(counter(large)));
            read_rows(*kept, stop_at, at);
        });  // the stream is still open here: it ends before COMMIT
        EXPECT_STRATA_ERROR(++*at, "RUNTIME.TRANSACTION_CLOSED");
    }
    EXPECT_EQ(count("notes"), 2);
}

TEST_P(abandoned_streams, an_abandoned_stream_in_a_savepoint_leaves_both_levels_intact) {
    db().transaction([&](tx& t) {
        t.transaction([&](tx& inner) {
            EXPECT_TRUE(inner.execute(counter(large)).first().has_value());
            write_and_read(inner, 1);
        });
        write_and_read(t, 2);
    });
    EXPECT_EQ(count("notes"), 2);
}

TEST_P(abandoned_streams, outside_a_transaction_the_statement_is_stopped_and_the_connection_reused) {
    // A billion rows: read to the end, this would not finish within the test's time
    // limit; stopping it early lets every statement after it run.
    for (int i = 0; i < 3; ++i) {
        const std::optional<row> r = db().execute(counter(1'000'000'000)).first();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->get<std::int64_t>(0), 1);
        {
            auto s = db().execute(counter(1'000'000'000));
            std::optional<result_stream::iterator> at;
            read_rows(s, 50'000, at);
        }
        db().execute(sql("INSERT INTO notes(id, body) VALUES (?, 'autocommit')", i)).drain();
    }
    db().transaction([&](tx& t) { write_and_read(t, 10); });
    EXPECT_EQ(count("notes"), 4);
}

STRATA_CONFORMANCE_SUITE(abandoned_streams);

}  // namespace
}  // namespace strata::test
