// run_atomic_writes: transaction, else atomic batch, else (opt-in) sequential.
#include "strata/atomic_writes.hpp"

#include "atomic_units.hpp"
#include "runtime_impl.hpp"
#include "transaction_state.hpp"
#include "strata/deadline_scope.hpp"
#include "strata/error.hpp"

namespace strata {

std::string_view to_string(atomic_mode m) noexcept {
    switch (m) {
        case atomic_mode::transaction: return "transaction";
        case atomic_mode::batch: return "batch";
        case atomic_mode::sequential: return "sequential";
    }
    return "unknown";
}

namespace detail {

error unit_failed(atomic_mode mode, std::optional<std::size_t> failed_index, std::string applied,
                  const std::exception_ptr& cause) {
    const error* original = strata_error(cause);  // cause keeps the exception object alive
    const bool unknown = original != nullptr && original->outcome_unknown();
    if (unknown) {
        applied = "unknown";
        failed_index.reset();
    }
    std::string what = unknown ? "The connection broke after the unit was sent, so it may or may not have been "
                                 "applied. Look its rows up before running it again."
                       : applied == "none"
                           ? "Nothing was applied."
                           : "Only the first " + applied + " statements were applied (sequential mode is not atomic).";
    error e(std::string(codes::atomic_unit_failed),
            std::string("An atomic write unit failed (mode ") + std::string(to_string(mode)) + "). " + what +
                " The cause is the failing statement's error.",
            {{"mode", std::string(to_string(mode))}, {"applied", applied}});
    if (failed_index) e.with_detail("failed_index", std::to_string(*failed_index));
    if (original != nullptr) {
        if (original->sql()) e.with_sql(*original->sql());
        e.with_transient(original->transient() && !unknown);
        if (original->details().contains("batch_index") && !failed_index && !unknown)
            e.with_detail("failed_index", original->details().at("batch_index"));
    }
    return std::move(e.with_cause(cause));
}

void notify(const execution_target& target, const atomic_unit_summary& s) {
    for (const auto& m : target.middleware) m->on_atomic_unit(s);
}

std::vector<batch_result> run_batch(const execution_target& target, const std::vector<plan>& plans,
                                    const execution_control& control) {
    std::unique_ptr<connection> conn = target.driver->acquire(connection_intent::read_write, control);
    std::vector<std::string> lowered;
    std::vector<statement> statements;
    lowered.reserve(plans.size());
    statements.reserve(plans.size());
    for (const plan& p : plans) {
        std::string sql;
        lowered.push_back(std::string(lowered_sql(target, p, sql)));
    }
    for (std::size_t i = 0; i < plans.size(); ++i) {
        statements.push_back(statement{lowered[i], &plans[i]});
    }
    try {
        auto results = conn->execute_batch(statements, control);
        conn->release();
        return results;
    } catch (...) {
        // The batch is all-or-nothing; a connection that did not come back clean is dropped.
        bool clean = false;
        try {
            clean = conn->status() == transaction_status::idle;
        } catch (...) {
        }
        if (clean) conn->release();
        else conn->destroy();
        throw;
    }
}

}  // namespace detail

namespace {

using detail::notify;
using detail::run_batch;
using detail::run_each;
using detail::unit_failed;

// A batch failed with a transient error (deadlock, serialization failure, a connection
// lost before the batch was sent) runs again as the retry policy allows; a batch whose
// outcome is unknown never does.
std::vector<batch_result> run_batch_retrying(const detail::execution_target& target, const std::vector<plan>& plans,
                                             const std::optional<clock::time_point>& deadline,
                                             const retry_policy& retry) {
    if (retry.max_attempts == 0) {
        throw error(std::string(codes::runtime_invalid_argument), "retry.max_attempts must be at least 1.");
    }
    for (std::uint32_t attempt = 1;; ++attempt) {
        try {
            return run_batch(target, plans, execution_control{deadline, {}});
        } catch (const error& e) {
            const bool out_of_time = deadline && clock::now() >= *deadline;
            if (e.outcome_unknown() || !e.transient() || attempt >= retry.max_attempts || out_of_time) throw;
        }
        detail::back_off(retry, attempt, deadline);
    }
}

}  // namespace

atomic_result run_atomic_writes(const runtime& target, const std::vector<plan>& plans, const atomic_options& options) {
    const detail::execution_target& t = *detail::runtime_access::of(target).target;
    if (const auto st = target.state(); st != driver_state::connected) {
        driver_errors::wrong_state(target.stack().driver.id, st, "run_atomic_writes()");
    }
    const capabilities caps = target.caps();
    atomic_result result;
    result.mode = options.prefer_batch && caps.atomic_batch ? atomic_mode::batch
                  : caps.interactive_transactions              ? atomic_mode::transaction
                  : caps.atomic_batch                          ? atomic_mode::batch
                                                               : atomic_mode::sequential;
    if (result.mode == atomic_mode::sequential && options.require_atomic) {
        throw error(std::string(codes::atomic_capability_required),
                    "This connection has neither interactive transactions nor an atomic batch, so the unit could "
                    "only run sequentially (not atomic), and require_atomic forbids that.",
                    {{"statements", std::to_string(plans.size())}});
    }
    if (options.group && (result.mode == atomic_mode::batch ||
                          (result.mode == atomic_mode::transaction && caps.savepoints))) {
        return detail::run_grouped(target, caps, result.mode, plans, options);
    }
    atomic_unit_summary summary{result.mode, plans.size(), false, {}};
    const auto started = clock::now();
    std::size_t index = 0;
    try {
        switch (result.mode) {
            case atomic_mode::transaction: {
                // A unit is all writes: a lost COMMIT is resolved unless the caller said no (0024).
                transaction_options unit_options = options.transaction;
                if (unit_options.check_commit == commit_check::automatic)
                    unit_options.check_commit = commit_check::resolve;
                result.results = target.transaction(
                    [&](const tx& handle) {
                        return run_each([&](const plan& p) { return handle.execute(p); }, plans, index);
                    },
                    unit_options);
                break;
            }
            case atomic_mode::batch: {
                std::optional<clock::time_point> deadline;
                if (options.transaction.timeout) deadline = started + *options.transaction.timeout;
                result.results = run_batch_retrying(t, plans, deadline_scope::tighten(deadline), options.transaction.retry);
                break;
            }
            case atomic_mode::sequential: {
                execute_options eo;
                if (options.transaction.timeout) eo.deadline = started + *options.transaction.timeout;
                result.results = run_each([&](const plan& p) { return target.execute(p, eo); }, plans, index);
                break;
            }
        }
    } catch (...) {
        summary.duration = clock::now() - started;
        notify(t, summary);
        const std::exception_ptr cause = std::current_exception();
        switch (result.mode) {
            case atomic_mode::transaction: throw unit_failed(result.mode, index, "none", cause);
            case atomic_mode::batch: throw unit_failed(result.mode, std::nullopt, "none", cause);
            case atomic_mode::sequential: throw unit_failed(result.mode, index, std::to_string(index), cause);
        }
    }
    summary.succeeded = true;
    summary.duration = clock::now() - started;
    notify(t, summary);
    return result;
}

atomic_result run_atomic_writes(const tx& target, const std::vector<plan>& plans) {
    atomic_result result;
    result.mode = atomic_mode::transaction;
    std::size_t index = 0;
    auto run_in = [&](const tx& scope) {
        return run_each([&](const plan& p) { return scope.execute(p); }, plans, index);
    };
    if (target.caps().savepoints) {
        // Under a savepoint: a failure undoes the unit alone and the caller's transaction
        // goes on, so "applied=none" holds whatever the caller does next.
        try {
            strata::tx handle = target;  // a handle: copies share the transaction
            result.results = handle.transaction([&](const tx& unit) { return run_in(unit); });
        } catch (...) {
            throw unit_failed(atomic_mode::transaction, index, "none", std::current_exception());
        }
        return result;
    }
    try {
        result.results = run_in(target);
    } catch (...) {
        // Nothing but the whole transaction can undo the unit's first statements: it
        // will roll back instead of committing, so "applied=none" holds all the same.
        error failed = unit_failed(atomic_mode::transaction, index, "none", std::current_exception());
        detail::tx_access::of(target).root->doomed = std::make_exception_ptr(failed);
        throw std::move(failed);
    }
    return result;
}

}  // namespace strata
