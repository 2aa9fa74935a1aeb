// Internal: the execution behind a result_stream. Runs the middleware hooks around the
// driver's row source and reports the outcome exactly once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/driver.hpp"
#include "strata/middleware.hpp"
#include "strata/plan.hpp"
#include "strata/row.hpp"

namespace strata::detail {

// What a stream needs from the runtime that made it; shared so the stream may outlive
// the runtime object.
struct execution_target {
    std::shared_ptr<strata::driver> driver;
    std::vector<std::shared_ptr<strata::middleware>> middleware;
    std::function<std::string(const plan&)> lower;  // empty: SQL unchanged
};

class stream_state {
public:
    stream_state(std::shared_ptr<const execution_target> target, plan p, execution_context ctx,
                 std::function<void()> before_pull = {});
    stream_state(const stream_state&) = delete;
    stream_state& operator=(const stream_state&) = delete;
    ~stream_state();

    // The next row, or nullptr at the end. Throws strata::error.
    const row* pull();
    // Moves the row pull() last returned out of the stream (it is not read again).
    row take_current() noexcept { return std::move(current_); }
    // Stops reading: releases the connection and reports success with the rows so far.
    void finish_early();

    bool started = false;
    [[nodiscard]] std::uint64_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::uint64_t affected_rows() const noexcept { return affected_; }

private:
    void open();
    void finish(execution_outcome outcome, std::exception_ptr error, bool abandoned);
    [[noreturn]] void fail(std::exception_ptr e);

    std::shared_ptr<const execution_target> target_;
    plan plan_;
    execution_context ctx_;
    std::function<void()> before_pull_;
    std::string lowered_;
    std::unique_ptr<row_source> source_;      // declared after plan_: destroyed first
    std::vector<row> intercepted_;
    std::size_t intercepted_pos_ = 0;
    bool is_intercepted_ = false;
    row current_;
    std::uint64_t rows_ = 0;
    std::uint64_t affected_ = 0;
    enum class phase { fresh, open, done } phase_ = phase::fresh;
};

}  // namespace strata::detail
