// Internal: the row source of one PostgreSQL statement, streamed in single-row mode.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "postgres_pool.hpp"
#include "strata/driver.hpp"

namespace strata::postgres::detail {

class rows final : public row_source, public active_stream {
public:
    // Sends the statement (preparing it first when needed). `owns_lease`: the stream is
    // the lease's only user and gives the connection back as soon as its results end.
    rows(std::shared_ptr<lease> l, bool owns_lease, const statement& s, const execution_control& control);
    rows(const rows&) = delete;
    rows& operator=(const rows&) = delete;
    ~rows() override;

    bool next(row& out) override;
    [[nodiscard]] std::uint64_t affected_rows() const noexcept override { return affected_; }

    void park() override;
    void detach() noexcept override;

private:
    [[nodiscard]] raw_connection& conn() const noexcept { return lease_->conn(); }
    void send();
    bool pull(row& out);
    void fill(row& out, const PGresult* res);
    void note_affected(const PGresult* res) noexcept;
    [[nodiscard]] bool should_reprepare(const error& e) const;
    [[noreturn]] void fail(error e);
    // A failure that lost the connection: the lease is dropped (its pool then checks the
    // idle connections), and a loss before any result arrived says so.
    void lost(error& e) noexcept;
    void stop() noexcept;    // cancels what is still running and drains it
    // The reader stopped early (first(), a break, the stream dropped): stop() outside a
    // transaction block; inside one, read the rest, since a cancel would abort the
    // transaction (decision 0023).
    void abandon() noexcept;
    void finish() noexcept;  // no more results: the connection is free again

    std::shared_ptr<lease> lease_;
    bool owns_lease_;
    std::string key_;  // the SQL, a NUL, then the parameter types: c_str() is the SQL
    encoded_params params_;
    execution_control control_;
    wait_state wait_;
    std::shared_ptr<const column_layout> layout_;
    std::vector<Oid> unresolved_tables_;
    bool prepared_ = false;    // run as a cached prepared statement
    bool from_cache_ = false;  // ... that was prepared by an earlier execution
    bool retried_ = false;
    bool in_transaction_ = false;  // sent inside a transaction block
    bool received_ = false;  // a result of this statement arrived (a row, its completion)
    bool yielded_ = false;
    bool done_ = false;
    bool detached_ = false;
    std::deque<row> parked_;
    std::exception_ptr parked_error_;
    std::uint64_t affected_ = 0;
};

}  // namespace strata::postgres::detail
