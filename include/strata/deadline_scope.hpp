// An ambient deadline for the calling thread, for request-scoped services.
//
// While a deadline_scope lives, everything strata starts on this thread — statements,
// transactions (all their attempts), atomic write units and the pool acquisitions they
// make — ends by the scope's deadline at the latest, exactly as if each had been given it
// (RUNTIME.ABORTED, RUNTIME.TRANSACTION_TIMEOUT, or DRIVER.POOL_TIMEOUT / RUNTIME.ABORTED
// while waiting for a connection). An explicit timeout that ends sooner still wins.
// Scopes nest; an inner scope can only shorten the deadline. A stream keeps the deadline
// it started with, wherever it is read.
#pragma once

#include <chrono>
#include <optional>

#include "strata/middleware.hpp"  // strata::clock

namespace strata {

class deadline_scope {
public:
    explicit deadline_scope(clock::time_point deadline) noexcept;
    explicit deadline_scope(std::chrono::milliseconds budget) noexcept : deadline_scope(clock::now() + budget) {}
    ~deadline_scope();
    deadline_scope(const deadline_scope&) = delete;
    deadline_scope& operator=(const deadline_scope&) = delete;

    // The deadline in force on this thread, if any.
    [[nodiscard]] static std::optional<clock::time_point> current() noexcept;
    // The earlier of `own` and the ambient deadline.
    [[nodiscard]] static std::optional<clock::time_point> tighten(std::optional<clock::time_point> own) noexcept;

private:
    std::optional<clock::time_point> previous_;
};

}  // namespace strata
