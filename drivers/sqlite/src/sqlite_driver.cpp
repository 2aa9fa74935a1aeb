// The SQLite driver instance: lifecycle state machine around a pool of connections.
#include <atomic>
#include <mutex>
#include <thread>

#include "adapters/ddl_render.hpp"
#include "adapters/introspect.hpp"
#include "adapters/migration_render.hpp"
#include "adapters/sql_render.hpp"
#include "sqlite_connection.hpp"
#include "sqlite_pool.hpp"
#include "sqlite_rows.hpp"
#include "strata/sqlite.hpp"

namespace strata::sqlite {
namespace {

class sqlite_driver final : public strata::driver {
public:
    // Read without the lock: transitions happen under it, and a reader only needs a
    // recent value (execute() re-checks under the lock).
    [[nodiscard]] driver_state state() const noexcept override { return state_.load(std::memory_order_acquire); }

    void connect(const binding& b) override {
        // The whole transition happens under the lock: two racing connects cannot both
        // open connections, and a failed open leaves the state as it was.
        std::lock_guard lock(mutex_);
        if (state() == driver_state::connected) driver_errors::already_connected("sqlite", b.describe());
        std::shared_ptr<detail::pool> p = detail::pool::open(b);
        pool_guard guard(pool_lock_);
        pool_ = std::move(p);
        state_.store(driver_state::connected, std::memory_order_release);
    }

    void close() override {
        std::shared_ptr<detail::pool> p;
        {
            std::lock_guard lock(mutex_);
            if (state() != driver_state::connected) return;
            pool_guard guard(pool_lock_);
            p = std::move(pool_);
            state_.store(driver_state::closed, std::memory_order_release);
        }
        p->close();
    }

    [[nodiscard]] capabilities caps() const override {
        pool_guard guard(pool_lock_);
        return detail::sqlite_capabilities(pool_ ? pool_->limits() : detail::build_limits());
    }

    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override {
        return std::make_unique<detail::rows>(detail::pool::acquire(current("execute()"), s.source->meta().kind), s, c,
                                              /*scoped=*/false);
    }

    [[nodiscard]] std::unique_ptr<strata::connection> acquire(connection_intent intent,
                                                              const execution_control& c) override {
        bool gated = false;
        detail::lease l = current("acquire()")->acquire_scope(intent, c, gated);
        return std::make_unique<detail::sqlite_connection>(std::move(l), gated, c);
    }

private:
    std::shared_ptr<detail::pool> current(std::string_view operation) const {
        driver_state st;
        {
            pool_guard guard(pool_lock_);
            st = state();
            if (st == driver_state::connected) return pool_;
        }
        driver_errors::wrong_state("sqlite", st, operation);
    }

    // pool_ is read by every execution and written only by connect()/close(), which
    // hold it for a pointer move: a spin lock (one atomic exchange, a plain store to
    // release) instead of a mutex round trip.
    class pool_guard {
    public:
        explicit pool_guard(std::atomic_flag& f) noexcept : f_(f) {
            while (f_.test_and_set(std::memory_order_acquire)) {
                while (f_.test(std::memory_order_relaxed)) std::this_thread::yield();
            }
        }
        ~pool_guard() { f_.clear(std::memory_order_release); }
        pool_guard(const pool_guard&) = delete;
        pool_guard& operator=(const pool_guard&) = delete;

    private:
        std::atomic_flag& f_;
    };

    std::mutex mutex_;  // serializes connect() and close()
    mutable std::atomic_flag pool_lock_;
    std::atomic<driver_state> state_{driver_state::unbound};
    std::shared_ptr<detail::pool> pool_;
};

}  // namespace

target_descriptor target() { return {"sqlite", "sqlite"}; }

adapter_descriptor adapter() {
    // SQLite reads `?` placeholders natively: raw SQL runs unchanged; builder statements
    // are rendered once per plan text.
    return {"sqlite", "sqlite", {}, [](const plan& p) {
                return adapters::lower_plan(
                    p, adapters::sql_dialect{.name = "sqlite", .dollar_params = false, .upsert_select_needs_where = true});
            },
            [](const contract_table& t) { return adapters::create_table_sql(t, adapters::sqlite_ddl); },
            adapters::render_change_sqlite, adapters::introspect_sqlite, adapters::identity_sqlite,
            // A table rebuild drops the old copy of a table others may reference.
            [] {
                auto o = std::make_shared<transaction_settings>();
                o->suspend_foreign_keys = true;
                return std::shared_ptr<const driver_transaction_options>(std::move(o));
            }()};
}

std::string transaction_settings::key() const {
    return std::string("sqlite:") + (begin == begin_mode::immediate  ? "immediate"
                                     : begin == begin_mode::deferred ? "deferred"
                                                                     : "exclusive") +
           (suspend_foreign_keys ? "/no-fk" : "");
}

driver_descriptor driver() {
    return {"sqlite", "sqlite", [] { return std::unique_ptr<strata::driver>(new sqlite_driver()); }};
}

stack make_stack(std::vector<std::shared_ptr<middleware>> middleware) {
    return stack{target(), adapter(), driver(), std::move(middleware)};
}

}  // namespace strata::sqlite
