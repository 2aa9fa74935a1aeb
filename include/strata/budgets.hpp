// Budgets middleware: caps on rows and latency per execution.
//
// max_rows: a SELECT without LIMIT is estimated before it runs from per-table row counts
// (the largest table it reads); the rows actually streamed are counted too.
// max_latency: checked when the execution ends.
// strict -> BUDGET.* errors stop the execution; permissive -> the violation is reported
// to `on_violation` (default: stderr through the log sink) and the execution goes on.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "strata/error.hpp"
#include "strata/middleware.hpp"

namespace strata {

enum class budget_mode { strict, permissive };

struct budget_options {
    std::optional<std::uint64_t> max_rows{};
    std::optional<std::chrono::milliseconds> max_latency{};
    std::map<std::string, std::uint64_t, std::less<>> table_rows{};  // estimates, lower-case names
    budget_mode mode = budget_mode::strict;
    std::function<void(const error&)> on_violation{};  // permissive mode
};

[[nodiscard]] std::shared_ptr<middleware> budgets(budget_options options);

}  // namespace strata
