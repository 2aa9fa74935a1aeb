// SQLite concurrency design: WAL readers on their own connections see a stable snapshot
// and never block the writer; a second writer gets a transient busy error.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../support/expect_error.hpp"
#include "../support/temp_dir.hpp"
#include "strata/sqlite.hpp"
#include "strata/deadline_scope.hpp"
#include "strata/strata.hpp"

namespace strata::test {
namespace {

TEST(sqlite_concurrency, a_paused_reader_keeps_its_snapshot_while_the_writer_commits) {
    temp_dir dir;
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::file{dir.file("wal.db")});
    rt.execute(sql("CREATE TABLE t(id INTEGER PRIMARY KEY)")).drain();
    for (int i = 1; i <= 3; ++i) rt.execute(sql("INSERT INTO t VALUES (?)", i)).drain();

    auto reader = rt.execute(sql("SELECT id FROM t ORDER BY id"));
    auto it = reader.begin();
    EXPECT_EQ(it->get<int>(0), 1);
    rt.execute(sql("INSERT INTO t VALUES (4)")).drain();  // the writer is not blocked
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 4);
    int seen = 1;
    while (++it, it != reader.end()) ++seen;
    EXPECT_EQ(seen, 3);  // the reader's snapshot predates the insert
}

TEST(sqlite_concurrency, more_open_readers_than_connections_never_wait) {
    temp_dir dir;
    sqlite::settings s;
    s.max_readers = 2;
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::file{dir.file("r.db"), sqlite::open_mode::read_write_create, s});
    rt.execute(sql("CREATE TABLE t(id INTEGER)")).drain();
    rt.execute(sql("INSERT INTO t VALUES (1), (2)")).drain();
    std::vector<result_stream> open;
    std::vector<result_stream::iterator> its;
    for (int i = 0; i < 6; ++i) {
        open.push_back(rt.execute(sql("SELECT id FROM t")));
        its.push_back(open.back().begin());
        EXPECT_EQ(its.back()->get<int>(0), 1);
    }
    for (auto& i : its) {
        ++i;
        EXPECT_EQ(i->get<int>(0), 2);
    }
}

TEST(sqlite_concurrency, a_locked_database_is_a_transient_busy_error) {
    temp_dir dir;
    const auto path = dir.file("busy.db");
    sqlite::settings impatient;
    impatient.busy_timeout = std::chrono::milliseconds(0);
    auto holder = instantiate(sqlite::make_stack());
    holder.connect(sqlite::file{path});
    holder.execute(sql("CREATE TABLE t(id INTEGER)")).drain();
    holder.execute(sql("BEGIN IMMEDIATE")).drain();  // holds the write lock
    holder.execute(sql("INSERT INTO t VALUES (1)")).drain();

    auto other = instantiate(sqlite::make_stack());
    other.connect(sqlite::file{path, sqlite::open_mode::read_write_create, impatient});
    auto e = catch_error([&] { other.execute(sql("INSERT INTO t VALUES (2)")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.BUSY");
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(e->sql()->sqlstate, "55P03");
    holder.execute(sql("COMMIT")).drain();
    other.execute(sql("INSERT INTO t VALUES (2)")).drain();  // fine once released
    EXPECT_EQ(other.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 2);
}

// Another connection's lock is waited for in SQLite's busy handler. The wait ends at the
// work's deadline (explicit or a deadline_scope) or its cancel, not only at the busy
// timeout (60 s here). The holder lets go after 1.5 s: each case must fail before that
// (a wait that ignored the deadline would outlast the lock).
class another_connections_lock : public ::testing::Test {
protected:
    void SetUp() override {
        holder_.connect(sqlite::file{path_});
        holder_.execute(sql("CREATE TABLE t(id INTEGER)")).drain();
        holder_.execute(sql("BEGIN IMMEDIATE")).drain();
        holder_.execute(sql("INSERT INTO t VALUES (1)")).drain();
        sqlite::settings patient;
        patient.busy_timeout = std::chrono::seconds(60);
        waiter_.connect(sqlite::file{path_, sqlite::open_mode::read_write_create, patient});
        release_ = std::thread([this] {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            released_ = true;
            holder_.execute(sql("COMMIT")).drain();
        });
    }
    void TearDown() override {
        release_.join();
        EXPECT_EQ(waiter_.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 1);  // only the holder's row
    }

    temp_dir dir_;
    std::string path_ = dir_.file("locked.db");
    runtime holder_ = instantiate(sqlite::make_stack());
    runtime waiter_ = instantiate(sqlite::make_stack());
    std::atomic<bool> released_{false};  // read right after each failure: it came first
    std::thread release_;
};

TEST_F(another_connections_lock, without_a_deadline_the_busy_timeout_bounds_the_wait) {
    sqlite::settings impatient;
    impatient.busy_timeout = std::chrono::milliseconds(250);
    auto other = instantiate(sqlite::make_stack());
    other.connect(sqlite::file{path_, sqlite::open_mode::read_write_create, impatient});
    auto e = catch_error([&] { other.execute(sql("INSERT INTO t VALUES (2)")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_FALSE(released_);
    EXPECT_EQ(e->code(), "DRIVER.BUSY");
    EXPECT_TRUE(e->transient());
}

TEST_F(another_connections_lock, a_statement_waits_no_longer_than_its_timeout) {
    execute_options quick;
    quick.timeout = std::chrono::milliseconds(200);
    auto e = catch_error([&] { waiter_.execute(sql("INSERT INTO t VALUES (2)"), quick).drain(); });
    ASSERT_TRUE(e);
    EXPECT_FALSE(released_);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(e->details().at("reason"), "deadline");
}

TEST_F(another_connections_lock, a_statement_waits_no_longer_than_a_deadline_scope) {
    const deadline_scope scope(std::chrono::milliseconds(200));
    auto e = catch_error([&] { waiter_.execute(sql("INSERT INTO t VALUES (2)")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_FALSE(released_);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
}

TEST_F(another_connections_lock, a_cancelled_statement_stops_waiting) {
    cancel_source source;
    execute_options cancellable;
    cancellable.cancel = source.token();
    std::thread cancel([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        source.cancel();
    });
    auto e = catch_error([&] { waiter_.execute(sql("INSERT INTO t VALUES (2)"), cancellable).drain(); });
    cancel.join();
    ASSERT_TRUE(e);
    EXPECT_FALSE(released_);
    EXPECT_EQ(e->code(), "RUNTIME.ABORTED");
    EXPECT_EQ(e->details().at("reason"), "cancelled");
}

TEST_F(another_connections_lock, a_transaction_and_a_unit_wait_no_longer_than_a_deadline_scope) {
    const deadline_scope scope(std::chrono::milliseconds(200));
    auto in_tx = catch_error([&] {
        waiter_.transaction([](tx& t) { t.execute(sql("INSERT INTO t VALUES (2)")).drain(); });
    });
    ASSERT_TRUE(in_tx);  // BEGIN IMMEDIATE waited for the lock, then the deadline ended it
    EXPECT_FALSE(released_);
    auto unit = catch_error([&] { (void)run_atomic_writes(waiter_, {sql("INSERT INTO t VALUES (3)")}); });
    ASSERT_TRUE(unit);
    EXPECT_FALSE(released_);
}

}  // namespace
}  // namespace strata::test
