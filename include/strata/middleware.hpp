// Middleware SPI: hooks around every execution. Absent middleware costs nothing.
//
//   intercept      -> may answer the execution itself (rows), skipping the driver
//   before_execute -> may throw to block the execution (nothing reaches the database)
//   on_row         -> sees every row as it streams; may throw to stop the stream
//   after_execute  -> sees the outcome, row count and duration (also on failure)
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>
#include <vector>

#include "strata/cancel.hpp"
#include "strata/plan.hpp"
#include "strata/row.hpp"

namespace strata {

enum class execution_scope { runtime, connection, transaction };
[[nodiscard]] std::string_view to_string(execution_scope s) noexcept;

using clock = std::chrono::steady_clock;

struct execution_context {
    std::uint64_t id = 0;  // unique per runtime process
    execution_scope scope = execution_scope::runtime;
    const plan* statement = nullptr;
    std::string_view sql{};  // the SQL sent to the database (the plan lowered to the dialect)
    std::optional<clock::time_point> deadline{};
    cancel_token cancel{};
    clock::time_point started{};
    std::uint64_t rows = 0;  // rows streamed so far (on_row sees the count including its row)
};

enum class execution_outcome { success, error, aborted, intercepted };
[[nodiscard]] std::string_view to_string(execution_outcome o) noexcept;

struct execution_summary {
    execution_outcome outcome = execution_outcome::success;
    std::uint64_t rows = 0;
    std::chrono::nanoseconds duration{0};
    std::exception_ptr error{};  // set when outcome is error or aborted
    // True when the stream was dropped before it was read to the end.
    bool abandoned = false;
};

// How an atomic write unit ran (see strata/atomic_writes.hpp).
enum class atomic_mode { transaction, batch, sequential };
[[nodiscard]] std::string_view to_string(atomic_mode m) noexcept;

struct atomic_unit_summary {
    atomic_mode mode = atomic_mode::transaction;
    std::size_t statements = 0;
    bool succeeded = false;
    std::chrono::nanoseconds duration{0};
    // The units of the commit group it committed in (1: it ran alone).
    std::size_t group_size = 1;
};

// How one commit group ran (see commit_group in strata/atomic_writes.hpp).
struct commit_group_summary {
    std::size_t units = 0;      // units in the group
    std::size_t committed = 0;  // of which committed (the others failed under their savepoint)
    // How long the group's oldest unit waited in the queue before the group started.
    std::chrono::nanoseconds longest_wait{0};
    std::chrono::nanoseconds duration{0};  // BEGIN to the end of COMMIT
    std::chrono::nanoseconds commit{0};    // the COMMIT alone (a batch group: its one round trip)
    // false when the group failed as a whole (its units then ran alone, or report unknown).
    bool succeeded = false;
};

class middleware {
public:
    virtual ~middleware() = default;
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
    virtual std::optional<std::vector<row>> intercept(const execution_context&) { return std::nullopt; }
    virtual void before_execute(const execution_context&) {}
    virtual void on_row(const execution_context&, const row&) {}
    // Must not throw on the failure path; may throw (e.g. a strict budget) on success.
    virtual void after_execute(const execution_context&, const execution_summary&) {}
    // Once per run_atomic_writes() unit, after it committed or failed. Must not throw.
    virtual void on_atomic_unit(const atomic_unit_summary&) noexcept {}
    // Once per commit group of two or more units, after its COMMIT or failure. Must not throw.
    virtual void on_commit_group(const commit_group_summary&) noexcept {}
};

}  // namespace strata
