// Internal: what a strata::tx holds.
#pragma once

#include <memory>
#include <optional>

#include "strata/driver.hpp"
#include "stream_state.hpp"

namespace strata::detail {

struct transaction_state {
    std::shared_ptr<const execution_target> target;
    std::shared_ptr<strata::connection> conn;
    std::shared_ptr<scope_guard> guard = std::make_shared<scope_guard>();
    std::optional<clock::time_point> deadline;
    int depth = 0;
    std::shared_ptr<int> savepoints = std::make_shared<int>(0);  // names are unique per transaction
};

}  // namespace strata::detail
