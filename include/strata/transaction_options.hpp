// Options of db.transaction(fn, options): isolation, access mode, locking, retry, deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

// PostgreSQL honours each level. SQLite transactions are always serializable, which
// satisfies every weaker level.
enum class isolation_level { database_default, read_committed, repeatable_read, serializable };
enum class access_mode { read_write, read_only };
// Options only one driver understands (decision 0035), e.g. strata::sqlite's
// transaction_options (how BEGIN takes its locks). A driver reads the ones of its own
// type and ignores any other; key() names them, so commit groups only join units that
// ask for the same.
struct driver_transaction_options {
    virtual ~driver_transaction_options() = default;
    [[nodiscard]] virtual std::string key() const = 0;
};

// What happens when the connection breaks after COMMIT was sent, before its reply came
// (robust commit, docs/decisions/0024-robust-commit.md).
enum class commit_check {
    // Off for db.transaction(fn), on for the transaction mode of run_atomic_writes.
    automatic,
    // Ask the database on a fresh connection whether the transaction committed
    // (PostgreSQL: pg_xact_status of the id taken in BEGIN's round trip; a read-only
    // transaction takes none). Committed: COMMIT returns normally. Rolled back:
    // RUNTIME.TRANSACTION_COMMIT_FAILED{outcome=rolled_back}, transient. Only when the
    // database cannot be reached (or no longer knows the id): outcome=unknown.
    resolve,
    // Report RUNTIME.TRANSACTION_COMMIT_FAILED{outcome=unknown} at once.
    report_unknown,
};

[[nodiscard]] std::string_view to_string(isolation_level l) noexcept;
[[nodiscard]] std::string_view to_string(access_mode m) noexcept;

// Opt-in retry: fn runs again on serialization failure (40001), deadlock (40P01), a busy
// database, or a connection lost before COMMIT was sent — never when the outcome of a
// COMMIT is unknown. Backoff doubles from `initial_backoff` up to `max_backoff`, with
// full jitter.
struct retry_policy {
    std::uint32_t max_attempts = 1;  // 1 = no retry
    std::chrono::milliseconds initial_backoff{5};
    std::chrono::milliseconds max_backoff{250};
};

struct transaction_options {
    isolation_level isolation = isolation_level::database_default;
    access_mode access = access_mode::read_write;
    bool deferrable = false;  // PostgreSQL SERIALIZABLE READ ONLY DEFERRABLE
    // One driver's own options (see driver_transaction_options); null: its defaults.
    std::shared_ptr<const driver_transaction_options> driver_options{};
    retry_policy retry{};
    // The whole transaction (all attempts) must finish in this time, else it is rolled
    // back with RUNTIME.TRANSACTION_TIMEOUT.
    std::optional<std::chrono::milliseconds> timeout{};
    // A COMMIT whose reply was lost: resolved, or reported unknown. SQLite's COMMIT is
    // local and its outcome always known, so it ignores this.
    commit_check check_commit = commit_check::automatic;
};

}  // namespace strata
