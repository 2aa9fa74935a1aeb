// Group commit: concurrent atomic units share one transaction and one COMMIT, each under
// a savepoint of its own, or (batch units) one batch (docs/decisions/0027-group-commit.md).
#include <algorithm>

#include "atomic_units.hpp"
#include "commit_groups.hpp"
#include "runtime_impl.hpp"
#include "transaction_state.hpp"
#include "strata/deadline_scope.hpp"

namespace strata::detail {

namespace {

// Units group only with units of the same mode that want the same kind of transaction.
std::string group_key(const capabilities& caps, atomic_mode mode, const atomic_options& o) {
    std::string key = caps.single_writer ? std::string() : o.group->key;
    const transaction_options& t = o.transaction;
    key += '\x1f';
    key += to_string(mode);
    key += '/';
    key += to_string(t.isolation);
    key += '/';
    key += to_string(t.access);
    key += '/';
    key += t.deferrable ? "/d/" : "/-/";
    if (t.driver_options) key += t.driver_options->key();
    return key;
}

error deadline_passed(const group_unit& u) {
    return error(std::string(codes::runtime_transaction_timeout),
                 "The atomic unit's deadline passed before its turn in the commit group; it was not run, so nothing "
                 "was applied.",
                 {{"statements", std::to_string(u.plans->size())}});
}

class group_run {
public:
    group_run(const runtime& db, atomic_mode mode) : db_(db), target_(*runtime_access::of(db).target), mode_(mode) {}

    // A unit alone: run_atomic_writes without a group, under the unit's own deadline.
    void alone(group_unit& u) const {
        ambient_deadline_override own(u.deadline);
        atomic_options options = *u.options;
        options.group.reset();
        options.transaction.timeout.reset();  // u.deadline holds it
        try {
            u.result = run_atomic_writes(db_, *u.plans, options);
        } catch (...) {
            u.failure = std::current_exception();
        }
        u.outcome = group_unit::state::done;
    }

    // A batch unit has no failing index of its own here: it never ran apart from others.
    void fail(group_unit& u, const std::exception_ptr& cause, std::size_t index, std::size_t group_size) const {
        const std::optional<std::size_t> at = mode_ == atomic_mode::batch ? std::nullopt : std::optional(index);
        u.failure = std::make_exception_ptr(unit_failed(mode_, at, "none", cause));
        finish(u, false, group_size);
    }

    void group(const std::vector<group_unit*>& units) const {
        if (mode_ == atomic_mode::batch) return batch(units);
        const auto started = clock::now();
        commit_group_summary summary = begin_summary(units, started);
        std::vector<std::exception_ptr> failed(units.size());
        std::vector<std::size_t> index(units.size(), 0);
        clock::time_point body_end{};
        try {
            ambient_deadline_override latest(latest_deadline(units));
            transaction_options options = units.front()->options->transaction;
            options.retry = {};          // a failed group is not retried: its units run alone instead
            options.timeout.reset();     // each unit's statements run under the unit's own deadline
            // Like a unit alone: a lost COMMIT is resolved, not guessed (decision 0024).
            if (options.check_commit == commit_check::automatic) options.check_commit = commit_check::resolve;
            db_.transaction(
                [&](const tx& t) {
                    for (std::size_t i = 0; i < units.size(); ++i) run_one(t, *units[i], failed[i], index[i]);
                    body_end = clock::now();
                },
                options);
        } catch (...) {
            const std::exception_ptr cause = std::current_exception();
            summary.duration = clock::now() - started;
            group_failed(units, failed, index, cause);
            for (const auto& m : target_.middleware) m->on_commit_group(summary);
            return;
        }
        const auto ended = clock::now();
        summary.succeeded = true;
        summary.duration = ended - started;
        summary.commit = ended - body_end;
        for (std::size_t i = 0; i < units.size(); ++i) {
            group_unit& u = *units[i];
            if (!failed[i]) {
                u.result.mode = atomic_mode::transaction;
                ++summary.committed;
                finish(u, true, units.size());
            } else if (is_transient(failed[i]) && u.options->transaction.retry.max_attempts > 1) {
                u.outcome = group_unit::state::run_alone;  // its own retry policy decides, as alone
            } else {
                fail(u, failed[i], index[i], units.size());
            }
        }
        for (const auto& m : target_.middleware) m->on_commit_group(summary);
    }

private:
    static commit_group_summary begin_summary(const std::vector<group_unit*>& units, clock::time_point started) {
        commit_group_summary summary;
        summary.units = units.size();
        for (const group_unit* u : units) {
            summary.longest_wait = std::max<std::chrono::nanoseconds>(summary.longest_wait, started - u->queued);
        }
        return summary;
    }

    // Batch units: every live unit's plans in one batch, so one round trip and one COMMIT.
    // A batch cannot undo one unit and keep the others, so when it fails its units run
    // again alone (each then gets its own outcome and its retry policy) — unless its
    // outcome is unknown: then every unit in it is unknown.
    void batch(const std::vector<group_unit*>& units) const {
        const auto started = clock::now();
        commit_group_summary summary = begin_summary(units, started);
        std::vector<group_unit*> live;
        for (group_unit* u : units) {
            if (u->deadline && started >= *u->deadline) {
                fail(*u, std::make_exception_ptr(deadline_passed(*u)), 0, units.size());
            } else {
                live.push_back(u);
            }
        }
        if (live.size() < 2) {
            for (group_unit* u : live) alone(*u);
            return;
        }
        std::vector<plan> plans;
        for (const group_unit* u : live) plans.insert(plans.end(), u->plans->begin(), u->plans->end());
        std::vector<batch_result> results;
        try {
            const std::optional<clock::time_point> deadline = latest_deadline(live);
            ambient_deadline_override latest(deadline);
            results = run_batch(target_, plans, execution_control{deadline, {}});
        } catch (...) {
            const std::exception_ptr cause = std::current_exception();
            summary.duration = clock::now() - started;
            const bool unknown = outcome_unknown(cause);
            for (group_unit* u : live) {
                if (unknown) fail(*u, cause, 0, units.size());
                else u->outcome = group_unit::state::run_alone;
            }
            for (const auto& m : target_.middleware) m->on_commit_group(summary);
            return;
        }
        summary.succeeded = true;
        summary.duration = clock::now() - started;
        summary.commit = summary.duration;  // one round trip: the COMMIT is not apart from the rest
        auto next = results.begin();
        for (group_unit* u : live) {
            const auto end = next + static_cast<std::ptrdiff_t>(u->plans->size());
            u->result.mode = atomic_mode::batch;
            u->result.results.assign(std::make_move_iterator(next), std::make_move_iterator(end));
            next = end;
            ++summary.committed;
            finish(*u, true, units.size());
        }
        for (const auto& m : target_.middleware) m->on_commit_group(summary);
    }

    static std::optional<clock::time_point> latest_deadline(const std::vector<group_unit*>& units) {
        std::optional<clock::time_point> latest;
        for (const group_unit* u : units) {
            if (!u->deadline) return std::nullopt;
            if (!latest || *u->deadline > *latest) latest = u->deadline;
        }
        return latest;
    }

    // One unit under its savepoint. Its failure is recorded, and the group goes on, when
    // the savepoint undid it; when the savepoint could not (the connection broke), the
    // whole group fails.
    static void run_one(const tx& t, group_unit& u, std::exception_ptr& failed, std::size_t& index) {
        u.result.results.clear();
        if (u.deadline && clock::now() >= *u.deadline) {
            failed = std::make_exception_ptr(deadline_passed(u));
            return;
        }
        try {
            strata::tx handle = t;
            u.result.results = handle.transaction([&](const tx& unit) {
                return run_each(
                    [&](const plan& p) {
                        execute_options eo;
                        eo.deadline = u.deadline;
                        return unit.execute(p, eo);
                    },
                    *u.plans, index);
            });
        } catch (...) {
            if (tx_access::of(t).root->doomed) throw;
            failed = std::current_exception();
        }
    }

    // The group's transaction failed as a whole. Its COMMIT outcome unknown: every unit
    // that was in it is unknown too. Else nothing committed: units that failed on their
    // own keep their failure, the others run again alone.
    void group_failed(const std::vector<group_unit*>& units, const std::vector<std::exception_ptr>& failed,
                      const std::vector<std::size_t>& index, const std::exception_ptr& cause) const {
        const bool unknown = outcome_unknown(cause);
        for (std::size_t i = 0; i < units.size(); ++i) {
            group_unit& u = *units[i];
            if (failed[i] && !is_transient(failed[i])) {
                fail(u, failed[i], index[i], units.size());
            } else if (unknown && !failed[i]) {
                u.failure = std::make_exception_ptr(unit_failed(atomic_mode::transaction, std::nullopt, "none", cause));
                finish(u, false, units.size());
            } else {
                u.outcome = group_unit::state::run_alone;
            }
        }
    }

    void finish(group_unit& u, bool succeeded, std::size_t group_size) const {
        atomic_unit_summary s{mode_, u.plans->size(), succeeded, clock::now() - u.queued, group_size};
        notify(target_, s);
        u.outcome = group_unit::state::done;
    }

    const runtime& db_;
    const execution_target& target_;
    atomic_mode mode_;
};

}  // namespace

atomic_result run_grouped(const runtime& db, const capabilities& caps, atomic_mode mode, const std::vector<plan>& plans,
                          const atomic_options& options) {
    if (options.group->max_units == 0) {
        throw error(std::string(codes::runtime_invalid_argument), "commit_group::max_units must be at least 1.");
    }
    if (options.group->max_wait.count() < 0) {
        throw error(std::string(codes::runtime_invalid_argument), "commit_group::max_wait must not be negative.");
    }
    std::optional<clock::time_point> deadline;
    if (options.transaction.timeout) {
        if (options.transaction.timeout->count() < 0) {
            throw error(std::string(codes::runtime_invalid_argument), "A transaction timeout must not be negative.");
        }
        deadline = clock::now() + *options.transaction.timeout;
    }
    group_unit unit;
    unit.plans = &plans;
    unit.options = &options;
    unit.deadline = deadline_scope::tighten(deadline);

    const group_run run(db, mode);
    const group_runner runner{
        [&](group_unit& u) { run.alone(u); },
        [&](const std::vector<group_unit*>& units) { run.group(units); },
        [&](group_unit& u, std::exception_ptr cause) { run.fail(u, cause, 0, 1); },
    };
    runtime_access::of(db).groups->submit(group_key(caps, mode, options), *options.group, unit, runner);
    if (unit.st == group_unit::state::run_alone) run.alone(unit);
    if (unit.failure) std::rethrow_exception(unit.failure);
    return std::move(unit.result);
}

}  // namespace strata::detail
