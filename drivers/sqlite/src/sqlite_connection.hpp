// Internal: the SQLite driver's strata::connection, a raw connection leased for one scope
// (a transaction or an atomic write unit).
#pragma once

#include "sqlite_pool.hpp"
#include "strata/driver.hpp"

namespace strata::sqlite::detail {

// The limits a connection reports (sqlite3_limit): its build's, unless the caller of a
// handle binding lowered them.
[[nodiscard]] statement_limits statement_limits_of(sqlite3* db) noexcept;
// The limits of a fresh connection of this SQLite build (an unbound driver reports these).
[[nodiscard]] const statement_limits& build_limits() noexcept;
[[nodiscard]] capabilities sqlite_capabilities(const statement_limits& limits) noexcept;

class sqlite_connection final : public strata::connection {
public:
    // `gated`: the lease is the writer with its write gate held by this connection.
    // `control`: the acquisition's deadline and cancel, which bound BEGIN, COMMIT and
    // the savepoint statements' waits for another connection's lock.
    sqlite_connection(lease l, bool gated, execution_control control) noexcept
        : lease_(std::move(l)), gated_(gated), control_(std::move(control)) {}
    sqlite_connection(const sqlite_connection&) = delete;
    sqlite_connection& operator=(const sqlite_connection&) = delete;
    ~sqlite_connection() override;

    [[nodiscard]] capabilities caps() const override { return sqlite_capabilities(lease_.owner().limits()); }
    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override;
    [[nodiscard]] many_result execute_many(const statement& s, param_rows& rows, const execution_control& c) override;
    [[nodiscard]] transaction_status status() const override;
    void begin(const transaction_options& options) override;
    void commit() override;
    void rollback() override;
    void savepoint(std::string_view name) override;
    void release_savepoint(std::string_view name) override;
    void rollback_to_savepoint(std::string_view name) override;
    void release() noexcept override;
    void destroy() noexcept override;

private:
    void exec(const std::string& sql, std::string_view during);
    void require_open(std::string_view operation) const;
    bool end_transaction() noexcept;  // true when the connection is back in autocommit
    void finish() noexcept;

    lease lease_;
    bool gated_;
    execution_control control_;
    bool query_only_ = false;  // PRAGMA query_only set for a read-only transaction on the writer
    bool foreign_keys_suspended_ = false;  // sqlite::transaction_settings::suspend_foreign_keys
    bool finished_ = false;
};

}  // namespace strata::sqlite::detail
