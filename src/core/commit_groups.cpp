// The queues of group commit: who leads, what a leader takes, how callers wait.
#include "commit_groups.hpp"

#include <algorithm>

#include "strata/error.hpp"

namespace strata::detail {

namespace {

error timed_out_in_queue(const group_unit& u) {
    return error(std::string(codes::runtime_transaction_timeout),
                 "The atomic unit's deadline passed while it waited for its commit group; it never started, so "
                 "nothing was applied.",
                 {{"statements", std::to_string(u.plans->size())}});
}

}  // namespace

std::shared_ptr<commit_groups::queue> commit_groups::enter(const std::string& key) {
    std::lock_guard lock(m_);
    std::shared_ptr<queue>& q = queues_[key];
    if (!q) q = std::make_shared<queue>();
    ++q->users;
    return q;
}

void commit_groups::leave(const std::string& key, const std::shared_ptr<queue>& q) {
    std::lock_guard lock(m_);
    if (--q->users == 0) queues_.erase(key);  // keys come and go (one per channel): no growth
}

void commit_groups::lead(queue& q, std::unique_lock<std::mutex>& lock, const commit_group& settings,
                         const group_runner& runner) {
    q.leading = true;
    const std::size_t most = std::max<std::size_t>(settings.max_units, 1);
    // Wait for more only when others are queued already: a lone caller never waits.
    if (settings.max_wait.count() > 0 && q.waiting.size() > 1 && q.waiting.size() < most) {
        q.changed.wait_for(lock, settings.max_wait, [&] { return q.waiting.size() >= most; });
    }
    std::vector<group_unit*> taken;
    while (!q.waiting.empty() && taken.size() < most) {
        taken.push_back(q.waiting.front());
        q.waiting.pop_front();
        taken.back()->st = group_unit::state::taken;
        taken.back()->outcome = group_unit::state::taken;  // until its runner sets it
    }
    lock.unlock();
    std::exception_ptr broke;
    try {
        if (taken.size() == 1) runner.run_alone(*taken.front());
        else if (!taken.empty()) runner.run_group(taken);
    } catch (...) {
        broke = std::current_exception();  // the runners do not throw; out of memory might
    }
    // No caller may wait forever on a unit its runner did not finish.
    for (group_unit* u : taken) {
        if (u->outcome != group_unit::state::taken) continue;
        u->failure = broke ? broke : std::make_exception_ptr(error(std::string(codes::runtime_internal), "A commit group ended without "
                                                                                     "finishing one of its units."));
        u->outcome = group_unit::state::done;
    }
    lock.lock();
    for (group_unit* u : taken) u->st = u->outcome;
    q.leading = false;
    q.changed.notify_all();
}

void commit_groups::submit(const std::string& key, const commit_group& settings, group_unit& unit,
                           const group_runner& runner) {
    const std::shared_ptr<queue> q = enter(key);
    struct leaving {
        commit_groups& self;
        const std::string& key;
        const std::shared_ptr<queue>& q;
        ~leaving() { self.leave(key, q); }
    } on_exit{*this, key, q};

    std::unique_lock lock(q->m);
    unit.queued = clock::now();
    unit.st = group_unit::state::queued;
    q->waiting.push_back(&unit);
    q->changed.notify_all();  // a leader waiting out max_wait counts arrivals
    for (;;) {
        if (unit.st == group_unit::state::done || unit.st == group_unit::state::run_alone) return;
        if (!q->leading) {
            lead(*q, lock, settings, runner);
            continue;
        }
        if (unit.st == group_unit::state::queued && unit.deadline) {
            if (q->changed.wait_until(lock, *unit.deadline) == std::cv_status::timeout &&
                unit.st == group_unit::state::queued) {
                q->waiting.erase(std::find(q->waiting.begin(), q->waiting.end(), &unit));
                lock.unlock();
                runner.fail(unit, std::make_exception_ptr(timed_out_in_queue(unit)));
                unit.st = group_unit::state::done;
                return;
            }
        } else {
            q->changed.wait(lock);
        }
    }
}

}  // namespace strata::detail
