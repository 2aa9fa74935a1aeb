// Internal: the connections behind one connected SQLite driver.
//
// File databases in WAL mode: one writer connection shared by all writes (one call at a
// time, under its lock) and up to max_readers read-only connections, each leased to one
// read stream for the stream's life. When every reader is leased, a read shares the
// writer rather than waiting. In-memory databases and caller-owned handles have a single
// connection that serves everything.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "sqlite_connection.hpp"
#include "strata/driver.hpp"
#include "strata/plan.hpp"

namespace strata::sqlite::detail {

class pool;

// A connection on loan. A reader lease goes back to the pool when destroyed.
class lease {
public:
    lease(std::shared_ptr<pool> owner, std::shared_ptr<connection> conn, bool exclusive) noexcept
        : owner_(std::move(owner)), conn_(std::move(conn)), exclusive_(exclusive) {}
    lease(lease&&) noexcept = default;
    lease& operator=(lease&&) = delete;
    lease(const lease&) = delete;
    ~lease();
    [[nodiscard]] connection& conn() const noexcept { return *conn_; }
    // True for a reader leased to one stream alone (no locking needed).
    [[nodiscard]] bool exclusive() const noexcept { return exclusive_; }
    [[nodiscard]] const pool& owner() const noexcept { return *owner_; }
    [[nodiscard]] pool& owner() noexcept { return *owner_; }
    // Another handle on the same connection that gives nothing back when destroyed.
    [[nodiscard]] lease share() const { return lease(owner_, conn_, false); }
    // The connection's state is unknown: it is not returned to the pool.
    void discard() noexcept { exclusive_ = false; }

private:
    std::shared_ptr<pool> owner_;
    std::shared_ptr<connection> conn_;
    bool exclusive_;
};

class pool : public std::enable_shared_from_this<pool> {
public:
    // Validates the binding and opens the first connection. Throws DRIVER.* errors.
    static std::shared_ptr<pool> open(const binding& b);

    [[nodiscard]] lease acquire(statement_kind kind);
    // A connection for a scope: a reader for read-only work when WAL readers exist, else
    // the writer with its write gate held (the caller leaves the gate).
    [[nodiscard]] lease acquire_scope(connection_intent intent, const execution_control& c, bool& gated);
    // After a failed rollback left the writer inside a transaction: every later use
    // fails with DRIVER.CONNECTION_BROKEN until the driver reconnects.
    void mark_broken() noexcept { broken_.store(true, std::memory_order_release); }
    [[nodiscard]] bool broken() const noexcept { return broken_.load(std::memory_order_acquire); }
    void close() noexcept;
    [[nodiscard]] bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
    [[nodiscard]] const std::string& description() const noexcept { return description_; }
    [[nodiscard]] std::size_t readers_open() const;

private:
    friend class lease;
    pool() = default;
    void give_back(std::shared_ptr<connection> reader) noexcept;
    std::shared_ptr<connection> open_reader();

    std::shared_ptr<connection> primary_;
    std::string description_;
    std::string path_;
    settings settings_;
    bool readers_enabled_ = false;

    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<connection>> idle_;
    std::size_t readers_ = 0;  // opened and not yet dropped
    std::atomic<bool> closed_{false};
    std::atomic<bool> broken_{false};
};

}  // namespace strata::sqlite::detail
