// Internal: the queues behind group commit (commit_group in strata/atomic_writes.hpp,
// docs/decisions/0027-group-commit.md). One queue per group key; whichever caller finds
// no leader leads: it takes the queued units (up to max_units) and runs them — alone
// when it found only one, else as one group — while later callers queue behind it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "strata/atomic_writes.hpp"
#include "strata/middleware.hpp"

namespace strata::detail {

// One caller's unit while it is queued or run by a leader.
struct group_unit {
    const std::vector<plan>* plans = nullptr;
    const atomic_options* options = nullptr;
    std::optional<clock::time_point> deadline;  // its own timeout and its thread's deadline_scope
    clock::time_point queued{};
    enum class state { queued, taken, done, run_alone };
    state st = state::queued;  // read and written under the queue's lock only
    // Set by the runner that ran it, outside the lock; the leader publishes `outcome` as
    // `st` under the lock once its runner returned.
    state outcome = state::done;
    atomic_result result{};        // when done without failure
    std::exception_ptr failure{};  // its final error
};

// What a leader does with the units it took: run_alone(unit) for one, run_group(units)
// for several. Each sets every unit's outcome to done (result or failure set) or
// run_alone (run again by its own caller) and never throws.
struct group_runner {
    std::function<void(group_unit&)> run_alone;
    std::function<void(const std::vector<group_unit*>&)> run_group;
    // Sets the unit's final error for `cause` (e.g. its deadline passed in the queue).
    std::function<void(group_unit&, std::exception_ptr cause)> fail;
};

class commit_groups {
public:
    // Queues `unit` under `key` and returns when it is done (result or failure set) or
    // must run alone (state run_alone): it may lead groups meanwhile, its own or others'.
    void submit(const std::string& key, const commit_group& settings, group_unit& unit, const group_runner& runner);

private:
    struct queue {
        std::mutex m;
        std::condition_variable changed;  // a group ended, or a unit arrived
        std::deque<group_unit*> waiting;
        bool leading = false;
        std::size_t users = 0;  // callers inside submit() (guarded by commit_groups::m_)
    };
    std::shared_ptr<queue> enter(const std::string& key);
    void leave(const std::string& key, const std::shared_ptr<queue>& q);
    static void lead(queue& q, std::unique_lock<std::mutex>& lock, const commit_group& settings,
                     const group_runner& runner);

    std::mutex m_;
    std::unordered_map<std::string, std::shared_ptr<queue>> queues_;
};

// Replaces the calling thread's deadline_scope deadline while it lives (a leader runs
// other callers' units under their deadlines, not its own). Defined in deadline_scope.cpp.
class ambient_deadline_override {
public:
    explicit ambient_deadline_override(std::optional<clock::time_point> deadline) noexcept;
    ~ambient_deadline_override();
    ambient_deadline_override(const ambient_deadline_override&) = delete;
    ambient_deadline_override& operator=(const ambient_deadline_override&) = delete;

private:
    std::optional<clock::time_point> previous_;
};

}  // namespace strata::detail
