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

#include "sqlite_raw_connection.hpp"
#include "strata/driver.hpp"
#include "strata/plan.hpp"

namespace strata::sqlite::detail {

class pool;

// A raw connection on loan. A reader lease goes back to the pool when destroyed.
//
// The writer is held by the pool for the pool's whole life, so a lease of it only points
// at it (the lease keeps the pool alive). A reader belongs to the one lease that took it
// from the pool; a share of it (a statement run on the sqlite_connection that leased the
// reader) only points at it, and cannot outlive it: a sqlite_connection's streams hold
// the sqlite_connection. An execution therefore copies no connection reference.
class lease {
public:
    // A reader taken from the pool for one stream or scope (given back at destruction).
    lease(std::shared_ptr<pool> owner, std::unique_ptr<raw_connection> reader) noexcept
        : owner_(std::move(owner)), conn_(reader.get()), reader_(std::move(reader)), exclusive_(true) {}
    // A connection someone else holds: the pool's writer, or a share of a scope's reader.
    lease(std::shared_ptr<pool> owner, raw_connection& conn) noexcept
        : owner_(std::move(owner)), conn_(&conn), exclusive_(false) {}
    lease(lease&&) noexcept = default;
    lease& operator=(lease&&) = delete;
    lease(const lease&) = delete;
    ~lease();
    [[nodiscard]] raw_connection& conn() const noexcept { return *conn_; }
    // True for a reader leased to one stream alone (no locking needed).
    [[nodiscard]] bool exclusive() const noexcept { return exclusive_; }
    [[nodiscard]] const pool& owner() const noexcept { return *owner_; }
    [[nodiscard]] pool& owner() noexcept { return *owner_; }
    // Another handle on the same connection that gives nothing back when destroyed.
    [[nodiscard]] lease share() const { return lease(owner_, *conn_); }
    // The connection's state is unknown: it is closed with this lease, not reused.
    void discard() noexcept { exclusive_ = false; }

private:
    std::shared_ptr<pool> owner_;
    raw_connection* conn_;
    std::unique_ptr<raw_connection> reader_;  // set when this lease took a reader from the pool
    bool exclusive_;
};

class pool : public std::enable_shared_from_this<pool> {
public:
    // Validates the binding and opens the first connection. Throws DRIVER.* errors.
    static std::shared_ptr<pool> open(const binding& b);

    // A connection for one statement: a reader for a read when WAL readers exist (the
    // writer when all are busy), else the writer. `self` is the caller's reference to
    // this pool; the lease keeps it.
    [[nodiscard]] static lease acquire(std::shared_ptr<pool> self, statement_kind kind);
    // A connection for a scope: a reader for read-only work when WAL readers exist, else
    // the writer with its write gate held (the caller leaves the gate).
    [[nodiscard]] lease acquire_scope(connection_intent intent, const execution_control& c, bool& gated);
    // After a failed rollback left the writer inside a transaction: every later use
    // fails with DRIVER.CONNECTION_BROKEN until the driver reconnects.
    void mark_broken() noexcept { broken_.store(true, std::memory_order_release); }
    [[nodiscard]] bool broken() const noexcept { return broken_.load(std::memory_order_acquire); }
    void close() noexcept;
    [[nodiscard]] bool closed() const noexcept { return closed_.load(std::memory_order_seq_cst); }
    [[nodiscard]] const std::string& description() const noexcept { return description_; }
    // What one statement may hold, as the writer reported it at open.
    [[nodiscard]] const statement_limits& limits() const noexcept { return limits_; }
    [[nodiscard]] std::size_t readers_open() const;

    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;
    ~pool();

private:
    friend class lease;
    pool() = default;
    void give_back(std::unique_ptr<raw_connection> reader) noexcept;
    void forget_reader(std::unique_ptr<raw_connection> reader) noexcept;
    std::unique_ptr<raw_connection> open_reader();

    std::shared_ptr<raw_connection> primary_;
    std::string description_;
    std::string path_;
    statement_limits limits_{};
    settings settings_;
    bool readers_enabled_ = false;

    // The idle reader that was given back last, taken and given back with one atomic
    // exchange each: a point select should not pay two mutex round trips for its reader.
    // Owned by the pool while here. Further idle readers wait in idle_, under the mutex.
    std::atomic<raw_connection*> spare_{nullptr};
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<raw_connection>> idle_;
    std::size_t readers_ = 0;  // opened and not yet dropped
    std::atomic<bool> closed_{false};
    std::atomic<bool> broken_{false};
};

}  // namespace strata::sqlite::detail
