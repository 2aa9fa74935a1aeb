// Internal: the PostgreSQL driver's strata::connection, a raw connection leased for one
// scope (a transaction or an atomic write unit).
#pragma once

#include <optional>
#include <string>

#include "postgres_pool.hpp"
#include "strata/driver.hpp"

namespace strata::postgres::detail {

[[nodiscard]] capabilities postgres_capabilities() noexcept;

class postgres_connection final : public strata::connection {
public:
    explicit postgres_connection(std::shared_ptr<lease> l) noexcept : lease_(std::move(l)) {}
    postgres_connection(const postgres_connection&) = delete;
    postgres_connection& operator=(const postgres_connection&) = delete;
    ~postgres_connection() override;

    [[nodiscard]] capabilities caps() const override { return postgres_capabilities(); }
    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override;
    [[nodiscard]] transaction_status status() const override;
    void begin(const transaction_options& options) override;
    void commit() override;
    void rollback() override;
    void savepoint(std::string_view name) override;
    void release_savepoint(std::string_view name) override;
    void rollback_to_savepoint(std::string_view name) override;
    [[nodiscard]] std::vector<batch_result> execute_batch(const std::vector<statement>& statements,
                                                          const execution_control& c) override;
    void release() noexcept override;
    void destroy() noexcept override;

private:
    void require_open(std::string_view operation) const;
    void exec(const std::string& sql, std::string_view during);
    void stop_stream() noexcept;
    bool roll_back_quietly() noexcept;  // true when the connection is idle afterwards
    // Robust commit (0024): what was known of the transaction when COMMIT was sent.
    struct commit_evidence {
        std::optional<std::string> xid;
        bool failed = false;  // it had failed before COMMIT
        std::string no_id;    // why there is no id
        int backend_pid = 0;
    };
    // The connection broke after COMMIT was sent. Returns when the transaction
    // committed; throws `lost` amended with the outcome otherwise.
    void settle_lost_commit(const error& lost, const commit_evidence& evidence);

    std::shared_ptr<lease> lease_;
    bool finished_ = false;
    // Of the open transaction: whether a lost COMMIT is resolved (0024), its id (or why
    // there is none), and its deadline (bounds the resolution).
    commit_check check_ = commit_check::report_unknown;
    std::optional<std::string> xid_;
    std::string no_id_;
    std::optional<clock::time_point> deadline_;
};

}  // namespace strata::postgres::detail
