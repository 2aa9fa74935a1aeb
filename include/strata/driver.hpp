// Driver SPI: what a driver implements, and the immutable descriptors a stack holds.
//
// A driver instance is created unbound by its descriptor's factory (which reads no
// environment and opens nothing) and becomes usable only at connect(binding):
//   unbound --connect--> connected --close--> closed --connect--> connected ...
// Wrong-state calls fail with DRIVER.NOT_CONNECTED / DRIVER.ALREADY_CONNECTED /
// DRIVER.CLOSED; a binding the driver cannot use fails with DRIVER.BINDING_INVALID.
#pragma once

#include <any>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "strata/middleware.hpp"
#include "strata/param_rows.hpp"
#include "strata/plan.hpp"
#include "strata/row.hpp"
#include "strata/transaction_options.hpp"

namespace strata {

class error;

enum class driver_state { unbound, connected, closed };
[[nodiscard]] std::string_view to_string(driver_state s) noexcept;

// How much one statement may hold on a connection; 0 means no known limit. Code that
// builds statements from data (an IN list of ids, a multi-row insert) chunks below these
// instead of assuming a number: SQLite's are its build's limits as the connection reports
// them (sqlite3_limit), PostgreSQL's are the protocol's and the server's.
struct statement_limits {
    std::size_t max_parameters = 0;    // bound parameters in one statement
    std::size_t max_sql_length = 0;    // bytes of statement text
    std::size_t max_value_length = 0;  // bytes of one text or blob value
};

// What a connection can do. Core code chooses by capability, never by driver name.
struct capabilities {
    bool interactive_transactions = false;
    bool atomic_batch = false;
    bool savepoints = false;
    bool returning = false;
    bool streaming = false;
    // One writer at a time for the whole database (SQLite): commit groups form across
    // every unit of the runtime, whatever their keys.
    bool single_writer = false;
    statement_limits limits{};
};

// Transport data chosen by a driver (an SQLite file, a PostgreSQL URL, ...), carried
// type-erased through the runtime. `describe()` is safe to print (already redacted).
class binding {
public:
    template <class B>
    requires(!std::same_as<std::remove_cvref_t<B>, binding>) binding(B b)
        : value_(std::move(b)), describe_(describe_binding(std::any_cast<const B&>(value_))) {}

    template <class B>
    [[nodiscard]] const B* get_if() const noexcept {
        return std::any_cast<B>(&value_);
    }
    [[nodiscard]] const std::string& describe() const noexcept { return describe_; }

private:
    std::any value_;
    std::string describe_;
};

// The controls a driver must honour while a statement runs.
struct execution_control {
    std::optional<clock::time_point> deadline{};
    cancel_token cancel{};
    [[nodiscard]] bool active() const noexcept { return deadline.has_value() || cancel.can_be_cancelled(); }
};

// One statement as the driver receives it: SQL in the driver's dialect, and the plan
// (which owns the parameters and outlives the row source).
struct statement {
    std::string_view sql;
    const plan* source = nullptr;
};

// Rows of one executing statement. next() fills `out` and returns true, or returns
// false at the end; failures throw strata::error. Destroying it releases its connection.
// A connection lost before any of the statement's results arrived, from execute() or
// the first next(), is a transient DRIVER.CONNECTION_LOST marked with
// driver_errors::mark_nothing_received (see there).
class row_source {
public:
    virtual ~row_source() = default;
    virtual bool next(row& out) = 0;
    // Rows inserted, updated or deleted by the statement; meaningful once next() returned
    // false. 0 for statements that change nothing.
    [[nodiscard]] virtual std::uint64_t affected_rows() const noexcept { return 0; }
};

// Where a leased connection stands, as far as transactions go.
enum class transaction_status { idle, in_transaction, failed, unknown };

// The result of one statement of an atomic batch.
struct batch_result {
    std::vector<row> rows;  // RETURNING rows (or the rows of a read)
    std::uint64_t affected_rows = 0;
};

// A connection leased from a driver for one scope (a transaction, an atomic write unit).
// Used by one thread at a time. It goes back with release() (reusable: the driver may
// keep it) or destroy() (its state is unknown: never reused). Dropping it without either
// is destroy().
class connection {
public:
    virtual ~connection() = default;
    [[nodiscard]] virtual capabilities caps() const = 0;
    [[nodiscard]] virtual std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) = 0;
    [[nodiscard]] virtual transaction_status status() const = 0;

    // interactive_transactions capability. begin() validates options it cannot honour.
    // The runtime passes check_commit as resolve or report_unknown, never automatic.
    virtual void begin(const transaction_options& options) = 0;
    // With check_commit = resolve, a driver that can lose a COMMIT's reply settles what
    // became of it (robust commit, docs/decisions/0024-robust-commit.md): committed ->
    // returns normally; not committed -> throws with details outcome=rolled_back (and
    // resolution); cannot tell -> details outcome=unknown, not transient. The connection
    // is unusable after either throw. Without those details, status() decides.
    virtual void commit() = 0;
    virtual void rollback() = 0;
    // savepoints capability. Names are chosen by the runtime (plain identifiers).
    virtual void savepoint(std::string_view name) = 0;
    virtual void release_savepoint(std::string_view name) = 0;
    virtual void rollback_to_savepoint(std::string_view name) = 0;

    // atomic_batch capability: every statement in one round trip, all or nothing.
    // A failure after the batch's commit point was sent (the connection broke while the
    // results were read, or the server could not be stopped in time) must carry details
    // outcome=unknown and not be transient: the batch may have committed. A statement
    // error reported by the server, or a failure before anything was sent, means nothing
    // was applied.
    [[nodiscard]] virtual std::vector<batch_result> execute_batch(const std::vector<statement>& statements,
                                                                  const execution_control& c);

    // One statement run once per parameter row (tx::execute_many); rows it returns are
    // discarded. s.source is the statement's plan without parameters. The default runs
    // each row through execute(); drivers override it to bind every row into one
    // prepared statement. Stops at the first failing row and throws its error.
    [[nodiscard]] virtual many_result execute_many(const statement& s, param_rows& rows, const execution_control& c);

    virtual void release() noexcept = 0;
    virtual void destroy() noexcept = 0;
};

// What a scope will do with a connection, so the driver can pick one (SQLite: a
// read-only transaction can run on a WAL reader).
enum class connection_intent { read_write, read_only };

class driver {
public:
    virtual ~driver() = default;
    [[nodiscard]] virtual driver_state state() const noexcept = 0;
    virtual void connect(const binding& b) = 0;
    // Idempotent. Open result streams fail with DRIVER.CLOSED on their next pull.
    virtual void close() = 0;
    [[nodiscard]] virtual capabilities caps() const = 0;
    [[nodiscard]] virtual std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) = 0;
    // A connection for a scope. Waits for one as the driver's pool allows; wrong states
    // fail like execute().
    [[nodiscard]] virtual std::unique_ptr<connection> acquire(connection_intent intent, const execution_control& c) = 0;
};

// Errors every driver raises the same way (for driver authors).
namespace driver_errors {
[[noreturn]] void not_connected(std::string_view driver, std::string_view operation);
[[noreturn]] void already_connected(std::string_view driver, std::string_view binding_description);
[[noreturn]] void closed(std::string_view driver, std::string_view operation);
// Throws the error for `operation` in state `s` (unbound -> NOT_CONNECTED, closed -> CLOSED).
[[noreturn]] void wrong_state(std::string_view driver, driver_state s, std::string_view operation);
[[noreturn]] void binding_invalid(std::string_view driver, std::string_view field, std::string_view reason);
// Marks a DRIVER.CONNECTION_LOST that came before any of the statement's results arrived
// (details received=nothing). The runtime then runs an autocommit read once more, on
// another connection from driver::execute(); never a write, a statement of unknown
// kind, or anything inside a transaction.
void mark_nothing_received(error& e);
// True for a connection lost so marked.
[[nodiscard]] bool lost_before_results(const error& e) noexcept;
}  // namespace driver_errors

struct target_descriptor {
    std::string id;
    std::string dialect;
};

struct contract_table;
struct schema_change;
struct rendered_change;
class runtime;

struct adapter_descriptor {
    std::string id;
    std::string dialect;
    // Lowers a raw plan's `?` SQL into the dialect's text; empty means "unchanged".
    std::function<std::string(const plan&)> lower;
    // Lowers a builder plan's statement tree to the dialect's SQL (cached per plan text).
    std::function<std::string(const plan&)> lower_tree;
    // DDL creating a contract table (CREATE TABLE, then its indexes) in the dialect.
    std::function<std::vector<std::string>(const contract_table&)> create_table;
    // One migration step in the dialect (strata/schema_change.hpp).
    std::function<rendered_change(const schema_change&)> render_change;
    // The tables of the live schema, read from the database's catalog; what a contract
    // cannot describe is left out, one line each in `left_out`.
    std::function<std::vector<contract_table>(const runtime&, std::vector<std::string>& left_out)> introspect;
    // What identifies the database behind a runtime, e.g. "postgres:<system id>:<db>" or
    // "sqlite:<main file>"; empty when it has no identity (an in-memory database). Split
    // stores compare identities to prove two databases distinct (strata/split/topology.hpp).
    std::function<std::string(const runtime&)> identity;
    // The driver options a migration's transaction needs (SQLite: foreign keys suspended,
    // for table rebuilds); null: none.
    std::shared_ptr<const driver_transaction_options> migration_options;
};

struct driver_descriptor {
    std::string id;
    std::string dialect;
    std::function<std::unique_ptr<driver>()> create;
};

// Everything a runtime is made from. Immutable values; instantiate() reads them only.
struct stack {
    target_descriptor target;
    adapter_descriptor adapter;
    driver_descriptor driver;
    std::vector<std::shared_ptr<strata::middleware>> middleware;
};

}  // namespace strata
