// Where an ORM collection runs: the runtime, or an open transaction (strata::tx). The
// collection keeps a pointer to it, so it must not outlive the runtime or the tx.
#pragma once

#include <utility>

#include "strata/plan.hpp"
#include "strata/result_stream.hpp"
#include "strata/runtime.hpp"
#include "strata/transaction.hpp"

namespace strata::orm {

class target {
public:
    // Implicit on purpose: orm::collection<T>(db) and orm::collection<T>(tx) read naturally.
    target(const runtime& db) noexcept : db_(&db) {}  // NOLINT(google-explicit-constructor)
    target(tx& t) noexcept : tx_(&t) {}               // NOLINT(google-explicit-constructor)

    [[nodiscard]] result_stream execute(plan p) const {
        return tx_ != nullptr ? tx_->execute(std::move(p)) : db_->execute(std::move(p));
    }

    // Runs fn(target) all-or-nothing: a transaction on the runtime, a savepoint inside a
    // transaction (so a failure undoes fn's work even if the caller goes on).
    template <class Fn>
    auto atomically(Fn&& fn) const {
        if (tx_ != nullptr) return tx_->transaction([&](strata::tx& inner) { return fn(target(inner)); });
        return db_->transaction([&](strata::tx& t) { return fn(target(t)); });
    }

    [[nodiscard]] bool in_transaction() const noexcept { return tx_ != nullptr; }

private:
    const runtime* db_ = nullptr;
    tx* tx_ = nullptr;
};

}  // namespace strata::orm
