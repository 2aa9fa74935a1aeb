// Result streams: lazy, single-pass, flat memory for a million rows, first/one/all,
// deadlines and cancellation.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

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

// A thread's parameter buffers are recycled from one execution to the next (the text
// already in a slot is overwritten in place). Every execution must still bind exactly
// its own values, whatever the previous plan held at each position, and a plan kept
// aside must never see its values change.
TEST_P(streaming, every_execution_binds_its_own_values_while_buffers_are_recycled) {
    exec("CREATE TABLE p(id " + types().integer + " PRIMARY KEY, a " + types().text + ", b " + types().text + ")");
    const sql_template insert("INSERT INTO p(id, a, b) VALUES (?, ?, ?)");
    const sql_template update("UPDATE p SET b = ? WHERE id = ?");
    const std::string long_text(300, 'x');
    const plan kept = insert.bind(1000, long_text, "kept");
    std::vector<std::pair<std::string, std::optional<std::string>>> expected;
    for (int i = 0; i < 80; ++i) {
        const std::string a = (i % 3 == 0 ? long_text : std::string("short ")) + std::to_string(i);
        const std::string b(static_cast<std::size_t>(i % 7) * 5, static_cast<char>('a' + i % 26));
        std::optional<std::string> stored = b;
        switch (i % 5) {
            case 0:
                db().execute(insert.bind(i, a, b)).drain();
                break;
            case 1:
                db().execute(insert.bind(i, std::string_view(a), b.c_str())).drain();
                break;
            case 2:
                db().execute(insert.bind(i, std::string(a), std::string(b))).drain();
                break;
            case 3:
                db().execute(insert.bind(i, a, std::optional<std::string>{})).drain();
                stored.reset();
                break;
            default:
                db().execute(insert.bind_values({value{std::int64_t{i}}, value{a}, value{b}})).drain();
                break;
        }
        if (i % 4 == 0) {  // text at another position than the insert's
            stored = "updated " + std::to_string(i);
            db().execute(update.bind(*stored, i)).drain();
        }
        (void)db().execute(sql("SELECT ? + 1", i)).one();  // an integer where the last plan had text
        expected.emplace_back(a, stored);
    }
    // Plans bound ahead and run later (each holds its own buffer meanwhile).
    std::vector<plan> ahead;
    for (int i = 80; i < 90; ++i) ahead.push_back(insert.bind(i, "ahead " + std::to_string(i), long_text));
    for (plan& p : ahead) db().execute(std::move(p)).drain();
    for (int i = 80; i < 90; ++i) expected.emplace_back("ahead " + std::to_string(i), long_text);

    ASSERT_EQ(kept.params().size(), 3u);
    EXPECT_EQ(kept.params()[1], value{long_text});
    EXPECT_EQ(kept.params()[2], value{std::string("kept")});
    db().execute(kept).drain();  // runs a copy; the copy's buffer is recycled, not kept's
    (void)db().execute(insert.bind(2000, "another", "plan")).drain();
    EXPECT_EQ(kept.params()[2], value{std::string("kept")});
    EXPECT_EQ(db().execute(sql("SELECT COUNT(*) FROM p WHERE id = 1000 AND b = 'kept'")).one_as<int>(), 1);

    const auto rows = db().execute(sql("SELECT id, a, b FROM p WHERE id < 1000 ORDER BY id")).all();
    EXPECT_EQ(count("p"), static_cast<std::int64_t>(expected.size()) + 2);
    ASSERT_EQ(rows.size(), expected.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].get<int>(0), static_cast<int>(i));
        EXPECT_EQ(rows[i].get<std::string>(1), expected[i].first) << "row " << i;
        EXPECT_EQ(rows[i].get<std::optional<std::string>>(2), expected[i].second) << "row " << i;
    }
}

// Plans bound on one thread and run (and dropped) on another: the buffers move with them.
TEST_P(streaming, plans_bound_on_one_thread_run_on_another) {
    exec("CREATE TABLE t(id " + types().integer + " PRIMARY KEY, name " + types().text + ")");
    const sql_template insert("INSERT INTO t(id, name) VALUES (?, ?)");
    std::vector<plan> plans;
    std::thread binder([&] {
        for (int i = 0; i < 50; ++i) plans.push_back(insert.bind(i, "name number " + std::to_string(i) + " of fifty"));
    });
    binder.join();
    std::thread runner([&] {
        for (plan& p : plans) db().execute(std::move(p)).drain();
    });
    runner.join();
    const auto names = db().execute(sql("SELECT name FROM t ORDER BY id")).all_as<std::string>();
    ASSERT_EQ(names.size(), 50u);
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(names[static_cast<std::size_t>(i)], "name number " + std::to_string(i) + " of fifty");
}

// A dropped row's value vector is reused for the next row read on that thread (text is
// written into the string already at its position). Every row must still hold exactly
// its own values whatever the previous row held at each position (more or fewer
// columns, text where there was null or a number, and back), and a row kept aside must
// never change.
TEST_P(streaming, every_row_holds_its_own_values_while_row_buffers_are_recycled) {
    exec("CREATE TABLE r(id " + types().integer + " PRIMARY KEY, a " + types().text + ", b " + types().blob +
         ", c " + types().real + ", d " + types().integer + ")");
    struct expected_row {
        std::optional<std::string> a;
        std::optional<blob> b;
        std::optional<double> c;
        std::optional<std::int64_t> d;
    };
    std::vector<expected_row> expected;
    const sql_template insert("INSERT INTO r(id, a, b, c, d) VALUES (?, ?, ?, ?, ?)");
    for (int i = 0; i < 40; ++i) {
        expected_row e;
        if (i % 3 != 0) e.a = std::string(static_cast<std::size_t>(i * 7 % 50), static_cast<char>('a' + i % 26));
        if (i % 4 == 1) e.b = blob(static_cast<std::size_t>(i), std::byte{static_cast<unsigned char>(i)});
        if (i % 5 != 2) e.c = i * 0.5;
        if (i % 2 == 0) e.d = i * 1000;
        db().execute(insert.bind(i, e.a, e.b, e.c, e.d)).drain();
        expected.push_back(e);
    }
    const sql_template whole("SELECT id, a, b, c, d FROM r WHERE id = ?");
    const sql_template text_first("SELECT a, id FROM r WHERE id = ?");
    const sql_template numbers("SELECT d, c FROM r WHERE id = ?");
    std::vector<row> kept;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 40; ++i) {
            const expected_row& e = expected[static_cast<std::size_t>(i)];
            switch ((i + round) % 4) {
                case 0: {
                    const row r = db().execute(whole.bind(i)).one();
                    ASSERT_EQ(r.size(), 5u);
                    EXPECT_EQ(r.get<int>(0), i);
                    EXPECT_EQ(r.get<std::optional<std::string>>(1), e.a) << "row " << i;
                    EXPECT_EQ(r.get<std::optional<blob>>(2), e.b) << "row " << i;
                    EXPECT_EQ(r.get<std::optional<double>>(3), e.c) << "row " << i;
                    EXPECT_EQ(r.get<std::optional<std::int64_t>>(4), e.d) << "row " << i;
                    if (i % 9 == 0) kept.push_back(r);
                    break;
                }
                case 1: {
                    const auto r = db().execute(text_first.bind(i)).first();
                    ASSERT_TRUE(r.has_value());
                    ASSERT_EQ(r->size(), 2u);
                    EXPECT_EQ(r->get<std::optional<std::string>>(0), e.a) << "row " << i;
                    EXPECT_EQ(r->get<int>(1), i);
                    break;
                }
                case 2: {
                    const row r = db().execute(numbers.bind(i)).one();
                    ASSERT_EQ(r.size(), 2u);
                    EXPECT_EQ(r.get<std::optional<std::int64_t>>(0), e.d) << "row " << i;
                    EXPECT_EQ(r.get<std::optional<double>>(1), e.c) << "row " << i;
                    break;
                }
                default: {  // a single text column, then a row dropped on another thread
                    row r = db().execute(sql("SELECT 'one column of text, longer than a short string'")).one();
                    EXPECT_EQ(r.get<std::string>(0), "one column of text, longer than a short string");
                    std::thread([moved = std::move(r)] { EXPECT_EQ(moved.size(), 1u); }).join();
                    break;
                }
            }
        }
        // Streaming reuses one row's buffer from row to row: nulls and values alternate.
        std::size_t n = 0;
        for (const row& r : db().execute(sql("SELECT id, a, b, c, d FROM r ORDER BY id"))) {
            const expected_row& e = expected[n++];
            EXPECT_EQ(r.get<std::optional<std::string>>(1), e.a) << "streamed row " << n - 1;
            EXPECT_EQ(r.get<std::optional<blob>>(2), e.b) << "streamed row " << n - 1;
            EXPECT_EQ(r.get<std::optional<std::int64_t>>(4), e.d) << "streamed row " << n - 1;
        }
        EXPECT_EQ(n, expected.size());
    }
    ASSERT_FALSE(kept.empty());
    for (const row& r : kept) {
        const expected_row& e = expected[static_cast<std::size_t>(r.get<int>(0))];
        EXPECT_EQ(r.get<std::optional<std::string>>(1), e.a);
        EXPECT_EQ(r.get<std::optional<blob>>(2), e.b);
        EXPECT_EQ(r.get<std::optional<std::int64_t>>(4), e.d);
    }
}

// What a thread keeps for reuse is small: a dropped row's long text and blobs are freed,
// not held until the thread ends.
TEST_P(streaming, dropped_rows_do_not_keep_large_values_alive) {
    exec("CREATE TABLE big(id " + types().integer + " PRIMARY KEY, a " + types().text + ", b " + types().blob + ")");
    const std::size_t size = std::size_t{4} << 20;
    db().execute(sql("INSERT INTO big(id, a, b) VALUES (1, ?, ?)", std::string(size, 'x'),
                     blob(size, std::byte{7})))
        .drain();
    const sql_template read("SELECT a, b FROM big WHERE id = ?");
    const std::size_t before = live_heap_bytes();  // the inserted values were dropped too
    for (int i = 0; i < 3; ++i) {
        const row r = db().execute(read.bind(1)).one();
        EXPECT_EQ(r.get<std::string>(0).size(), size);
        EXPECT_GE(live_heap_bytes(), before + 2 * size);  // the row holds both values
    }
    EXPECT_LT(live_heap_bytes(), before + size / 4);
}

STRATA_CONFORMANCE_SUITE(streaming);

}  // namespace
}  // namespace strata::test
