// The pool: exhaustion, connections killed mid-stream and between queries, expiry,
// sharing between runtimes.
#include "pg_fixture.hpp"

namespace strata::test {
namespace {

class pg_pool : public pg_test {};

TEST_F(pg_pool, exhaustion_times_out_with_a_transient_pool_timeout) {
    postgres::pool_options o;
    o.max_size = 2;
    o.acquire_timeout = std::chrono::milliseconds(200);
    auto& db = connect(o);
    std::optional<result_stream> s1 = db.execute(sql(counter_sql(1000)));
    auto s2 = db.execute(sql(counter_sql(1000)));
    (void)s1->begin();  // each open stream holds its connection
    (void)s2.begin();
    const auto started = std::chrono::steady_clock::now();
    auto e = catch_error([&] { db.execute(sql("SELECT 1")).drain(); });
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.POOL_TIMEOUT");
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(e->details().at("max_size"), "2");
    EXPECT_GE(waited, std::chrono::milliseconds(190));
    EXPECT_LT(waited, std::chrono::seconds(3));
    // a deadline shorter than the acquire timeout aborts instead
    o.acquire_timeout = std::chrono::seconds(10);
    EXPECT_STRATA_ERROR(db.execute(sql("SELECT 1"), {.timeout = std::chrono::milliseconds(50)}).drain(),
                        "RUNTIME.ABORTED");
    s1.reset();  // a connection comes back: the next caller gets it
    EXPECT_EQ(db.execute(sql("SELECT 7")).one_as<int>(), 7);
    EXPECT_EQ(backends(), 2);
}

TEST_F(pg_pool, a_waiting_caller_gets_the_connection_another_gives_back) {
    postgres::pool_options o;
    o.max_size = 1;
    o.acquire_timeout = std::chrono::seconds(10);
    auto& db = connect(o);
    std::optional<result_stream> held = db.execute(sql(counter_sql(10)));
    (void)held->begin();
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        held.reset();
    });
    EXPECT_EQ(db.execute(sql("SELECT 3")).one_as<int>(), 3);
    releaser.join();
}

TEST_F(pg_pool, a_connection_killed_mid_stream_is_a_transient_connection_lost_and_the_pool_recovers) {
    auto& db = connect();
    auto stream = db.execute(sql(counter_sql(5'000'000)));
    auto it = stream.begin();
    ASSERT_EQ(it->get<int>(0), 1);
    ASSERT_EQ(kill_backends(), 1);
    auto e = catch_error([&] {
        for (int i = 0; i < 5'000'000; ++i) ++it;  // rows already on the wire come first
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECTION_LOST") << e->describe();
    EXPECT_TRUE(e->transient());
    ASSERT_TRUE(e->sql());
    EXPECT_TRUE(e->sql()->sqlstate == "57P01" || e->sql()->sqlstate.starts_with("08")) << e->sql()->sqlstate;
    // no restart of the app: the next statement gets a fresh connection
    EXPECT_EQ(db.execute(sql("SELECT 11")).one_as<int>(), 11);
}

TEST_F(pg_pool, a_connection_killed_between_queries_is_replaced_before_use) {
    postgres::pool_options o;                           // validate = socket (the default)
    o.validation_grace = std::chrono::milliseconds(0);  // even a connection used just now
    auto pool = postgres::make_pool(postgres::url{url(), o});
    auto& db = connect(postgres::pool_binding{pool});
    EXPECT_EQ(db.execute(sql("SELECT 1")).one_as<int>(), 1);
    const auto before = pool->statistics();
    ASSERT_EQ(kill_backends(), 1);
    ASSERT_TRUE(eventually([&] { return backends() == 0; }));
    // the backend is gone; under load the kernel may still be delivering its last words
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // the terminated connection is noticed at acquire (no round trip) and replaced
    EXPECT_EQ(db.execute(sql("SELECT 2")).one_as<int>(), 2);
    const auto after = pool->statistics();
    EXPECT_EQ(after.discarded, before.discarded + 1);
    EXPECT_EQ(after.opened, before.opened + 1);
}

TEST_F(pg_pool, without_validation_a_dead_idle_connection_fails_a_write_once_then_recovers) {
    postgres::pool_options o;
    o.validate = postgres::validation::none;
    auto& db = connect(o);
    db.execute(sql("CREATE TABLE t(id BIGINT)")).drain();
    ASSERT_EQ(kill_backends(), 1);
    ASSERT_TRUE(eventually([&] { return backends() == 0; }));
    auto e = catch_error([&] { db.execute(sql("INSERT INTO t VALUES (1)")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECTION_LOST") << e->describe();
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(e->details().at("received"), "nothing");
    EXPECT_EQ(db.execute(sql("SELECT 3")).one_as<int>(), 3);
    // a read is run once more on a fresh connection instead
    ASSERT_EQ(kill_backends(), 1);
    ASSERT_TRUE(eventually([&] { return backends() == 0; }));
    EXPECT_EQ(db.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 0);
}

TEST_F(pg_pool, after_a_lost_connection_every_idle_one_is_checked_before_reuse) {
    postgres::pool_options o;                        // validate = socket (the default)
    o.validation_grace = std::chrono::minutes(10);  // connections used just now go out unchecked
    auto pool = postgres::make_pool(postgres::url{url(), o});
    auto& db = connect(postgres::pool_binding{pool});
    db.execute(sql("CREATE TABLE t(id BIGINT)")).drain();
    {
        std::vector<result_stream> held;  // four connections, idle and just used afterwards
        for (int i = 0; i < 4; ++i) {
            held.push_back(db.execute(sql(counter_sql(3))));
            (void)held.back().begin();
        }
    }
    ASSERT_EQ(pool->statistics().idle, 4u);
    ASSERT_EQ(kill_backends(), 4);
    ASSERT_TRUE(eventually([&] { return backends() == 0; }));
    const auto before = pool->statistics();
    // the first write gets a dead connection inside the grace: it fails, and the pool
    // learns that its idle connections may be dead too
    auto e = catch_error([&] { db.execute(sql("INSERT INTO t VALUES (1)")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECTION_LOST") << e->describe();
    for (int i = 2; i <= 4; ++i) db.execute(sql("INSERT INTO t VALUES (?)", i)).drain();
    EXPECT_EQ(db.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 3);
    const auto after = pool->statistics();
    EXPECT_EQ(after.discarded, before.discarded + 4);  // each dead one dropped once
    EXPECT_EQ(after.opened, before.opened + 1);         // and one fresh connection serves on
    // a connection that went idle after the loss is trusted within the grace again
    EXPECT_EQ(db.execute(sql("SELECT 5")).one_as<int>(), 5);
    EXPECT_EQ(pool->statistics().opened, after.opened);
}

TEST_F(pg_pool, a_connection_killed_inside_a_transaction_fails_the_transaction_transiently) {
    auto& db = connect();
    db.execute(sql("CREATE TABLE t(id BIGINT)")).drain();
    auto e = catch_error([&] {
        db.transaction([&](tx& t) {
            t.execute(sql("INSERT INTO t VALUES (1)")).drain();
            kill_backends();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            t.execute(sql("INSERT INTO t VALUES (2)")).drain();
        });
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECTION_LOST") << e->describe();
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(db.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 0);
    // with retry on, the same failure is retried on a new connection
    int attempts = 0;
    db.transaction(
        [&](tx& t) {
            t.execute(sql("INSERT INTO t VALUES (1)")).drain();
            if (++attempts == 1) {
                kill_backends();
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            t.execute(sql("INSERT INTO t VALUES (2)")).drain();
        },
        {.retry = {.max_attempts = 3}});
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(db.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 2);
}

TEST_F(pg_pool, min_size_opens_at_connect_and_idle_connections_expire_down_to_it) {
    postgres::pool_options o;
    o.min_size = 2;
    o.max_size = 4;
    o.idle_timeout = std::chrono::milliseconds(100);
    auto pool = postgres::make_pool(postgres::url{url(), o});
    EXPECT_EQ(pool->statistics().open, 2u);
    EXPECT_EQ(backends(), 2);
    auto& db = connect(postgres::pool_binding{pool});
    {
        std::vector<result_stream> held;
        for (int i = 0; i < 4; ++i) {
            held.push_back(db.execute(sql(counter_sql(10))));
            (void)held.back().begin();
        }
        EXPECT_EQ(pool->statistics().open, 4u);
    }
    EXPECT_EQ(pool->statistics().idle, 4u);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    EXPECT_EQ(db.execute(sql("SELECT 1")).one_as<int>(), 1);
    EXPECT_EQ(pool->statistics().open, 2u);
    EXPECT_TRUE(eventually([&] { return backends() == 2; }));
}

TEST_F(pg_pool, max_lifetime_replaces_old_connections) {
    postgres::pool_options o;
    o.max_lifetime = std::chrono::milliseconds(100);
    auto pool = postgres::make_pool(postgres::url{url(), o});
    auto& db = connect(postgres::pool_binding{pool});
    const auto pid = db.execute(sql("SELECT pg_backend_pid()")).one_as<int>();
    EXPECT_EQ(db.execute(sql("SELECT pg_backend_pid()")).one_as<int>(), pid);  // reused while young
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    EXPECT_NE(db.execute(sql("SELECT pg_backend_pid()")).one_as<int>(), pid);
    EXPECT_GE(pool->statistics().discarded, 1u);
}

TEST_F(pg_pool, ping_validation_checks_connections_that_sat_idle) {
    postgres::pool_options o;
    o.validate = postgres::validation::ping;
    o.validation_grace = std::chrono::milliseconds(0);
    o.ping_after_idle = std::chrono::milliseconds(0);
    auto& db = connect(o);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(db.execute(sql("SELECT ?", i)).one_as<int>(), i);
}

TEST_F(pg_pool, a_shared_pool_outlives_the_runtimes_that_use_it) {
    auto pool = postgres::make_pool(postgres::url{url()});
    auto& a = connect(postgres::pool_binding{pool});
    auto& b = connect(postgres::pool_binding{pool});
    a.execute(sql("CREATE TABLE shared_t(id BIGINT)")).drain();
    a.execute(sql("INSERT INTO shared_t VALUES (1)")).drain();
    a.close();  // closing one runtime leaves the pool to the others
    EXPECT_EQ(b.execute(sql("SELECT COUNT(*) FROM shared_t")).one_as<int>(), 1);
    auto stream = b.execute(sql(counter_sql(100)));
    auto it = stream.begin();
    b.close();  // a stream open across close fails with DRIVER.CLOSED and gives its connection back
    EXPECT_STRATA_ERROR(++it, "DRIVER.CLOSED");
    EXPECT_EQ(pool->statistics().idle, pool->statistics().open);
    auto& c = connect(postgres::pool_binding{pool});
    EXPECT_EQ(c.execute(sql("SELECT COUNT(*) FROM shared_t")).one_as<int>(), 1);
    pool->close();
    EXPECT_STRATA_ERROR(c.execute(sql("SELECT 1")).drain(), "DRIVER.CLOSED");
    EXPECT_TRUE(eventually([&] { return backends() == 0; }));
    auto fresh = instantiate(postgres::make_stack());
    EXPECT_STRATA_ERROR(fresh.connect(postgres::pool_binding{pool}), "DRIVER.BINDING_INVALID");
}

TEST_F(pg_pool, closing_the_runtime_closes_its_own_pool) {
    auto& db = connect();
    EXPECT_EQ(db.execute(sql("SELECT 1")).one_as<int>(), 1);
    EXPECT_EQ(backends(), 1);
    db.close();
    EXPECT_TRUE(eventually([&] { return backends() == 0; }));
}

// A pool that opens min_size connections at connect and fails partway (here: the role
// may hold two connections, the pool wants four) closes the ones it had opened: none is
// left on the server, and a later pool of the same role can open its two (issue 15 item 7).
TEST_F(pg_pool, a_pool_whose_start_fails_partway_leaves_no_connection_open) {
    const std::string role = app() + "_limited";
    schema().exec("CREATE ROLE " + role + " LOGIN PASSWORD 'Limited-Passw0rd' CONNECTION LIMIT 2");
    const std::string limited = pg_url_with(pg_url_with(url(), "user", role), "password", "Limited-Passw0rd");
    postgres::pool_options o;
    o.min_size = 4;
    auto e = catch_error([&] { (void)postgres::make_pool(limited, o); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECT_FAILED");
    EXPECT_EQ(e->describe().find("Limited-Passw0rd"), std::string::npos);
    const auto of_role = [&] {
        return std::stoi(schema().exec("SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '" + role + "'"));
    };
    EXPECT_TRUE(eventually([&] { return of_role() == 0; })) << of_role() << " connections were left open";
    o.min_size = 2;
    {
        auto fits = postgres::make_pool(limited, o);
        EXPECT_EQ(fits->statistics().open, 2u);
        fits->close();
    }
    EXPECT_TRUE(eventually([&] { return of_role() == 0; }));
    schema().exec("DROP ROLE " + role);
}

}  // namespace
}  // namespace strata::test
