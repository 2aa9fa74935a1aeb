// Internal: the execution behind a result_stream. Runs the middleware hooks around the
// driver's row source and reports the outcome exactly once.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../foundation/block_cache.hpp"
#include "strata/driver.hpp"
#include "strata/execute_options.hpp"
#include "strata/middleware.hpp"
#include "strata/plan.hpp"
#include "strata/result_stream.hpp"
#include "strata/row.hpp"

namespace strata::detail {

// What a stream needs from the runtime that made it; shared so the stream may outlive
// the runtime object.
struct execution_target {
    std::shared_ptr<strata::driver> driver;
    std::vector<std::shared_ptr<strata::middleware>> middleware;
    std::function<std::string(const plan&)> lower;       // raw plans; empty: SQL unchanged
    std::function<std::string(const plan&)> lower_tree;  // builder plans
};

// A fresh execution id (unique per process).
[[nodiscard]] std::uint64_t new_execution_id() noexcept;

// The SQL `p` runs as on this target: lowered into `storage` when the adapter rewrites
// it, else a view of the plan's own text.
[[nodiscard]] std::string_view lowered_sql(const execution_target& target, const plan& p, std::string& storage);

class stream_state;

// Ties the streams of one transaction (or savepoint) scope to its end: once closed, every
// pull fails with RUNTIME.TRANSACTION_CLOSED, and streams still open are stopped so no
// statement stays active on the connection.
class scope_guard {
public:
    void check() const;  // throws RUNTIME.TRANSACTION_CLOSED once closed
    [[nodiscard]] bool closed() const;
    void add(stream_state* s);
    void remove(stream_state* s) noexcept;
    void close() noexcept;

private:
    mutable std::mutex mutex_;
    bool closed_ = false;
    std::vector<stream_state*> open_;
};

// Where a stream's statement runs: the driver (a connection per statement) or the
// connection a transaction holds.
struct stream_scope {
    std::shared_ptr<strata::connection> conn;
    std::shared_ptr<scope_guard> guard;
};

class stream_state {
public:
    // The context is built in place: an execution should not copy it around.
    stream_state(const std::shared_ptr<const execution_target>& target, plan&& p, execution_scope scope,
                 const std::optional<clock::time_point>& deadline, const cancel_token& cancel, stream_scope&& where);
    stream_state(const stream_state&) = delete;
    stream_state& operator=(const stream_state&) = delete;
    ~stream_state();

    // One per execution: recycled through a per-thread block cache instead of malloc.
    static void* operator new(std::size_t n) { return block_cache<sizeof(stream_state)>::allocate(n); }
    static void operator delete(void* p, std::size_t n) noexcept {
        block_cache<sizeof(stream_state)>::deallocate(p, n);
    }

    // The next row, or nullptr at the end. Throws strata::error.
    const row* pull();
    // Moves the row pull() last returned out of the stream (it is not read again).
    row take_current() noexcept { return std::move(current_); }
    // Stops reading: releases the connection and reports success with the rows so far.
    void finish_early();
    // The scope ended under an open stream: stop it (reported as abandoned).
    void stop_for_scope_end() noexcept;

    bool started = false;
    [[nodiscard]] std::uint64_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::uint64_t affected_rows() const noexcept { return affected_; }

private:
    void open();
    bool next_row();
    [[nodiscard]] bool may_run_again(const std::exception_ptr& failure) const;
    void run_again();
    void finish(execution_outcome outcome, std::exception_ptr error, bool abandoned);
    [[noreturn]] void fail(std::exception_ptr e);

    std::shared_ptr<const execution_target> target_;
    plan plan_;
    execution_context ctx_;
    stream_scope scope_;
    std::string lowered_;
    std::unique_ptr<row_source> source_;      // declared after plan_: destroyed first
    std::vector<row> intercepted_;
    std::size_t intercepted_pos_ = 0;
    bool is_intercepted_ = false;
    bool ran_again_ = false;
    row current_;
    std::uint64_t rows_ = 0;
    std::uint64_t affected_ = 0;
    enum class phase { fresh, open, done } phase_ = phase::fresh;
};

// Builds the stream for one execution: a fresh execution id, the deadline (the earlier
// of the options' and `outer_deadline`), and where it runs.
[[nodiscard]] result_stream start_execution(const std::shared_ptr<const execution_target>& target, plan&& p,
                                            const execute_options& options, execution_scope scope,
                                            stream_scope where = {},
                                            std::optional<clock::time_point> outer_deadline = std::nullopt);

}  // namespace strata::detail
