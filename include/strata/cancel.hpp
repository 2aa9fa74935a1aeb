// Cooperative cancellation: a cancel_source hands out tokens; cancel() makes every
// running statement that holds a token stop with RUNTIME.ABORTED.
#pragma once

#include <atomic>
#include <memory>

namespace strata {

class cancel_token {
public:
    cancel_token() = default;
    [[nodiscard]] bool cancelled() const noexcept { return flag_ && flag_->load(std::memory_order_relaxed); }
    [[nodiscard]] bool can_be_cancelled() const noexcept { return static_cast<bool>(flag_); }

private:
    friend class cancel_source;
    explicit cancel_token(std::shared_ptr<std::atomic<bool>> f) : flag_(std::move(f)) {}
    std::shared_ptr<std::atomic<bool>> flag_;
};

class cancel_source {
public:
    cancel_source() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
    void cancel() noexcept { flag_->store(true); }
    [[nodiscard]] cancel_token token() const { return cancel_token{flag_}; }

private:
    std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace strata
