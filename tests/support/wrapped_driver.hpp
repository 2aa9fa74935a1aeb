// A driver wrapper for tests: the real driver underneath does the work; the wrapper can
// hide capabilities (the three connection shapes of atomic writes, or no savepoints),
// record each atomic batch's statements, and inject failures into COMMIT, ROLLBACK and
// ROLLBACK TO SAVEPOINT of a real transaction, or a connection lost before a statement's
// results (the statements that run always run on the real database).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/driver.hpp"
#include "strata/strata.hpp"

namespace strata::test {

struct wrapper_controls {
    // Shapes.
    bool hide_interactive_transactions = false;
    bool hide_atomic_batch = false;
    bool hide_savepoints = false;
    // Give a batch capability to a driver without one, by running the batch inside a
    // real transaction of the underlying connection (all-or-nothing all the same).
    bool batch_through_transaction = false;

    // Injected failures (each consumed once when set to a count > 0).
    std::atomic<int> fail_commits{0};
    transaction_status status_after_failed_commit = transaction_status::unknown;
    bool commit_failure_transient = false;
    std::atomic<int> fail_rollbacks{0};
    // ROLLBACK TO SAVEPOINT fails (the savepoint is left as it was).
    std::atomic<int> fail_savepoint_rollbacks{0};
    // COMMIT takes this long before it fails or succeeds (to pass a deadline inside it).
    std::chrono::milliseconds commit_delay{0};
    // Batches that run (and commit) on the database, then lose their reply: the driver
    // reports the connection lost with outcome=unknown (flagged transient, to prove the
    // runtime never retries it).
    std::atomic<int> lose_batch_replies{0};
    // Batches refused before they reach the database with a transient serialization
    // failure (SQLSTATE 40001), as a conflicting concurrent transaction would cause.
    std::atomic<int> refuse_batches{0};
    // Called with each batch's SQL before it runs (set before the runtime is used; e.g.
    // to hold a batch until a test lets it go).
    std::function<void(const std::vector<std::string>&)> before_batch;
    // Statements (autocommit or in a transaction) whose connection is lost before any of
    // their results arrived: the driver reports a transient DRIVER.CONNECTION_LOST with
    // received=nothing, from execute() itself or from the first pull of its rows. The
    // statement never reaches the database.
    std::atomic<int> lose_at_execute{0};
    std::atomic<int> lose_at_first_pull{0};

    // Observed.
    std::atomic<int> executions{0};  // statements handed to the driver (any scope)
    std::atomic<int> destroyed{0};
    std::atomic<int> released{0};
    std::mutex mutex;
    std::vector<std::vector<std::string>> batches;  // SQL of each batch, as sent
};

// A stack whose driver wraps `inner`'s driver with the given controls.
[[nodiscard]] strata::stack wrap_stack(strata::stack inner, std::shared_ptr<wrapper_controls> controls);

}  // namespace strata::test
