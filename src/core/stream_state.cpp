#include "stream_state.hpp"

#include "strata/error.hpp"

namespace strata::detail {

namespace {
bool is_abort(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const error& err) {
        return err.code() == codes::runtime_aborted;
    } catch (...) {
        return false;
    }
}
}  // namespace

stream_state::stream_state(std::shared_ptr<const execution_target> target, plan p, execution_context ctx,
                           std::function<void()> before_pull)
    : target_(std::move(target)), plan_(std::move(p)), ctx_(std::move(ctx)), before_pull_(std::move(before_pull)) {
    ctx_.statement = &plan_;
}

stream_state::~stream_state() {
    if (phase_ == phase::open) {
        source_.reset();
        finish(execution_outcome::success, nullptr, /*abandoned=*/true);
    }
}

void stream_state::open() {
    ctx_.started = clock::now();
    phase_ = phase::open;
    try {
        if (ctx_.deadline && clock::now() >= *ctx_.deadline) {
            throw error(std::string(codes::runtime_aborted),
                        "The statement's deadline passed before it started. Allow more time or retry.",
                        {{"reason", "deadline"}});
        }
        if (ctx_.cancel.cancelled()) {
            throw error(std::string(codes::runtime_aborted), "The statement was cancelled before it started.",
                        {{"reason", "cancelled"}});
        }
        for (const auto& m : target_->middleware) {
            if (auto rows = m->intercept(ctx_)) {
                intercepted_ = std::move(*rows);
                is_intercepted_ = true;
                return;
            }
        }
        for (const auto& m : target_->middleware) m->before_execute(ctx_);
        if (target_->lower) lowered_ = target_->lower(plan_);
        const statement s{target_->lower ? std::string_view(lowered_) : std::string_view(plan_.sql()), &plan_};
        source_ = target_->driver->execute(s, execution_control{ctx_.deadline, ctx_.cancel});
    } catch (...) {
        fail(std::current_exception());
    }
}

const row* stream_state::pull() {
    if (phase_ == phase::done) return nullptr;
    if (before_pull_) before_pull_();
    if (phase_ == phase::fresh) open();
    try {
        bool got;
        if (is_intercepted_) {
            got = intercepted_pos_ < intercepted_.size();
            if (got) current_ = std::move(intercepted_[intercepted_pos_++]);
        } else {
            got = source_->next(current_);
        }
        if (!got) {
            if (source_) affected_ = source_->affected_rows();
            source_.reset();
            finish(is_intercepted_ ? execution_outcome::intercepted : execution_outcome::success, nullptr, false);
            return nullptr;
        }
        ctx_.rows = ++rows_;
        for (const auto& m : target_->middleware) m->on_row(ctx_, current_);
    } catch (...) {
        if (phase_ == phase::done) throw;  // after_execute itself threw (a strict budget)
        fail(std::current_exception());
    }
    return &current_;
}

void stream_state::finish_early() {
    if (phase_ != phase::open) {
        phase_ = phase::done;
        return;
    }
    source_.reset();
    finish(is_intercepted_ ? execution_outcome::intercepted : execution_outcome::success, nullptr, false);
}

void stream_state::fail(std::exception_ptr e) {
    source_.reset();
    if (phase_ == phase::open) {
        finish(is_abort(e) ? execution_outcome::aborted : execution_outcome::error, e, false);
    }
    phase_ = phase::done;
    std::rethrow_exception(e);
}

void stream_state::finish(execution_outcome outcome, std::exception_ptr error, bool abandoned) {
    phase_ = phase::done;
    const execution_summary summary{outcome, rows_, clock::now() - ctx_.started, error, abandoned};
    // Every hook sees the outcome. On success the first hook failure (a strict budget)
    // is raised afterwards; on failure the original error wins and hook failures are
    // dropped so they cannot mask it.
    std::exception_ptr hook_failure;
    for (const auto& m : target_->middleware) {
        try {
            m->after_execute(ctx_, summary);
        } catch (...) {
            if (!hook_failure) hook_failure = std::current_exception();
        }
    }
    if (hook_failure && !error && !abandoned) std::rethrow_exception(hook_failure);
}

}  // namespace strata::detail
