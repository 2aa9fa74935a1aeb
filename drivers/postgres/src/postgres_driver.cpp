// The PostgreSQL driver instance: lifecycle state machine around a pool of connections.
#include <mutex>
#include <unordered_map>

#include "postgres_connection.hpp"
#include "postgres_errors.hpp"
#include "postgres_pool.hpp"
#include "postgres_rows.hpp"
#include "adapters/ddl_render.hpp"
#include "adapters/introspect.hpp"
#include "adapters/migration_render.hpp"
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
        return std::make_unique<detail::postgres_connection>(lease_for("acquire()", c));
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

namespace {

// Lowered SQL by plan text: plans bound from one sql_template share their text, so a
// statement run in a loop is scanned once. Entries hold the text weakly, so an address
// reused by a new text never hits.
class lowering_cache {
public:
    std::string lower(const plan& p) {
        const std::shared_ptr<const plan_text>& text = p.text();
        if (!text) return number_placeholders(p.sql(), "$");
        {
            std::lock_guard lock(mutex_);
            if (const auto it = entries_.find(text.get()); it != entries_.end() && it->second.text.lock() == text) {
                return it->second.lowered;
            }
        }
        std::string lowered = number_placeholders(text->sql, "$");
        std::lock_guard lock(mutex_);
        if (entries_.size() >= capacity) {
            std::erase_if(entries_, [](const auto& e) { return e.second.text.expired(); });
            if (entries_.size() >= capacity) entries_.clear();
        }
        entries_[text.get()] = entry{text, lowered};
        return lowered;
    }

private:
    static constexpr std::size_t capacity = 4096;
    struct entry {
        std::weak_ptr<const plan_text> text;
        std::string lowered;
    };
    std::mutex mutex_;
    std::unordered_map<const plan_text*, entry> entries_;
};

}  // namespace

adapter_descriptor adapter() {
    auto cache = std::make_shared<lowering_cache>();
    adapter_descriptor a;
    a.id = "postgres";
    a.dialect = "postgres";
    a.lower = [cache](const plan& p) { return cache->lower(p); };
    a.lower_tree = [](const plan& p) {
        return adapters::lower_plan(
            p, adapters::sql_dialect{.name = "postgres", .dollar_params = true, .cast_aggregates = true});
    };
    a.create_table = [](const contract_table& t) { return adapters::create_table_sql(t, adapters::postgres_ddl); };
    a.render_change = adapters::render_change_postgres;
    a.introspect = adapters::introspect_postgres;
    a.identity = adapters::identity_postgres;
    return a;
}

driver_descriptor driver() {
    return {"postgres", "postgres", [] { return std::unique_ptr<strata::driver>(new postgres_driver()); }};
}

stack make_stack(std::vector<std::shared_ptr<middleware>> middleware) {
    return stack{target(), adapter(), driver(), std::move(middleware)};
}

}  // namespace strata::postgres
