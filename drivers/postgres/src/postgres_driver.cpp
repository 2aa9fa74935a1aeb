// The PostgreSQL driver instance: lifecycle state machine around a pool of connections.
#include <mutex>

#include "postgres_errors.hpp"
#include "postgres_pool.hpp"
#include "postgres_rows.hpp"
#include "postgres_scope.hpp"
#include "adapters/sql_render.hpp"
#include "strata/postgres.hpp"
#include "strata/sql.hpp"

namespace strata::postgres {
namespace {

class postgres_driver final : public strata::driver {
public:
    ~postgres_driver() override { close(); }

    [[nodiscard]] driver_state state() const noexcept override {
        std::lock_guard lock(mutex_);
        return state_;
    }

    void connect(const binding& b) override {
        // The whole transition happens under the lock: two racing connects cannot both
        // open pools, and a failed connect leaves the state as it was.
        std::lock_guard lock(mutex_);
        if (state_ == driver_state::connected) driver_errors::already_connected(detail::driver_name, b.describe());
        std::shared_ptr<pool::core> core;
        bool owned = true;
        if (const url* u = b.get_if<url>()) {
            core = pool::core::open(*u);
        } else if (const pool_binding* p = b.get_if<pool_binding>()) {
            if (!p->shared) driver_errors::binding_invalid(detail::driver_name, "pool", "must not be null");
            if (p->shared->internals()->closed()) driver_errors::binding_invalid(detail::driver_name, "pool", "is closed");
            core = p->shared->internals();
            owned = false;  // other runtimes share it: close() leaves it open
        } else if (const client* c = b.get_if<client>()) {
            core = pool::core::borrow(*c);
        } else {
            driver_errors::binding_invalid(detail::driver_name, "binding",
                                           "must be postgres::url, postgres::pool_binding or postgres::client, got " +
                                               b.describe());
        }
        core_ = std::move(core);
        owns_core_ = owned;
        closed_flag_ = std::make_shared<std::atomic<bool>>(false);
        state_ = driver_state::connected;
    }

    void close() override {
        std::shared_ptr<pool::core> core;
        bool owned = false;
        {
            std::lock_guard lock(mutex_);
            if (state_ != driver_state::connected) return;
            core = std::move(core_);
            owned = owns_core_;
            closed_flag_->store(true, std::memory_order_release);
            closed_flag_.reset();
            state_ = driver_state::closed;
        }
        if (owned) core->close();
    }

    [[nodiscard]] capabilities caps() const override { return detail::postgres_capabilities(); }

    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override {
        auto l = lease_for("execute()", c);
        return std::make_unique<detail::rows>(std::move(l), /*owns_lease=*/true, s, c);
    }

    [[nodiscard]] std::unique_ptr<strata::connection> acquire(connection_intent, const execution_control& c) override {
        return std::make_unique<detail::scope>(lease_for("acquire()", c));
    }

private:
    std::shared_ptr<detail::lease> lease_for(std::string_view operation, const execution_control& c) const {
        std::shared_ptr<pool::core> core;
        std::shared_ptr<const std::atomic<bool>> flag;
        {
            std::lock_guard lock(mutex_);
            if (state_ != driver_state::connected) driver_errors::wrong_state(detail::driver_name, state_, operation);
            core = core_;
            flag = closed_flag_;
        }
        auto l = std::make_shared<detail::lease>(core->acquire(c));
        l->driver_closed = std::move(flag);
        return l;
    }

    mutable std::mutex mutex_;
    driver_state state_ = driver_state::unbound;
    std::shared_ptr<pool::core> core_;
    bool owns_core_ = true;
    std::shared_ptr<std::atomic<bool>> closed_flag_;
};

}  // namespace

target_descriptor target() { return {"postgres", "postgres"}; }

adapter_descriptor adapter() {
    return {"postgres", "postgres", [](const plan& p) { return number_placeholders(p.sql(), "$"); },
            [](const plan& p) {
                return adapters::lower_plan(
                    p, adapters::sql_dialect{.name = "postgres", .dollar_params = true, .cast_aggregates = true});
            }};
}

driver_descriptor driver() {
    return {"postgres", "postgres", [] { return std::unique_ptr<strata::driver>(new postgres_driver()); }};
}

stack make_stack(std::vector<std::shared_ptr<middleware>> middleware) {
    return stack{target(), adapter(), driver(), std::move(middleware)};
}

}  // namespace strata::postgres
