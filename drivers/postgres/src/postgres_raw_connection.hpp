// Internal: the raw connection, one PGconn with its prepared-statement cache (bounded
// LRU), its cancel handle, and the waits that honour deadlines and cancellation. What the
// driver hands out as a strata::connection is a postgres_connection
// (postgres_connection.hpp), which leases one of these.
//
// A raw connection is used by one thread at a time: whoever holds its lease. At most one
// statement reads results from it at a time; a statement that needs the connection
// while another stream is still open first parks that stream (reads its remaining rows
// into memory), so statements may interleave inside a transaction as they do on SQLite.
#pragma once

#include <libpq-fe.h>

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "postgres_values.hpp"
#include "strata/postgres.hpp"
#include "strata/row.hpp"

namespace strata::postgres::detail {

// Result columns: names, origin tables and type OIDs.
struct column_layout {
    std::shared_ptr<const row_shape> shape;
    std::vector<Oid> types;
};

// Origin-table names by OID, shared by the connections of one pool (one database).
class table_names {
public:
    [[nodiscard]] std::string find(Oid table) const;
    // Looks up the OIDs not known yet with one query on `conn` (which must be idle and
    // not in a failed transaction). Failures leave them unknown.
    void resolve(PGconn* conn, const std::vector<Oid>& tables);
    // OIDs of `res`'s columns whose table name is not known yet.
    [[nodiscard]] std::vector<Oid> missing(const PGresult* res) const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<Oid, std::string> names_;
};

// Builds the layout of a result or of a described statement.
[[nodiscard]] std::shared_ptr<const column_layout> make_layout(const PGresult* res, const table_names& names);

struct prepared_statement {
    std::string name;
    std::shared_ptr<const column_layout> layout;  // null until described
};

// A stream that reads results from a connection (rows); see the header comment.
class active_stream {
public:
    // Reads the remaining results into memory so another command can run.
    virtual void park() = 0;
    // The scope is ending: stop now (cancel if needed, drain); later reads fail.
    virtual void detach() noexcept = 0;

protected:
    ~active_stream() = default;
};

// Progress of one wait for results.
struct wait_state {
    bool cancel_sent = false;
    bool gave_up = false;  // the server did not stop within cancel_grace: connection unusable
    clock::time_point give_up_at{};
};

class raw_connection {
public:
    raw_connection(PGconn* conn, bool owned, statement_options statements, std::chrono::milliseconds cancel_grace);
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;
    ~raw_connection();

    [[nodiscard]] PGconn* raw() const noexcept { return conn_; }
    [[nodiscard]] bool owned() const noexcept { return owned_; }
    [[nodiscard]] const statement_options& statements() const noexcept { return statements_; }
    // Usable at all: not marked broken, libpq connection OK.
    [[nodiscard]] bool usable() const noexcept;
    void mark_broken() noexcept { broken_ = true; }

    clock::time_point opened_at = clock::now();
    clock::time_point last_used = clock::now();

    // --- results ---------------------------------------------------------------
    // The next result of the command in progress (null at its end). Once `c` fires it
    // sends a cancel request (once) and keeps reading for at most cancel_grace.
    [[nodiscard]] PGresult* next_result(const execution_control& c, wait_state& w);
    // Sends a cancel request for the command in progress. False when it could not be sent.
    bool cancel() noexcept;
    // Discards results until no command is in progress; a command still running after a
    // short read-on window is cancelled. False (and marked broken) when that failed.
    bool settle() noexcept;
    // Discards results until no command is in progress, cancelling only when `c` fires
    // (inside a transaction block a cancel would abort the transaction). False (and
    // marked broken) when that failed.
    bool drain(const execution_control& c) noexcept;
    // Reads the results of `commands` pipelined commands, then the sync, then leaves
    // pipeline mode. on_result(index, res) takes ownership of every non-null result.
    // False (and marked broken) when the connection was lost on the way.
    bool read_pipeline(std::size_t commands, const execution_control& c, wait_state& w,
                       const std::function<void(std::size_t, PGresult*)>& on_result);
    // A simple command (BEGIN, COMMIT, SAVEPOINT ...) with no parameters. Returns its
    // command tag; throws the mapped error.
    std::string exec(const std::string& sql, std::string_view during);

    // --- streams ---------------------------------------------------------------
    active_stream* active = nullptr;
    // Parks the open stream, if any, so a new command can be sent.
    void make_ready();

    // --- prepared statements ----------------------------------------------------
    // The cached statement for `key` (most recently used first), or null.
    [[nodiscard]] const prepared_statement* find(const std::string& key);
    // Prepares and describes `sql` under a new name in one round trip, caches it and
    // returns it. Throws the mapped error.
    const prepared_statement& prepare(const std::string& key, const char* sql, const encoded_params& params,
                                      const execution_control& c, table_names& names);
    // Caches a statement prepared elsewhere (in a batch). Its layout comes later.
    void remember(const std::string& key, std::string name);
    // Drops a cached statement: it vanished on the server (SQLSTATE 26000), or it is
    // stale and still there (then it is deallocated later).
    void forget(const std::string& key, bool still_on_server) noexcept;
    // Attaches a layout to a cached statement that had none.
    void set_layout(const std::string& key, std::shared_ptr<const column_layout> layout);
    [[nodiscard]] std::string next_statement_name();
    // Sends the DEALLOCATEs of evicted statements; only when idle outside a transaction.
    void flush_deallocations() noexcept;

    // --- validation --------------------------------------------------------------
    // Reads whatever the server sent while the connection sat idle, without a round
    // trip. False when the server closed it (terminated backend, restart).
    [[nodiscard]] bool alive() noexcept;
    // An empty query: one round trip.
    [[nodiscard]] bool ping() noexcept;

private:
    static void on_notice(void* self, const PGresult* res);
    void evict_over_capacity();

    PGconn* conn_;
    bool owned_;
    bool broken_ = false;
    statement_options statements_;
    std::chrono::milliseconds cancel_grace_;
    PGcancel* cancel_ = nullptr;
    using entry = std::pair<std::string, prepared_statement>;
    std::list<entry> lru_;  // front = most recently used
    std::unordered_map<std::string, std::list<entry>::iterator> index_;
    std::vector<std::string> to_deallocate_;
};

}  // namespace strata::postgres::detail
