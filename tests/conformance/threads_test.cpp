// 16 threads share one runtime: writes are serialized, reads run concurrently, and every
// invariant holds afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class threads : public conformance {};

TEST_P(threads, sixteen_threads_read_and_write_one_runtime) {
    constexpr int thread_count = 16;
    constexpr int writes_per_thread = 200;
    exec("CREATE TABLE ledger(id " + types().integer + " PRIMARY KEY, thread " + types().integer + ", amount " +
         types().integer + ")");
    runtime& rt = db();
    const sql_template insert("INSERT INTO ledger(id, thread, amount) VALUES (?, ?, ?)");
    const sql_template total("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ledger WHERE thread = ?");
    std::atomic<int> failures{0};
    std::atomic<int> non_monotonic{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < thread_count; ++t) {
        pool.emplace_back([&, t] {
            try {
                std::int64_t seen = 0;
                for (int i = 0; i < writes_per_thread; ++i) {
                    rt.execute(insert.bind(t * writes_per_thread + i, t, 1)).drain();
                    if (i % 10 == 0) {
                        // a thread always sees its own committed writes, in order
                        const auto [n, sum] = rt.execute(total.bind(t)).one_as<std::tuple<std::int64_t, std::int64_t>>();
                        if (n != i + 1 || sum != n || n < seen) ++non_monotonic;
                        seen = n;
                        // and a streamed read across all threads does not disturb the writers
                        std::int64_t rows = 0;
                        for (const row& r : rt.execute(sql("SELECT id FROM ledger WHERE id % 97 = 0"))) rows += r.size();
                        (void)rows;
                    }
                }
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << e.what();
            }
        });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(non_monotonic.load(), 0);
    EXPECT_EQ(count("ledger"), thread_count * writes_per_thread);
    const auto per_thread =
        db().execute(sql("SELECT thread, COUNT(*) FROM ledger GROUP BY thread ORDER BY thread"))
            .all_as<std::tuple<int, int>>();
    ASSERT_EQ(per_thread.size(), static_cast<std::size_t>(thread_count));
    for (int t = 0; t < thread_count; ++t) EXPECT_EQ(per_thread[t], std::make_tuple(t, writes_per_thread));
}

STRATA_CONFORMANCE_SUITE(threads);

}  // namespace
}  // namespace strata::test
