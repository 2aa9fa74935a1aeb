// db.transaction(fn): the commit/rollback matrix, retries, the deadline, savepoints.
#include "strata/transaction.hpp"

#include <random>
#include <thread>

#include "runtime_impl.hpp"
#include "transaction_state.hpp"
#include "strata/deadline_scope.hpp"
#include "strata/error.hpp"

namespace strata {

namespace {

using detail::is_transient;
using detail::outcome_unknown;
using detail::strata_error;

bool past(const std::optional<clock::time_point>& deadline) { return deadline && clock::now() >= *deadline; }

error timeout_error(const transaction_options& o, std::exception_ptr cause) {
    error e(std::string(codes::runtime_transaction_timeout),
            "The transaction did not finish within its timeout and was rolled back. Keep transactions short or "
            "raise transaction_options::timeout.",
            {{"timeout_ms", o.timeout ? std::to_string(o.timeout->count()) : "none (a deadline_scope ended it)"}});
    if (cause) e.with_cause(std::move(cause));
    return e;
}

// Rolls back after fn threw. Returns normally when the connection went back to the pool;
// throws RUNTIME.TRANSACTION_ROLLBACK_FAILED (cause: the original) when it had to be
// destroyed.
void roll_back_after_failure(strata::connection& conn, const std::exception_ptr& original) {
    try {
        conn.rollback();
    } catch (const std::exception& rollback_error) {
        conn.destroy();
        throw error(std::string(codes::runtime_transaction_rollback_failed),
                    "The transaction failed and its rollback failed too; the connection was discarded. The cause is "
                    "the original failure.",
                    {{"rollback_error", rollback_error.what()}})
            .with_cause(original);
    }
    conn.release();
}

enum class commit_outcome { committed, rolled_back, unknown };

// The outcome a driver settled for a COMMIT whose reply was lost (robust commit, 0024):
// details outcome=rolled_back or outcome=unknown on the commit error itself.
std::optional<commit_outcome> settled_outcome(const std::exception_ptr& commit_error) {
    const error* err = strata_error(commit_error);
    if (err == nullptr) return std::nullopt;
    const auto it = err->details().find("outcome");
    if (it == err->details().end()) return std::nullopt;
    if (it->second == "rolled_back") return commit_outcome::rolled_back;
    if (it->second == "unknown") return commit_outcome::unknown;
    return std::nullopt;
}

// Where a connection stands after its COMMIT failed: the server rolled the transaction
// back (or the driver could), or nobody knows.
commit_outcome outcome_from_status(strata::connection& conn) {
    try {
        switch (conn.status()) {
            case transaction_status::idle: return commit_outcome::rolled_back;
            case transaction_status::in_transaction:
            case transaction_status::failed:
                conn.rollback();  // e.g. SQLite keeps the transaction open after a failed COMMIT
                if (conn.status() == transaction_status::idle) return commit_outcome::rolled_back;
                break;
            case transaction_status::unknown: break;
        }
    } catch (...) {
    }
    return commit_outcome::unknown;
}

// Commits; on failure leaves the connection released (rolled back) or destroyed (unknown
// state) and throws RUNTIME.TRANSACTION_COMMIT_FAILED — transient only when the outcome
// is known (nothing committed) and the cause is worth retrying.
void commit_or_throw(strata::connection& conn) {
    try {
        conn.commit();
    } catch (...) {
        const std::exception_ptr commit_error = std::current_exception();
        // A driver that settled a lost COMMIT says so; its connection is gone either way.
        const std::optional<commit_outcome> settled = settled_outcome(commit_error);
        const commit_outcome outcome = settled ? *settled : outcome_from_status(conn);
        if (outcome == commit_outcome::rolled_back && !settled) conn.release();
        else conn.destroy();
        const bool known = outcome == commit_outcome::rolled_back;
        error e(std::string(codes::runtime_transaction_commit_failed),
                settled && known ? "The connection broke at COMMIT, and the transaction did not commit (detail "
                                   "resolution says how that is known); nothing was committed."
                : known          ? "COMMIT failed and the transaction was rolled back; nothing was committed."
                                 : "COMMIT failed and its outcome is unknown (the connection broke); the connection "
                                   "was discarded. Check whether the changes landed before repeating them.",
                {{"outcome", known ? "rolled_back" : "unknown"}});
        if (const error* cause = strata_error(commit_error)) {
            for (const char* key : {"resolution", "transaction_id"}) {
                if (const auto it = cause->details().find(key); it != cause->details().end())
                    e.with_detail(key, it->second);
            }
        }
        throw std::move(e.with_cause(commit_error).with_transient(known && is_transient(commit_error)));
    }
}

// The error of a transaction whose callback returned although part of it had failed
// beyond undoing on its own (transaction_root::doomed): it is rolled back, not committed.
error doomed_error(const std::exception_ptr& cause) {
    return error(std::string(codes::runtime_transaction_commit_failed),
                 "The transaction was rolled back instead of committed: part of it failed and could not be undone "
                 "on its own (the cause says what). Nothing was committed.",
                 {{"outcome", "rolled_back"}})
        .with_cause(cause)
        .with_transient(is_transient(cause));
}

}  // namespace

void runtime::run_transaction(const transaction_options& options,
                              const std::function<void(strata::tx&)>& body) const {
    if (const auto st = state(); st != driver_state::connected) {
        driver_errors::wrong_state(impl_->stack.driver.id, st, "transaction()");
    }
    if (impl_->contract) impl_->contract->ensure(*this);  // before BEGIN, never inside fn's transaction
    const auto& target = impl_->target;
    if (!target->driver->caps().interactive_transactions) {
        throw error(std::string(codes::runtime_transaction_unsupported),
                    "This driver has no interactive transactions. Use run_atomic_writes() for an all-or-nothing "
                    "unit of writes.");
    }
    if (options.retry.max_attempts == 0) {
        throw error(std::string(codes::runtime_invalid_argument), "retry.max_attempts must be at least 1.");
    }
    std::optional<clock::time_point> deadline;
    if (options.timeout) {
        if (options.timeout->count() < 0) {
            throw error(std::string(codes::runtime_invalid_argument), "A transaction timeout must not be negative.");
        }
        deadline = clock::now() + *options.timeout;
    }
    deadline = deadline_scope::tighten(deadline);
    // db.transaction(fn) resolves lost COMMITs only when asked to (0024); atomic units ask.
    transaction_options begin_options = options;
    if (begin_options.check_commit == commit_check::automatic) begin_options.check_commit = commit_check::report_unknown;
    const connection_intent intent =
        options.access == access_mode::read_only ? connection_intent::read_only : connection_intent::read_write;

    for (std::uint32_t attempt = 1;; ++attempt) {
        const bool may_retry = attempt < options.retry.max_attempts;
        auto retry_or_throw = [&](const std::exception_ptr& failure) {
            // A COMMIT whose outcome is unknown is reported as it is: neither retried nor
            // turned into a timeout (which would claim a rollback).
            if (outcome_unknown(failure)) std::rethrow_exception(failure);
            if (past(deadline)) throw timeout_error(options, failure);
            if (!may_retry || !is_transient(failure)) std::rethrow_exception(failure);
            detail::back_off(options.retry, attempt, deadline);
        };

        // Runtime set-up (connection, BEGIN) happens before fn and never inside it.
        std::shared_ptr<strata::connection> conn;
        try {
            conn = target->driver->acquire(intent, execution_control{deadline, {}});
            try {
                conn->begin(begin_options);
            } catch (...) {
                conn->destroy();
                throw;
            }
        } catch (...) {
            retry_or_throw(std::current_exception());
            continue;
        }

        auto state = std::make_shared<detail::transaction_state>();
        state->target = target;
        state->conn = conn;
        state->deadline = deadline;
        strata::tx handle(state);
        try {
            body(handle);
            if (past(deadline)) throw timeout_error(options, nullptr);
            if (state->root->doomed) throw doomed_error(state->root->doomed);
        } catch (...) {
            const std::exception_ptr original = std::current_exception();
            state->guard->close();
            roll_back_after_failure(*conn, original);  // throws ROLLBACK_FAILED if it could not
            retry_or_throw(original);
            continue;
        }
        state->guard->close();  // streams still open end before COMMIT
        try {
            commit_or_throw(*conn);
        } catch (...) {
            retry_or_throw(std::current_exception());
            continue;
        }
        conn->release();
        return;
    }
}

result_stream tx::execute(plan p, const execute_options& options) const {
    s_->guard->check();
    return detail::start_execution(s_->target, std::move(p), options, execution_scope::transaction,
                                   detail::stream_scope{s_->conn, s_->guard}, s_->deadline);
}

bool tx::active() const noexcept { return !s_->guard->closed(); }
capabilities tx::caps() const { return s_->conn->caps(); }
int tx::depth() const noexcept { return s_->depth; }

void tx::run_savepoint(const std::function<void(strata::tx&)>& body) {
    s_->guard->check();
    if (!s_->conn->caps().savepoints) {
        throw error(std::string(codes::runtime_savepoints_unsupported),
                    "This connection cannot nest transactions (no savepoints). Run the work in the outer "
                    "transaction.");
    }
    const std::string name = "strata_sp_" + std::to_string(++s_->root->savepoints);
    s_->conn->savepoint(name);
    auto inner_state = std::make_shared<detail::transaction_state>(*s_);
    inner_state->guard = std::make_shared<detail::scope_guard>();
    inner_state->depth = s_->depth + 1;
    strata::tx inner(inner_state);
    try {
        body(inner);
    } catch (...) {
        const std::exception_ptr original = std::current_exception();
        inner_state->guard->close();
        try {
            s_->conn->rollback_to_savepoint(name);
            s_->conn->release_savepoint(name);
        } catch (const std::exception& rollback_error) {
            error failed(std::string(codes::runtime_transaction_rollback_failed),
                         "A nested transaction failed and rolling back to its savepoint failed too; the outer "
                         "transaction cannot commit and will be rolled back. The cause is the original failure.",
                         {{"rollback_error", rollback_error.what()}});
            failed.with_cause(original);
            // The inner work may still be in the transaction: it must never commit.
            s_->root->doomed = std::make_exception_ptr(failed);
            throw std::move(failed);
        }
        throw;
    }
    inner_state->guard->close();
    s_->conn->release_savepoint(name);
}

namespace detail {

// The strata::error `e` holds, if it holds one (alive as long as `e` is).
const error* strata_error(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const error& err) {
        return &err;
    } catch (...) {
        return nullptr;
    }
}

bool is_transient(const std::exception_ptr& e) {
    const error* err = strata_error(e);
    return err != nullptr && err->transient();
}

bool outcome_unknown(const std::exception_ptr& e) {
    const error* err = strata_error(e);
    return err != nullptr && err->outcome_unknown();
}

// Full-jitter exponential backoff, never past the deadline.
void back_off(const retry_policy& r, std::uint32_t attempt, const std::optional<clock::time_point>& deadline) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    auto cap = r.initial_backoff * (1LL << std::min<std::uint32_t>(attempt - 1, 20));
    if (cap > r.max_backoff) cap = r.max_backoff;
    std::uniform_int_distribution<long long> pick(0, std::max<long long>(0, cap.count()));
    auto wait = std::chrono::milliseconds(pick(rng));
    if (deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now());
        if (left < wait) wait = std::max(left, std::chrono::milliseconds(0));
    }
    std::this_thread::sleep_for(wait);
}

}  // namespace detail

}  // namespace strata
