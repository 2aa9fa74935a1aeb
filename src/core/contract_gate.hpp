// Internal: the once-per-connection contract check of a runtime.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "strata/contract.hpp"
#include "strata/runtime.hpp"

namespace strata::detail {

class contract_gate {
public:
    contract_gate(contract expected, contract_check mode, std::function<void(const error&)> on_warning);
    // Runs the check the first time (statements it runs itself pass straight through).
    void ensure(const runtime& db);
    // After a new connect(): check again.
    void reset();

private:
    enum class state { unchecked, checking, passed, failed };
    contract expected_;
    contract_check mode_;
    std::function<void(const error&)> on_warning_;
    std::mutex mutex_;
    std::condition_variable done_;
    state state_ = state::unchecked;
    std::thread::id checker_;
    std::optional<error> failure_;
};

}  // namespace strata::detail
