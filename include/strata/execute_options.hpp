// Per-execution controls: a timeout or deadline, and a cancellation token.
#pragma once

#include <chrono>
#include <optional>

#include "strata/cancel.hpp"
#include "strata/middleware.hpp"

namespace strata {

struct execute_options {
    // Either bound stops the statement with RUNTIME.ABORTED once reached.
    std::optional<std::chrono::milliseconds> timeout{};
    std::optional<clock::time_point> deadline{};
    cancel_token cancel{};
};

}  // namespace strata
