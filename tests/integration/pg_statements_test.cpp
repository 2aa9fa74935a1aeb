// Statements: the prepared-statement cache (bounded, off for PgBouncer, re-prepared once
// when it vanished), parameter and column types, real cancellation on the server.
#include "pg_fixture.hpp"
#include "strata/codec_json.hpp"

namespace strata::test {
namespace {

class pg_statements : public pg_test {
protected:
    int prepared_count(runtime& db) {
        return db.execute(sql("SELECT COUNT(*) FROM pg_prepared_statements")).one_as<int>();
    }
};

TEST_F(pg_statements, statements_are_prepared_once_per_connection) {
    auto& db = connect();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(db.execute(sql("SELECT ? * 2", i)).one_as<int>(), i * 2);
    // this SELECT and the one above: two statements, however many executions
    EXPECT_EQ(prepared_count(db), 2);
}

TEST_F(pg_statements, the_cache_is_bounded) {
    postgres::pool_options o;
    o.max_size = 1;
    o.statements.cache_size = 2;
    auto& db = connect(o);
    for (int i = 0; i < 6; ++i) (void)db.execute(sql("SELECT " + std::to_string(i) + " + ?", i)).one();
    EXPECT_LE(prepared_count(db), 3);  // two cached, plus an evicted one not yet deallocated
    EXPECT_LE(prepared_count(db), 2);  // deallocated when the connection went back
}

TEST_F(pg_statements, prepared_statements_off_leaves_none_on_the_server) {
    postgres::pool_options o;
    o.statements.prepared = false;  // PgBouncer transaction mode
    auto& db = connect(o);
    db.execute(sql("CREATE TABLE people(id BIGINT PRIMARY KEY, name TEXT)")).drain();
    for (int i = 0; i < 3; ++i) db.execute(sql("INSERT INTO people VALUES (?, ?)", i, "p")).drain();
    EXPECT_EQ(db.execute(sql("SELECT COUNT(*) FROM people WHERE name = ?", "p")).one_as<int>(), 3);
    EXPECT_EQ(prepared_count(db), 0);
    // decode errors still name the table, from the second execution on
    (void)db.execute(sql("SELECT name FROM people")).all();
    auto e = catch_error([&] { (void)db.execute(sql("SELECT name FROM people WHERE id = 1")).one_as<int>(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("table"), "people");
}

TEST_F(pg_statements, a_vanished_statement_is_prepared_again_once) {
    PGconn* conn = pg_connect(url());
    {
        auto db = instantiate(postgres::make_stack());
        db.connect(postgres::client{conn});
        EXPECT_EQ(db.execute(sql("SELECT ? + 1", 1)).one_as<int>(), 2);
        pg_exec(conn, "DEALLOCATE ALL");  // behind strata's back (a pooler, DISCARD ALL ...)
        EXPECT_EQ(db.execute(sql("SELECT ? + 1", 2)).one_as<int>(), 3);
        EXPECT_EQ(db.execute(sql("SELECT ? + 1", 3)).one_as<int>(), 4);
        // inside a transaction the failure has already aborted it: reported, not retried
        pg_exec(conn, "DEALLOCATE ALL");
        auto e = catch_error([&] { db.transaction([&](tx& t) { (void)t.execute(sql("SELECT ? + 1", 4)).one(); }); });
        ASSERT_TRUE(e);
        ASSERT_TRUE(e->sql());
        EXPECT_EQ(e->sql()->sqlstate, "26000");
        EXPECT_EQ(PQtransactionStatus(conn), PQTRANS_IDLE);
        EXPECT_EQ(db.execute(sql("SELECT ? + 1", 5)).one_as<int>(), 6);
        db.close();
    }
    PQfinish(conn);
}

TEST_F(pg_statements, a_changed_result_type_is_prepared_again) {
    auto& db = connect();
    db.execute(sql("CREATE TABLE t(a BIGINT)")).drain();
    db.execute(sql("INSERT INTO t VALUES (1)")).drain();
    EXPECT_EQ(db.execute(sql("SELECT * FROM t")).one().size(), 1u);
    db.execute(sql("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'")).drain();
    const auto r = db.execute(sql("SELECT * FROM t")).one();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r.get<std::string>("b"), "x");
}

TEST_F(pg_statements, select_of_a_parameter_returns_its_type) {
    auto& db = connect();
    const strata::blob bytes{std::byte{0}, std::byte{0xFF}};
    const auto r = db.execute(sql("SELECT ? AS i, ? AS b, ? AS f, ? AS r, ? AS s", 7, bytes, true, 2.5, "txt")).one();
    EXPECT_EQ(r.at("i").kind(), value_kind::integer);
    EXPECT_EQ(r.at("b").kind(), value_kind::bytes);
    EXPECT_EQ(r.at("f").kind(), value_kind::boolean);
    EXPECT_EQ(r.at("r").kind(), value_kind::real);
    EXPECT_EQ(r.at("s").kind(), value_kind::text);
    EXPECT_EQ(r.get<strata::blob>("b"), bytes);
    // text and timestamps take the type the context gives them
    db.execute(sql("CREATE TABLE typed(n INTEGER, t TIMESTAMP, d DATE, j JSON)")).drain();
    using namespace std::chrono;
    const auto at = sys_days{2026y / March / 1} + 12h + 30min;
    db.execute(sql("INSERT INTO typed VALUES (?, ?, ?, ?)", 5, sys_time<microseconds>(at), "2026-03-01",
                   nlohmann::json{{"k", 1}}))
        .drain();
    const auto t = db.execute(sql("SELECT n, t, d, j FROM typed")).one();
    EXPECT_EQ(t.get<int>("n"), 5);
    EXPECT_EQ(t.get<sys_time<microseconds>>("t"), at);  // TIMESTAMP WITHOUT TIME ZONE holds the UTC time
    EXPECT_EQ(t.get<std::string>("d"), "2026-03-01");
    EXPECT_EQ(t.get<nlohmann::json>("j"), (nlohmann::json{{"k", 1}}));
}

TEST_F(pg_statements, numeric_is_an_integer_when_integral_else_a_real) {
    auto& db = connect();
    const auto r = db.execute(sql("SELECT 12::numeric AS a, 2.5::numeric AS b, SUM(x) AS c, "
                                  "99999999999999999999::numeric AS d, 'NaN'::numeric AS e "
                                  "FROM (VALUES (1::bigint), (2::bigint)) v(x)"))
                       .one();
    EXPECT_EQ(r.at("a"), value{std::int64_t{12}});
    EXPECT_EQ(r.at("b"), value{2.5});
    EXPECT_EQ(r.at("c"), value{std::int64_t{3}});
    EXPECT_EQ(r.at("d").kind(), value_kind::real);
    EXPECT_EQ(r.at("e").kind(), value_kind::real);
    EXPECT_EQ(db.execute(sql("SELECT 2.5::numeric::text")).one_as<std::string>(), "2.5");
}

TEST_F(pg_statements, text_with_a_nul_byte_is_refused_before_sending) {
    auto& db = connect();
    EXPECT_STRATA_ERROR(db.execute(sql("SELECT ?", std::string("a\0b", 3))).drain(), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_EQ(db.execute(sql("SELECT 1")).one_as<int>(), 1);
}

TEST_F(pg_statements, a_deadline_sends_a_real_cancel_request) {
    auto& db = connect();
    const auto started = std::chrono::steady_clock::now();
    auto e = catch_error(
        [&] { db.execute(sql("SELECT pg_sleep(30)"), {.timeout = std::chrono::milliseconds(150)}).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(e->details().at("reason"), "deadline");
    EXPECT_EQ(e->sql()->sqlstate, "57014");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    // the server stopped the statement: the backend is idle, not still sleeping
    EXPECT_EQ(backends("active"), 0);
    EXPECT_EQ(db.execute(sql("SELECT 1")).one_as<int>(), 1);
}

TEST_F(pg_statements, a_cancel_token_stops_a_statement_on_the_server) {
    auto& db = connect();
    cancel_source source;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        source.cancel();
    });
    auto e = catch_error([&] { db.execute(sql("SELECT pg_sleep(30)"), {.cancel = source.token()}).drain(); });
    canceller.join();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(e->details().at("reason"), "cancelled");
    EXPECT_EQ(backends("active"), 0);
}

TEST_F(pg_statements, a_server_side_statement_timeout_is_aborted_too) {
    auto& db = connect(postgres::url{pg_url_with(url(), "options", "-cstatement_timeout=50")});
    auto e = catch_error([&] { db.execute(sql("SELECT pg_sleep(5)")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(e->sql()->sqlstate, "57014");
}

TEST_F(pg_statements, abandoning_a_long_stream_cancels_it_on_the_server) {
    postgres::pool_options o;
    o.max_size = 1;
    auto& db = connect(o);
    const auto started = std::chrono::steady_clock::now();
    {
        auto s = db.execute(sql(counter_sql(50'000'000)));
        auto it = s.begin();
        ASSERT_EQ(it->get<int>(0), 1);
    }  // dropped after one row: cancelled, not read to the end
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    EXPECT_EQ(db.execute(sql("SELECT 9")).one_as<int>(), 9);  // the same (only) connection, clean
}

TEST_F(pg_statements, a_stream_under_a_deadline_and_a_cancel_token_reads_every_row) {
    // The watched wait reads the socket only when libpq has no complete row buffered
    // (reading per row compacts libpq's buffer each time: quadratic, minutes here).
    auto& db = connect();
    cancel_source never;
    auto s = db.execute(sql(counter_sql(300'000)), {.timeout = std::chrono::minutes(10), .cancel = never.token()});
    std::int64_t n = 0, sum = 0;
    for (const row& r : s) {
        ++n;
        sum += r.get<std::int64_t>(0);
    }
    EXPECT_EQ(n, 300'000);
    EXPECT_EQ(sum, 300'000LL * 300'001 / 2);
}

TEST_F(pg_statements, streams_interleave_inside_a_transaction) {
    auto& db = connect();
    db.execute(sql("CREATE TABLE src(id BIGINT)")).drain();
    db.execute(sql("CREATE TABLE dst(id BIGINT)")).drain();
    db.execute(sql("INSERT INTO src SELECT generate_series(1, 100)")).drain();
    db.transaction([&](tx& t) {
        for (const row& r : t.execute(sql("SELECT id FROM src ORDER BY id"))) {
            t.execute(sql("INSERT INTO dst VALUES (?)", r.get<std::int64_t>(0))).drain();
        }
    });
    const auto [n, sum] = db.execute(sql("SELECT COUNT(*), SUM(id) FROM dst")).one_as<std::tuple<int, int>>();
    EXPECT_EQ(n, 100);
    EXPECT_EQ(sum, 5050);
}

}  // namespace
}  // namespace strata::test
