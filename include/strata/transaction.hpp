// Callback-scoped transactions.
//
//   auto id = db.transaction([&](strata::tx& tx) {
//       tx.execute(strata::sql("INSERT INTO accounts(id, balance) VALUES (?, ?)", 1, 100)).drain();
//       return tx.execute(strata::sql("SELECT balance FROM accounts WHERE id = ?", 1)).one_as<int>();
//   });
//
// fn returns -> COMMIT, and transaction() returns fn's value (a result_stream returned
// from fn is drained into std::vector<row> before COMMIT). fn throws -> ROLLBACK and the
// original exception is rethrown. Streams made inside fn fail with
// RUNTIME.TRANSACTION_CLOSED if read after the transaction ended; so does tx itself.
// tx.transaction(fn) nests as a savepoint: an inner failure undoes only the inner work.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/driver.hpp"
#include "strata/execute_options.hpp"
#include "strata/param_rows.hpp"
#include "strata/result_stream.hpp"
#include "strata/sql.hpp"
#include "strata/transaction_options.hpp"

namespace strata {

namespace detail {
struct transaction_state;  // the connection, guard and savepoint counter (internals)
struct tx_access;          // how core code reaches that state

// What transaction() returns for a callback returning R.
template <class R>
using transaction_result_t = std::conditional_t<std::is_same_v<R, result_stream>, std::vector<row>, R>;

// Runs fn and stores its result in `out` (draining a returned stream).
template <class Fn, class Tx, class Out>
void invoke_into(Fn& fn, Tx& tx, Out& out) {
    using R = std::invoke_result_t<Fn&, Tx&>;
    if constexpr (std::is_void_v<R>) {
        fn(tx);
    } else if constexpr (std::is_same_v<R, result_stream>) {
        out.emplace(fn(tx).all());
    } else {
        out.emplace(fn(tx));
    }
}
}  // namespace detail

class tx {
public:
    // Runs a statement on the transaction's connection (scope: transaction).
    [[nodiscard]] result_stream execute(plan p, const execute_options& options = {}) const;

    // Runs t once per parameter row on the transaction's connection, binding each row
    // straight into one prepared statement (strata/param_rows.hpp). Middleware sees one
    // execution. Rows the statement returns are discarded. A failing row throws its
    // error; the rows before it stay in the transaction (roll back by throwing).
    // RUNTIME.INVALID_ARGUMENT when a row's width differs from the placeholders.
    many_result execute_many(const sql_template& t, param_rows& rows) const;
    // The same for a range of tuples.
    template <std::ranges::input_range R>
    requires(!std::is_base_of_v<param_rows, std::remove_cvref_t<R>>) many_result
        execute_many(const sql_template& t, R&& rows)
    const {
        tuple_rows<std::remove_reference_t<R>> adapted(rows);
        return execute_many(t, static_cast<param_rows&>(adapted));
    }
    // A nested scope as a savepoint. fn receives a transaction for the inner scope.
    template <class Fn>
    auto transaction(Fn&& fn) -> detail::transaction_result_t<std::invoke_result_t<Fn&, strata::tx&>> {
        using R = std::invoke_result_t<Fn&, strata::tx&>;
        using out_t = detail::transaction_result_t<R>;
        if constexpr (std::is_void_v<R>) {
            std::optional<int> unused;
            run_savepoint([&](strata::tx& inner) { detail::invoke_into(fn, inner, unused); });
        } else {
            std::optional<out_t> out;
            run_savepoint([&](strata::tx& inner) {
                out.reset();
                detail::invoke_into(fn, inner, out);
            });
            return std::move(*out);
        }
    }

    // False once the scope has ended (commit, rollback, or the end of a savepoint).
    [[nodiscard]] bool active() const noexcept;
    [[nodiscard]] capabilities caps() const;
    // 0 for the outermost transaction, 1 for a savepoint inside it, ...
    [[nodiscard]] int depth() const noexcept;

    explicit tx(std::shared_ptr<detail::transaction_state> s) noexcept : s_(std::move(s)) {}

private:
    friend struct detail::tx_access;
    void run_savepoint(const std::function<void(strata::tx&)>& body);
    std::shared_ptr<detail::transaction_state> s_;
};

}  // namespace strata
