#include "stream_state.hpp"

#include <atomic>

#include "strata/deadline_scope.hpp"
#include "strata/error.hpp"

namespace strata::detail {

namespace {
std::atomic<std::uint64_t> next_execution_id{1};
}  // namespace

// Execution ids are unique per process. Each thread reserves them in blocks so that an
// execution does not pay an atomic read-modify-write on a counter every thread shares.
std::uint64_t new_execution_id() noexcept {
    constexpr std::uint64_t block = 1024;
    struct range {
        std::uint64_t next = 0, end = 0;
    };
    thread_local range r;
    if (r.next == r.end) {
        r.next = next_execution_id.fetch_add(block, std::memory_order_relaxed);
        r.end = r.next + block;
    }
    return r.next++;
}

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

void scope_guard::check() const {
    if (closed()) {
        throw error(std::string(codes::runtime_transaction_closed),
                    "Cannot read from a query result after the transaction has ended. Read it inside the "
                    "transaction callback (or return it from the callback: it is drained before commit).");
    }
}

bool scope_guard::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

void scope_guard::add(stream_state* s) {
    std::lock_guard lock(mutex_);
    open_.push_back(s);
}

void scope_guard::remove(stream_state* s) noexcept {
    std::lock_guard lock(mutex_);
    std::erase(open_, s);
}

void scope_guard::close() noexcept {
    std::vector<stream_state*> open;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        open.swap(open_);
    }
    for (stream_state* s : open) s->stop_for_scope_end();
}

stream_state::stream_state(const std::shared_ptr<const execution_target>& target, plan&& p, execution_scope scope,
                           const std::optional<clock::time_point>& deadline, const cancel_token& cancel,
                           stream_scope&& where)
    : target_(target), plan_(std::move(p)), scope_(std::move(where)) {
    ctx_.id = new_execution_id();
    ctx_.scope = scope;
    ctx_.statement = &plan_;
    ctx_.deadline = deadline;
    ctx_.cancel = cancel;
    if (scope_.guard) scope_.guard->add(this);
}

struct plan_access {
    static std::vector<value>& params(plan& p) noexcept { return p.params_; }
};

stream_state::~stream_state() {
    if (scope_.guard) scope_.guard->remove(this);
    stop_for_scope_end();
    source_.reset();  // nothing is bound to the parameters any more
    recycle_param_buffer(std::move(plan_access::params(plan_)));
}

void stream_state::stop_for_scope_end() noexcept {
    if (phase_ == phase::open) {
        source_.reset();
        try {
            finish(execution_outcome::success, nullptr, /*abandoned=*/true);
        } catch (...) {  // hooks cannot throw on this path (abandoned), but stay noexcept
        }
    }
}

std::string_view lowered_sql(const execution_target& target, const plan& p, std::string& storage) {
    if (p.text()->tree) {
        if (!target.lower_tree) {
            throw error(std::string(codes::plan_unsupported), "This stack's adapter cannot lower builder statements.");
        }
        storage = target.lower_tree(p);
        return storage;
    }
    if (!target.lower) return p.sql();
    storage = target.lower(p);
    return storage;
}

void stream_state::open() {
    if (!target_->middleware.empty()) ctx_.started = clock::now();  // only hooks read times
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
        ctx_.sql = lowered_sql(*target_, plan_, lowered_);
        for (const auto& m : target_->middleware) {
            if (auto rows = m->intercept(ctx_)) {
                intercepted_ = std::move(*rows);
                is_intercepted_ = true;
                return;
            }
        }
        for (const auto& m : target_->middleware) m->before_execute(ctx_);
        const statement s{ctx_.sql, &plan_};
        const execution_control control{ctx_.deadline, ctx_.cancel};
        try {
            source_ = scope_.conn ? scope_.conn->execute(s, control) : target_->driver->execute(s, control);
        } catch (...) {
            if (!may_run_again(std::current_exception())) throw;
            run_again();
        }
    } catch (...) {
        fail(std::current_exception());
    }
}

bool stream_state::next_row() {
    try {
        return source_->next(current_);
    } catch (...) {
        if (rows_ != 0 || !may_run_again(std::current_exception())) throw;
    }
    run_again();
    return source_->next(current_);
}

// A read outside any transaction whose connection was lost before any of its results
// arrived runs once more: nothing of it reached the caller, and running a read twice
// changes nothing. A write may have been applied before the connection broke, and a
// statement inside a transaction lost the transaction with its connection: those fail.
bool stream_state::may_run_again(const std::exception_ptr& failure) const {
    if (ran_again_ || scope_.conn || plan_.meta().kind != statement_kind::read) return false;
    if (ctx_.cancel.cancelled() || (ctx_.deadline && clock::now() >= *ctx_.deadline)) return false;
    try {
        std::rethrow_exception(failure);
    } catch (const error& e) {
        return driver_errors::lost_before_results(e);
    } catch (...) {
        return false;
    }
}

// On another connection: the driver dropped the lost one, and its pool checks the idle
// ones before handing them out again.
void stream_state::run_again() {
    ran_again_ = true;
    source_.reset();
    const statement s{ctx_.sql, &plan_};
    source_ = target_->driver->execute(s, execution_control{ctx_.deadline, ctx_.cancel});
}

const row* stream_state::pull() {
    if (scope_.guard) scope_.guard->check();  // on every pull, not only the first
    if (phase_ == phase::done) return nullptr;
    if (phase_ == phase::fresh) open();
    try {
        bool got;
        if (is_intercepted_) {
            got = intercepted_pos_ < intercepted_.size();
            if (got) current_ = std::move(intercepted_[intercepted_pos_++]);
        } else {
            got = next_row();
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
    if (target_->middleware.empty()) return;
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

result_stream start_execution(const std::shared_ptr<const execution_target>& target, plan&& p,
                              const execute_options& options, execution_scope scope, stream_scope where,
                              std::optional<clock::time_point> outer_deadline) {
    std::optional<clock::time_point> deadline = options.deadline;
    auto tighten = [&](clock::time_point d) {
        if (!deadline || d < *deadline) deadline = d;
    };
    if (options.timeout) {
        if (options.timeout->count() < 0) {
            throw error(std::string(codes::runtime_invalid_argument), "A timeout must not be negative.",
                        {{"timeout_ms", std::to_string(options.timeout->count())}});
        }
        tighten(clock::now() + *options.timeout);
    }
    if (outer_deadline) tighten(*outer_deadline);
    if (const auto ambient = deadline_scope::current()) tighten(*ambient);
    return result_stream{
        std::make_unique<stream_state>(target, std::move(p), scope, deadline, options.cancel, std::move(where))};
}

}  // namespace strata::detail
