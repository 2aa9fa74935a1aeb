// tx::execute_many and runtime::execute_many: one statement, many parameter rows, one
// connection (docs/decisions/0015-execute-many.md).
#include "runtime_impl.hpp"
#include "strata/error.hpp"
#include "strata/sql.hpp"
#include "strata/transaction.hpp"
#include "stream_state.hpp"
#include "transaction_state.hpp"

namespace strata {

many_result tx::execute_many(const sql_template& t, param_rows& rows) const {
    s_->guard->check();
    if (rows.width() != t.placeholders()) {
        throw error(std::string(codes::runtime_invalid_argument),
                    "Each parameter row has " + std::to_string(rows.width()) + " values but the statement has " +
                        std::to_string(t.placeholders()) + " placeholders. Pass one value per placeholder.",
                    {{"placeholders", std::to_string(t.placeholders())}, {"width", std::to_string(rows.width())}});
    }
    const plan p(t.text(), {});
    std::string storage;
    const std::string_view sql = detail::lowered_sql(*s_->target, p, storage);
    const auto& middleware = s_->target->middleware;
    execution_context ctx;
    ctx.id = detail::new_execution_id();
    ctx.scope = execution_scope::transaction;
    ctx.statement = &p;
    ctx.sql = sql;
    ctx.deadline = s_->deadline;
    if (!middleware.empty()) {
        ctx.started = clock::now();
        for (const auto& m : middleware) m->before_execute(ctx);
    }
    many_result out;
    try {
        out = s_->conn->execute_many(statement{sql, &p}, rows, execution_control{s_->deadline, {}});
    } catch (...) {
        const std::exception_ptr failure = std::current_exception();
        const execution_summary summary{execution_outcome::error, 0, clock::now() - ctx.started, failure, false};
        for (const auto& m : middleware) {
            try {
                m->after_execute(ctx, summary);
            } catch (...) {  // the statement's own error wins
            }
        }
        throw;
    }
    const execution_summary summary{execution_outcome::success, 0, clock::now() - ctx.started, nullptr, false};
    for (const auto& m : middleware) m->after_execute(ctx, summary);
    return out;
}

many_result runtime::execute_many(const sql_template& t, param_rows& rows, const transaction_options& options) const {
    if (options.retry.max_attempts > 1) {
        throw error(std::string(codes::runtime_invalid_argument),
                    "execute_many reads its rows once, so its transaction cannot be retried. Retry the whole call "
                    "with fresh rows instead.",
                    {{"max_attempts", std::to_string(options.retry.max_attempts)}});
    }
    return transaction([&](strata::tx& tx) { return tx.execute_many(t, rows); }, options);
}

}  // namespace strata
