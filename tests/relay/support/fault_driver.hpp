// A driver wrapper for relay's write-path tests. It gives the runtime one of the three
// shapes atomic writes choose from (the real connection: transaction; batch only;
// neither: sequential) and, once armed, fails the N-th statement of the units that
// reach the database — while it executes, inside whatever transaction or batch is open —
// so a test can fail a unit at every index and check what is left behind. It can also
// lose a COMMIT's reply after committing (or rolling back) the work. (Sequential
// units run through the driver, where only writes are counted: reads there are not
// part of a unit.)
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <strata/driver.hpp>
#include <strata/strata.hpp>
#include <string>
#include <vector>

namespace relay::test {

// native: the database's own capabilities (PostgreSQL: transactions and a batch, so
// units that prefer a batch get one); transaction: interactive transactions only.
enum class unit_shape { native, transaction, batch, sequential };

struct fault_controls {
    // Read on every capability check, so a test can start relay with real transactions
    // (the schema migration needs them) and then switch.
    std::atomic<unit_shape> shape{unit_shape::native};

    // Armed: statements are counted from 0; the one at fail_at fails (-1: none).
    void arm(int fail_at);
    void disarm();
    // Statements seen since arm(), and their SQL.
    [[nodiscard]] int seen() const;
    [[nodiscard]] std::vector<std::string> statements() const;
    // Units run as a batch since arm(), and the SQL of each.
    [[nodiscard]] int batches() const;
    [[nodiscard]] std::vector<std::vector<std::string>> batch_statements() const;

    // The next `lost_commits` COMMITs of transactions that wrote (or atomic batches) lose
    // their reply: the work is
    // committed (lost_commit_lands) or rolled back, then the connection breaks with its
    // state unknown, as when the network fails while COMMIT is answered.
    std::atomic<int> lost_commits{0};
    std::atomic<bool> lost_commit_lands{true};
    bool take_lost_commit();

    // Internals for the wrapper: true when the statement about to run must fail.
    bool next_statement_fails(std::string_view sql);
    void count_batch(const std::vector<strata::statement>& statements);

private:
    mutable std::mutex mutex_;
    bool armed_ = false;
    int fail_at_ = -1;
    int seen_ = 0;
    int batches_ = 0;
    std::vector<std::string> sql_;
    std::vector<std::vector<std::string>> batch_sql_;
};

[[nodiscard]] strata::stack fault_stack(strata::stack inner, std::shared_ptr<fault_controls> controls);

}  // namespace relay::test
