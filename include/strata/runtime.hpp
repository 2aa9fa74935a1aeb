// strata::runtime — a stack instantiated: target + adapter + driver + middleware.
//
//   auto db = strata::instantiate(strata::sqlite::make_stack());   // opens nothing
//   db.connect(strata::sqlite::file{"app.db"});
//   for (const strata::row& r : db.execute(strata::sql("SELECT id, name FROM users"))) ...
//
// A runtime may be used from many threads at once; each execution gets a connection of
// its own for as long as its stream is open (see docs/decisions/0004-sqlite-threading.md).
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "strata/cancel.hpp"
#include "strata/driver.hpp"
#include "strata/error.hpp"
#include "strata/execute_options.hpp"
#include "strata/plan.hpp"
#include "strata/result_stream.hpp"
#include "strata/transaction.hpp"
#include "strata/transaction_options.hpp"

namespace strata {

namespace detail {
struct runtime_access;  // library internals reach the runtime's parts through this
}

class contract;
// What the runtime does when the database's contract marker differs from the expected
// contract: warn (report and go on) or strict (every statement fails with CONTRACT.*).
enum class contract_check { warn, strict };

class runtime {
public:
    [[nodiscard]] driver_state state() const noexcept;
    // Binds the driver. DRIVER.ALREADY_CONNECTED when connected; allowed again after close().
    void connect(const binding& b);
    // Idempotent; open streams fail with DRIVER.CLOSED on their next pull.
    void close();
    [[nodiscard]] capabilities caps() const;
    [[nodiscard]] const strata::stack& stack() const noexcept;

    // Lazy: nothing reaches the database until the stream is read.
    [[nodiscard]] result_stream execute(plan p, const execute_options& options = {}) const;

    // t once per parameter row, all rows in one transaction of their own: every row is
    // applied or none (see tx::execute_many). Rows are read once, so the transaction is
    // never retried (options.retry.max_attempts > 1 is RUNTIME.INVALID_ARGUMENT).
    many_result execute_many(const sql_template& t, param_rows& rows, const transaction_options& options = {}) const;
    template <std::ranges::input_range R>
    requires(!std::is_base_of_v<param_rows, std::remove_cvref_t<R>>) many_result
        execute_many(const sql_template& t, R&& rows, const transaction_options& options = {})
    const {
        tuple_rows<std::remove_reference_t<R>> adapted(rows);
        return execute_many(t, static_cast<param_rows&>(adapted), options);
    }
    // Runs fn(tx) in a transaction on one connection (see strata/transaction.hpp):
    // commit on return, rollback and rethrow on throw; retries and a deadline as the
    // options say. Returns fn's value (a returned stream comes back as its rows).
    template <class Fn>
    auto transaction(Fn&& fn, const transaction_options& options = {}) const
        -> detail::transaction_result_t<std::invoke_result_t<Fn&, strata::tx&>> {
        using R = std::invoke_result_t<Fn&, strata::tx&>;
        using out_t = detail::transaction_result_t<R>;
        if constexpr (std::is_void_v<R>) {
            std::optional<int> unused;
            run_transaction(options, [&](strata::tx& tx) { detail::invoke_into(fn, tx, unused); });
        } else {
            std::optional<out_t> out;
            run_transaction(options, [&](strata::tx& tx) {
                out.reset();  // a retried attempt starts afresh
                detail::invoke_into(fn, tx, out);
            });
            return std::move(*out);
        }
    }

    // Checks the database's contract marker against `expected` once, before the first
    // statement or transaction after each connect() — never inside a user's transaction.
    // strict: a missing or different marker fails every execution (CONTRACT.MISMATCH /
    // CONTRACT.MISSING); warn: on_warning gets the error once (default: stderr).
    void verify_contract_on_first_use(const contract& expected, contract_check mode,
                                      std::function<void(const error&)> on_warning = {});

    // The non-template core of transaction(): body may run more than once when retrying.
    void run_transaction(const transaction_options& options, const std::function<void(strata::tx&)>& body) const;

    struct impl;  // defined in the library

private:
    friend runtime instantiate(strata::stack s);
    friend struct detail::runtime_access;
    explicit runtime(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
    std::shared_ptr<impl> impl_;
};

// Deterministic: reads no environment, opens nothing; the driver starts unbound.
[[nodiscard]] runtime instantiate(strata::stack s);

}  // namespace strata
