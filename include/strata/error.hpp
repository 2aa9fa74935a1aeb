// strata::error — the one exception root of strata.
//
// Every failure strata reports is a strata::error with a stable dotted code whose prefix
// is its category (DRIVER, QUERY, RUNTIME, BUDGET, CONTRACT, ATOMIC, SPLIT, PLAN), a
// message that says what to do, a details map, an optional SQL error description and a
// cause chain. Messages and details never carry passwords or full connection strings.
#pragma once

#include <exception>
#include <map>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>

namespace strata {

enum class error_category { driver, query, runtime, budget, contract, atomic, split, plan, unknown };

[[nodiscard]] std::string_view to_string(error_category c) noexcept;
// The category named by the prefix of a dotted code ("DRIVER.CLOSED" -> driver).
[[nodiscard]] error_category category_of(std::string_view code) noexcept;

// What a database said about a failed statement, normalized across drivers.
struct sql_error_info {
    std::string sqlstate{};    // five-character SQLSTATE, e.g. "23505"
    std::string constraint{};  // constraint name when the database reports it
    std::string table{};
    std::string column{};
    std::string detail{};      // the database's own message (never holds bound values)
    int native_code = 0;     // driver-specific code (SQLite extended result code, ...)
};

using error_details = std::map<std::string, std::string, std::less<>>;

class error : public std::runtime_error {
public:
    error(std::string code, std::string message, error_details details = {},
          std::source_location where = std::source_location::current());

    [[nodiscard]] const std::string& code() const noexcept { return code_; }
    [[nodiscard]] error_category category() const noexcept { return category_of(code_); }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    [[nodiscard]] const error_details& details() const noexcept { return details_; }
    [[nodiscard]] const std::source_location& where() const noexcept { return where_; }
    [[nodiscard]] const std::optional<sql_error_info>& sql() const noexcept { return sql_; }
    // True for conditions worth retrying: busy/locked database, serialization failure,
    // deadlock, a connection lost before anything was committed.
    [[nodiscard]] bool transient() const noexcept { return transient_; }
    // True when this error or one in its cause chain says that a write's outcome is
    // unknown (details outcome=unknown or applied=unknown): the connection broke after a
    // COMMIT or an atomic batch was sent, so the changes may or may not have landed.
    // Such an error is never transient; look the changes up before repeating them.
    [[nodiscard]] bool outcome_unknown() const noexcept;
    // The error that led to this one, if any (another strata::error or any exception).
    [[nodiscard]] std::exception_ptr cause() const noexcept { return cause_; }
    // The cause if it is a strata::error, else nullptr. Walk the chain with it.
    [[nodiscard]] const error* strata_cause() const noexcept;

    // Builder-style setters, used where the error is made.
    error& with_sql(sql_error_info info) &;
    error&& with_sql(sql_error_info info) &&;
    error& with_transient(bool t = true) &;
    error&& with_transient(bool t = true) &&;
    error& with_cause(std::exception_ptr c) &;
    error&& with_cause(std::exception_ptr c) &&;
    error& with_detail(std::string key, std::string value) &;
    error&& with_detail(std::string key, std::string value) &&;

    // "CODE: message (key=value, ...)" followed by "caused by: ..." lines.
    [[nodiscard]] std::string describe() const;

private:
    void refresh_what();

    std::string code_;
    std::string message_;
    error_details details_;
    std::source_location where_;
    std::optional<sql_error_info> sql_;
    bool transient_ = false;
    std::exception_ptr cause_;
    std::string what_;
};

// Stable codes. Kept in one place so users can match on them without string typos.
namespace codes {
inline constexpr std::string_view driver_not_connected = "DRIVER.NOT_CONNECTED";
inline constexpr std::string_view driver_already_connected = "DRIVER.ALREADY_CONNECTED";
inline constexpr std::string_view driver_closed = "DRIVER.CLOSED";
inline constexpr std::string_view driver_binding_invalid = "DRIVER.BINDING_INVALID";
inline constexpr std::string_view driver_connect_failed = "DRIVER.CONNECT_FAILED";
inline constexpr std::string_view driver_pool_timeout = "DRIVER.POOL_TIMEOUT";
inline constexpr std::string_view driver_busy = "DRIVER.BUSY";
inline constexpr std::string_view driver_connection_lost = "DRIVER.CONNECTION_LOST";
inline constexpr std::string_view query_failed = "QUERY.FAILED";
inline constexpr std::string_view query_constraint = "QUERY.CONSTRAINT_VIOLATION";
inline constexpr std::string_view query_syntax = "QUERY.SYNTAX_ERROR";
inline constexpr std::string_view runtime_iterator_consumed = "RUNTIME.ITERATOR_CONSUMED";
inline constexpr std::string_view runtime_no_rows = "RUNTIME.NO_ROWS";
inline constexpr std::string_view runtime_too_many_rows = "RUNTIME.TOO_MANY_ROWS";
inline constexpr std::string_view runtime_decode_failed = "RUNTIME.DECODE_FAILED";
inline constexpr std::string_view runtime_aborted = "RUNTIME.ABORTED";
inline constexpr std::string_view runtime_column_not_found = "RUNTIME.COLUMN_NOT_FOUND";
inline constexpr std::string_view runtime_invalid_argument = "RUNTIME.INVALID_ARGUMENT";
inline constexpr std::string_view runtime_internal = "RUNTIME.INTERNAL";  // a broken invariant inside strata
inline constexpr std::string_view budget_rows_exceeded = "BUDGET.ROWS_EXCEEDED";
inline constexpr std::string_view budget_latency_exceeded = "BUDGET.LATENCY_EXCEEDED";
inline constexpr std::string_view plan_multiple_statements = "PLAN.MULTIPLE_STATEMENTS";
inline constexpr std::string_view plan_param_count = "PLAN.PARAM_COUNT_MISMATCH";
inline constexpr std::string_view plan_empty = "PLAN.EMPTY";
inline constexpr std::string_view contract_invalid = "CONTRACT.INVALID";
inline constexpr std::string_view contract_mismatch = "CONTRACT.MISMATCH";
inline constexpr std::string_view contract_unmanaged = "CONTRACT.UNMANAGED";
inline constexpr std::string_view contract_unsupported = "CONTRACT.UNSUPPORTED";
// A migration would drop a table or a column nobody declared droppable.
inline constexpr std::string_view contract_destructive_change = "CONTRACT.DESTRUCTIVE_CHANGE";
// A contract change no migration step expresses (a column's type, a primary key).
inline constexpr std::string_view contract_unsupported_change = "CONTRACT.UNSUPPORTED_CHANGE";
// The database's marker moved between planning and applying a migration.
inline constexpr std::string_view contract_plan_stale = "CONTRACT.PLAN_STALE";
// A step's check found rows (SQLite: a reference a rebuilt table no longer satisfies).
inline constexpr std::string_view contract_step_check_failed = "CONTRACT.STEP_CHECK_FAILED";
inline constexpr std::string_view contract_missing = "CONTRACT.MISSING";
inline constexpr std::string_view driver_connection_broken = "DRIVER.CONNECTION_BROKEN";
inline constexpr std::string_view driver_unsupported = "DRIVER.UNSUPPORTED";
inline constexpr std::string_view plan_unsupported = "PLAN.UNSUPPORTED";
inline constexpr std::string_view plan_unsupported_placeholder = "PLAN.UNSUPPORTED_PLACEHOLDER";
inline constexpr std::string_view runtime_connection_released = "RUNTIME.CONNECTION_RELEASED";
inline constexpr std::string_view runtime_savepoints_unsupported = "RUNTIME.SAVEPOINTS_UNSUPPORTED";
inline constexpr std::string_view runtime_stack_invalid = "RUNTIME.STACK_INVALID";
inline constexpr std::string_view runtime_transaction_active_on_thread = "RUNTIME.TRANSACTION_ACTIVE_ON_THREAD";
inline constexpr std::string_view runtime_transaction_closed = "RUNTIME.TRANSACTION_CLOSED";
inline constexpr std::string_view runtime_transaction_commit_failed = "RUNTIME.TRANSACTION_COMMIT_FAILED";
inline constexpr std::string_view runtime_transaction_rollback_failed = "RUNTIME.TRANSACTION_ROLLBACK_FAILED";
inline constexpr std::string_view runtime_transaction_timeout = "RUNTIME.TRANSACTION_TIMEOUT";
inline constexpr std::string_view runtime_transaction_unsupported = "RUNTIME.TRANSACTION_UNSUPPORTED";
inline constexpr std::string_view atomic_unit_failed = "ATOMIC.UNIT_FAILED";
inline constexpr std::string_view atomic_capability_required = "ATOMIC.CAPABILITY_REQUIRED";
}  // namespace codes

}  // namespace strata
