// The SQLite driver: embedded, the default.
//
// Bindings (chosen at connect):
//   strata::sqlite::file{"app.db"}      a database file (created unless open_mode says not)
//   strata::sqlite::memory{}            a private in-memory database
//   strata::sqlite::handle{db}          an existing sqlite3* the caller owns; never closed
// Settings (WAL, foreign keys, busy timeout, synchronous, caches) ride on the binding.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/driver.hpp"
#include "strata/transaction_options.hpp"

struct sqlite3;

namespace strata::sqlite {

enum class journal_mode { wal, delete_, truncate, memory, keep };
enum class synchronous { off, normal, full, keep };
enum class open_mode { read_write_create, read_write, read_only };

struct settings {
    journal_mode journal = journal_mode::wal;
    bool foreign_keys = true;
    // How long a statement, BEGIN or COMMIT waits for a lock another connection holds
    // (another process, or another runtime on the file), then DRIVER.BUSY (transient).
    // The wait also ends at the work's deadline or cancel (RUNTIME.ABORTED for a
    // statement). strata installs its own busy handler for this, so PRAGMA busy_timeout
    // reads 0; setting that PRAGMA yourself replaces strata's handler.
    std::chrono::milliseconds busy_timeout{5000};
    synchronous sync = synchronous::normal;
    std::size_t statement_cache_size = 64;  // prepared statements kept per connection (LRU)
    // Extra read-only connections for reads of file databases in WAL mode. When all are
    // busy a read runs on the writer connection instead of waiting.
    std::size_t max_readers = 4;
    // A cap on the database's size, in pages (PRAGMA max_page_count on every connection;
    // SQLite keeps it per connection, never in the file). 0: SQLite's own limit. A write
    // past it fails with QUERY.FAILED, SQLSTATE 53100 (disk full), and nothing of its
    // statement is stored. Caps below the pages already used hold the database at its size.
    std::uint64_t max_page_count = 0;
};

struct file {
    std::string path{};
    open_mode mode = open_mode::read_write_create;
    settings options{};
};

struct memory {
    settings options{};
};

// An sqlite3* opened by the caller. strata never closes it. It is used by one thread at
// a time; strata applies `options` only when apply_settings is true.
struct handle {
    ::sqlite3* db = nullptr;
    bool apply_settings = false;
    settings options{};
};

// How a read-write transaction takes its locks: BEGIN IMMEDIATE (the default: the write
// lock is taken at BEGIN, so the transaction cannot fail later with a busy upgrade),
// DEFERRED (at the first write) or EXCLUSIVE. Read-only transactions are always deferred.
enum class begin_mode { immediate, deferred, exclusive };

// SQLite's own transaction options, given as strata::transaction_options::driver_options
// (other drivers ignore them):
//   auto o = std::make_shared<strata::sqlite::transaction_settings>();
//   o->begin = strata::sqlite::begin_mode::deferred;
//   db.transaction(fn, {.driver_options = o});
struct transaction_settings final : driver_transaction_options {
    begin_mode begin = begin_mode::immediate;
    // Foreign keys are not enforced inside this transaction (PRAGMA foreign_keys=OFF
    // before BEGIN, back ON when it ends), as SQLite's table rebuild needs: dropping the
    // old copy of a referenced table would otherwise cascade into the tables that
    // reference it. The caller checks references itself (PRAGMA foreign_key_check);
    // strata::apply_migration does, through the adapter's migration options.
    bool suspend_foreign_keys = false;
    [[nodiscard]] std::string key() const override;
};

// Safe, redacted descriptions (what errors and logs print).
[[nodiscard]] std::string describe_binding(const file& f);
[[nodiscard]] std::string describe_binding(const memory& m);
[[nodiscard]] std::string describe_binding(const handle& h);

[[nodiscard]] target_descriptor target();
[[nodiscard]] adapter_descriptor adapter();
[[nodiscard]] driver_descriptor driver();
// target + adapter + driver, plus the given middleware.
[[nodiscard]] stack make_stack(std::vector<std::shared_ptr<middleware>> middleware = {});

// Parses "sqlite:PATH", "sqlite::memory:", "sqlite://PATH" and "file:PATH" into a binding.
// One setting may follow as a parameter, for programs configured by a URL alone:
// "?max_page_count=N" (settings::max_page_count). DRIVER.BINDING_INVALID{field=url} for
// anything else (any other parameter included).
[[nodiscard]] binding parse_url(std::string_view url);

}  // namespace strata::sqlite
