// The SQLite write gate: 16 threads interleave transactions and single statements on one
// runtime; no statement lands inside another thread's transaction.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "../support/expect_error.hpp"
#include "../support/temp_dir.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"

namespace strata::test {
namespace {

void sixteen_threads(runtime& rt) {
    rt.execute(sql("CREATE TABLE ledger(id INTEGER PRIMARY KEY, tx_id INTEGER NOT NULL, amount INTEGER NOT NULL)"))
        .drain();
    constexpr int threads = 16, rounds = 40;
    std::atomic<int> failures{0}, torn_reads{0}, committed{0}, rolled_back{0}, solo{0};
    const sql_template insert("INSERT INTO ledger(tx_id, amount) VALUES (?, ?)");
    const sql_template own_sum("SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE tx_id = ?");
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int r = 0; r < rounds; ++r) {
                const int tx_id = t * 1000 + r + 1;
                try {
                    if ((t + r) % 2 == 0) {
                        // A balanced transfer: +x then -x. Between the two, the sum is x —
                        // visible inside, never outside.
                        rt.transaction([&](tx& handle) {
                            handle.execute(insert.bind(tx_id, 10)).drain();
                            if (handle.execute(own_sum.bind(tx_id)).one_as<int>() != 10) ++torn_reads;
                            std::this_thread::yield();
                            if (r % 5 == 0) throw std::runtime_error("abandon this transfer");
                            handle.execute(insert.bind(tx_id, -10)).drain();
                        });
                        ++committed;
                    } else {
                        // Single statements between other threads' transactions.
                        rt.execute(insert.bind(-tx_id, 0)).drain();
                        ++solo;
                        if (rt.execute(sql("SELECT COALESCE(SUM(amount), 0) FROM ledger")).one_as<int>() != 0)
                            ++torn_reads;
                    }
                } catch (const std::runtime_error& e) {
                    if (std::string(e.what()) == "abandon this transfer") {
                        ++rolled_back;
                    } else {
                        ++failures;
                        ADD_FAILURE() << e.what();
                    }
                }
            }
        });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(torn_reads.load(), 0);
    EXPECT_EQ(rt.execute(sql("SELECT COALESCE(SUM(amount), 0) FROM ledger")).one_as<int>(), 0);
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM ledger")).one_as<int>(), committed * 2 + solo);
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM ledger WHERE tx_id IN (SELECT tx_id FROM ledger GROUP BY tx_id "
                             "HAVING SUM(amount) <> 0)"))
                  .one_as<int>(),
              0);  // no half-transfer survived
    EXPECT_GT(rolled_back.load(), 0);
}

TEST(sqlite_write_gate, sixteen_threads_on_a_file_database) {
    temp_dir dir;
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::file{dir.file("gate.db")});
    sixteen_threads(rt);
}

TEST(sqlite_write_gate, sixteen_threads_on_an_in_memory_database) {
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::memory{});  // one connection: reads wait at the gate too
    sixteen_threads(rt);
}

TEST(sqlite_write_gate, the_owning_thread_is_told_to_use_tx_instead_of_deadlocking) {
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::memory{});
    rt.execute(sql("CREATE TABLE t(x INTEGER)")).drain();
    rt.transaction([&](tx& handle) {
        handle.execute(sql("INSERT INTO t VALUES (1)")).drain();
        EXPECT_STRATA_ERROR(rt.execute(sql("INSERT INTO t VALUES (2)")).drain(), "RUNTIME.TRANSACTION_ACTIVE_ON_THREAD");
    });
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 1);
}

TEST(sqlite_write_gate, a_waiting_writer_gives_up_after_the_busy_timeout) {
    sqlite::settings s;
    s.busy_timeout = std::chrono::milliseconds(50);
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::memory{s});
    rt.execute(sql("CREATE TABLE t(x INTEGER)")).drain();
    std::atomic<bool> inside{false}, done{false};
    std::thread holder([&] {
        rt.transaction([&](tx& handle) {
            handle.execute(sql("INSERT INTO t VALUES (1)")).drain();
            inside = true;
            while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        });
    });
    while (!inside) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto e = catch_error([&] { rt.execute(sql("INSERT INTO t VALUES (2)")).drain(); });
    done = true;
    holder.join();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.BUSY");
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 1);
}

TEST(sqlite_write_gate, busy_at_begin_is_retried_until_the_other_writer_finishes) {
    temp_dir dir;
    const auto path = dir.file("retry.db");
    sqlite::settings impatient;
    impatient.busy_timeout = std::chrono::milliseconds(0);
    auto holder = instantiate(sqlite::make_stack());
    holder.connect(sqlite::file{path});
    holder.execute(sql("CREATE TABLE t(x INTEGER)")).drain();
    auto other = instantiate(sqlite::make_stack());
    other.connect(sqlite::file{path, sqlite::open_mode::read_write_create, impatient});
    std::atomic<bool> locked{false};
    std::thread t([&] {
        holder.transaction([&](tx& handle) {
            handle.execute(sql("INSERT INTO t VALUES (1)")).drain();
            locked = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        });
    });
    while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    transaction_options o;
    o.retry.max_attempts = 100;
    o.retry.initial_backoff = std::chrono::milliseconds(5);
    o.retry.max_backoff = std::chrono::milliseconds(20);
    int runs = 0;
    other.transaction([&](tx& handle) { ++runs, handle.execute(sql("INSERT INTO t VALUES (2)")).drain(); }, o);
    t.join();
    EXPECT_EQ(runs, 1);  // BEGIN IMMEDIATE failed before fn ran: fn ran once, when it could succeed
    EXPECT_EQ(other.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 2);
}

}  // namespace
}  // namespace strata::test
