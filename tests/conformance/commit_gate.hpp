// For the commit-group tests (group_commit_test.cpp, grouped_batches_test.cpp): a gate
// that holds the first unit of a group inside the database call until the test lets it
// go, so the callers started meanwhile queue behind it and form the next group; it also
// records how units and groups ran. And the fixture both suites build on.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "driver_under_test.hpp"
#include "strata/strata.hpp"

namespace strata::test {

// Holds every statement (before_execute) or batch (hold_batch) whose SQL mentions 'gate'.
class commit_gate final : public middleware {
public:
    [[nodiscard]] std::string_view name() const noexcept override { return "commit_gate"; }
    void before_execute(const execution_context& ctx) override {
        if (ctx.sql.find("'gate'") != std::string_view::npos) hold();
    }
    // For a driver wrapper's before_batch hook: batches bypass before_execute.
    void hold_batch(const std::vector<std::string>& sql) {
        for (const auto& s : sql) {
            if (s.find("'gate'") != std::string::npos) return hold();
        }
    }
    void on_atomic_unit(const atomic_unit_summary& s) noexcept override {
        std::lock_guard lock(m_);
        units_.push_back(s);
    }
    void on_commit_group(const commit_group_summary& s) noexcept override {
        std::lock_guard lock(m_);
        groups_.push_back(s);
    }
    void wait_entered() {
        std::unique_lock lock(m_);
        changed_.wait(lock, [&] { return entered_; });
    }
    void release() {
        std::lock_guard lock(m_);
        open_ = true;
        changed_.notify_all();
    }
    std::vector<atomic_unit_summary> units() {
        std::lock_guard lock(m_);
        return units_;
    }
    std::vector<commit_group_summary> groups() {
        std::lock_guard lock(m_);
        return groups_;
    }

    // Runs `lead` (a unit that reaches the gate) on its own thread and `callers` calls of
    // call(i) on theirs; opens the gate once every caller has started (a started caller
    // is queued within microseconds; 100 ms more covers a loaded machine).
    template <class Lead, class Call>
    void with_callers_behind(int callers, const Lead& lead, const Call& call) {
        std::thread gate_thread(lead);
        wait_entered();  // the gate leads: whoever comes now queues behind it
        std::atomic<int> started{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < callers; ++i) {
            threads.emplace_back([&, i] {
                ++started;
                call(i);
            });
        }
        while (started.load() < callers) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        release();
        gate_thread.join();
        for (auto& t : threads) t.join();
    }

private:
    void hold() {
        std::unique_lock lock(m_);
        entered_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return open_; });
    }

    std::mutex m_;
    std::condition_variable changed_;
    bool entered_ = false;
    bool open_ = false;
    std::vector<atomic_unit_summary> units_;
    std::vector<commit_group_summary> groups_;
};

// What both commit-group suites share: the gate, the runtime it watches, and a notes table
// whose units of two inserts can be made to fail at their second statement.
class commit_group_suite : public conformance {
protected:
    void create_notes() {
        rt_->execute(sql("CREATE TABLE notes(id " + types().integer + " PRIMARY KEY, body " + types().text +
                         " NOT NULL, rank " + types().integer + " NOT NULL CHECK (rank >= 0))"))
            .drain();
    }
    // Two inserts with ids 2n and 2n+1; the second violates the CHECK when `fails`.
    static std::vector<plan> unit(int n, bool fails = false) {
        const sql_template insert("INSERT INTO notes(id, body, rank) VALUES (?, ?, ?) RETURNING id");
        return {insert.bind(2 * n, "note", 0), insert.bind(2 * n + 1, "note", fails ? -1 : 1)};
    }
    // Rows of units 0..n-1.
    std::int64_t rows_with_ids_below(int n) {
        return rt_->execute(sql("SELECT COUNT(*) FROM notes WHERE id >= 0 AND id < ?", 2 * n)).one_as<std::int64_t>();
    }

    std::shared_ptr<commit_gate> gate_ = std::make_shared<commit_gate>();
    runtime* rt_ = nullptr;
};

}  // namespace strata::test
