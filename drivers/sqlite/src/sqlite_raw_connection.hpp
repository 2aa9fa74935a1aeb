// Internal: the raw connection, one sqlite3* handle with its prepared-statement cache
// (bounded LRU) and its write gate. What the driver hands out as a strata::connection is
// a sqlite_connection (sqlite_connection.hpp), which leases one of these.
//
// A raw connection is used by one thread at a time: callers hold lock() around every call
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
    int placeholders = 0;                         // sqlite3_bind_parameter_count, fixed by the SQL text
};

// A statement on loan from the cache (entry set) or prepared for one use (entry null,
// when the cached copy is busy or the cache is full of busy statements).
struct statement_loan {
    prepared* slot = nullptr;  // the entry's statement, or `own`
    prepared own;
    void* entry = nullptr;
    [[nodiscard]] prepared& get() noexcept { return entry ? *slot : own; }
};

class raw_connection {
public:
    // Takes `db`; closes it at destruction only when `owned`.
    raw_connection(sqlite3* db, bool owned, std::size_t cache_capacity);
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;
    ~raw_connection();

    [[nodiscard]] sqlite3* db() const noexcept { return db_; }
    // The handle's own mutex: null for the connections strata opens (NOMUTEX); a
    // caller's handle may have one.
    [[nodiscard]] sqlite3_mutex* db_mutex() const noexcept { return db_mutex_; }

    // The write gate. A scope (a sqlite_connection on the writer: a transaction) holds it
    // from enter_scope() to leave_scope(); meanwhile other threads' statements wait in
    // lock() — at most the busy timeout or their deadline, then DRIVER.BUSY — so none can
    // land inside the transaction. The owner's own calls use lock_plain().
    void enter_scope(const execution_control& c);
    void leave_scope() noexcept;
    // For starting work outside a scope: waits while another thread's scope holds the
    // gate; RUNTIME.TRANSACTION_ACTIVE_ON_THREAD if this thread holds it.
    [[nodiscard]] std::unique_lock<std::mutex> lock(const execution_control& c);
    // One call at a time, no gate: the scope owner's calls, and cleanup.
    [[nodiscard]] std::unique_lock<std::mutex> lock_plain() { return std::unique_lock(mutex_); }
    void set_busy_timeout(std::chrono::milliseconds t) noexcept { busy_timeout_ = t; }

    // Another connection's lock (another process, or another strata runtime on the same
    // file) is waited for in SQLite's busy handler: strata's own (installed by apply())
    // waits at most the busy timeout, and no later than the deadline of the work being
    // stepped — `c` while a wait_for guard lives, else the thread's deadline_scope — nor
    // past a cancel. The guard is set with the lock held, around sqlite3_step.
    class wait_for {
    public:
        wait_for(raw_connection& conn, const execution_control* c) noexcept
            : conn_(conn), previous_(conn.wait_control_) {
            conn.wait_control_ = c;
        }
        ~wait_for() { conn_.wait_control_ = previous_; }
        wait_for(const wait_for&) = delete;
        wait_for& operator=(const wait_for&) = delete;

    private:
        raw_connection& conn_;
        const execution_control* previous_;
    };

    // With the lock held: a prepared statement for `sql`. A cached statement stays in
    // its cache slot, marked busy, so taking and giving back allocate nothing. `text`,
    // when given, is the plan text `sql` was made from: the entry remembers it, so the
    // next execution of a plan bound from the same text finds its statement by identity
    // (no hashing, no comparing of SQL). Throws PLAN.MULTIPLE_STATEMENTS / PLAN.EMPTY /
    // the mapped SQLite error.
    void take(std::string_view sql, statement_loan& loan, const std::shared_ptr<const plan_text>* text = nullptr);
    // With the lock held: resets the statement and frees its slot (or finalizes it).
    void give_back(statement_loan& loan) noexcept;

    // Applies PRAGMAs and the busy timeout. Returns the journal mode now in effect.
    std::string apply(const settings& s, bool set_journal);

private:
    void exec(const char* sql, std::string_view during);

    [[nodiscard]] clock::time_point wait_limit(const execution_control& c) const;
    static int on_busy(void* self, int count) noexcept;

    sqlite3* db_;
    sqlite3_mutex* db_mutex_;
    bool owned_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable gate_free_;
    bool scope_held_ = false;
    std::thread::id scope_owner_;
    std::chrono::milliseconds busy_timeout_{5000};
    const execution_control* wait_control_ = nullptr;  // see wait_for
    clock::time_point busy_since_{};                   // when the current busy wait began
    struct entry {
        std::string sql;
        prepared p;
        bool busy = false;
        // The plan text last executed with this statement; held, so its address names it.
        std::shared_ptr<const plan_text> text{};
    };
    [[nodiscard]] prepared prepare(std::string_view sql);
    bool make_room() noexcept;  // evicts idle entries down to capacity - 1

    std::list<entry> lru_;  // front = most recently used; nodes never move in memory
    std::unordered_map<std::string_view, std::list<entry>::iterator> index_;  // keys view entry::sql
};

}  // namespace strata::sqlite::detail
