// SQLite concurrency design: WAL readers on their own connections see a stable snapshot
// and never block the writer; a second writer gets a transient busy error.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "../support/temp_dir.hpp"
#include "strata/sqlite.hpp"
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

}  // namespace
}  // namespace strata::test
