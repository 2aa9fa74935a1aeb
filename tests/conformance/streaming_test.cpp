// Result streams: lazy, single-pass, flat memory for a million rows, first/one/all,
// deadlines and cancellation.
#include <gtest/gtest.h>

#include <thread>

#include "../support/expect_error.hpp"
#include "../support/heap_counter.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

const std::string counter_sql(long n) {
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " + std::to_string(n) +
           ") SELECT x, 'row number ' || x AS label FROM c";
}

class streaming : public conformance {};

TEST_P(streaming, a_million_rows_stream_with_flat_memory) {
    // Live heap (C++ allocations) is sampled as rows stream by. Materializing a million
    // rows would hold well over 60 MiB; streaming holds one row at a time.
    auto stream = db().execute(sql(counter_sql(1'000'000)));
    std::size_t before = 0, peak = 0;
    std::int64_t expected = 1;
    bool in_order = true;
    for (const row& r : stream) {
        if (r.get<std::int64_t>(0) != expected++) in_order = false;
        if (expected == 1000) before = live_heap_bytes();
        if (expected % 10000 == 0) peak = std::max(peak, live_heap_bytes());
    }
    EXPECT_TRUE(in_order);
    EXPECT_EQ(stream.rows_read(), 1'000'000u);
    EXPECT_LT(peak, before + 64 * 1024) << "live heap grew from " << before << " to " << peak << " bytes";
}

TEST_P(streaming, execution_is_lazy) {
    exec("CREATE TABLE lazy(id " + types().integer + ")");
    {
        auto never_read = db().execute(sql("INSERT INTO lazy VALUES (1)"));
    }
    EXPECT_EQ(count("lazy"), 0);
    db().execute(sql("INSERT INTO lazy VALUES (2)")).drain();
    EXPECT_EQ(count("lazy"), 1);
}

TEST_P(streaming, writes_report_affected_rows) {
    exec("CREATE TABLE t(id " + types().integer + ")");
    auto insert = db().execute(sql("INSERT INTO t VALUES (1), (2), (3)"));
    EXPECT_EQ(insert.drain(), 0u);
    EXPECT_EQ(insert.affected_rows(), 3u);
    auto update = db().execute(sql("UPDATE t SET id = id + 10 WHERE id >= ?", 2));
    update.drain();
    EXPECT_EQ(update.affected_rows(), 2u);
    auto read = db().execute(sql("SELECT id FROM t"));
    EXPECT_EQ(read.drain(), 3u);
    EXPECT_EQ(read.affected_rows(), 0u);
}

TEST_P(streaming, a_stream_is_single_pass) {
    auto s = db().execute(sql("SELECT 1"));
    EXPECT_EQ(s.all().size(), 1u);
    EXPECT_STRATA_ERROR(s.all(), "RUNTIME.ITERATOR_CONSUMED");
    EXPECT_STRATA_ERROR(s.begin(), "RUNTIME.ITERATOR_CONSUMED");
    EXPECT_STRATA_ERROR(s.first(), "RUNTIME.ITERATOR_CONSUMED");
    auto moved_from = db().execute(sql("SELECT 1"));
    auto moved_to = std::move(moved_from);
    EXPECT_STRATA_ERROR(moved_from.one(), "RUNTIME.ITERATOR_CONSUMED");  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(moved_to.one_as<int>(), 1);
}

TEST_P(streaming, first_one_and_all) {
    EXPECT_EQ(db().execute(sql(counter_sql(10))).first()->get<int>(0), 1);
    EXPECT_FALSE(db().execute(sql("SELECT 1 WHERE 1 = 0")).first().has_value());
    EXPECT_STRATA_ERROR(db().execute(sql("SELECT 1 WHERE 1 = 0")).one(), "RUNTIME.NO_ROWS");
    EXPECT_STRATA_ERROR(db().execute(sql(counter_sql(2))).one(), "RUNTIME.TOO_MANY_ROWS");
    const auto rows = db().execute(sql(counter_sql(5))).all();
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[4].get<std::string>("label"), "row number 5");
    EXPECT_EQ(rows[0].shape()[1].name, "label");
}

TEST_P(streaming, abandoning_a_stream_releases_its_connection) {
    exec("CREATE TABLE t(id " + types().integer + ")");
    for (int i = 0; i < 50; ++i) {
        auto s = db().execute(sql(counter_sql(1000)));
        auto it = s.begin();
        ASSERT_EQ(it->get<int>(0), 1);
    }  // 50 half-read streams dropped; writes must still get through
    db().execute(sql("INSERT INTO t VALUES (1)")).drain();
    EXPECT_EQ(count("t"), 1);
}

TEST_P(streaming, a_deadline_aborts_a_running_statement) {
    const auto endless = sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT MAX(x) FROM c");
    auto e = catch_error([&] { db().execute(endless, {.timeout = std::chrono::milliseconds(100)}).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(e->details().at("reason"), "deadline");
    // the connection is usable afterwards
    EXPECT_EQ(db().execute(sql("SELECT 5")).one_as<int>(), 5);
}

TEST_P(streaming, cancellation_from_another_thread_aborts) {
    cancel_source source;
    const auto endless = sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT MAX(x) FROM c");
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        source.cancel();
    });
    auto e = catch_error([&] { db().execute(endless, {.cancel = source.token()}).drain(); });
    canceller.join();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(e->details().at("reason"), "cancelled");
    EXPECT_EQ(db().execute(sql("SELECT 6")).one_as<int>(), 6);
}

TEST_P(streaming, an_expired_deadline_never_reaches_the_database) {
    exec("CREATE TABLE t(id " + types().integer + ")");
    EXPECT_STRATA_ERROR(db().execute(sql("INSERT INTO t VALUES (1)"), {.deadline = clock::now()}).drain(),
                        "RUNTIME.ABORTED");
    EXPECT_STRATA_ERROR(db().execute(sql("SELECT 1"), {.timeout = std::chrono::milliseconds(-1)}),
                        "RUNTIME.INVALID_ARGUMENT");
    EXPECT_EQ(count("t"), 0);
}

STRATA_CONFORMANCE_SUITE(streaming);

}  // namespace
}  // namespace strata::test
