// Internal: a connection leased for one scope (a transaction or an atomic write unit).
#pragma once

#include "postgres_pool.hpp"
#include "strata/driver.hpp"

namespace strata::postgres::detail {

[[nodiscard]] capabilities postgres_capabilities() noexcept;

class scope final : public strata::connection {
public:
    explicit scope(std::shared_ptr<lease> l) noexcept : lease_(std::move(l)) {}
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    ~scope() override;

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

    std::shared_ptr<lease> lease_;
    bool finished_ = false;
};

}  // namespace strata::postgres::detail
