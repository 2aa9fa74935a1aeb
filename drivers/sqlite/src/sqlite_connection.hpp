// Internal: one sqlite3 connection with its prepared-statement cache (bounded LRU).
//
// A connection is used by one thread at a time: callers hold lock() around every call
// into SQLite (step, prepare, reset, errmsg). A statement taken from the cache belongs to
// its taker until it is given back, so two streams never share a statement.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <string_view>
#include <unordered_map>

#include "strata/row.hpp"
#include "strata/sqlite.hpp"

namespace strata::sqlite::detail {

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// How a statement's columns are read: names, origin tables and type hints from the
// declared types. Built on the first row and kept with the cached statement; rebuilt
// when SQLite re-prepared the statement after a schema change.
struct column_layout {
    enum class hint : unsigned char { none, boolean, timestamp, json };
    std::shared_ptr<const row_shape> shape;
    std::vector<hint> hints;
    int reprepares = 0;  // SQLITE_STMTSTATUS_REPREPARE when built
};

// A prepared statement and what is known about its result columns.
struct prepared {
    sqlite3_stmt* stmt = nullptr;
    std::shared_ptr<const column_layout> layout;  // null until the first row
};

class connection {
public:
    // Takes `db`; closes it at destruction only when `owned`.
    connection(sqlite3* db, bool owned, std::size_t cache_capacity);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    [[nodiscard]] sqlite3* db() const noexcept { return db_; }

    // The write gate. A scope (a transaction) holds the connection from enter_scope() to
    // leave_scope(); meanwhile other threads' statements wait in lock() — at most the
    // busy timeout or their deadline, then DRIVER.BUSY — so none can land inside the
    // transaction. The owner's own calls use lock_plain().
    void enter_scope(const execution_control& c);
    void leave_scope() noexcept;
    // For starting work outside a scope: waits while another thread's scope holds the
    // gate; RUNTIME.TRANSACTION_ACTIVE_ON_THREAD if this thread holds it.
    [[nodiscard]] std::unique_lock<std::mutex> lock(const execution_control& c);
    // One call at a time, no gate: the scope owner's calls, and cleanup.
    [[nodiscard]] std::unique_lock<std::mutex> lock_plain() { return std::unique_lock(mutex_); }
    void set_busy_timeout(std::chrono::milliseconds t) noexcept { busy_timeout_ = t; }

    // With the lock held: a prepared statement for `sql` (cached or new). Throws
    // PLAN.MULTIPLE_STATEMENTS / PLAN.EMPTY / the mapped SQLite error.
    [[nodiscard]] prepared take(std::string_view sql);
    // With the lock held: resets the statement and keeps it for reuse (or finalizes it).
    void give_back(std::string_view sql, prepared p) noexcept;

    // Applies PRAGMAs and the busy timeout. Returns the journal mode now in effect.
    std::string apply(const settings& s, bool set_journal);

private:
    void exec(const char* sql, std::string_view during);

    [[nodiscard]] clock::time_point wait_limit(const execution_control& c) const;

    sqlite3* db_;
    bool owned_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable gate_free_;
    bool scope_held_ = false;
    std::thread::id scope_owner_;
    std::chrono::milliseconds busy_timeout_{5000};
    using entry = std::pair<std::string, prepared>;
    std::list<entry> lru_;  // front = most recently used
    std::unordered_map<std::string, std::list<entry>::iterator, string_hash, std::equal_to<>> index_;
};

}  // namespace strata::sqlite::detail
