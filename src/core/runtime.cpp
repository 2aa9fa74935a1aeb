#include "strata/runtime.hpp"

#include <atomic>

#include "runtime_impl.hpp"
#include "strata/error.hpp"

namespace strata {


namespace {
void require(bool ok, std::string_view what) {
    if (!ok) {
        throw error(std::string(codes::runtime_stack_invalid),
                    "The execution stack is incomplete: " + std::string(what) +
                        ". Build it with the driver's make_stack() or fill every descriptor.",
                    {{"missing", std::string(what)}});
    }
}
}  // namespace

runtime instantiate(strata::stack s) {
    require(static_cast<bool>(s.driver.create), "driver descriptor has no factory");
    require(!s.target.dialect.empty(), "target has no dialect");
    if (s.adapter.dialect != s.target.dialect || s.driver.dialect != s.target.dialect) {
        throw error(std::string(codes::runtime_stack_invalid),
                    "The stack mixes dialects (target " + s.target.dialect + ", adapter " + s.adapter.dialect +
                        ", driver " + s.driver.dialect + "). Use one dialect's target, adapter and driver.",
                    {{"target", s.target.dialect}, {"adapter", s.adapter.dialect}, {"driver", s.driver.dialect}});
    }
    for (const auto& m : s.middleware) require(m != nullptr, "a middleware entry is null");
    auto target = std::make_shared<detail::execution_target>();
    target->driver = std::shared_ptr<strata::driver>(s.driver.create());
    require(target->driver != nullptr, "driver factory returned nothing");
    target->middleware = s.middleware;
    target->lower = s.adapter.lower;
    target->lower_tree = s.adapter.lower_tree;
    auto i = std::make_shared<runtime::impl>();
    i->stack = std::move(s);
    i->target = std::move(target);
    return runtime{std::move(i)};
}

driver_state runtime::state() const noexcept { return impl_->target->driver->state(); }
void runtime::connect(const binding& b) {
    impl_->target->driver->connect(b);
    if (impl_->contract) impl_->contract->reset();
}

void runtime::verify_contract_on_first_use(const contract& expected, contract_check mode,
                                           std::function<void(const error&)> on_warning) {
    impl_->contract = std::make_shared<detail::contract_gate>(expected, mode, std::move(on_warning));
}
void runtime::close() { impl_->target->driver->close(); }
capabilities runtime::caps() const { return impl_->target->driver->caps(); }
const strata::stack& runtime::stack() const noexcept { return impl_->stack; }

result_stream runtime::execute(plan p, const execute_options& options) const {
    if (const auto st = state(); st != driver_state::connected) {
        driver_errors::wrong_state(impl_->stack.driver.id, st, "execute()");
    }
    if (impl_->contract) impl_->contract->ensure(*this);
    return detail::start_execution(impl_->target, std::move(p), options, execution_scope::runtime);
}

std::string_view to_string(driver_state s) noexcept {
    switch (s) {
        case driver_state::unbound: return "unbound";
        case driver_state::connected: return "connected";
        case driver_state::closed: return "closed";
    }
    return "unknown";
}

std::string_view to_string(execution_scope s) noexcept {
    switch (s) {
        case execution_scope::runtime: return "runtime";
        case execution_scope::connection: return "connection";
        case execution_scope::transaction: return "transaction";
    }
    return "unknown";
}

std::string_view to_string(execution_outcome o) noexcept {
    switch (o) {
        case execution_outcome::success: return "success";
        case execution_outcome::error: return "error";
        case execution_outcome::aborted: return "aborted";
        case execution_outcome::intercepted: return "intercepted";
    }
    return "unknown";
}

}  // namespace strata

namespace strata {

std::string_view to_string(isolation_level l) noexcept {
    switch (l) {
        case isolation_level::database_default: return "database default";
        case isolation_level::read_committed: return "read committed";
        case isolation_level::repeatable_read: return "repeatable read";
        case isolation_level::serializable: return "serializable";
    }
    return "unknown";
}

std::string_view to_string(access_mode m) noexcept {
    return m == access_mode::read_only ? "read only" : "read write";
}

}  // namespace strata
