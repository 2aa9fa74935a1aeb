// Internal: what a strata::tx holds.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>

#include "strata/driver.hpp"
#include "strata/error.hpp"
#include "strata/transaction.hpp"
#include "stream_state.hpp"

namespace strata::detail {

// What the scopes of one transaction (the outermost and its savepoints) share.
struct transaction_root {
    int savepoints = 0;  // names are unique per transaction
    // Set when part of the transaction failed and could not be undone on its own (a
    // joined atomic unit without savepoints, a savepoint whose rollback failed): the
    // transaction may go on, but it ends in ROLLBACK, never COMMIT. The failure is kept
    // as the cause of the error the commit reports.
    std::exception_ptr doomed;
};

struct transaction_state {
    std::shared_ptr<const execution_target> target;
    std::shared_ptr<strata::connection> conn;
    std::shared_ptr<scope_guard> guard = std::make_shared<scope_guard>();
    std::optional<clock::time_point> deadline;
    int depth = 0;
    std::shared_ptr<transaction_root> root = std::make_shared<transaction_root>();
};

// The strata::error `e` holds, if it holds one (alive as long as `e` is), and what it
// says (false when it holds no strata::error).
[[nodiscard]] const error* strata_error(const std::exception_ptr& e);
[[nodiscard]] bool is_transient(const std::exception_ptr& e);
[[nodiscard]] bool outcome_unknown(const std::exception_ptr& e);

// Sleeps before retry `attempt` + 1: full-jitter exponential backoff, never past the
// deadline (transactions and atomic batches share it).
void back_off(const retry_policy& r, std::uint32_t attempt, const std::optional<clock::time_point>& deadline);

// The state behind a tx (the narrow gate core code uses; tx keeps it private).
struct tx_access {
    static transaction_state& of(const strata::tx& t) noexcept { return *t.s_; }
};

}  // namespace strata::detail
