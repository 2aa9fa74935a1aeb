// The PostgreSQL driver, on libpq.
//
// Bindings (chosen at connect):
//   strata::postgres::url{"postgresql://app@db:5432/app"}   a URL or key=value conninfo;
//                                                           strata owns a pool for it
//   strata::postgres::pool_binding{pool}                    a strata pool shared between
//                                                           runtimes (make_pool below)
//   strata::postgres::client{conn}                          a PGconn* the caller owns: one
//                                                           lease at a time, never closed
// Statements run with bound parameters (`?` is lowered to `$n` by the adapter), as
// prepared statements cached per connection unless turned off (PgBouncer transaction
// mode), and stream in single-row mode. See docs/decisions/0007-postgres-driver.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/driver.hpp"

struct pg_conn;

namespace strata::postgres {

// How each connection runs statements.
struct statement_options {
    // Prepared statements cached per connection (LRU). Turn off behind PgBouncer in
    // transaction mode, where a server connection may change between two statements.
    bool prepared = true;
    std::size_t cache_size = 64;
};

// How a connection is checked before a pool hands it out again.
enum class validation {
    none,    // trust it; a dead connection surfaces as DRIVER.CONNECTION_LOST on use
    socket,  // read what the server sent meanwhile (no round trip): catches terminated backends
    ping,    // socket, plus an empty query when it sat idle longer than ping_after_idle
};

struct pool_options {
    std::size_t min_size = 1;  // opened at connect and kept open while idle
    std::size_t max_size = 10;
    std::chrono::milliseconds acquire_timeout{5000};                   // then DRIVER.POOL_TIMEOUT
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};  // 0 = never closed for idleness
    std::chrono::milliseconds max_lifetime{std::chrono::minutes(60)};  // 0 = no limit
    validation validate = validation::socket;
    // A connection given back less than this ago is handed out again unchecked (a
    // failure then surfaces as a transient DRIVER.CONNECTION_LOST): checking costs a
    // system call, a noticeable share of a loopback point select. Once a connection is
    // found lost (a restarted server, ended backends), every idle connection given back
    // before then gets the socket check before its next use, grace or not, whatever
    // `validate` says; an autocommit read lost before any result arrived runs once more.
    std::chrono::milliseconds validation_grace{500};
    std::chrono::milliseconds ping_after_idle{std::chrono::seconds(30)};
    std::chrono::seconds connect_timeout{10};
    // After a cancel request, how long to wait for the server to stop the statement
    // before the connection is given up as lost.
    std::chrono::milliseconds cancel_grace{5000};
    statement_options statements{};
};

// A postgres:// or postgresql:// URL, or a libpq key=value conninfo string.
//
// Every connection is opened with DateStyle=ISO, IntervalStyle=postgres,
// extra_float_digits=3, client_encoding=UTF8 and TimeZone=UTC in its startup packet,
// after the URL's own `options` (decision 0029): whatever the server, database or role
// says, values read the same. A URL (or PGOPTIONS) asking for another DateStyle,
// IntervalStyle, client_encoding or fewer float digits is DRIVER.BINDING_INVALID; a
// TimeZone it names is kept. A connection on which a caller SETs one of them is closed
// when given back. A URL that can be read two ways (a raw '@' after the user name and
// password, or a raw '/' or '@' inside them) is refused: percent-encode (decision 0030).
struct url {
    std::string value{};
    pool_options options{};
};

// A pool of connections to one database, shared by any number of runtimes. Connections
// leased from it go back when their scope ends; close() closes the idle ones and the
// rest as they come back. Thread-safe.
class pool {
public:
    struct stats {
        std::size_t open = 0;  // connections open now (idle + leased)
        std::size_t idle = 0;
        std::size_t waiting = 0;      // callers waiting for a connection
        std::uint64_t opened = 0;     // connections opened since the pool was made
        std::uint64_t discarded = 0;  // closed because broken, expired or in an unknown state
    };
    [[nodiscard]] stats statistics() const;
    [[nodiscard]] const std::string& description() const noexcept;  // redacted
    void close() noexcept;

    struct core;  // internals
    explicit pool(std::shared_ptr<core> c) noexcept : core_(std::move(c)) {}
    [[nodiscard]] const std::shared_ptr<core>& internals() const noexcept { return core_; }

private:
    std::shared_ptr<core> core_;
};

// Opens min_size connections (at least one, so bad credentials fail here). Throws
// DRIVER.BINDING_INVALID or DRIVER.CONNECT_FAILED.
[[nodiscard]] std::shared_ptr<pool> make_pool(const url& u);
[[nodiscard]] std::shared_ptr<pool> make_pool(std::string url_or_conninfo, pool_options options = {});

struct pool_binding {
    std::shared_ptr<postgres::pool> shared{};
};

// A connection opened by the caller (PQconnectdb...). strata never closes it and uses it
// for one scope at a time: concurrent callers wait (up to acquire_timeout) in turn. It
// must already read values as strata does (DateStyle ISO, IntervalStyle postgres,
// client_encoding UTF8): strata never changes a caller's session.
struct client {
    ::pg_conn* conn = nullptr;
    statement_options statements{};
    std::chrono::milliseconds acquire_timeout{30000};
    std::chrono::milliseconds cancel_grace{5000};
};

// Safe, redacted descriptions (what errors and logs print).
[[nodiscard]] std::string describe_binding(const url& u);
[[nodiscard]] std::string describe_binding(const pool_binding& p);
[[nodiscard]] std::string describe_binding(const client& c);

[[nodiscard]] target_descriptor target();
// Lowers `?` placeholders to `$1`, `$2`, ...
[[nodiscard]] adapter_descriptor adapter();
[[nodiscard]] driver_descriptor driver();
[[nodiscard]] stack make_stack(std::vector<std::shared_ptr<middleware>> middleware = {});

// "postgres://...", "postgresql://..." or "key=value ..." into a url binding (checked,
// not connected). DRIVER.BINDING_INVALID{field=url} for anything else.
[[nodiscard]] binding parse_url(std::string_view text);

}  // namespace strata::postgres
