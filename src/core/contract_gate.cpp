#include "contract_gate.hpp"

#include <cstdio>

#include "strata/migrate.hpp"

namespace strata::detail {

contract_gate::contract_gate(contract expected, contract_check mode, std::function<void(const error&)> on_warning)
    : expected_(std::move(expected)), mode_(mode), on_warning_(std::move(on_warning)) {
    if (!on_warning_) on_warning_ = [](const error& e) { std::fprintf(stderr, "strata contract: %s\n", e.what()); };
}

void contract_gate::reset() {
    std::lock_guard lock(mutex_);
    state_ = state::unchecked;
    failure_.reset();
}

void contract_gate::ensure(const runtime& db) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (state_ == state::passed) return;
        if (state_ == state::failed) throw *failure_;
        if (state_ == state::unchecked) break;
        if (checker_ == std::this_thread::get_id()) return;  // the check's own statements
        done_.wait(lock);
    }
    state_ = state::checking;
    checker_ = std::this_thread::get_id();
    lock.unlock();

    std::optional<error> problem;
    try {
        const verify_result r = verify(db, expected_);
        if (r.status == verify_status::missing) {
            problem = error(std::string(codes::contract_missing),
                            "The database has no contract marker: its schema was not applied by strata. Run strata "
                            "migrate (or strata::migrate) first.",
                            {{"expected_hash", expected_.hash()}});
        } else if (r.status == verify_status::mismatch) {
            std::string what;
            for (const auto& d : r.differences) what += "\n  - " + d;
            problem = error(std::string(codes::contract_mismatch),
                            "The database's schema is another version than this program expects (declared vs "
                            "database):" + what,
                            {{"expected_hash", expected_.hash()}, {"database_hash", r.database_hash}});
        }
    } catch (...) {
        lock.lock();
        state_ = state::unchecked;  // could not check (e.g. connection lost): try again next time
        checker_ = {};
        done_.notify_all();
        throw;
    }

    lock.lock();
    checker_ = {};
    if (problem && mode_ == contract_check::strict) {
        state_ = state::failed;
        failure_ = std::move(problem);
        done_.notify_all();
        throw *failure_;
    }
    state_ = state::passed;
    done_.notify_all();
    lock.unlock();
    if (problem) on_warning_(*problem);
}

}  // namespace strata::detail
